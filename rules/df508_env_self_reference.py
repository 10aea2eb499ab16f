from __future__ import annotations

import re

from dlint.rule import Severity, Violation, rule
from dlint.words import arg_words

_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")


@rule(
    "DF508",
    "env-refers-to-same-instruction",
    Severity.WARNING,
    "An ENV value uses a variable that the same ENV sets",
)
def env_refers_to_same_instruction(context, options):
    """## What it does
    Flags `ENV A=… B=$A`: a value that refers to a variable set earlier in the same `ENV`.
    (`ENV PATH=/opt/bin:$PATH`, a variable referring to its own old value, is fine.)
    hadolint's DL3044.

    ## Why is this bad?
    All values of one `ENV` are expanded before any of them is set, so `$A` is the value
    `A` had before this instruction (usually empty), not the one written next to it.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    ENV APP_HOME=/srv/app APP_DATA=$APP_HOME/data
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    ENV APP_HOME=/srv/app
    ENV APP_DATA=$APP_HOME/data
    ```

    ## Fix
    None yet: split the instruction by hand.
    """
    from dockerfile_parse.util import extract_key_values

    for instruction in context.dockerfile.instructions:
        if instruction.keyword != "ENV" or "$" not in instruction.args:
            continue
        try:
            pairs = extract_key_values(False, {}, {}, instruction.args)
        except Exception:  # odd quoting: dockerfile-parse gives up, and so does this rule
            continue
        words = arg_words(instruction)
        set_here: set[str] = set()
        for key, value in pairs:
            used = {a or b for a, b in _REFERENCE.findall(value)}
            for name in sorted((used & set_here) - {key}):
                word = next((w for w in words if w.text.startswith(key + "=")), None)
                yield Violation(
                    word.span if word is not None else instruction.keyword_span,
                    f"${name} in the value of {key} is the value before this ENV, not the one it sets: "
                    f"set {name} in an ENV of its own before this one",
                )
            set_here.add(key)
