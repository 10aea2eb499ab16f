"""Text for people: ``path:line:col: severity: CODE [*] [name] message``, the source line with a
marker, a summary. ``[*]`` marks a finding ``--fix`` fixes, ``[!]`` one whose fix may change
what the image installs or does (applied only with ``--unsafe-fixes``). Colour only when asked
(the CLI asks on a terminal without ``NO_COLOR``); the severity is always written out, since
colour is lost in CI logs."""

from __future__ import annotations

from collections.abc import Mapping

from dlint.checker import Finding
from dlint.rule import Severity

_RESET, _BOLD, _DIM = "\033[0m", "\033[1m", "\033[2m"
_SEVERITY_COLOR = {
    Severity.ERROR: "\033[31m",
    Severity.WARNING: "\033[33m",
    Severity.INFO: "\033[36m",
    Severity.STYLE: "\033[35m",
}


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def _source_excerpt(finding: Finding, lines: list[str], color: bool) -> str:
    """The finding's source line and a marker under its span, as two lines ("" when the
    line is not in the file)."""
    span = finding.span
    number = span.line
    if not 1 <= number <= len(lines):
        return ""
    source = lines[number - 1].replace("\t", " ")
    column = span.column
    if len(source) > 200:  # a 100,000-character line is not worth printing whole
        start = max(column - 60, 0)
        source = source[start : start + 160]
        column -= start
    room = len(source) - column + 1  # from the column to the end of the excerpt shown
    length = max(span.end_column - span.column, 1) if span.end_line == number else max(room, 1)
    marker = " " * (column - 1) + "^" * max(min(length, room), 1)  # never past the excerpt
    gutter = " " * len(str(number)) + " |"
    if color:
        return (f"{_DIM}{number} |{_RESET} {source}\n"
                f"{_DIM}{gutter}{_RESET} {_SEVERITY_COLOR[finding.severity]}{marker}{_RESET}\n")
    return f"{number} | {source}\n{gutter} {marker}\n"


# "error:", "warning:", …: Severity.label (an enum property) once per severity, not per finding.
_LABELS = {severity: severity.label + ":" for severity in Severity}


def render_file(findings: list[Finding], lines: list[str], color: bool) -> str:
    """The findings of one file with their source excerpts (empty when there are none).

    ``dlint lint`` over many files renders each file in the worker process that linted it, so
    that only text, not finding objects, travels back to the parent. Written for speed (the
    benchmark corpus has 21,835 findings): one f-string per line, the colours inlined, and
    the plain excerpt of a line made once for the findings that share it (a RUN line often
    has several)."""
    out = []
    append = out.append
    count = len(lines)
    excerpts: dict[int, tuple[str, str, int]] = {}  # line -> (source line shown, gutter, its length)
    for finding in findings:
        span = finding.span
        number = span.line
        message = finding.message if len(finding.message) <= 300 else finding.message[:299] + "…"
        fix = finding.fix
        marker = "" if fix is None else (" [*]" if fix.safe else " [!]")
        if color:
            severity_color = _SEVERITY_COLOR[finding.severity]
            append(f"{_BOLD}{finding.file}:{number}:{span.column}:{_RESET} {severity_color}"
                   f"{_LABELS[finding.severity]}{_RESET} {_BOLD}{severity_color}{finding.code}{_RESET}"
                   f"{marker} [{finding.name}] {message}\n")
            append(_source_excerpt(finding, lines, color))
            continue
        append(f"{finding.file}:{number}:{span.column}: {_LABELS[finding.severity]} {finding.code}"
               f"{marker} [{finding.name}] {message}\n")
        if not 1 <= number <= count:
            continue
        excerpt = excerpts.get(number)
        if excerpt is None:
            source = lines[number - 1].replace("\t", " ")
            if len(source) > 200:  # shown around the column: see _source_excerpt
                append(_source_excerpt(finding, lines, color))
                continue
            excerpt = excerpts[number] = (f"{number} | {source}\n", " " * len(str(number)) + " |", len(source))
        head, gutter, width = excerpt
        column = span.column
        room = width - column + 1  # from the column to the end of the line
        if span.end_line == number:
            length = span.end_column - column
            if length > room:
                length = room
        else:
            length = room
        append(f"{head}{gutter} {' ' * (column - 1)}{'^' * (length if length > 1 else 1)}\n")
    return "".join(out)


def fix_counts(findings: list[Finding]) -> tuple[int, int]:
    """How many findings ``--fix`` fixes, and how many more ``--unsafe-fixes`` would."""
    safe = unsafe = 0
    for finding in findings:
        if finding.fix is not None:
            if finding.fix.safe:
                safe += 1
            else:
                unsafe += 1
    return safe, unsafe


def summary(count: int, fixable: int, unsafe: int = 0) -> str:
    if not count:
        return "All checks passed.\n"
    more = f", {unsafe} more with --unsafe-fixes" if unsafe else ""
    return f"Found {count} {'problem' if count == 1 else 'problems'} ({fixable} fixable{more}).\n"


def render(findings: list[Finding], sources: Mapping[str, list[str]], color: bool) -> str:
    out = []
    start = 0
    # Findings arrive grouped by file (each file's sorted): render file by file.
    for index in range(1, len(findings) + 1):
        if index == len(findings) or findings[index].file != findings[start].file:
            out.append(render_file(findings[start:index], sources.get(findings[start].file, []), color))
            start = index
    out.append(summary(len(findings), *fix_counts(findings)))
    return "".join(out)


def render_statistics(findings: list[Finding], color: bool) -> str:
    """``--statistics``: how many findings each rule has, most first (``[*]``: fixable)."""
    counts: dict[str, list] = {}
    for f in findings:
        entry = counts.setdefault(f.code, [0, f.name, False])
        entry[0] += 1
        entry[2] = entry[2] or (f.fix is not None and f.fix.safe)
    rows = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
    width = max((len(str(count)) for _, (count, _, _) in rows), default=1)
    out = [
        f"{count:>{width}}\t{_paint(code, _BOLD, color)}\t{'[*]' if fixable else '[ ]'} {name}"
        for code, (count, name, fixable) in rows
    ]
    return "".join(line + "\n" for line in out) + summary(len(findings), *fix_counts(findings))
