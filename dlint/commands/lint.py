"""``dlint lint``: options in, findings out. The work is a lint session (:mod:`dlint.session`)
run over the files (:mod:`dlint.parallel`); this module parses the options and prints.

The options are read by a small parser of this module, not by typer/click: ``dlint lint`` is
the pre-commit hook's command and must start fast (see benchmarks/README.md). ``OPTIONS`` is
the one definition of them: the parser, ``dlint lint --help`` and the command's entry in
``dlint --help`` all read it.

Output: ``--format`` may be given several times and ``--output-file`` pairs with the formats
from the end: with formats F1…Fn and files O1…Om, the last m formats write to O1…Om in order
and the one format left over (if any) goes to standard output. So ``--format text --format
sarif --output-file dlint.sarif`` prints text and writes SARIF; ``--format sarif
--output-file dlint.sarif`` only writes the file.
"""

from __future__ import annotations

import os
import sys

from dlint.rule import SEVERITY_NAMES
_FORMATS_HELP = "text, json, sarif, github, gitlab, checkstyle, junit or gnu"

SUMMARY = "Lint Dockerfiles."
USAGE = "Usage: dlint lint [OPTIONS] [PATHS]..."

# (names, destination, kind, metavar, help); kind: flag, value, multi (repeatable), int.
OPTIONS = (
    (("--format", "-f"), "format", "multi", "FORMAT",
     f"Output format: {_FORMATS_HELP}. Repeatable; pairs with --output-file from the end "
     "[default: DLINT_FORMAT, the config's format, else text]."),
    (("--output-file", "-o"), "output_file", "multi", "PATH",
     "Write a format to this file instead of standard output (repeatable; the last formats get the files)."),
    (("--failure-threshold",), "failure_threshold", "value", "|".join(SEVERITY_NAMES),
     "Exit 1 when a finding is at or above this severity (default style: any finding fails)."),
    (("--no-fail",), "no_fail", "flag", None, "Exit 0 even when there are findings."),
    (("--select",), "select", "multi", "RULES", "Only these rules (code, name or prefix)."),
    (("--extend-select",), "extend_select", "multi", "RULES",
     "Add these rules to the selection (e.g. DF002, which is off by default)."),
    (("--ignore",), "ignore", "multi", "RULES", "Skip these rules (code, name or prefix); replaces the config's ignore."),
    (("--extend-ignore",), "extend_ignore", "multi", "RULES", "Skip these rules too, keeping the config's ignore."),
    (("--config",), "config", "value", "PATH",
     "Use this config file (.dlint.toml or pyproject.toml) for every file [env: DLINT_CONFIG]."),
    (("--isolated",), "isolated", "flag", None, "Ignore all config files (and DLINT_CONFIG)."),
    (("--context",), "context", "value", "DIR",
     "The build context of the Dockerfiles, for DF304's .dockerignore checks [default: each Dockerfile's folder]."),
    (("--hadolint-config",), "hadolint_config", "value", "PATH",
     "Also read a .hadolint.yaml (ignored, override, failure-threshold) through `dlint rules --hadolint`."),
    (("--statistics",), "statistics", "flag", None, "Text output: count findings per rule instead."),
    (("--stdin-filename",), "stdin_filename", "value", "NAME", "Name to report for standard input [default: -]."),
    (("--jobs", "-j"), "jobs", "int", "N", "Processes for many files (0: one per CPU; 1: no extra processes) [default: 0]."),
    (("--fix",), "fix", "flag", None, "Apply the rules' safe fixes, rewriting the files atomically."),
    (("--diff",), "diff", "flag", None, "Print the fixes as a unified diff; change no file."),
    (("--unsafe-fixes",), "unsafe_fixes", "flag", None,
     "With --fix or --diff, also apply fixes that may change what is installed or how the image runs."),
    (("--help", "-h"), "help", "flag", None, "Show this message and exit."),
)


class UsageError(Exception):
    pass


