"""Every rule against its fixtures: the exact code, line and column of every finding in each
file (so the absence of all other findings is asserted too)."""

from __future__ import annotations

import re

import pytest

from dlint.registry import all_rules
from tests.helpers import FIXTURES, findings_of

EXPECTED = {
    # --- per-rule fixtures: bad.Dockerfile must trigger, good.Dockerfile is a near miss ----
    "rules/DF001/bad.Dockerfile": [
        ("DF107", 2, 1), ("DF001", 4, 1), ("DF108", 4, 1), ("DF001", 6, 3),
    ],
    "rules/DF101/bad.Dockerfile": [
        ("DF101", 2, 1), ("DF107", 2, 1), ("DF101", 3, 1), ("DF107", 3, 1),
        ("DF101", 6, 1), ("DF102", 6, 1), ("DF107", 6, 1),
    ],
    "rules/DF102/bad.Dockerfile": [
        # Line 5's update is deleted in its RUN: no stale index is left to reuse (no DF101).
        ("DF101", 2, 1), ("DF107", 2, 1), ("DF102", 3, 1), ("DF108", 3, 1), ("DF102", 5, 1),
    ],
    "rules/DF103/bad.Dockerfile": [("DF103", 3, 51), ("DF103", 6, 9)],
    "rules/DF104/bad.Dockerfile": [("DF104", 4, 9)],
    "rules/DF105/bad.Dockerfile": [("DF105", 5, 9), ("DF105", 8, 9)],
    "rules/DF106/bad.Dockerfile": [("DF106", 3, 9)],  # once per install, naming both packages
    "rules/DF107/bad.Dockerfile": [("DF107", 5, 1), ("DF107", 6, 1), ("DF108", 6, 1)],
    "rules/DF108/bad.Dockerfile": [("DF107", 2, 1), ("DF108", 3, 1), ("DF108", 4, 1), ("DF108", 6, 1)],
    "rules/DF109/bad.Dockerfile": [("DF109", 2, 1)],
    "rules/DF110/bad.Dockerfile": [("DF110", 2, 1)],
    "rules/DF111/bad.Dockerfile": [("DF111", 2, 5), ("DF111", 2, 19)],
    "rules/DF201/bad.Dockerfile": [("DF201", 1, 6), ("DF201", 2, 6), ("DF201", 3, 6)],
    "rules/DF301/bad.Dockerfile": [("DF301", 3, 1)],
    "rules/DF302/bad.Dockerfile": [("DF302", 2, 1), ("DF302", 3, 1)],
    "rules/DF401/bad.Dockerfile": [("DF401", 2, 1)],
    "rules/DF501/bad.Dockerfile": [("DF501", 2, 1), ("DF501", 3, 1)],
    "rules/DF502/bad.Dockerfile": [("DF502", 4, 1)],
    # --- the founding example's three shapes -------------------------------------------------
    "examples/split-update-install.Dockerfile": [
        ("DF101", 3, 1), ("DF107", 3, 1), ("DF102", 4, 1), ("DF108", 5, 1),
    ],
    "examples/one-run.Dockerfile": [],
    "examples/cleanup-own-run.Dockerfile": [("DF107", 3, 1), ("DF108", 7, 1)],
    # The stray backslash: the structural error, then the same findings as the intended shape
    # (never the swallowed words `RUN`, `rm`, `-rf` as packages).
    "examples/cleanup-own-run-stray-backslash.Dockerfile": [
        ("DF107", 3, 1), ("DF001", 7, 1), ("DF108", 7, 1),
    ],
    "examples/Dockerfile": [
        ("DF201", 2, 6), ("DF101", 3, 1), ("DF107", 3, 1), ("DF102", 4, 1), ("DF110", 4, 1),
        ("DF103", 4, 24), ("DF106", 4, 24), ("DF104", 4, 33), ("DF105", 4, 49), ("DF108", 5, 1),
    ],
    # --- syntax shapes -----------------------------------------------------------------------
    "cases/escape-backtick.Dockerfile": [("DF110", 3, 1), ("DF104", 5, 9)],
    "cases/heredoc.Dockerfile": [
        ("DF107", 3, 1), ("DF106", 6, 44), ("DF101", 11, 1), ("DF107", 11, 1), ("DF111", 12, 1),
    ],
    "cases/lowercase.Dockerfile": [("DF107", 2, 1)],
    "cases/json-form.Dockerfile": [
        ("DF102", 2, 1), ("DF110", 2, 1), ("DF106", 2, 34), ("DF106", 3, 87),
    ],
    "cases/set-eux-chain.Dockerfile": [("DF105", 8, 48)],
    "cases/windows.Dockerfile": [],
    "cases/multistage.Dockerfile": [("DF107", 2, 1), ("DF108", 5, 1)],
}


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_fixture_findings(fixture):
    assert findings_of(FIXTURES / fixture) == EXPECTED[fixture]


