from __future__ import annotations

from dlint.rule import Edit, Fix, Severity, Violation, rule
from dlint.source import Span


@rule(
    "DF012",
    "empty-continuation-line",
    Severity.WARNING,
    "An empty line inside a line continuation",
    fixable=True,
)
def empty_continuation_line(context, options):
    """## What it does
    Flags empty (or blank) lines between the continued lines of an instruction. Comment
    lines there are fine. BuildKit's `NoEmptyContinuation` check.

    ## Why is this bad?
    BuildKit skips such lines today but has deprecated them: a future Dockerfile syntax
    will reject the file, so a build that works now breaks on an upgrade of the builder.
    They also look like the end of the instruction to a reader, who then misreads what
    follows as a new one.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN echo one \\

        && echo two
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN echo one \\
        && echo two
    ```

    ## Fix
    `--fix` deletes the empty lines. Safe: BuildKit ignores them today.
    """
    dockerfile = context.dockerfile
    lines = dockerfile.lines
    for instruction in dockerfile.instructions:
        last = instruction.heredocs[0].start_line - 1 if instruction.heredocs else instruction.end_line
        if last <= instruction.line:
            continue  # one line: no continuation (most instructions)
        empty = [n for n in range(instruction.line + 1, last + 1) if not lines[n - 1].strip()]
        if not empty:
            continue
        edits = tuple(Edit(Span(n, 1, n + 1, 1), "") for n in empty)
        count = f"{len(empty)} empty lines" if len(empty) > 1 else "an empty line"
        yield Violation(
            Span(empty[0], 1, empty[0], 1 + len(lines[empty[0] - 1])),
            f"{count} inside the continuation of this {instruction.keyword}: BuildKit has deprecated "
            "them and a future syntax will reject the file",
            Fix("delete the empty lines", edits),
        )
