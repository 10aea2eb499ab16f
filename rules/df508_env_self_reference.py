from __future__ import annotations

from dlint.rule import Severity, Violation, rule
from dlint.startup import lazy_pattern

_REFERENCE = lazy_pattern(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")


@rule(
    "DF508",
    "env-refers-to-same-instruction",
    Severity.WARNING,
    "An ENV value uses a variable that the same ENV sets",
    needs=("ENV",),
)
def env_refers_to_same_instruction(context, options):
    """## What it does
    Flags `ENV A=… B=$A`: a value that refers to a variable set earlier in the same `ENV`,
    also `ENV PATH=/a:$PATH PATH=/b:$PATH` (the second `$PATH` is not `/a:…`).
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
    for instruction in context.instructions_of("ENV"):
        if "$" not in instruction.args:
            continue
        set_here: set[str] = set()
        for assignment in instruction.assignments:
            key = assignment.name
            used = {a or b for a, b in _REFERENCE().findall(assignment.value or "")}
            # set_here holds the names set before this assignment: $KEY of a KEY set only here
            # is its old value, as meant (PATH=/opt/bin:$PATH)
            for name in sorted(used & set_here):
                if name == key:
                    message = (f"${name} in the second value of {key} is the value before this ENV, not the "
                               f"one set just before it: that {key}=… is lost; set {key} in ENVs of their own")
                else:
                    message = (f"${name} in the value of {key} is the value before this ENV, not the one it "
                               f"sets: set {name} in an ENV of its own before this one")
                yield Violation(assignment.span, message)
            set_here.add(key)
