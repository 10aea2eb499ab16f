from __future__ import annotations

from dlint.rule import Severity, Violation, rule

# Instructions of which a stage keeps only the last.
_LAST_ONE_WINS = ("CMD", "ENTRYPOINT", "HEALTHCHECK")


@rule(
    "DF013",
    "multiple-instructions-disallowed",
    Severity.WARNING,
    "A CMD, ENTRYPOINT or HEALTHCHECK that a later one in the same stage overrides",
    needs=_LAST_ONE_WINS,
)
def multiple_instructions_disallowed(context, options):
    """## What it does
    Flags every `CMD`, `ENTRYPOINT` and `HEALTHCHECK` of a stage except the last of its kind.
    BuildKit's `MultipleInstructionsDisallowed` check; hadolint's DL4003 and DL4004.

    ## Why is this bad?
    Only the last one takes effect. The earlier ones are dead code that a reader takes for
    the image's command or health check, typically left over from an edit or a merge.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    CMD ["echo", "first"]
    CMD ["echo", "second"]
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    CMD ["echo", "second"]
    ```

    ## Fix
    None: which one you meant is yours to say.
    """
    for stage in context.dockerfile.stages:
        last: dict[str, object] = {}
        for instruction in stage.instructions:
            if instruction.keyword in _LAST_ONE_WINS:
                last[instruction.keyword] = instruction
        for instruction in stage.instructions:
            keyword = instruction.keyword
            if keyword in last and last[keyword] is not instruction:
                yield Violation(
                    instruction.keyword_span,
                    f"this {keyword} is overridden by the {keyword} at line {last[keyword].line}: "
                    "only the last one of a stage takes effect",
                )
