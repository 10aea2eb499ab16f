from __future__ import annotations

from dlint.rule import Severity, Violation, rule


@rule(
    "DF402",
    "sudo-in-run",
    Severity.WARNING,
    "`sudo` in a RUN",
)
def sudo_in_run(context, options):
    """## What it does
    Flags `sudo` in a `RUN`. hadolint's DL3004.

    ## Why is this bad?
    A build step already runs as the stage's `USER`; `sudo` adds a setuid binary and a
    sudoers policy to the image, prompts for a password or fails without a terminal
    depending on that policy, and keeps a path to root open in the running container. Switch
    with `USER root` for the steps that need it and back afterwards (or use `gosu`/`su-exec`
    in an entrypoint that must drop privileges at run time).

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    USER 1000
    RUN sudo mkdir /srv/data
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN mkdir /srv/data && chown 1000 /srv/data
    USER 1000
    ```

    ## Fix
    None: which steps need root is yours to decide.
    """
    for _run, command in context.commands_of("sudo"):
        word = command.words[0]
        user = command.option_value("-u", "--user", stop_at_operand=True)
        if user and user not in ("root", "0"):
            advice = f"switch with `USER {user}` (or `runuser -u {user} --`)"
        else:
            advice = "use `USER root` for the steps that need root"
        yield Violation(word.span, f"`sudo` in a build step: {advice}")
