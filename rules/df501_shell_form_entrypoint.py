from __future__ import annotations

import re

from dlint.rule import Severity, Violation, rule

# What /bin/sh is on an image, judged from the name and tag of the root of its stage chain.
# dash (Debian, Ubuntu) forks the command given to `sh -c` and stays as PID 1 without
# passing signals on; BusyBox `sh` (Alpine, busybox) and bash (RHEL family, Fedora, Amazon
# Linux, Arch …) replace themselves with the command, so there the signal does arrive.
_TOKENS = re.compile(r"[-_./:@]+")
_NOT_DASH = re.compile(
    r"(alpine|busybox|centos|rhel|ubi|fedora|rocky|rockylinux|alma|almalinux|oraclelinux|oracle|"
    r"amazonlinux|amzn|corretto|photon|arch|archlinux|opensuse|sles|suse|clearlinux|mariner|"
    r"azurelinux|distroless|windows|windowsservercore|servercore|nanoserver|ltsc\d*)\d*"
)
_DASH = re.compile(
    r"(debian|ubuntu|raspbian|buildpack|bookworm|bullseye|buster|stretch|jessie|wheezy|trixie|"
    r"forky|sid|focal|jammy|noble|bionic|xenial|trusty|precise|oracular|plucky|lunar|mantic|"
    r"kinetic|impish|hirsute|groovy|eoan|disco|cosmic)\d*"
)
# Official images built on Debian or Ubuntu unless their tag names another base (`-alpine`,
# `-ubi9`, `-windowsservercore` …). Not mysql: its default tags are Oracle Linux.
_OFFICIAL_DASH = frozenset(
    "debian ubuntu buildpack-deps python node ruby golang openjdk eclipse-temurin php perl httpd "
    "nginx postgres redis rust gcc haproxy tomcat maven gradle wordpress drupal joomla julia pypy "
    "erlang elixir haskell clojure r-base mongo mariadb cassandra rabbitmq memcached nextcloud "
    "ghost jenkins jruby groovy swift odoo composer".split()
)
_OFFICIAL_PREFIXES = ("docker.io/library/", "index.docker.io/library/", "library/", "docker.io/")


def _official_name(name: str) -> str | None:
    for prefix in _OFFICIAL_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return None if "/" in name else name


def _sh_forks(stage) -> bool:
    """True when the stage's /bin/sh is known to be dash: its chain's root is a Debian or
    Ubuntu image (by name or tag), or an official image built on one. Unknown bases (a
    variable, an image of unknown make) are not assumed to be dash."""
    if stage is None:
        return False
    root = stage.chain[0].base
    if root.has_variable or root.is_scratch:
        return False
    name = root.name.lower()
    tokens = [t for t in _TOKENS.split(f"{name}:{root.tag or ''}") if t]
    if any(_NOT_DASH.fullmatch(t) for t in tokens):
        return False
    if any(_DASH.fullmatch(t) for t in tokens):
        return True
    return _official_name(name) in _OFFICIAL_DASH


def _program(shell) -> str:
    return shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")


@rule(
    "DF501",
    "shell-form-entrypoint",
    Severity.WARNING,
    "CMD or ENTRYPOINT in shell form: the program does not get signals",
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
            forks = _sh_forks(stage)
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
