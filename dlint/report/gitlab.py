"""``--format gitlab``: GitLab Code Quality JSON (the Code Climate subset GitLab reads), shown
in merge requests. Fingerprints identify a problem across runs: they hash the file, the rule
and the text it points at, not the line number, so a problem keeps its fingerprint when lines
are added above it and GitLab does not report it as fixed-and-new."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from dlint.checker import Finding
from dlint.rule import Severity

_SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "minor", Severity.STYLE: "info"}


def _marked_text(finding: Finding, lines: list[str]) -> tuple[str, str]:
    """The source line (stripped) and the characters the finding marks, when known."""
    span = finding.span
    if not 1 <= span.line <= len(lines):
        return "", ""
    line = lines[span.line - 1]
    end = span.end_column - 1 if span.end_line == span.line else len(line)
    return line.strip(), line[span.column - 1 : end]


def fingerprints(findings: list[Finding], sources: Mapping[str, list[str]]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        line, marked = _marked_text(f, sources.get(f.file, []))
        key = "\0".join((f.file, f.code, line, marked))
        # The same rule on identical text twice in a file: the occurrence number tells them apart.
        seen[key] = seen.get(key, 0) + 1
        out.append(hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest())
    return out


def render(findings: list[Finding], sources: Mapping[str, list[str]], color: bool) -> str:
    issues = [
        {
            "type": "issue",
            "description": f"{f.code} [{f.name}] {f.message}",
            "check_name": f"{f.code} {f.name}",
            "fingerprint": fingerprint,
            "severity": _SEVERITY[f.severity],
            "categories": ["Style"] if f.severity is Severity.STYLE else ["Bug Risk"],
            "location": {"path": f.file, "lines": {"begin": f.span.line, "end": f.span.end_line}},
        }
        for f, fingerprint in zip(findings, fingerprints(findings, sources))
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
