"""``--format sarif``: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Every rule is described with its summary and its documentation (the rule's docstring) as
help; each result has its region, and a ``fixes`` entry when dlint can fix it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import quote

from dlint import __version__
from dlint.checker import Finding
from dlint.rule import Rule, Severity
from dlint.source import Span

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.STYLE: "note"}


def _region(span: Span) -> dict:
    # SARIF lines and columns start at 1 and the end column is exclusive, as in dlint.
    line, column = max(span.line, 1), max(span.column, 1)
    return {
        "startLine": line,
        "startColumn": column,
        "endLine": max(span.end_line, line),
        "endColumn": max(span.end_column, 1),
    }


def _uri(path: str) -> str:
    return quote(path.replace("\\", "/"))


def _rule(rule: Rule) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.doc or rule.summary, "markdown": rule.doc or rule.summary},
        "defaultConfiguration": {"level": _LEVEL[rule.severity], "enabled": rule.enabled},
        "properties": {"tags": [rule.severity.label] + (["fixable"] if rule.fixable else [])},
    }


def _subcode_rule(finding: Finding) -> dict:
    """A descriptor for a ShellCheck code: ShellCheck's wiki explains each of them."""
    return {
        "id": finding.code,
        "name": finding.name,
        "shortDescription": {"text": f"ShellCheck {finding.code}"},
        "helpUri": f"https://www.shellcheck.net/wiki/{finding.code}",
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "properties": {"tags": ["shellcheck"]},
    }


def _result(finding: Finding, index: int) -> dict:
    uri = _uri(finding.file)
    result = {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": _region(finding.span)}}
        ],
    }
    if finding.fix is not None:
        result["fixes"] = [
            {
                "description": {"text": finding.fix.description},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": uri},
                        "replacements": [
                            {"deletedRegion": _region(edit.span), "insertedContent": {"text": edit.replacement}}
                            for edit in finding.fix.edits
                        ],
                    }
                ],
            }
        ]
    return result


def render(findings: list[Finding], sources: Mapping[str, list[str]], color: bool) -> str:
    from dlint.registry import all_rules

    rules = all_rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    descriptors = [_rule(rule) for rule in rules]
    # Codes a rule reports under codes of its own (ShellCheck's SC2086) get a descriptor each.
    for finding in findings:
        if finding.code not in index:
            index[finding.code] = len(descriptors)
            descriptors.append(_subcode_rule(finding))
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dlint",
                        "version": __version__,
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.code]) for f in findings],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
