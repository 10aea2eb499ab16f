"""``--format junit``: JUnit XML, for CI systems that show test reports (GitLab, Jenkins,
Azure). One test suite per linted file; each finding is a failed test case, and a clean file
is one passing test case, so the report counts files that pass too."""

from __future__ import annotations

from collections.abc import Mapping
from xml.etree import ElementTree as ET

from dlint.checker import Finding


def render(findings: list[Finding], sources: Mapping[str, list[str]], color: bool) -> str:
    by_file: dict[str, list[Finding]] = {name: [] for name in sources}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    root = ET.Element("testsuites", name="dlint")
    total = failures = 0
    for name, found in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=name, errors="0", skipped="0")
        if not found:
            ET.SubElement(suite, "testcase", classname=name, name="dlint", file=name)
        for f in found:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=name,
                name=f"{f.code} {f.name} at {f.span.line}:{f.span.column}",
                file=name,
                line=str(f.span.line),
            )
            failure = ET.SubElement(case, "failure", message=f.message, type=f.code)
            failure.text = f"{f.file}:{f.span.line}:{f.span.column}: {f.severity.label}: {f.code} [{f.name}] {f.message}"
        tests = max(len(found), 1)
        suite.set("tests", str(tests))
        suite.set("failures", str(len(found)))
        total += tests
        failures += len(found)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
