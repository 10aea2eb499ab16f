"""Download tools in RUN: one of curl and wget, not both (hadolint DL4001); wget quiet in
build logs (DL3047)."""

from __future__ import annotations

from dlint.rule import Severity, Violation, rule

_WGET_QUIET = ("-q", "--quiet", "-nv", "--no-verbose", "-o", "--output-file", "-a", "--append-output")


def _busybox_based(stage) -> bool:
    name = stage.base.name.lower()
    return "alpine" in name or "busybox" in name


def _program(word) -> str:
    return (word.value or "").rsplit("/", 1)[-1]


@rule(
    "DF404",
    "curl-and-wget",
    Severity.INFO,
    "A stage uses both curl and wget",
)
def curl_and_wget(context, options):
    """## What it does
    Flags the first use of `wget` in a stage that also uses `curl`, or the other way round
    (whichever comes second). hadolint's DL4001.

    ## Why is this bad?
    Both do the same job; needing both means installing and patching two download tools
    (and their TLS libraries) where one would do.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN curl -fsSLo /tmp/a.txt https://example.invalid/a.txt \\
        && wget -q -O /tmp/b.txt https://example.invalid/b.txt
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN curl -fsSLo /tmp/a.txt https://example.invalid/a.txt \\
        && curl -fsSLo /tmp/b.txt https://example.invalid/b.txt
    ```

    ## Fix
    None.
    """
    first: dict[tuple[int, str], object] = {}
    if not (context.commands_of("curl") and context.commands_of("wget")):
        return  # one tool, or none, in the whole file
    for run, command in context.commands_of("curl", "wget"):
        stage = run.stage.index if run.stage is not None else -1
        tool = _program(command.words[0])
        if (stage, tool) in first:
            continue
        first[(stage, tool)] = command.words[0]
        other = "wget" if tool == "curl" else "curl"
        if (stage, other) in first:
            yield Violation(
                command.words[0].span,
                f"this stage already uses {other} (line {first[(stage, other)].span.line}): use one download tool",
            )


@rule(
    "DF405",
    "wget-without-quiet",
    Severity.INFO,
    "wget without `-q`/`-nv` fills the build log with progress bars",
)
def wget_without_quiet(context, options):
    """## What it does
    Flags `wget` without `-q`, `-nv`, `--progress=…` or a log file option. hadolint's
    DL3047. Stages based on Alpine or BusyBox are skipped: their wget is BusyBox's, which
    knows only `-q` and shows no progress without a terminal.

    ## Why is this bad?
    Without a terminal wget prints a line of dots per few KB: a 100 MB download writes
    thousands of log lines, which bloats CI logs and hides the lines that matter.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN wget -O /tmp/a.txt https://example.invalid/a.txt
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN wget -q -O /tmp/a.txt https://example.invalid/a.txt
    ```

    ## Fix
    None yet: add `-q` (or `--progress=dot:giga`) by hand.
    """
    for run, command in context.commands_of("wget"):
        if run.stage is not None and any(_busybox_based(stage) for stage in run.stage.chain):
            continue  # BusyBox's wget: -q only, and its progress meter needs a terminal
        values = [w.value or "" for w in command.words[1:]]
        quiet = any(
            v in _WGET_QUIET or v.startswith(("--progress", "--output-file=", "--append-output="))
            or (v.startswith("-") and not v.startswith("--") and "q" in v[1:])
            for v in values
        )
        if not quiet:
            yield Violation(command.words[0].span, "wget without -q (or --progress=dot:giga) floods the build log")
