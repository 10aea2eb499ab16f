from __future__ import annotations

import re

from dlint.rule import Edit, Fix, Severity, Violation, rule
from dlint.words import arg_words

_SIMPLE_VALUE = re.compile(r"[^\s\"'\\`]+")


@rule(
    "DF014",
    "legacy-key-value-format",
    Severity.WARNING,
    "`ENV key value` or `LABEL key value`: the deprecated form without `=`",
    fixable=True,
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
    for instruction in dockerfile.instructions:
        if instruction.keyword not in ("ENV", "LABEL"):
            continue
        words = arg_words(instruction)
        if len(words) < 2 or "=" in words[0].text:
            continue
        key, value = words[0], words[1]
        fix = None
        if (
            len(words) == 2
            and _SIMPLE_VALUE.fullmatch(value.text)
            and key.span.line == value.span.line
            and dockerfile.escape not in value.text
        ):
            gap = instruction.word_span(key.end, value.start)
            fix = Fix(f"write {key.text}={value.text}", (Edit(gap, "="),))
        yield Violation(
            key.span,
            f"`{instruction.keyword} {key.text} …` uses the legacy form: write "
            f"`{instruction.keyword} {key.text}=…`",
            fix,
        )
