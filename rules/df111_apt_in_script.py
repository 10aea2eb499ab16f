from __future__ import annotations

from dlint.packages import runs_with_facts
from dlint.rule import Severity, Violation, rule


@rule(
    "DF111",
    "apt-in-script",
    Severity.WARNING,
    "The interactive `apt` front end is used instead of `apt-get`",
)
def apt_in_script(dockerfile, options):
    """## What it does
    Flags `apt` (the front end meant for people at a terminal) in a `RUN`.

    ## Why is this bad?
    `apt` has no stable command-line interface: its output and behaviour may change between
    releases and it warns so itself (`WARNING: apt does not have a stable CLI interface. Use
    with caution in scripts.`). `apt-get` is the interface for scripts and builds.

    ## Example
    ```dockerfile
    RUN apt update && apt install -y curl
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y curl
    ```

    ## Fix
    None yet.
    """
    for _stage, _instruction, facts in runs_with_facts(dockerfile):
        for call in facts.calls:
            program = (call.program.value or "").rsplit("/", 1)[-1]
            if program in call.manager.interactive_programs:
                yield Violation(call.program.span, f"use `apt-get` instead of `{program}` in scripts")
