from __future__ import annotations

from dlint.packages import INSTALL
from dlint.rule import Severity, Violation, rule
from dlint.rules.df109_missing_assume_yes import _insert_after


@rule(
    "DF110",
    "install-recommends",
    Severity.INFO,
    "apt installs recommended packages too",
    fixable=True,
)
def install_recommends(context, options):
    """## What it does
    Flags `apt-get install` without `--no-install-recommends` (or
    `-o APT::Install-Recommends=false`).

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
    `--fix` adds `--no-install-recommends` after `install`. Check that the image still has
    what it needs at run time: a recommended package you relied on must then be named.
    """
    for _stage, instruction, facts in context.runs:
        for install in facts.calls_of(INSTALL):
            if install.has_option(install.manager.no_recommends):
                continue
            if (install.config("APT::Install-Recommends") or "").lower() in ("false", "no", "0"):
                continue
            yield Violation(
                instruction.keyword_span,
                f"`{install.program.value} install` without `--no-install-recommends` also installs "
                "recommended packages",
                _insert_after(install.verb_word.span, " --no-install-recommends", "add --no-install-recommends"),
            )
            break
