from __future__ import annotations

from dlint.rule import Severity, Violation, rule


@rule(
    "DF501",
    "shell-form-entrypoint",
    Severity.WARNING,
    "CMD or ENTRYPOINT in shell form: the program does not get signals",
)
def shell_form_entrypoint(context, options):
    """## What it does
    Flags `CMD` and `ENTRYPOINT` written in shell form (`CMD python app.py`) instead of exec
    form (`CMD ["python", "app.py"]`).

    ## Why is this bad?
    In shell form the container runs `/bin/sh -c '…'`. On Debian and Ubuntu `/bin/sh` is
    dash, which starts the program as a child and stays behind as PID 1 without passing
    `SIGTERM` on: `docker stop` waits its 10 s grace period and then kills the program
    without a clean shutdown. (bash, and BusyBox `sh` as in Alpine, replace themselves with a
    lone command, and recent versions with the last command of a list too, so there the
    signal does arrive; the exec form is right everywhere.) An `ENTRYPOINT` in shell form
    also ignores `CMD` and the arguments of `docker run`.

    The exec form alone is not always enough: as PID 1, a program gets no default action for
    `SIGTERM`, so one that does not handle it (Python's `http.server`, most shell scripts)
    still ignores it. Give it a `STOPSIGNAL` it handles, as below, or run the container with
    `docker run --init`.

    ## Example
    ```dockerfile
    CMD python3 -m http.server 8000
    ```

    ## Use instead
    ```dockerfile
    STOPSIGNAL SIGINT
    CMD ["python3", "-m", "http.server", "8000"]
    ```

    ## Fix
    None: splitting a shell command into words changes its meaning when it uses shell syntax.
    """
    for instruction in context.dockerfile.all_instructions():
        if instruction.keyword not in ("CMD", "ENTRYPOINT") or instruction.exec_form is not None:
            continue
        args = instruction.args.strip()
        if not args:
            continue
        shell = instruction.shell
        program = shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")
        if program == "cmd":
            continue  # Windows containers: stopping does not go through POSIX signals
        runner = " ".join(shell)
        if args.startswith("["):
            message = (
                f"invalid JSON in the exec form of {instruction.keyword}: it is run as a shell command "
                f"under `{runner}`, which does not forward signals; write a JSON array of "
                'double-quoted strings ["program", "arg"]'
            )
        else:
            message = (
                f"{instruction.keyword} in shell form runs under `{runner}`, which does not forward "
                'signals: use the exec form ["program", "arg"]'
            )
        yield Violation(instruction.keyword_span, message)