def parse_args(argv: list[str]) -> dict:
    """The options of ``dlint lint`` as a dict (destination -> value), paths under "paths"."""
    by_name = {name: option for option in OPTIONS for name in option[0]}
    values: dict = {"paths": [], "stdin_filename": "-", "jobs": 0}
    for _, dest, kind, _, _ in OPTIONS:
        values.setdefault(dest, False if kind == "flag" else [] if kind == "multi" else None)
    args = list(argv)
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            values["paths"].extend(args[index:])
            break
        if not arg.startswith("-") or arg == "-":
            values["paths"].append(arg)
            continue
        attached = None
        if arg.startswith("--") and "=" in arg:
            arg, attached = arg.split("=", 1)
        elif not arg.startswith("--") and len(arg) > 2:  # -fjson
            arg, attached = arg[:2], arg[2:]
        option = by_name.get(arg)
        if option is None:
            close = [name for name in by_name if name.startswith(arg)] if arg.startswith("--") else []
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            raise UsageError(f"no such option: {arg}{hint}")
        names, dest, kind, metavar, _ = option
        if kind == "flag":
            if attached is not None:
                raise UsageError(f"option {arg} does not take a value")
            values[dest] = True
            continue
        if attached is None:
            if index >= len(args):
                raise UsageError(f"option {arg} requires an argument")
            attached = args[index]
            index += 1
        if kind == "multi":
            values[dest].append(attached)
        elif kind == "int":
            try:
                number = int(attached)
            except ValueError:
                raise UsageError(f"invalid value for {arg}: {attached!r} is not a whole number") from None
            if number < 0:
                raise UsageError(f"invalid value for {arg}: {number} is not at least 0")
            values[dest] = number
        else:
            if dest == "failure_threshold" and attached not in SEVERITY_NAMES:
                raise UsageError(
                    f"invalid value for {arg}: {attached!r} (allowed: {', '.join(SEVERITY_NAMES)})"
                )
            values[dest] = attached
    return values


