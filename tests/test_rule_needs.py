"""Rule.needs: a rule that names instruction keywords is run only on files with one of them."""

from __future__ import annotations

from dlint.checker import Settings, lint
from dlint.context import LintContext
from dlint.dockerfile import parse
from dlint.registry import all_rules
from dlint.rule import Rule, Severity, Violation

from tests.helpers import FIXTURES, findings_of


def _recording_rule(calls: list, needs):
    def check(context, options):
        calls.append(context.path)
        for instruction in context.instructions_of("EXPOSE"):
            yield Violation(instruction.keyword_span, "exposed")

    return Rule("DF999", "test-rule", Severity.INFO, "test", check, needs=needs)


def test_a_rule_is_not_run_on_a_file_without_the_keywords_it_needs():
    calls: list = []
    rule = _recording_rule(calls, ("EXPOSE",))
    settings = Settings((rule,))
    assert lint(parse(b"FROM debian:bookworm\nRUN true\n", "a/Dockerfile"), settings) == []
    assert calls == []
    findings = lint(parse(b"FROM debian:bookworm\nEXPOSE 80\n", "b/Dockerfile"), settings)
    assert [(f.code, f.line, f.column) for f in findings] == [("DF999", 2, 1)]
    assert calls == ["b/Dockerfile"]


def test_a_rule_without_needs_runs_on_every_file():
    calls: list = []
    settings = Settings((_recording_rule(calls, ()),))
    lint(parse(b"FROM debian:bookworm\n", "a/Dockerfile"), settings)
    assert calls == ["a/Dockerfile"]


def test_onbuild_triggers_count_for_rules_that_read_them():
    # ADD and CMD only as ONBUILD triggers: DF302 and DF501 (which read all_instructions) still run.
    text = "FROM debian:bookworm\nONBUILD ADD app.py /app/\nONBUILD CMD python /app/app.py\nUSER 1000\n"
    codes = {code for code, _line, _column in findings_of(text)}
    assert {"DF302", "DF501"} <= codes


def test_declared_needs_hold_on_every_fixture():
    """Each rule with ``needs``, run directly on every fixture file that has none of those
    keywords, finds nothing there: skipping it changes no output."""
    rules = [rule for rule in all_rules() if rule.needs]
    assert len(rules) >= 15
    files = sorted(FIXTURES.rglob("*Dockerfile*"))
    checked = 0
    for path in files:
        if not path.is_file():
            continue
        dockerfile = parse(path.read_bytes(), str(path))
        present = {instruction.keyword for instruction in dockerfile.instructions}
        for rule in rules:
            if rule.needs.isdisjoint(present):
                context = LintContext(dockerfile)
                assert list(rule.check(context, dict(rule.options))) == [], (rule.code, str(path))
                checked += 1
    assert checked > 1000