# DF002 (unused-ignore, off by default) is about pragmas: tests/test_ignores.py covers it.
@pytest.mark.parametrize("rule", [r for r in all_rules() if r.enabled], ids=lambda r: r.code)
def test_every_rule_has_a_bad_and_a_clean_near_miss(rule):
    folder = FIXTURES / "rules" / rule.code
    bad = findings_of(folder / "bad.Dockerfile")
    assert rule.code in {code for code, _, _ in bad}
    assert findings_of(folder / "good.Dockerfile") == []


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_docs_follow_the_shape(rule):
    headings = re.findall(r"^## (.+)$", rule.doc, re.M)
    assert headings == ["What it does", "Why is this bad?", "Example", "Use instead", "Fix"]
    assert re.fullmatch(r"DF\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)


def test_codes_and_names_are_unique():
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)


def test_messages_name_the_package():
    from tests.helpers import full_findings

    findings = full_findings(
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends \\\n"
        "      curl=1 \\\n"
        "      ca-certificates=2 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )
    assert [(f.code, f.line, f.column, f.message) for f in findings] == [
        ("DF104", 4, 7, "'ca-certificates' should come before 'curl'"),
    ]


def test_unpinned_allowed_option():
    from dlint.dockerfile import parse
    from dlint.checker import Settings, lint
    from dlint.registry import lookup

    dockerfile = parse(
        b"FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
        b"    ca-certificates \\\n    curl \\\n    && rm -rf /var/lib/apt/lists/*\n"
    )
    rule = lookup("unpinned-package")
    settings = Settings((rule,), options={"DF106": {"allowed-unpinned": ["ca-certificates"]}})
    assert [(f.code, f.line, f.column) for f in lint(dockerfile, settings)] == [("DF106", 4, 5)]


def test_one_per_line_minimum_option():
    from dlint.dockerfile import parse
    from dlint.checker import Settings, lint
    from dlint.registry import lookup

    dockerfile = parse(
        b"FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends a=1 b=2 \\\n"
        b"    && rm -rf /var/lib/apt/lists/*\n"
    )
    rule = lookup("DF103")
    assert [(f.code, f.line, f.column) for f in lint(dockerfile, Settings((rule,)))] == [("DF103", 2, 66)]
    relaxed = Settings((rule,), options={"DF103": {"min-packages": 3}})
    assert lint(dockerfile, relaxed) == []


def test_cleanup_rule_matches_globs_and_parent_directories_of_created_files():
    from dlint.registry import lookup

    text = (
        "FROM debian:bookworm\n"
        "COPY dist/app.tgz /opt/dl/app.tgz\n"
        "RUN rm -rf /opt/dl/*.tgz\n"
        "COPY notes.txt /srv/doc/notes.txt\n"
        "RUN rm -rf /srv\n"
        "RUN rm -rf /var/tmp/*\n"
    )
    assert findings_of(text, [lookup("DF108")]) == [("DF108", 3, 1), ("DF108", 5, 1)]


def test_big_single_stage():
    """10,000 instructions in one stage (the scaling benchmark measures the time)."""
    lines = ["FROM debian:bookworm"]
    for i in range(10_000):
        lines.append([
            f"RUN apt-get update && apt-get install -y --no-install-recommends p{i}=1 && rm -rf /var/lib/apt/lists/*",
            f"COPY f{i} /tmp/f{i}", f"RUN rm -f /tmp/f{i - 1}", f"ENV A{i}=1",
        ][i % 4])
    found = findings_of("\n".join(lines) + "\n")
    assert [f for f in found if f[0] == "DF108"][:2] == [("DF108", 4, 1), ("DF108", 8, 1)]
    assert len([f for f in found if f[0] == "DF108"]) == 2500
