from __future__ import annotations

from dlint.rule import Edit, Fix, Severity, Violation, rule


@rule(
    "DF111",
    "apt-in-script",
    Severity.WARNING,
    "The interactive `apt` front end is used instead of `apt-get`",
    fixable=True,
)
def apt_in_script(context, options):
    """## What it does
    Flags `apt` (the front end meant for people at a terminal) in a `RUN`.

    ## Why is this bad?
    `apt` has no stable command-line interface: its output and behaviour may change between
    releases and it warns so itself (`WARNING: apt does not have a stable CLI interface. Use
    with caution in scripts.`). It also behaves differently from `apt-get` today: `apt upgrade`
    installs new packages that changed dependencies need (`apt-get upgrade` keeps such
    upgrades back), and `apt` deletes the downloaded `.deb` files after installing them.
    `apt-get` is the interface for scripts and builds.

    ## Example
    ```dockerfile
    RUN apt update && apt install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    `--fix` replaces `apt` with `apt-get` where both do the same (`update`, `remove`,
    `purge`, `autoremove`, `clean`, `autoclean`). For `install` and the upgrades the rewrite
    is unsafe and needs `--unsafe-fixes`: `apt` deletes the `.deb`s it downloaded and its
    `upgrade` installs new packages, `apt-get` does neither. `apt list` or `apt search` are
    left alone.
    """
    for _stage, _instruction, facts in context.runs:
        for call in facts.calls:
            program = (call.program.value or "").rsplit("/", 1)[-1]
            if program in call.manager.interactive_programs:
                fix = None
                if call.verb is not None and call.program.text == "apt":
                    # Safe only where apt and apt-get do the same: apt's install and upgrade
                    # delete the downloaded .debs and its upgrade installs new packages.
                    fix = Fix("use apt-get", (Edit(call.program.span, "apt-get"),),
                              safe=call.verb_text in _SAME_IN_APT_GET)
                yield Violation(call.program.span, f"use `apt-get` instead of `{program}` in scripts", fix)


# Verbs that apt-get runs exactly as apt does (apt's own settings: Keep-Downloaded-Packages
# false for what it downloads, Upgrade-Allow-New for upgrade).
_SAME_IN_APT_GET = frozenset({"update", "remove", "purge", "autoremove", "autopurge", "clean", "autoclean"})
