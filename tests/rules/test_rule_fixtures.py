"""Each rule alone on its own fixtures, ``fixtures/rules/<CODE>/*.Dockerfile``: exactly the
findings the files' ``# expect:`` comments name (code, line and column), and none of that rule
in a file without them (a near miss). Adding or changing a rule never touches another rule's
expectations; the all-rules expectations on the examples are in tests/test_rules.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlint.checker import Settings, default_rules, lint
from dlint.dockerfile import parse
from dlint.registry import all_rules, lookup
from tests.helpers import FIXTURES
from tests.rules.expectations import BadExpectation, expected_findings, fixture_options

RULES_DIR = FIXTURES / "rules"
FILES = sorted(RULES_DIR.glob("*/*.Dockerfile"))


def run_alone(code: str, path: Path) -> list[tuple[str, int, int]]:
    """The findings of rule ``code`` alone. DF002 (unused-ignore) judges what the other rules'
    findings were suppressed by, so it runs with the default rules and only its own are kept."""
    rule = lookup(code)
    rules = (*default_rules(), rule) if code == "DF002" else (rule,)
    data = path.read_bytes()
    options = {code: fixture_options(data.decode("utf-8", "replace"))}
    dockerfile = parse(data, str(path.relative_to(FIXTURES)))
    findings = lint(dockerfile, Settings(rules, options=options))
    # The SC rule reports under ShellCheck's codes (SC2086): its folder expects those.
    return [(f.code, f.line, f.column) for f in findings if f.code == code or (code == "SC" and f.code.startswith("SC"))]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(RULES_DIR)))
def test_rule_alone_gives_exactly_the_expected_findings(path, monkeypatch):
    monkeypatch.chdir(FIXTURES)  # the files' names are relative to fixtures/: DF304 finds their folder
    code = path.parent.name
    expected = expected_findings(path.read_text(encoding="utf-8", errors="replace"))
    foreign = sorted({c for c, _, _ in expected if c != code and not (code == "SC" and c.startswith("SC"))})
    assert not foreign, f"{path.name} in {code}'s folder expects {', '.join(foreign)}: the rule runs alone"
    assert run_alone(code, path) == expected


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_has_a_case_and_a_near_miss(rule):
    files = sorted((RULES_DIR / rule.code).glob("*.Dockerfile"))
    with_expectations = [f for f in files if expected_findings(f.read_text(encoding="utf-8", errors="replace"))]
    assert with_expectations, f"fixtures/rules/{rule.code}/ has no file with an `# expect:` line for {rule.code}"
    assert len(with_expectations) < len(files), f"fixtures/rules/{rule.code}/ has no near miss (a file without expect)"


def test_every_fixture_folder_is_a_rule():
    codes = {r.code for r in all_rules()}
    assert sorted(p.name for p in RULES_DIR.iterdir() if p.is_dir() and p.name not in codes) == []


def test_expectation_format():
    text = (
        "# escape=`\n"
        "# expect: DF201@1:3\n"
        "FROM debian\n"
        "# expect: DF106:9 DF106:20 DF107\n"
        "\n"
        "# an ordinary comment\n"
        "RUN apt-get install -y curl wget\n"
    )
    assert expected_findings(text) == [("DF201", 1, 3), ("DF107", 7, 1), ("DF106", 7, 9), ("DF106", 7, 20)]
    for bad in ("# expect:\nRUN x\n", "# expect: DF1\nRUN x\n", "# expect: DF101:x\nRUN x\n", "RUN x\n# expect: DF101\n"):
        with pytest.raises(BadExpectation):
            expected_findings(bad)
