from __future__ import annotations

from dlint.rule import Edit, Fix, Severity, Violation, rule
from dlint.source import Span


@rule(
    "DF001",
    "continuation-swallows-instruction",
    Severity.ERROR,
    "A line continuation carries the next instruction into the previous one",
    fixable=True,
)
def continuation_swallows_instruction(context, options):
    """## What it does
    Flags a line that starts with a Dockerfile keyword (`RUN`, `COPY`, `ENV` …) but is read
    as part of the instruction above it, because that instruction's last line ends with the
    escape character (`\\`). BuildKit itself continues some instructions on purpose:
    `HEALTHCHECK --interval=30s \\` with its `CMD …` on the next line, and `ONBUILD \\` with its
    instruction on the next line, are one instruction each and are not flagged.

    ## Why is this bad?
    Docker does not start a new instruction there: the words `RUN rm -rf …` become arguments
    of the previous command. An `apt-get install` then asks for packages named `RUN`, `rm`
    and `-rf` and the build fails, or a command silently receives extra arguments. Other
    linters lint the swallowed words as packages; dlint reports the stray continuation and
    analyses the two instructions as the author meant them.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
        make=4.3-4.1 \\
    RUN rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
        make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    `--fix` removes the stray escape character at the end of the previous line, so the
    swallowed instruction stands on its own. It runs before any other fix of those lines.
    """
    dockerfile = context.dockerfile
    instructions = dockerfile.instructions
    for index, instruction in enumerate(instructions):
        if not instruction.swallowed or index == 0:
            continue
        previous = instructions[index - 1]
        line_number = previous.end_line
        line = dockerfile.lines[line_number - 1]
        content = line.rstrip(" \t")[:-1].rstrip(" \t")
        edit = Edit(Span(line_number, len(content) + 1, line_number, len(line) + 1), "")
        yield Violation(
            instruction.keyword_span,
            f"`{instruction.keyword_text}` on this line is swallowed by the line continuation at the "
            f"end of line {line_number}; the instruction never runs on its own",
            Fix(f"remove the stray `{dockerfile.escape}` at the end of line {line_number}", (edit,)),
        )
