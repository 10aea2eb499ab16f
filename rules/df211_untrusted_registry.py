from __future__ import annotations

from fnmatch import fnmatchcase

from dlint.rule import Severity, Violation, rule


def registry_of(image: str) -> str:
    """The registry host of an image reference, as Docker reads it (docker.io by default)."""
    first, slash, _rest = image.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first.lower()
    return "docker.io"


@rule(
    "DF211",
    "untrusted-registry",
    Severity.WARNING,
    "A base image from a registry that is not in `allowed-registries`",
    options={"allowed-registries": []},
)
def untrusted_registry(context, options):
    """## What it does
    Flags an image whose registry does not match any pattern of the `allowed-registries`
    option (glob patterns such as `docker.io`, `*.example.com`; Docker Hub images are
    `docker.io`): in `FROM`, and in `COPY --from=` and `RUN --mount=…,from=` when they
    name an image rather than a stage. With the option empty (the default), nothing is
    flagged. hadolint's DL3026 (`trustedRegistries`). Stages (by name or number), `scratch`
    and images named by a variable are not judged.

    ## Why is this bad?
    A base image is code you run as root in every container: an organisation that mirrors
    and scans its images wants every Dockerfile to pull from those mirrors, and a base from
    anywhere else bypasses the scanning.

    ## Example
    With `allowed-registries = ["registry.example.com"]` (an `# options:` line is how the
    documentation test sets it):
    ```dockerfile
    # options: {"allowed-registries": ["registry.example.com"]}
    FROM debian:bookworm-20241016
    ```

    ## Use instead
    ```dockerfile
    # options: {"allowed-registries": ["registry.example.com"]}
    FROM registry.example.com/library/debian:bookworm-20241016
    ```

    ## Fix
    None: the mirror's name is yours.
    """
    allowed = [str(pattern).lower() for pattern in options.get("allowed-registries", ())]
    if not allowed:
        return
    for stage in context.dockerfile.stages:
        base = stage.base
        if stage.parent is not None or base.is_scratch or base.has_variable or not base.name:
            continue
        registry = registry_of(base.name)
        if any(fnmatchcase(registry, pattern) for pattern in allowed):
            continue
        words = stage.from_instruction.words
        yield Violation(
            words[0].span if words else stage.from_instruction.keyword_span,
            f"'{base.raw}' comes from {registry}, which is not an allowed registry ({', '.join(allowed)})",
        )
    # COPY --from= and RUN --mount=…,from= name a stage (BuildKit looks among all stages of the
    # file, in any case, or takes a number) or else an image
    stages = {stage.name.lower() for stage in context.dockerfile.stages if stage.name}
    for stage in context.dockerfile.stages:
        for instruction in stage.instructions:
            if instruction.keyword not in ("COPY", "RUN") or not instruction.flags:
                continue
            for flag, image in _images_named(instruction):
                if image.lower() in stages or image.isdigit() or "$" in image or image.lower() == "scratch":
                    continue
                registry = registry_of(image)
                if not any(fnmatchcase(registry, pattern) for pattern in allowed):
                    yield Violation(
                        flag.span,
                        f"'{image}' comes from {registry}, which is not an allowed registry ({', '.join(allowed)})",
                    )


def _images_named(instruction):
    """(flag, value) of COPY --from=VALUE and of the from=VALUE of RUN --mount=…"""
    if instruction.keyword == "COPY":
        for flag in instruction.flag("from"):
            value = (flag.value or "").strip("\"'")
            if value:
                yield flag, value
        return
    for flag in instruction.flag("mount"):
        for part in (flag.value or "").split(","):
            key, _, value = part.partition("=")
            value = value.strip("\"'")
            if key.strip().lower() == "from" and value:
                yield flag, value
