from __future__ import annotations

from dlint.rule import Severity, Violation, rule
from dlint.startup import lazy_pattern

_ABSOLUTE = lazy_pattern(r"[/\\$]|[A-Za-z]:[/\\]")  # POSIX, Windows, or a variable (not judged)


def _path(instruction):
    value = instruction.exec_form[0] if instruction.exec_form else instruction.args.strip()
    return value.strip("\"'")


@rule(
    "DF503",
    "relative-workdir",
    Severity.WARNING,
    "A relative WORKDIR with no absolute WORKDIR before it in the stage",
    needs=("WORKDIR",),
)
def relative_workdir(context, options):
    """## What it does
    Flags a `WORKDIR` with a relative path when no earlier `WORKDIR` of the stage (or of the
    stages it is built FROM) set an absolute one. BuildKit's `WorkdirRelativePath` check;
    hadolint's DL3000 flags every relative `WORKDIR`, this rule only the ones that depend on
    the base image.

    ## Why is this bad?
    A relative `WORKDIR` is relative to the base image's working directory, which the base
    image may change in any release: `WORKDIR app` is `/app` today and `/usr/src/app`
    after a base image update, and every later `COPY` and `RUN` lands elsewhere.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    WORKDIR app
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    WORKDIR /app
    ```

    ## Fix
    None: the absolute path you mean depends on the base image.
    """
    for stage in context.dockerfile.stages:
        anchored = any(
            i.keyword == "WORKDIR" and _ABSOLUTE().match(_path(i))
            for ancestor in stage.chain[:-1]
            for i in ancestor.instructions
        )
        for instruction in stage.instructions:
            if instruction.keyword != "WORKDIR":
                continue
            path = _path(instruction)
            if not path or _ABSOLUTE().match(path):
                anchored = True
                continue
            if not anchored:
                yield Violation(
                    instruction.keyword_span,
                    f"WORKDIR '{path}' is relative to the base image's working directory, which can change: "
                    "use an absolute path",
                )
