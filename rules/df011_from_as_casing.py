from __future__ import annotations

from dlint.rule import Edit, Fix, Severity, Violation, rule


@rule(
    "DF011",
    "from-as-casing",
    Severity.STYLE,
    "The `AS` of a FROM is not in the case of its `FROM`",
    fixable=True,
)
def from_as_casing(context, options):
    """## What it does
    Flags `FROM image as name` (upper-case `FROM`, lower-case `as`) and `from image AS name`.
    BuildKit's `FromAsCasing` check.

    ## Why is this bad?
    Both build, but the mixed spelling is the one `docker build` warns about on every build,
    and a consistent keyword case keeps stage names easy to find.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016 as build
    RUN echo built > /out.txt
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016 AS build
    RUN echo built > /out.txt
    ```

    ## Fix
    `--fix` writes `AS` in the case of `FROM`. Safe: the keyword is case-insensitive.
    """
    for stage in context.dockerfile.stages:
        instruction = stage.from_instruction
        keyword = instruction.keyword_text
        if not (keyword.isupper() or keyword.islower()):
            continue
        words = instruction.words
        if len(words) != 3 or words[1].raw.lower() != "as":
            continue
        as_word = words[1]
        wanted = "AS" if keyword.isupper() else "as"
        if as_word.raw == wanted:
            continue
        yield Violation(
            as_word.span,
            f"`{as_word.raw}` does not match the case of `{keyword}`: write `{wanted}`",
            Fix(f"write `{wanted}`", (Edit(as_word.span, wanted),)),
        )
