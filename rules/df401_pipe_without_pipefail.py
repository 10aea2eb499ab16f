from __future__ import annotations

from dlint.rule import Severity, Violation, rule


@rule(
    "DF401",
    "pipe-without-pipefail",
    Severity.WARNING,
    "A pipe in RUN hides the failure of the commands before its last",
)
def pipe_without_pipefail(context, options):
    """## What it does
    Flags a `RUN` with a pipe (`a | b`, except from `yes`, `echo` or `printf`, and a pipe into
    a compound command such as `| while read …` counts too) when neither the `SHELL` nor an
    earlier `set -o pipefail` in the same `RUN` makes the pipe fail when its first command
    fails.

    ## Why is this bad?
    A pipe's status is that of its last command. In `curl -fsSL URL | sh`, a failed download
    hands `sh` an empty script, `sh` exits 0, and the build goes on without whatever the
    script was to install; the build cache then keeps that broken layer. (A pipe into
    `tar -x` is less treacherous: tar fails on empty or cut-off input.)

    `set -o pipefail` inside the `RUN` is no cure on Debian and Ubuntu: their `/bin/sh` is
    dash, and dash 0.5.12 (Debian bookworm and trixie, Ubuntu 24.04) rejects it (`set: Illegal
    option -o pipefail`), failing the build. Run such `RUN`s with bash through `SHELL`, as
    below; on Alpine, BusyBox `sh` does know `set -o pipefail`.

    ## Example
    ```dockerfile
    RUN curl -fsSL https://example.invalid/install.sh | sh
    ```

    ## Use instead
    ```dockerfile
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://example.invalid/install.sh | sh
    ```

    ## Fix
    None: the right shell (bash has pipefail, older dash does not) depends on the image.
    """
    for _stage, instruction, facts in context.runs:
        if "pipefail" in " ".join(instruction.shell):
            continue
        protected = False
        previous = None
        for command in facts.script.commands:
            words = command.words
            if words and words[0].value == "set" and any("pipefail" in (w.value or "") for w in words[1:]):
                protected = True
            if command.operator == "|" and not protected:
                # `yes | …` and `echo … | …` cannot fail in a way worth a pipefail (and `yes` would
                # trip it: it dies of SIGPIPE when the reader is done).
                trivial = previous is not None and previous.name in ("yes", "echo", "printf")
                if not trivial:
                    yield Violation(instruction.keyword_span, "a pipe without `set -o pipefail` hides failures of "
                                    f"the commands before `{words[0].text}`")
                    break
            previous = command
