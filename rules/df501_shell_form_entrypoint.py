from __future__ import annotations

from dlint.base_images import sh_is_dash
from dlint.rule import Severity, Violation, rule

def _program(shell) -> str:
    return shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")


@rule(
    "DF501",
    "shell-form-entrypoint",
    Severity.WARNING,
    "CMD or ENTRYPOINT in shell form: the program does not get signals",
    needs=("CMD", "ENTRYPOINT", "ONBUILD"),
)
def shell_form_entrypoint(context, options):
    """## What it does
    Flags `ENTRYPOINT` written in shell form (`ENTRYPOINT python app.py`) instead of exec form
    (`ENTRYPOINT ["python", "app.py"]`), a broken exec form (not valid JSON) of `CMD` or
    `ENTRYPOINT`, and `CMD` in shell form on images whose `/bin/sh` is dash (Debian, Ubuntu
    and the official images built on them).

    ## Why is this bad?
    In shell form the container runs `/bin/sh -c '…'`. On Debian and Ubuntu `/bin/sh` is
    dash, which starts the program as a child and stays behind as PID 1 without passing
    `SIGTERM` on: `docker stop` waits its 10 s grace period and then kills the program
    without a clean shutdown. bash (the `/bin/sh` of CentOS, RHEL, UBI, Fedora, Amazon Linux)
    and BusyBox `sh` (Alpine, busybox) replace themselves with a lone command, and recent
    versions with the last command of a list too, so there the signal does arrive: a shell-form
    `CMD` on such a base, or on a base of unknown make, is not flagged. An `ENTRYPOINT` in
    shell form is flagged on every base: it ignores `CMD` and the arguments of `docker run`
    (they reach `sh -c` as `$0`, `$1` … and the script does not use them).

    The exec form alone is not always enough: as PID 1, a program gets no default action for
    `SIGTERM`, so one that does not handle it (Python's `http.server`, most shell scripts)
    still ignores it. Give it a `STOPSIGNAL` it handles, as below, or run the container with
    `docker run --init`.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    CMD python3 -m http.server 8000
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    USER 65534
    STOPSIGNAL SIGINT
    CMD ["python3", "-m", "http.server", "8000"]
    ```

    ## Fix
    None: splitting a shell command into words changes its meaning when it uses shell syntax.
    """
    stages = context.dockerfile.stages
    for instruction in context.dockerfile.all_instructions():
        if instruction.keyword not in ("CMD", "ENTRYPOINT") or instruction.exec_form is not None:
            continue
        args = instruction.args.strip()
        if not args:
            continue
        shell = instruction.shell
        program = _program(shell)
        if program == "cmd":
            continue  # Windows containers: stopping does not go through POSIX signals
        runner = " ".join(shell)
        stage = stages[instruction.stage_index] if 0 <= instruction.stage_index < len(stages) else None
        if program == "sh":
            forks = sh_is_dash(stage)
        else:
            # dash forks, and so does PowerShell (it runs a program as its child); bash,
            # BusyBox sh/ash and zsh exec the command
            forks = program not in ("bash", "ash", "busybox", "zsh", "ksh", "mksh")
        if args.startswith("["):
            message = (
                f"invalid JSON in the exec form of {instruction.keyword}: it is run as a shell command "
                f"under `{runner}`{', which does not forward signals' if forks else ''}; write a JSON "
                'array of double-quoted strings ["program", "arg"]'
            )
        elif instruction.keyword == "ENTRYPOINT":
            message = (
                f"ENTRYPOINT in shell form runs under `{runner}`, so CMD and the arguments of `docker run` "
                f"are ignored{' and signals are not forwarded' if forks else ''}: use the exec form "
                '["program", "arg"]'
            )
        elif forks:
            message = (
                f"CMD in shell form runs under `{runner}`, which does not forward "
                'signals: use the exec form ["program", "arg"]'
            )
        else:
            continue  # bash and BusyBox sh exec the command: signals arrive
        yield Violation(instruction.keyword_span, message)