def help_text() -> str:
    rows = []
    for names, _, kind, metavar, text in OPTIONS:
        label = ", ".join(names) + (f" {metavar}" if metavar else "")
        rows.append((label, text))
    width = max(len(label) for label, _ in rows) + 2
    lines = [USAGE, "", f"  {SUMMARY}", "", "Arguments:",
             f"  {'PATHS':<{width}}Dockerfiles or directories (default: .); - reads stdin.", "", "Options:"]
    lines += [f"  {label:<{width}}{text}" for label, text in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Run ``dlint lint`` with these arguments; returns the exit status."""
    try:
        values = parse_args(argv)
    except UsageError as error:
        sys.stderr.write(f"{USAGE}\nTry 'dlint lint --help' for help.\n\ndlint: error: {error}\n")
        return 2
    if values.pop("help"):
        sys.stdout.write(help_text())
        return 0
    try:
        return run(**values)
    except CommandError as error:
        sys.stderr.write(f"dlint: error: {error}\n")
        return 2


class CommandError(Exception):
    """The run cannot go on: one line for users, exit status 2."""


def run(paths, format, output_file, failure_threshold, no_fail, select, extend_select, ignore, extend_ignore,
        config, isolated, hadolint_config, statistics, stdin_filename, jobs, fix, diff, unsafe_fixes,
        context=None) -> int:
    from dlint.session import LintOptions, Session, SessionError, lint_file, prepare, split_values

    if fix and diff:
        raise CommandError("--fix and --diff cannot be combined (--diff shows what --fix would do)")
    if context is not None and not os.path.isdir(context):
        raise CommandError(f"--context: {context}: not a directory")
    try:
        session = Session(LintOptions(
            select=split_values(select) if select else None,
            extend_select=split_values(extend_select),
            ignore=split_values(ignore) if ignore else None,
            extend_ignore=split_values(extend_ignore),
            config=config,
            isolated=isolated,
            hadolint_config=hadolint_config,
            failure_threshold=failure_threshold,
            no_fail=no_fail,
            unsafe_fixes=unsafe_fixes,
            context=context,
        ))
        outputs = _outputs(format, output_file, session.format_for_cwd())
        tasks = session.plan(paths or ["."], stdin_filename)
    except SessionError as error:
        raise CommandError(str(error)) from None
    if fix and any(task.path == "-" for task in tasks):
        raise CommandError("--fix cannot rewrite standard input (use --diff to see the fixes)")
    fix_mode = "fix" if fix else "diff" if diff else None
    for warning in session.warnings():
        sys.stderr.write(f"dlint: warning: {warning}\n")

    # With text as the only output, each file is rendered where it was linted (see _Render).
    render = None
    if len(outputs) == 1 and outputs[0][0] == "text" and not statistics and fix_mode != "diff":
        color = outputs[0][1] is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        render = _Render(color, session)

    def work(task):
        result = lint_file(task, fix_mode)
        return render(result) if render is not None else result

    findings = []
    sources: dict[str, list[str]] = {}
    failed = False
    patches = []
    rendered: list[str] = []  # text of each file, when rendered by the workers
    counts = [0, 0, 0, False]  # findings, safe fixes, unsafe fixes, failing: the summary and exit status
    if len(tasks) == 1:  # the pre-commit case: no pool to set up
        results = map(work, tasks)
    else:
        from dlint.parallel import run_all

        results = run_all(tasks, work, jobs, prepare, light_results=render is not None)
    for result in results:
        name = result.name
        for error in result.errors:
            failed = True
            sys.stderr.write(f"dlint: error: {error}\n")
        for warning in result.warnings:
            sys.stderr.write(f"dlint: warning: {name}: {warning}\n")
        if result.fixed and fix_mode == "fix":
            sys.stderr.write(f"dlint: {name}: fixed {_count(result.fixed, 'problem')}\n")
        if result.patch:
            patches.append(result.patch)
        if result.text is not None:
            rendered.append(result.text)
            for index in range(3):
                counts[index] += result.counts[index]
            counts[3] = counts[3] or result.counts[3]
        elif result.lines is not None:
            sources[name] = result.lines
            findings.extend(result.findings)
    sys.stderr.flush()

    if fix_mode == "diff":  # the diff is the output; exit 1 when there is something to fix
        sys.stdout.write("".join(patches))
        return 2 if failed else 1 if patches else 0

    if render is not None:
        from dlint.report.text import summary

        destination = outputs[0][1]
        if not (destination is None and failed and not counts[0]):  # else the error said it all
            rendered.append(summary(*counts[:3]))
            _emit(destination, "text", rendered)
        return 2 if failed else 1 if counts[3] else 0

    for name, destination in outputs:
        if destination is None and name == "text" and failed and not findings:
            continue  # the error said it all; "All checks passed." would be wrong
        _write(name, destination, findings, sources, statistics)
    if failed:
        return 2
    return 1 if any(session.fails(f) for f in findings) else 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class _Render:
    """Text output made in the process that linted the file, so that only text (not finding
    objects and every source line) travels back from a worker."""

    def __init__(self, color: bool, session) -> None:
        self.color, self.session = color, session

    def __call__(self, result):
        if result.lines is None:
            return result
        from dlint.report.text import fix_counts, render_file

        text = render_file(result.findings, result.lines, self.color)
        counts = (len(result.findings), *fix_counts(result.findings),
                  any(self.session.fails(f) for f in result.findings))
        return result._replace(lines=None, findings=[], text=text, counts=counts)


def _outputs(formats: list[str], files: list[str], cwd_format: str | None) -> list[tuple[str, str | None]]:
    """(format, output file or None for standard output) pairs; see the module docstring."""
    from dlint.config import ConfigError, env_formats
    from dlint.report import FORMATS

    chosen = [part.strip().lower() for value in formats for part in value.split(",") if part.strip()]
    for name in chosen:
        if name not in FORMATS:
            raise CommandError(f"--format: unknown format {name!r} (allowed: {', '.join(FORMATS)})")
    try:
        chosen = chosen or env_formats() or [cwd_format or "text"]
    except ConfigError as error:
        raise CommandError(str(error)) from None
    if len(files) > len(chosen):
        raise CommandError(
            f"--output-file: {_count(len(files), 'file')} for {_count(len(chosen), 'format')} "
            "(give a --format for each --output-file)"
        )
    to_stdout = len(chosen) - len(files)
    if to_stdout > 1:
        raise CommandError(
            f"--format: {to_stdout} formats would go to standard output (allowed: one; "
            "give an --output-file for each of the others)"
        )
    return [(name, None) for name in chosen[:to_stdout]] + list(zip(chosen[to_stdout:], files))


def _write(name: str, destination: str | None, findings, sources, statistics: bool) -> None:
    from dlint.report import renderer

    color = destination is None and name == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if name == "text" and statistics:
        from dlint.report.text import render_statistics

        output = render_statistics(findings, color)
    else:
        output = renderer(name)(findings, sources, color)
    _emit(destination, name, output)


def _emit(destination: str | None, name: str, output: str | list[str]) -> None:
    """Write the output, given whole or as pieces (the text of each file, then the summary).

    Pieces are written one by one: joining 6 MB of text first (and widening all of it when
    one file's text has a non-ASCII character) cost the parent about 15 ms on the benchmark
    corpus, after the workers were done."""
    pieces = [output] if isinstance(output, str) else output
    if destination is None:
        for piece in pieces:
            sys.stdout.write(piece)
        sys.stdout.flush()
        return
    try:
        with open(destination, "w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
    except OSError as error:
        raise CommandError(f"{destination}: cannot write the {name} output: {error.strerror or error}") from None
