"""Runs the rules over a Dockerfile model and turns their violations into findings."""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter

from dlint.dockerfile import Dockerfile
from dlint.file_system import FileSystem
from dlint.rule import Fix, Rule, Severity
from dlint.source import Span
from dlint.startup import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any


class Finding(NamedTuple):
    """One finding of one rule in one file (immutable; one is made per finding, so a light
    type: see benchmarks/README.md)."""

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


class Settings:
    """What to run and how; built by the lint session from the configuration (tests build
    their own). A plain class, not a dataclass: see benchmarks/README.md on start-up."""

    __slots__ = ("rules", "severities", "options", "respect_pragmas", "unsafe_fixes", "subcodes", "build_context",
                 "file_system", "_rule_options", "_plan", "_needed", "_plans")

    def __init__(
        self,
        rules: tuple[Rule, ...],
        severities: Mapping[str, Severity] | None = None,  # code -> override
        options: Mapping[str, Mapping[str, Any]] | None = None,  # code -> options
        respect_pragmas: bool = True,  # honour `# dlint: ignore=` (and hadolint's) comments
        unsafe_fixes: bool = False,  # --fix also applies fixes marked unsafe (Fix.safe False)
        subcodes: "SubcodeFilter | None" = None,  # which SC2086-like codes of a rule are kept
        build_context: str | None = None,  # --context DIR (None: each Dockerfile's folder)
    ) -> None:
        self.rules = tuple(rules)
        self.severities = severities or {}
        self.options = options or {}
        self.respect_pragmas = respect_pragmas
        self.unsafe_fixes = unsafe_fixes
        self.subcodes = subcodes or SubcodeFilter()
        self.build_context = build_context
        # What the files' build contexts hold, looked at once per folder for all the files.
        self.file_system = FileSystem()
        # Each rule's defaults with the configured options on top, merged once for all files.
        # Rules read their options and never modify them.
        self._rule_options: dict[str, Mapping[str, Any]] = {}
        self._plan: list[tuple] | None = None
        self._needed: frozenset[str] = frozenset()  # the keywords some rule of the plan needs
        self._plans: dict[frozenset[str], list[tuple]] = {}  # those of a file's -> its plan

    def plan(self) -> list[tuple]:
        """(check, options, code, name, severity, fixable, needs) of each rule to run, DF002
        left out (see :func:`lint`), worked out once for all the files of these settings: a
        lint of many files runs some fifty rules on each, so per-rule look-ups add up."""
        if self._plan is None:
            self._plan = [
                (rule.check, self.options_of(rule), rule.code, rule.name,
                 self.severities.get(rule.code, rule.severity), rule.fixable, rule.needs)
                for rule in self.rules
                if rule.code != UNUSED_IGNORE
            ]
            self._needed = frozenset().union(*[rule.needs or () for rule in self.rules])
        return self._plan

    def plan_for(self, keywords) -> list[tuple]:
        """The plan for a file whose instructions have these keywords: less the rules that need
        (Rule.needs) others. Worked out once per set of the keywords that rules need (a few
        dozen sets over thousands of files) rather than rule by rule for each file."""
        plan = self.plan()
        present = self._needed.intersection(keywords)
        found = self._plans.get(present)
        if found is None:
            found = [entry for entry in plan if entry[6] is None or not entry[6].isdisjoint(present)]
            if len(self._plans) < _PLANS_KEPT:
                self._plans[present] = found
        return found

    def options_of(self, rule: Rule) -> Mapping[str, Any]:
        options = self._rule_options.get(rule.code)
        if options is None:
            options = self._rule_options[rule.code] = {**rule.options, **self.options.get(rule.code, {})}
        return options

    def __repr__(self) -> str:
        return (f"Settings(rules={[r.code for r in self.rules]}, severities={self.severities!r}, "
                f"options={self.options!r}, respect_pragmas={self.respect_pragmas}, unsafe_fixes={self.unsafe_fixes})")


class SubcodeFilter(NamedTuple):
    """Codes a rule reports under codes of its own (``SC2086``), selected or ignored one by one
    like rules: ``select`` None keeps every one."""

    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()

    def keeps(self, code: str) -> bool:
        return code not in self.ignore and (self.select is None or code in self.select)


def default_rules() -> tuple[Rule, ...]:
    from dlint.registry import all_rules

    return tuple(r for r in all_rules() if r.enabled)


# DF002 (unused-ignore) is not run with the rules: like ruff's unused-noqa check it is a pass
# after them, over the pragmas and what each suppressed. Its module holds its metadata and
# documentation only.
UNUSED_IGNORE = "DF002"


def lint(dockerfile: Dockerfile, settings: Settings) -> list[Finding]:
    """Findings of the chosen rules, less those an inline ignore suppresses, then the unused
    ignores (DF002, when chosen), sorted by position."""
    from dlint.context import LintContext
    from dlint.ignores import parse as parse_pragmas

    context = LintContext(dockerfile, settings.build_context, settings.file_system)
    findings: list[Finding] = []
    append = findings.append
    path = dockerfile.path
    for check, options, code, name, severity, fixable, _needs in settings.plan_for(context.keywords):
        for v in check(context, options):
            if v.code is None:
                # tuple.__new__: what Finding(…) calls through a generated function (one
                # Finding per finding, 20,000 over the benchmark corpus).
                append(_new_tuple(Finding, (path, code, name, severity, v.message, v.span, v.fix if fixable else None)))
            elif settings.subcodes.keeps(v.code):
                own = settings.severities.get(v.code) or (severity if code in settings.severities else v.severity)
                append(Finding(path, v.code, name, own or severity, v.message, v.span, v.fix if fixable else None))
    if dockerfile.directive("check") is not None:  # BuildKit's `# check=skip=…;error=true`
        from dlint import check_directive

        findings = check_directive.apply(findings, check_directive.read(dockerfile))
    if settings.respect_pragmas:
        pragmas = parse_pragmas(dockerfile)  # cheap when no comment is a pragma (the common case)
        if pragmas:
            findings = [f for f in findings if not pragmas.suppresses(f)]
            unused_ignore = next((rule for rule in settings.rules if rule.code == UNUSED_IGNORE), None)
            if unused_ignore is not None:
                findings.extend(f for f in _unused(unused_ignore, pragmas, context, settings)
                                if not pragmas.suppresses(f))
    findings.sort(key=_BY_POSITION)  # all findings here are of one file
    return findings


_PLANS_KEPT = 256  # Settings.plan_for: sets of keywords remembered (a bound; a few dozen are seen)
_BY_POSITION = attrgetter("span.line", "span.column", "code")
_new_tuple = tuple.__new__


def _unused(rule: Rule, pragmas, context, settings: Settings) -> list[Finding]:
    """The unused-ignore pass: names in pragmas that suppressed nothing among the rules that
    ran, names that are no rule, pragmas that cover nothing."""
    from dlint.ignores import unused

    severity = settings.severities.get(rule.code, rule.severity)
    ran = {r.code for r in settings.rules}
    return [Finding(context.path, rule.code, rule.name, severity, message, span)
            for span, message in unused(pragmas, ran)]
