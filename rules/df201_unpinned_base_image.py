from __future__ import annotations

from dlint.rule import Severity, Violation, rule


@rule(
    "DF201",
    "unpinned-base-image",
    Severity.WARNING,
    "A base image without a tag or digest, or tagged latest",
)
def unpinned_base_image(context, options):
    """## What it does
    Flags a `FROM` whose image has no tag and no digest, or the tag `latest`. `scratch` and
    the names of earlier stages are fine; an image named by a build argument without a
    default is not judged.

    ## Why is this bad?
    `latest` is whatever was pushed last: the same Dockerfile builds on a different base next
    week, with a new distribution release, another libc or another set of packages, and the
    cache of every layer above it is busted when it changes. A tag makes the base a deliberate
    choice that shows up in review.

    A tag that moves is not a pin either, and this rule does not flag it: `debian:stable` and
    `debian:bookworm` (a codename), `python:3.12` and most version tags are pushed again with
    every point release or security update. Only a digest freezes the base:
    `debian:bookworm-20241016@sha256:…` keeps the tag for readers and the digest for the
    build; let a bot raise both.

    ## Example
    ```dockerfile
    FROM debian
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    ```

    ## Fix
    None: only you know which version you tested.
    """
    for stage in context.dockerfile.stages:
        base = stage.base
        if stage.parent is not None or base.is_scratch or base.has_variable or base.digest or not base.name:
            continue
        if base.tag is not None and base.tag != "latest":
            continue
        image = stage.from_instruction.words[0]
        problem = "is tagged `latest`" if base.tag else "has no tag or digest"
        shown = f"'{base.raw}'" if base.raw == image.value else f"'{image.value}' (that is '{base.raw}')"
        yield Violation(image.span, f"base image {shown} {problem}: pin a version tag or a digest")
