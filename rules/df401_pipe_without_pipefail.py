from __future__ import annotations

from dlint.packages import unwrap
from dlint.rule import Severity, Violation, rule


@rule(
    "DF401",
    "pipe-without-pipefail",
    Severity.WARNING,
    "A pipe in RUN hides the failure of the commands before its last",
)
def pipe_without_pipefail(context, options):
    """## What it does
    Flags a `RUN` with a pipe (`a | b`, except from `yes`, `echo` or `printf` or a command that
    only reports on the system, such as `uname -s` or `dpkg --print-architecture`; a pipe into
    a compound command such as `| while read …` counts too) when neither the `SHELL` nor an
    earlier `set -o pipefail` in the same `RUN` makes the pipe fail when its first command
    fails.

    ## Why is this bad?
    A pipe's status is that of its last command. In `curl -fsSL URL | sh`, a failed download
    hands `sh` an empty script, `sh` exits 0, and the build goes on without whatever the
    script was to install; the build cache then keeps that broken layer. (A pipe into
    `tar -x` is less treacherous: tar fails on empty or cut-off input.)

    `set -o pipefail` inside the `RUN` is no cure on Debian and Ubuntu: their `/bin/sh` is
    dash, and dash 0.5.12 (Debian bookworm and trixie, Ubuntu 24.04) rejects it (`set: Illegal
    option -o pipefail`), failing the build. Run such `RUN`s with bash through `SHELL`, as
    below; on Alpine, BusyBox `sh` does know `set -o pipefail`.

    ## Example
    ```dockerfile
    RUN curl -fsSL https://example.invalid/install.sh | sh
    ```

    ## Use instead
    ```dockerfile
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://example.invalid/install.sh | sh
    ```

    ## Fix
    None: the right shell (bash has pipefail, older dash does not) depends on the image.
    """
    for _stage, instruction, facts in context.runs:
        if "|" not in instruction.raw:
            continue  # no pipe anywhere in its source (heredoc bodies included): nothing to ask
        if "pipefail" in " ".join(instruction.shell):
            continue
        protected = False
        last = {False: None, True: None}  # the last command outside and inside $(…)
        commands = facts.script.commands
        for index, command in enumerate(commands):
            words = command.words
            if words and words[0].value == "set" and any("pipefail" in (w.value or "") for w in words[1:]):
                protected = True
            # Also a pipe into a compound command (`| while …`, `| { …; }`, `| ( … )`): its
            # first command carries the pipe.
            previous = last[command.nested]
            if command.operator in ("|", "|&") and not protected and previous is not None:
                # `yes | …` and `echo … | …` cannot fail in a way worth a pipefail (and `yes` would
                # trip it: it dies of SIGPIPE when the reader is done).
                if (
                    previous.name not in ("yes", "echo", "printf")
                    and not _reports_the_system(previous)
                    and not _strict_reader(command)
                    and not _greps_last(commands, index)
                    and not _handled(commands, index)
                ):
                    yield Violation(
                        instruction.keyword_span,
                        f"a pipe without `set -o pipefail` hides a failure of `{_quote(previous)}` "
                        "(a pipe's status is that of its last command)",
                    )
                    break
            last[command.nested] = command


# Commands that only report on the running system: they do not fail in a working image.
_SYSTEM_REPORTS = frozenset({"uname", "arch", "nproc", "id", "whoami", "hostname", "pwd", "date"})
_ARCH_QUERIES = {"dpkg": ("--print-architecture",), "apk": ("--print-arch",)}


def _reports_the_system(command) -> bool:
    """`uname -s`, `dpkg --print-architecture`, `nproc` …: nothing for a pipefail to catch."""
    if command.name in _SYSTEM_REPORTS:
        return True
    options = _ARCH_QUERIES.get(command.name)
    return options is not None and any((w.value or "") in options for w in command.words[1:])


def _quote(command, limit=48):
    text = command.source
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _handled(commands, index):
    """Whether the pipe's failure is handled anyway: the pipeline is followed by `|| …`."""
    nested = commands[index].nested
    for command in commands[index + 1 :]:
        if command.nested != nested:
            continue
        if command.operator in ("|", "|&"):
            continue
        return command.operator == "||"
    return False


def _greps_last(commands, index):
    """Whether the pipeline that `commands[index]` reads into ends in `grep`: grep exits 1
    when it selects no line, so on empty input (what a failed command usually leaves) the
    pipe fails anyway (checked: GNU grep 3.8, with -v, -c, -q, -E too)."""
    nested = commands[index].nested
    last = commands[index]
    for command in commands[index + 1 :]:
        if command.nested != nested:
            continue
        if command.operator not in ("|", "|&"):
            break
        last = command
    words, _ = unwrap(last.words)
    return bool(words) and (words[0].value or "").rsplit("/", 1)[-1] in ("grep", "egrep", "fgrep")


# Readers that fail on empty or cut-off input: the failure of what feeds them shows anyway
# (checked: GNU tar 1.34 and BusyBox tar exit 2 / 1, gpg --import and --dearmor 2,
# apt-key add 2, sha256sum -c 1, gzip -d 1). `sh`, `bash`, `python3`, `xargs` exit 0: hidden.
_DECOMPRESSORS = frozenset({"gunzip", "zcat", "unxz", "xzcat", "bunzip2", "bzcat", "unzstd", "zstdcat"})
_CHECKSUMS = frozenset({"md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum"})


def _strict_reader(command):
    words, _ = unwrap(command.words)
    if not words:
        return False
    program = (words[0].value or "").rsplit("/", 1)[-1]
    values = [w.value or "" for w in words[1:]]
    if program in _DECOMPRESSORS:
        return True
    if program in ("gzip", "xz", "bzip2", "zstd"):
        return any(v in ("-d", "--decompress") or (v.startswith("-") and not v.startswith("--") and "d" in v)
                   for v in values)
    if program in _CHECKSUMS:
        return any(v in ("-c", "--check") for v in values)
    if program in ("gpg", "gpg2"):
        return any(v in ("--import", "--dearmor", "--dearmour") for v in values)
    if program == "apt-key":
        return values[:1] == ["add"]
    if program in ("tar", "bsdtar"):
        # Extracting or listing (-x, -t, or the old `tar xz`): an empty or cut archive fails.
        first = values[0] if values else ""
        return any(v in ("--extract", "--get", "--list") for v in values) or any(
            (v.startswith("-") and not v.startswith("--") or (v is first and not v.startswith("-")))
            and ("x" in v or "t" in v)
            for v in values[:1] + [v for v in values[1:] if v.startswith("-") and not v.startswith("--")]
        )
    return False
