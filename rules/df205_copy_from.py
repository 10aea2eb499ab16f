"""`COPY --from=…` that names no stage (hadolint DL3022) or the stage it is in (DL3023)."""

from __future__ import annotations

from dlint.rule import Severity, Violation, rule


def _copies_from(context):
    """(stage, instruction, flag, source as written without quotes) for every COPY --from."""
    for stage in context.dockerfile.stages:
        for instruction in stage.instructions:
            if instruction.keyword != "COPY":
                continue
            for flag in instruction.flag("from"):
                value = (flag.value or "").strip("\"'")
                if value:
                    yield stage, instruction, flag, value


@rule(
    "DF205",
    "copy-from-unknown-stage",
    Severity.WARNING,
    "`COPY --from` names no stage of the file, so an image of that name is pulled",
    needs=("COPY",),
)
def copy_from_unknown_stage(context, options):
    """## What it does
    Flags `COPY --from=name` when `name` is not a stage of this file and not a pinned image
    reference (no tag, no digest, no registry): usually a typo of a stage name. Names with a
    variable are not judged.

    ## Why is this bad?
    A `--from` that matches no stage is read as an image: BuildKit pulls `name:latest`
    from Docker Hub and copies from it. A misspelt stage name then copies from an
    unrelated image, or fails far from the typo; an intended image is unpinned, so the
    copied files change whenever `latest` moves. (Named build contexts given with
    `--build-context name=…` also match; pass such a name in a variable, or ignore the
    finding there.)

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016 AS build
    RUN echo built > /out.txt
    FROM debian:bookworm-20241016
    COPY --from=biuld /out.txt /out.txt
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016 AS build
    RUN echo built > /out.txt
    FROM debian:bookworm-20241016
    COPY --from=build /out.txt /out.txt
    ```

    ## Fix
    None: the right stage or image is yours to name.
    """
    names = {stage.name.lower() for stage in context.dockerfile.stages if stage.name}
    for _stage, _instruction, flag, value in _copies_from(context):
        if value.lower() in names or value.isdigit() or "$" in value:
            continue
        if any(char in value for char in ":@/."):
            continue  # a tag, a digest or a registry: an image reference, not a stage name
        yield Violation(
            flag.span,
            f"'{value}' is not a stage of this file: BuildKit copies from the image '{value}:latest' "
            "(a misspelt stage name?)",
        )


@rule(
    "DF206",
    "copy-from-own-stage",
    Severity.ERROR,
    "`COPY --from` names the stage it is in",
    needs=("COPY",),
)
def copy_from_own_stage(context, options):
    """## What it does
    Flags `COPY --from=name` inside the stage called `name` (or `--from=N` in stage number
    `N`).

    ## Why is this bad?
    A stage cannot copy from itself: its filesystem is what is being built. BuildKit fails
    with a circular dependency; the intent was almost always an earlier stage.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016 AS build
    RUN echo built > /out.txt
    COPY --from=build /out.txt /copy.txt
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016 AS build
    RUN echo built > /out.txt
    RUN cp /out.txt /copy.txt
    ```

    ## Fix
    None.
    """
    for stage, _instruction, flag, value in _copies_from(context):
        own = (stage.name and value.lower() == stage.name.lower()) or (value.isdigit() and int(value) == stage.index)
        if own:
            yield Violation(flag.span, f"`--from={value}` names the stage this COPY is in: a stage cannot copy from itself")
