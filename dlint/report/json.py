"""``--format json``: a stable list of findings, one object each."""

from __future__ import annotations

import json
from collections.abc import Mapping

from dlint.checker import Finding


def finding_to_dict(finding: Finding) -> dict:
    data = {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "message": finding.message,
        "file": finding.file,
        "line": finding.span.line,
        "column": finding.span.column,
        "end_line": finding.span.end_line,
        "end_column": finding.span.end_column,
        "fixable": finding.fixable,
    }
    if finding.fix is not None:
        data["fix"] = {
            "description": finding.fix.description,
            "applicability": "safe" if finding.fix.safe else "unsafe",
            "edits": [
                {
                    "line": e.span.line,
                    "column": e.span.column,
                    "end_line": e.span.end_line,
                    "end_column": e.span.end_column,
                    "replacement": e.replacement,
                }
                for e in finding.fix.edits
            ],
        }
    return data


def render(findings: list[Finding], sources: Mapping[str, list[str]], color: bool) -> str:
    return json.dumps([finding_to_dict(f) for f in findings], indent=2, ensure_ascii=False) + "\n"
