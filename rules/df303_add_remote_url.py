from __future__ import annotations

import re

from dlint.rule import Severity, Violation, rule

_REMOTE = re.compile(r"(https?)://", re.IGNORECASE)


@rule(
    "DF303",
    "add-remote-url",
    Severity.WARNING,
    "ADD of a URL without --checksum",
)
def add_remote_url(context, options):
    """## What it does
    Flags `ADD https://…` (or `http://`) without `--checksum=sha256:…`. Git sources
    (`ADD https://…/repo.git#ref`) pin by ref and are left alone.

    ## Why is this bad?
    The builder downloads the URL on every build to see whether it changed, and whatever the
    server sends ends up in the image unchecked: a moved `latest` link, a compromised mirror
    or a truncated download are all accepted and cached. With `--checksum` the download is
    verified, and a mismatch fails the build.

    ## Example
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM debian:bookworm-20241016
    ADD https://example.invalid/tool-1.2.tar.gz /tmp/tool.tar.gz
    ```

    ## Use instead
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM debian:bookworm-20241016
    ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.invalid/tool-1.2.tar.gz /tmp/tool.tar.gz
    ```

    ## Fix
    None: the checksum has to come from the publisher (or from a download you verified).
    """
    for instruction in context.dockerfile.instructions:
        if instruction.keyword != "ADD" or instruction.flag("checksum"):
            continue
        for source in (word.value for word in instruction.sources):
            if _REMOTE.match(source) and ".git" not in source.split("?")[0].rsplit("/", 1)[-1] and "#" not in source:
                yield Violation(
                    instruction.keyword_span,
                    f"ADD of {source} without --checksum: downloaded on every build and "
                    "not verified; add --checksum=sha256:…",
                )
                break
