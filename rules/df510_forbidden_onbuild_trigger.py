from __future__ import annotations

from dlint.rule import Severity, Violation, rule
from dlint.words import arg_words

_FORBIDDEN = frozenset({"FROM", "MAINTAINER", "ONBUILD"})


@rule(
    "DF510",
    "forbidden-onbuild-trigger",
    Severity.ERROR,
    "`ONBUILD FROM`, `ONBUILD MAINTAINER` or `ONBUILD ONBUILD`",
)
def forbidden_onbuild_trigger(context, options):
    """## What it does
    Flags an `ONBUILD` whose trigger is `FROM`, `MAINTAINER` or `ONBUILD`. hadolint's
    DL3043.

    ## Why is this bad?
    The builder refuses these triggers: the image builds, but every image built `FROM` it
    fails at that trigger, far from the line that caused it.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    ONBUILD FROM debian:bookworm-20241016
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    ONBUILD RUN echo "building a child image"
    ```

    ## Fix
    None.
    """
    for instruction in context.dockerfile.instructions:
        if instruction.keyword != "ONBUILD":
            continue
        words = arg_words(instruction)
        if words and words[0].text.upper() in _FORBIDDEN:
            yield Violation(words[0].span, f"`ONBUILD {words[0].text.upper()}` is not allowed: child builds fail on it")
