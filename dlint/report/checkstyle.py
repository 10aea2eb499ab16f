"""``--format checkstyle``: Checkstyle XML, read by Jenkins' warnings plugin, reviewdog and
many CI dashboards. Every linted file is listed, with an ``<error>`` per finding."""

from __future__ import annotations

from collections.abc import Mapping
from xml.etree import ElementTree as ET

from dlint.checker import Finding
from dlint.rule import Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info", Severity.STYLE: "info"}


def render(findings: list[Finding], sources: Mapping[str, list[str]], color: bool) -> str:
    root = ET.Element("checkstyle", version="4.3")
    by_file: dict[str, list[Finding]] = {name: [] for name in sources}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    for name, found in by_file.items():
        element = ET.SubElement(root, "file", name=name)
        for f in found:
            ET.SubElement(
                element,
                "error",
                line=str(f.span.line),
                column=str(f.span.column),
                severity=_LEVEL[f.severity],
                message=f"{f.message} [{f.name}]",
                source=f"dlint.{f.code}",
            )
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
