"""Build arguments in FROM: declared (BuildKit's UndefinedArgInFrom), with defaults that give a
valid image (InvalidDefaultArgInFrom), and no constant `--platform`
(FromPlatformFlagConstDisallowed)."""

from __future__ import annotations

import re

from dlint.rule import Severity, Violation, rule
from dlint.startup import lazy_pattern

# Set by the builder for every FROM, without an ARG (values as on a typical amd64 build).
_AUTOMATIC = {
    "BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64", "BUILDVARIANT": "",
    "TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETARCH": "amd64", "TARGETVARIANT": "",
}
_REFERENCE = lazy_pattern(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE = lazy_pattern(
    rf"(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?{_COMPONENT}(?:/{_COMPONENT})*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?"
)
_PLATFORM_WORDS = lazy_pattern(r"amd64|arm64|aarch64|armv?\d*|386|i386|x86|ppc64le|s390x|riscv64|linux|windows|darwin")


def _global_args(dockerfile):
    """Name -> default ('' when none) of the ARGs before the first FROM, each default expanded
    with the ARGs before it (as the builder does), on top of the automatic platform ARGs."""
    values: dict[str, str] = dict(_AUTOMATIC)
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            break
        for assignment in instruction.assignments if instruction.keyword == "ARG" else ():
            values[assignment.name] = _expand(assignment.value or "", values)
    return values


def _expand(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1) or match.group(4)
        value = values.get(name, "")
        operator, word = match.group(2), match.group(3) or ""
        if operator in (":-", "-"):
            unset = name not in values or (operator == ":-" and not value)
            return word if unset else value
        if operator in (":+", "+"):
            return word if value else ""
        return value

    return _REFERENCE().sub(replace, text)


def _from_parts(instruction):
    """(image word, platform flags) of a FROM."""
    words = instruction.words
    return (words[0] if words else None), instruction.flag("platform")


@rule(
    "DF208",
    "undefined-arg-in-from",
    Severity.WARNING,
    "FROM uses a build argument that no ARG before the first FROM declares",
)
def undefined_arg_in_from(context, options):
    """## What it does
    Flags a variable in `FROM` (the image or `--platform`) that is neither declared by an
    `ARG` before the first `FROM` nor one the builder sets itself (`TARGETPLATFORM`,
    `BUILDPLATFORM`, `TARGETARCH` …). BuildKit's `UndefinedArgInFrom` check.

    ## Why is this bad?
    Only the ARGs declared before the first `FROM` are visible to `FROM` lines. An undeclared
    one (often declared inside a stage, or misspelt) is always empty, whatever
    `--build-arg` passes, so the image reference silently changes.

    ## Example
    ```dockerfile
    FROM debian:${DEBIAN_TAG}
    ```

    ## Use instead
    ```dockerfile
    ARG DEBIAN_TAG=bookworm-20241016
    FROM debian:${DEBIAN_TAG}
    ```

    ## Fix
    None: the ARG's default is yours to choose.
    """
    dockerfile = context.dockerfile
    declared = None
    for stage in dockerfile.stages:
        image, platforms = _from_parts(stage.from_instruction)
        texts = [(w.raw, w.span) for w in ([image] if image else [])] + [(f.value or "", f.span) for f in platforms]
        for text, span in texts:
            if "$" not in text:
                continue
            if declared is None:
                declared = _global_args(dockerfile)
            for match in _REFERENCE().finditer(text):
                name = match.group(1) or match.group(4)
                if name not in declared:
                    yield Violation(span, f"FROM uses ${name}, which no ARG before the first FROM declares: it is always empty here")


@rule(
    "DF209",
    "invalid-default-arg-in-from",
    Severity.WARNING,
    "With the default build arguments, a FROM names no valid image",
)
def invalid_default_arg_in_from(context, options):
    """## What it does
    Flags a `FROM` whose image reference, with every build argument at its default, is
    empty or not a valid reference (`debian:` when `ARG TAG` has no default). BuildKit's
    `InvalidDefaultArgInFrom` check.

    ## Why is this bad?
    The Dockerfile only builds when the right `--build-arg` is passed: a plain
    `docker build .` (a new contributor, a CI job, a tool like dlint build) fails with
    "invalid reference format".

    ## Example
    ```dockerfile
    ARG TAG
    FROM debian:${TAG}
    ```

    ## Use instead
    ```dockerfile
    ARG TAG=bookworm-20241016
    FROM debian:${TAG}
    ```

    ## Fix
    None: the default is yours to choose.
    """
    dockerfile = context.dockerfile
    stage_names = {s.name.lower() for s in dockerfile.stages if s.name}
    declared = None
    for stage in dockerfile.stages:
        image, _platforms = _from_parts(stage.from_instruction)
        if image is None or "$" not in image.raw:
            continue
        if declared is None:
            declared = _global_args(dockerfile)
        resolved = _expand(image.raw, declared)
        if resolved.lower() in stage_names or resolved == "scratch":
            continue
        if "${" in resolved:
            # A placeholder no Dockerfile variable syntax reads (`${templateOption:imageVariant}`
            # in devcontainer templates): a template whose tool fills it in, not a missing default
            continue
        if not resolved or not _IMAGE().fullmatch(resolved):
            shown = resolved or "(empty)"
            yield Violation(
                image.span,
                f"with the default build arguments this FROM names '{shown}', not a valid image: give the ARG a default",
            )


@rule(
    "DF210",
    "constant-platform-in-from",
    Severity.INFO,
    "`FROM --platform=` with a fixed platform",
)
def constant_platform_in_from(context, options):
    """## What it does
    Flags `FROM --platform=linux/amd64` (a platform written out rather than a variable such
    as `$BUILDPLATFORM`), unless the stage's name says which platform it is for
    (`AS build-amd64`). BuildKit's `FromPlatformFlagConstDisallowed` check.

    ## Why is this bad?
    The stage is then built for that platform only: a multi-platform build
    (`--platform linux/amd64,linux/arm64`) gives every platform the same amd64 binaries,
    which fail or run under emulation on the others.

    ## Example
    ```dockerfile
    FROM --platform=linux/amd64 debian:bookworm-20241016 AS base
    ```

    ## Use instead
    ```dockerfile
    FROM --platform=$BUILDPLATFORM debian:bookworm-20241016 AS base
    ```

    ## Fix
    None: whether the stage must run on one platform is yours to say.
    """
    for stage in context.dockerfile.stages:
        for flag in stage.from_instruction.flag("platform"):
            value = (flag.value or "").strip("\"'")
            if not value or "$" in value:
                continue
            if stage.name and _PLATFORM_WORDS().search(stage.name.lower()):
                continue
            yield Violation(flag.span, f"`--platform={value}` builds this stage for {value} only, whatever platform is asked for")
