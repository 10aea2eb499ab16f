"""Runs the rules over a Dockerfile model and turns their violations into findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from dlint.dockerfile import Dockerfile
from dlint.rule import Fix, Rule, Severity
from dlint.source import Span


@dataclass(frozen=True)
class Finding:
    file: str
    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    fix: Fix | None = None

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def sort_key(self) -> tuple:
        return (self.file, self.span.line, self.span.column, self.code)


@dataclass
class Settings:
    """What to run and how; built by the CLI (and the configuration, when there is one)."""

    rules: tuple[Rule, ...]
    severities: Mapping[str, Severity] = field(default_factory=dict)  # code -> override
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # code -> options


def default_rules() -> tuple[Rule, ...]:
    from dlint.registry import all_rules

    return tuple(r for r in all_rules() if r.enabled)


def lint(dockerfile: Dockerfile, settings: Settings) -> list[Finding]:
    findings = []
    for rule in settings.rules:
        options = {**rule.options, **settings.options.get(rule.code, {})}
        severity = settings.severities.get(rule.code, rule.severity)
        for violation in rule.check(dockerfile, options):
            findings.append(
                Finding(
                    dockerfile.path,
                    rule.code,
                    rule.name,
                    severity,
                    violation.message,
                    violation.span,
                    violation.fix if rule.fixable else None,
                )
            )
    findings.sort(key=Finding.sort_key)
    return findings


def exit_status(findings: Iterable[Finding], threshold: Severity) -> int:
    return 1 if any(f.severity >= threshold for f in findings) else 0
