"""Runs the rules over a Dockerfile model and turns their violations into findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Iterable, Mapping, NamedTuple

from dlint.dockerfile import Dockerfile
from dlint.rule import Fix, Rule, Severity
from dlint.source import Span


class Finding(NamedTuple):
    # A NamedTuple, not a frozen dataclass: one is made per finding (tens of thousands over a
    # large tree), and a frozen dataclass's __init__ costs two to three times as much.
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


@dataclass
class Settings:
    """What to run and how; built by the CLI (and the configuration, when there is one)."""

    rules: tuple[Rule, ...]
    severities: Mapping[str, Severity] = field(default_factory=dict)  # code -> override
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # code -> options
    respect_pragmas: bool = True  # honour `# dlint: ignore=` (and hadolint's) comments
    unsafe_fixes: bool = False  # --fix also applies fixes marked unsafe (Fix.safe False)
    # Each rule's defaults with the configured options on top, merged once for all files.
    # Rules read their options and never modify them.
    _rule_options: dict[str, Mapping[str, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def options_of(self, rule: Rule) -> Mapping[str, Any]:
        options = self._rule_options.get(rule.code)
        if options is None:
            options = self._rule_options[rule.code] = {**rule.options, **self.options.get(rule.code, {})}
        return options


def default_rules() -> tuple[Rule, ...]:
    from dlint.registry import all_rules

    return tuple(r for r in all_rules() if r.enabled)


# DF002 (unused-ignore) judges the pragmas after every other rule has run and its findings
# were matched against them, so the engine runs it last instead of with the others.
UNUSED_IGNORE = "DF002"


def lint(dockerfile: Dockerfile, settings: Settings) -> list[Finding]:
    """Findings of the chosen rules, less those an inline ignore suppresses, sorted."""
    from dlint.context import LintContext

    context = LintContext(dockerfile)
    findings = []
    last = []
    for rule in settings.rules:
        if rule.code == UNUSED_IGNORE:
            last.append(rule)
            continue
        findings.extend(_run(rule, context, settings, {}))
    # Most files have no pragma at all: then there is nothing to suppress or to call unused,
    # and the pragma parser is not even imported.
    if settings.respect_pragmas and any("lint" in c.text for c in dockerfile.comments):
        from dlint.ignores import parse as parse_pragmas

        pragmas = parse_pragmas(dockerfile)
        if pragmas:
            findings = [f for f in findings if not pragmas.suppresses(f)]
        ran = {r.code for r in settings.rules}
        for rule in last:
            extra = _run(rule, context, settings, {"pragmas": pragmas, "ran": ran})
            findings.extend(f for f in extra if not pragmas.suppresses(f))
    findings.sort(key=_BY_POSITION)  # all findings here are of one file
    return findings


_BY_POSITION = attrgetter("span.line", "span.column", "code")


def _run(rule: Rule, context, settings: Settings, extra: Mapping[str, Any]) -> list[Finding]:
    options = {**settings.options_of(rule), **extra} if extra else settings.options_of(rule)
    severity = settings.severities.get(rule.code, rule.severity)
    findings = []
    path = context.path
    for v in rule.check(context, options):
        fix = v.fix if rule.fixable else None
        findings.append(Finding(path, rule.code, rule.name, severity, v.message, v.span, fix))
    return findings


def exit_status(findings: Iterable[Finding], threshold: Severity) -> int:
    return 1 if any(f.severity >= threshold for f in findings) else 0
