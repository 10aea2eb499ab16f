"""All rules together on the examples and syntax cases: the exact code, line and column of
every finding in each file (so the absence of all other findings is asserted too). Each rule
alone on its own fixtures, with the expectations written in them: tests/rules/."""

from __future__ import annotations

import re

import pytest

from dlint.registry import all_rules
from tests.helpers import FIXTURES, findings_of

EXPECTED = {
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


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_docs_follow_the_shape(rule):
    headings = re.findall(r"^## (.+)$", rule.doc, re.M)
    assert headings == ["What it does", "Why is this bad?", "Example", "Use instead", "Fix"]
    # DF and three digits; SC is ShellCheck's rule, which reports under ShellCheck's codes.
    assert re.fullmatch(r"DF\d{3}|SC", rule.code)
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
