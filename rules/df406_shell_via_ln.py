from __future__ import annotations

from dlint.rule import Severity, Violation, rule

_SHELL_PATHS = frozenset({"/bin/sh", "/usr/bin/sh"})


@rule(
    "DF406",
    "shell-changed-with-ln",
    Severity.WARNING,
    "`ln -s … /bin/sh` changes the shell behind SHELL's back",
)
def shell_changed_with_ln(context, options):
    """## What it does
    Flags `ln` that replaces `/bin/sh` (`ln -sf /bin/bash /bin/sh`). hadolint's DL4005.

    ## Why is this bad?
    Every later `RUN` and every script of the image that asks for `sh` then gets another
    shell, silently: scripts written for `sh` may behave differently, package maintainer
    scripts included. To run the Dockerfile's own RUNs in bash, say so with
    `SHELL ["/bin/bash", "-c"]`, which changes nothing in the image.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN ln -sf /bin/bash /bin/sh
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    SHELL ["/bin/bash", "-c"]
    ```

    ## Fix
    None: it changes which shell the image's own scripts get.
    """
    for _run, command in context.commands_of("ln"):
        words = command.words
        if len(words) < 3:
            continue
        target = words[-1].value or ""
        if target.rstrip("/") in _SHELL_PATHS:
            yield Violation(words[0].span, f"`ln` replaces {target}: use SHELL to choose the shell of RUN")
