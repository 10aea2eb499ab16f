"""``--format gnu``: ``file:line:col: severity: message``, as GNU tools and editors' compile
modes (Emacs, Vim's quickfix) expect."""

from __future__ import annotations

from collections.abc import Mapping

from dlint.checker import Finding
from dlint.rule import Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.STYLE: "note"}


def render(findings: list[Finding], sources: Mapping[str, list[str]], color: bool) -> str:
    return "".join(
        f"{f.file}:{f.span.line}:{f.span.column}: {_LEVEL[f.severity]}: {f.code} [{f.name}] {f.message}\n"
        for f in findings
    )
