from __future__ import annotations

from dlint.rule import Edit, Fix, Severity, Violation, rule
from dlint.source import Span

_DEFAULT_PLATFORM = frozenset({"$TARGETPLATFORM", "${TARGETPLATFORM}"})


@rule(
    "DF207",
    "redundant-target-platform",
    Severity.STYLE,
    "`FROM --platform=$TARGETPLATFORM` says what FROM does anyway",
    fixable=True,
)
def redundant_target_platform(context, options):
    """## What it does
    Flags `FROM --platform=$TARGETPLATFORM`. BuildKit's `RedundantTargetPlatform` check.

    ## Why is this bad?
    A stage is built for the target platform unless `--platform` says otherwise, so the flag
    changes nothing; it only hides the stages where `--platform` matters
    (`--platform=$BUILDPLATFORM` for cross-compiling stages).

    ## Example
    ```dockerfile
    FROM --platform=$TARGETPLATFORM debian:bookworm-20241016
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    ```

    ## Fix
    `--fix` deletes the flag. Safe: the stage's platform stays the target platform.
    """
    dockerfile = context.dockerfile
    for stage in dockerfile.stages:
        for flag in stage.from_instruction.flag("platform"):
            if (flag.value or "").strip("\"'") not in _DEFAULT_PLATFORM:
                continue
            span = flag.span
            line = dockerfile.lines[span.end_line - 1]
            end = span.end_column
            while end <= len(line) and line[end - 1] in " \t":
                end += 1
            fix = Fix("delete the flag", (Edit(Span(span.line, span.column, span.end_line, end), ""),))
            yield Violation(span, "`--platform=$TARGETPLATFORM` is the default platform of every stage: delete it", fix)
