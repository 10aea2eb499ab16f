from __future__ import annotations

from dlint.layers import NO_RECOMMENDS
from dlint.packages import INSTALL
from dlint.rule import Fix, Severity, rule, violation
from dlint.rules.df109_missing_assume_yes import _insert_after


@rule(
    "DF110",
    "install-recommends",
    Severity.INFO,
    "A package install also installs recommended packages (weak dependencies)",
    fixable=True,
)
def install_recommends(context, options):
    """## What it does
    Flags `apt-get install` without `--no-install-recommends` (or
    `-o APT::Install-Recommends=false`), `zypper install` without `--no-recommends`, and
    `dnf`/`microdnf install` without `--setopt=install_weak_deps=False` (dnf's recommended
    packages are its weak dependencies). yum before RHEL 8 and tdnf install none.

    ## Why is this bad?
    apt installs every package's *recommended* packages by default: documentation, extra
    tools, whole language runtimes. In an image they are dead weight, often tens or hundreds
    of MB, and more packages mean more to patch. Name what you need instead, including the
    recommended packages the program does need at run time: `curl` speaks HTTPS only with
    `ca-certificates`, which is merely a recommendation of `libcurl4`, so without it every
    `https://` download fails with a certificate error.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u15 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            ca-certificates=20230311+deb12u1 \\
            curl=7.88.1-10+deb12u15 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    `--fix --unsafe-fixes` adds `--no-install-recommends` after `install`. It is unsafe: the
    image loses the recommended packages, and one you relied on (`ca-certificates` for curl
    over HTTPS) must then be named. Plain `--fix` leaves it alone.
    """
    for _stage, instruction, facts in context.runs:
        for install in facts.calls_of(INSTALL):
            manager = install.manager
            hint = manager.recommends_hint
            if not hint or install.has_option(manager.no_recommends) or install.simulates:
                continue  # managers without recommended packages (apk, pip …)
            if manager.weak_deps_key:
                if install.config_is(manager.weak_deps_key, False):
                    continue
            elif install.config_is("APT::Install-Recommends", False):
                continue
            elif NO_RECOMMENDS in context.effects(instruction).settings_at(install.command):
                continue  # an apt.conf.d file written earlier in the stage turns them off
            fix = _insert_after(install.verb_word.span, " " + hint, "add " + hint)
            what = "weak dependencies" if manager.weak_deps_key else "recommended packages"
            yield violation(
                instruction.keyword_span,
                f"`{install.program.value} {install.verb_text}` without `{hint}` also installs {what}",
                # Unsafe: a recommended package the image relies on (ca-certificates for HTTPS
                # with curl) would be missing.
                fix and Fix(fix.description, fix.edits, safe=False),
            )
            break
