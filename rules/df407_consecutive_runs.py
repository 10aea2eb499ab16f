from __future__ import annotations

from dlint.rule import Severity, Violation, rule


@rule(
    "DF407",
    "consecutive-runs",
    Severity.INFO,
    "RUN instructions one after another that could be one",
    enabled=False,
)
def consecutive_runs(context, options):
    """## What it does
    Flags a `RUN` that directly follows another `RUN` of the same stage with the same flags
    (mounts, network, security; comments between them do not count), when each runs a single
    command: an author who chains commands (`a && b`, `a; b`, a pipe, `|| true`) in either RUN
    split them on purpose. A RUN whose commands dlint does not read (a PowerShell or cmd
    `SHELL`) is not judged. hadolint's DL3059. Off by default: turn it on with
    `extend-select = ["DF407"]`.

    ## Why is this bad?
    Each `RUN` is a layer: files that one creates and the next deletes stay in the image,
    and many small layers are slower to pull. Separate RUNs can be right (a slow, rarely
    changing step kept apart for the build cache), which is why this rule is opt-in.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN mkdir -p /srv/app
    RUN chown 1000 /srv/app
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN mkdir -p /srv/app \\
        && chown 1000 /srv/app
    ```

    ## Fix
    None: merging RUNs changes the layers and the cache, so it is left to you.
    """
    for stage in context.dockerfile.stages:
        previous = None
        for instruction in stage.instructions:
            if instruction.keyword == "RUN" and previous is not None and previous.keyword == "RUN":
                small = all(_commands(context.facts(run).script.commands) == 1 for run in (previous, instruction))
                same_flags = [(f.name, f.value) for f in previous.flags] == [(f.name, f.value) for f in instruction.flags]
                if small and same_flags:
                    yield Violation(
                        instruction.keyword_span,
                        f"this RUN directly follows the RUN at line {previous.line}: one RUN makes one layer",
                    )
            previous = instruction


def _commands(commands) -> int:
    """How many commands the RUN's own script runs: those of a `sh -c '…'` string are the
    shell's (one command), those of a `$(…)` substitution count."""
    count = 0
    for command in commands:
        inside = (not command.nested and any(
            other is not command and (other.span.line, other.span.column) <= (command.span.line, command.span.column)
            and (command.span.end_line, command.span.end_column) <= (other.span.end_line, other.span.end_column)
            for other in commands
        ))
        if not inside:
            count += 1
    return count
