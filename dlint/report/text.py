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


def _source_excerpt(finding: Finding, lines: list[str], color: bool) -> list[str]:
    number = finding.span.line
    if not 1 <= number <= len(lines):
        return []
    source = lines[number - 1].replace("\t", " ")
    if len(source) > 200:  # a 100,000-character line is not worth printing whole
        start = max(finding.span.column - 60, 0)
        source = source[start : start + 160]
        column = finding.span.column - start
    else:
        column = finding.span.column
    width = len(str(number))
    if finding.span.end_line == number:
        length = max(finding.span.end_column - finding.span.column, 1)
    else:
        length = max(len(source) - column + 1, 1)
    gutter = " " * width + " |"
    length = max(min(length, len(source) - column + 1), 1)  # never past the excerpt shown
    marker = " " * (column - 1) + "^" * length
    return [
        _paint(f"{number} |", _DIM, color) + f" {source}",
        _paint(gutter, _DIM, color) + " " + _paint(marker, _SEVERITY_COLOR[finding.severity], color),
    ]


def render_file(findings: list[Finding], lines: list[str], color: bool) -> str:
    """The findings of one file with their source excerpts (empty when there are none).

    ``dlint lint`` over many files renders each file in the worker process that linted it, so
    that only text, not finding objects, travels back to the parent."""
    out = []
    for finding in findings:
        location = f"{finding.file}:{finding.span.line}:{finding.span.column}:"
        severity_color = _SEVERITY_COLOR[finding.severity]
        severity = _paint(finding.severity.label + ":", severity_color, color)
        code = _paint(finding.code, _BOLD + severity_color, color)
        message = finding.message if len(finding.message) <= 300 else finding.message[:299] + "…"
        out.append(f"{_paint(location, _BOLD, color)} {severity} {code}{_marker(finding)} [{finding.name}] {message}\n")
        excerpt = _source_excerpt(finding, lines, color)
        if excerpt:
            out.append("\n".join(excerpt) + "\n")
    return "".join(out)


def _marker(finding: Finding) -> str:
    if finding.fix is None:
        return ""
    return " [*]" if finding.fix.safe else " [!]"


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
