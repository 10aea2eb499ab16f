from __future__ import annotations

from dlint.layers import ABSENT
from dlint.packages import INSTALL, runs_script
from dlint.rule import Severity, Violation, rule


@rule(
    "DF102",
    "install-without-update",
    Severity.WARNING,
    "A package install with no index update before it in the same RUN",
)
def install_without_update(context, options):
    """## What it does
    Flags a `RUN` that installs packages (`apt-get install`) without updating the package
    index (`apt-get update`) earlier in the same `RUN`. `apt-get install --update`, as apt 3
    (Debian trixie) allows, updates the index first and is fine.

    ## Why is this bad?
    The install then relies on an index from an earlier layer, which the build cache may have
    kept for months, or on no index at all (official Debian and Ubuntu images ship without
    one, so the install fails with `Unable to locate package`). Either way the result depends
    on when the cache was last busted, not on the Dockerfile.

    ## Example
    ```dockerfile
    RUN apt-get update
    RUN apt-get install -y --no-install-recommends make=4.3-4.1
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update \\
        && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    None: where the update belongs depends on the rest of the RUN.
    """
    for _stage, instruction, facts in context.runs:
        # apk, dnf, zypper, pip … fetch a missing or expired index by themselves: apt's only.
        installs = [c for c in facts.calls_of(INSTALL) if c.manager.needs_update]
        if not installs:
            continue
        effects = context.effects(instruction)
        for install in installs:
            if install.updates_first or install.simulates or install.does_nothing:
                continue  # `install --update` (apt 3) updates first; -s or no package changes nothing
            if effects.before(install.command).fresh != ABSENT:
                continue  # updated earlier in this RUN (on some way to the install)
            if any(runs_script(c) for c in facts.script.commands[: install.index]):
                continue  # a script before it (`./add-repo.sh`) may have updated the index
            yield Violation(
                instruction.keyword_span,
                f"`{_verb(install)}` runs without `{install.program.value} update` "
                "before it in the same RUN: it installs from whatever index an earlier layer left",
            )
            break


def _verb(call):
    return f"{call.program.value} {call.verb_text}"
