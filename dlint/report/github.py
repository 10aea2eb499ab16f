"""``--format github``: GitHub Actions workflow commands, shown as annotations on the pull
request: ``::warning file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message``."""

from __future__ import annotations

from collections.abc import Mapping

from dlint.checker import Finding
from dlint.rule import Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice", Severity.STYLE: "notice"}


def _data(text: str) -> str:
    # GitHub's escaping for the message part of a workflow command.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    # Property values additionally escape the separators ':' and ','.
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Finding], sources: Mapping[str, list[str]], color: bool) -> str:
    out = []
    for f in findings:
        span = f.span
        properties = {
            "file": f.file,
            "line": span.line,
            "col": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
            "title": f"{f.code} {f.name}",
        }
        joined = ",".join(f"{key}={_property(str(value))}" for key, value in properties.items())
        out.append(f"::{_LEVEL[f.severity]} {joined}::{_data(f.message)}\n")
    return "".join(out)
