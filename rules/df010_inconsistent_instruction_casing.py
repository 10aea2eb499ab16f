from __future__ import annotations

from dlint.dockerfile import KEYWORDS
from dlint.rule import Edit, Fix, Severity, Violation, rule


@rule(
    "DF010",
    "inconsistent-instruction-casing",
    Severity.STYLE,
    "An instruction keyword's casing differs from the file's other keywords",
    fixable=True,
)
def inconsistent_instruction_casing(context, options):
    """## What it does
    Flags an instruction keyword written in mixed case (`Run`, `EntryPoint`), or in the
    minority case of the file (`run` in a file of `RUN`s). The majority is counted over all
    keywords; on a tie, upper case wins. BuildKit's `ConsistentInstructionCasing` check.

    ## Why is this bad?
    Keywords are case-insensitive, so nothing breaks, but a file that mixes `RUN` and `run`
    reads as if the two meant different things and makes searching for an instruction
    unreliable (`grep '^RUN'` misses the `run`s). `docker build` prints this warning too.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    run echo hello > /greeting.txt
    CMD ["cat", "/greeting.txt"]
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN echo hello > /greeting.txt
    CMD ["cat", "/greeting.txt"]
    ```

    ## Fix
    `--fix` rewrites the keyword in the majority case. Safe: keywords are case-insensitive.
    """
    # Unknown words (a template's placeholders, a missing escape) are problems of their own.
    instructions = [i for i in context.dockerfile.instructions if i.keyword in KEYWORDS]
    upper = sum(1 for i in instructions if i.keyword_text.isupper())
    lower = sum(1 for i in instructions if i.keyword_text.islower())
    if upper == len(instructions) or lower == len(instructions):
        return  # all in one case (most files): nothing to look at again
    majority_lower = lower > upper
    for instruction in instructions:
        text = instruction.keyword_text
        if majority_lower and text.islower() or not majority_lower and text.isupper():
            continue
        wanted = text.lower() if majority_lower else text.upper()
        problem = "mixes upper and lower case" if not (text.isupper() or text.islower()) else (
            f"is {'upper' if text.isupper() else 'lower'} case"
        )
        yield Violation(
            instruction.keyword_span,
            f"`{text}` {problem} while most keywords of this file are {'lower' if majority_lower else 'upper'} "
            f"case: write `{wanted}`",
            Fix(f"write `{wanted}`", (Edit(instruction.keyword_span, wanted),)),
        )
