from __future__ import annotations

from dlint.rule import Severity, Violation, rule

_SEVERITY = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "style": Severity.STYLE}


@rule(
    "SC",
    "shellcheck",
    Severity.WARNING,
    "ShellCheck's findings on the shell scripts of RUN, under ShellCheck's codes (SC2086 …)",
    enabled=False,
)
def shellcheck(context, options):
    """## What it does
    Runs [ShellCheck](https://www.shellcheck.net) on every POSIX-shell `RUN` and on the
    heredoc scripts a `RUN` runs, in the dialect of the stage's `SHELL` (`sh` unless it is
    bash, dash or ksh), with the stage's `ARG` and `ENV` names declared, and reports each of
    its findings at its exact line and column under ShellCheck's own code and severity
    (`SC2086`). Off by default, as it needs the `shellcheck` binary: install it with
    `pip install 'dlint-docker[shellcheck]'` (or have `shellcheck` on `PATH`, or name it in
    `DLINT_SHELLCHECK`), then turn it on with `extend-select = ["SC"]`. Single codes are
    selected, ignored (`ignore = ["SC2086"]`, `# dlint: ignore=SC2086`,
    `# hadolint ignore=SC2086`) and given severities like rules. `SC1090`, `SC1091` (sourced
    files) and `SC2148` (no shebang) do not apply to a RUN and are never reported.

    ## Why is this bad?
    A `RUN` is a shell script that nobody runs through a shell linter: an unquoted variable
    that splits, a `cd` whose failure is ignored, a bashism under `/bin/sh` (dash in Debian
    and Ubuntu) each break a build on some day or on some base image, or worse, build an
    image that is quietly wrong.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    ARG APP_DIR=/srv/app
    RUN mkdir -p $APP_DIR && cd $APP_DIR; echo ready > status.txt
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    ARG APP_DIR=/srv/app
    WORKDIR $APP_DIR
    RUN echo ready > status.txt
    ```

    ## Fix
    None: ShellCheck's suggestions are for a person to read.
    """
    from dlint import shellcheck as checker

    for comments in checker.comments_for(context.dockerfile):
        for comment in comments:
            yield Violation(
                comment.span, f"{comment.message} (ShellCheck)", code=comment.code,
                severity=_SEVERITY.get(comment.severity, Severity.WARNING),
            )
