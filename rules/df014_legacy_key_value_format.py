from __future__ import annotations

from dlint.rule import Edit, Fix, Severity, Violation, rule
from dlint.source import Span
from dlint.startup import lazy_pattern

_SIMPLE_VALUE = lazy_pattern(r"[^\s\"'\\`]+")


@rule(
    "DF014",
    "legacy-key-value-format",
    Severity.WARNING,
    "`ENV key value` or `LABEL key value`: the deprecated form without `=`",
    fixable=True,
    needs=("ENV", "LABEL"),
)
def legacy_key_value_format(context, options):
    """## What it does
    Flags `ENV` and `LABEL` written as `key value` (a blank instead of `=`). BuildKit's
    `LegacyKeyValueFormat` check.

    ## Why is this bad?
    The legacy form sets one variable to the whole rest of the line, blanks and quotes
    included, so `ENV A 1 B 2` sets `A` to `1 B 2` rather than two variables. It is
    deprecated, and `docker build` warns about it on every build.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    ENV APP_HOME /srv/app
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    ENV APP_HOME=/srv/app
    ```

    ## Fix
    `--fix` writes `key=value` when the value is one plain word (no blanks, quotes or
    escapes) on the instruction's line: then both forms set the same value. Other values are
    left to you, since quoting them right depends on what they contain.
    """
    dockerfile = context.dockerfile
    for instruction in context.instructions_of("ENV", "LABEL"):
        assignments = instruction.assignments
        if not assignments or not assignments[0].legacy:
            continue
        words = instruction.words
        if len(words) < 2:
            continue  # `ENV NAME` alone: a build error of its own, not this rule's
        key, value = words[0], words[1]
        fix = None
        if (
            len(words) == 2
            and _SIMPLE_VALUE().fullmatch(value.raw)
            and key.span.end_line == value.span.line
            and dockerfile.escape not in value.raw
        ):
            gap = Span(key.span.end_line, key.span.end_column, value.span.line, value.span.column)
            fix = Fix(f"write {key.raw}={value.raw}", (Edit(gap, "="),))
        yield Violation(
            key.span,
            f"`{instruction.keyword} {key.raw} …` uses the legacy form: write "
            f"`{instruction.keyword} {key.raw}=…`",
            fix,
        )
