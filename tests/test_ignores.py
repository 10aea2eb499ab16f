"""Inline ignores: every pragma form, with the exact findings that remain, and DF002."""

from __future__ import annotations

from dlint.dockerfile import parse
from dlint.checker import Settings, lint
from dlint.registry import all_rules
from tests.helpers import findings_of as _findings_of


# The package and base-image rules these Dockerfiles exercise (other rules may be added to the
# defaults later without changing what is tested here).
RULES = tuple(r for r in all_rules() if r.enabled and r.code.startswith(("DF1", "DF2")))
WITH_DF002 = RULES + tuple(r for r in all_rules() if r.code == "DF002")


def findings_of(text: str):
    """(code, line, column) with the package and base-image rules."""
    return _findings_of(text, RULES)

STAGE_A = (
    "FROM debian AS build\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
)
STAGE_B = (
    "FROM debian:latest\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends wget \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
)
# Without pragmas: DF201 at 1:6, DF106 at 2:66, DF201 at 5:6, DF106 at 6:66.
PLAIN = STAGE_A + "\n" + STAGE_B


def with_df002(text: str):
    """(code, line, column) with those rules plus DF002 (off by default)."""
    return _findings_of(text, WITH_DF002)


def messages(text: str):
    return [(f.code, f.line, f.message) for f in lint(parse(text.encode()), Settings(WITH_DF002))]


def test_no_pragma_baseline():
    assert findings_of(PLAIN) == [("DF201", 1, 6), ("DF106", 2, 66), ("DF201", 5, 6), ("DF106", 6, 66)]


def test_ignore_applies_to_the_instruction_below_only():
    text = STAGE_A.replace("RUN", "# dlint: ignore=DF106\nRUN", 1) + "\n" + STAGE_B
    assert findings_of(text) == [("DF201", 1, 6), ("DF201", 6, 6), ("DF106", 7, 66)]


def test_ignore_by_name_with_reason_and_comment_lines_between():
    text = (
        "FROM debian:bookworm\n"
        "# dlint: ignore=unpinned-package -- curl follows the suite's security updates\n"
        "# an ordinary comment\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )
    assert findings_of(text) == []


def test_ignore_several_codes_and_a_prefix():
    text = "FROM debian:bookworm\n# dlint: ignore=DF106, DF110\nRUN apt-get update && apt-get install -y curl\n"
    assert findings_of(text) == [("DF107", 3, 1)]
    text = "FROM debian:bookworm\n# dlint: ignore=DF1\nRUN apt-get update && apt-get install -y curl\n"
    assert findings_of(text) == []


def test_a_blank_line_ends_the_reach_of_an_ignore():
    text = "FROM debian:bookworm\n# dlint: ignore=DF106\n\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"
    assert findings_of(text) == [("DF106", 4, 66)]
    assert with_df002(text) == [("DF002", 2, 1), ("DF106", 4, 66)]


def test_ignore_inside_a_continuation_applies_to_that_instruction():
    text = (
        "FROM debian:bookworm\n"
        "RUN apt-get update \\\n"
        "    # dlint: ignore=DF106\n"
        "    && apt-get install -y --no-install-recommends curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )
    assert findings_of(text) == []


def test_ignore_stage_covers_that_stage_only():
    text = "# dlint: ignore-stage=DF106,DF201\n" + STAGE_A + "\n" + STAGE_B
    assert findings_of(text) == [("DF201", 6, 6), ("DF106", 7, 66)]
    text = STAGE_A + "\n# dlint: ignore-stage=DF106 -- wget is pinned by the mirror\n" + STAGE_B
    assert findings_of(text) == [("DF201", 1, 6), ("DF106", 2, 66), ("DF201", 6, 6)]


def test_ignore_stage_not_above_a_from_ignores_nothing_and_df002_says_so():
    text = STAGE_A.replace("RUN", "# dlint: ignore-stage=DF106\nRUN", 1)
    assert findings_of(text) == [("DF201", 1, 6), ("DF106", 3, 66)]
    assert messages(text)[1] == (
        "DF002", 2, "ignore-stage is not directly above a FROM, so it ignores nothing"
    )


def test_ignore_file_anywhere():
    text = PLAIN + "# dlint: ignore-file=DF201\n"
    assert findings_of(text) == [("DF106", 2, 66), ("DF106", 6, 66)]
    text = "# dlint: ignore-file=unpinned-base-image,DF106 -- vendored file\n" + PLAIN
    assert findings_of(text) == []


def test_hadolint_pragmas_through_the_mapping():
    text = STAGE_A.replace("RUN", "# hadolint ignore=DL3008,DL3003,SC2086\nRUN", 1) + "\n" + STAGE_B
    assert findings_of(text) == [("DF201", 1, 6), ("DF201", 6, 6), ("DF106", 7, 66)]
    # DL3006 (untagged) and DL3007 (latest) both map to DF201.
    text = "# hadolint global ignore=DL3006,DL3007\n" + PLAIN
    assert findings_of(text) == [("DF106", 3, 66), ("DF106", 7, 66)]
    # Codes hadolint has and dlint does not (DL3003, SC2086) are never reported as unused.
    text = "FROM debian:bookworm\n# hadolint ignore=DL3003,SC2086\nRUN cd /tmp && echo $X\n"
    assert with_df002(text) == []


def test_pragmas_can_be_turned_off():
    text = "# dlint: ignore-file=DF201\nFROM debian\n"
    found = lint(parse(text.encode()), Settings(RULES, respect_pragmas=False))
    assert [(f.code, f.line) for f in found] == [("DF201", 2)]


def test_unused_ignore_reports_each_stale_name():
    text = (
        "FROM debian:bookworm\n"
        "# dlint: ignore=DF106,DF104,DF999 -- partly stale\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "# dlint: ignore-file=DF201\n"
        "# dlint: ignroe=DF106\n"
    )
    assert findings_of(text) == []  # DF002 is off by default
    assert messages(text) == [
        ("DF002", 2, "'DF104' suppresses nothing here: remove it from the ignore"),
        ("DF002", 2, "'DF999' is not a dlint rule (see `dlint rules`)"),
        ("DF002", 5, "'DF201' suppresses nothing here: remove it from the ignore"),
        ("DF002", 6, "unknown dlint pragma (use ignore=, ignore-stage= or ignore-file=)"),
    ]
    assert with_df002(text) == [("DF002", 2, 23), ("DF002", 2, 29), ("DF002", 5, 22), ("DF002", 6, 1)]


def test_unused_ignore_skips_rules_that_did_not_run_and_can_itself_be_ignored():
    text = "FROM debian:bookworm\n# dlint: ignore=DF104\nRUN echo hi\n"
    only = tuple(r for r in all_rules() if r.code in ("DF002", "DF106"))
    assert [f.code for f in lint(parse(text.encode()), Settings(only))] == []
    assert with_df002(text) == [("DF002", 2, 17)]
    assert with_df002("# dlint: ignore-file=DF002\n" + text) == []


def test_hadolint_ignore_that_maps_is_reported_when_unused():
    text = "FROM debian:bookworm\n# hadolint ignore=DL3008\nRUN echo hi\n"
    assert messages(text) == [("DF002", 2, "'DL3008' suppresses nothing here: remove it from the ignore")]


def test_pragmas_are_recognised_in_any_letter_case():
    """`# DLINT: ignore=DF201` was parsed case-insensitively but never reached the parser: a
    case-sensitive pre-filter looked for "lint" and passed it over."""
    for pragma in ("# DLINT: ignore=DF201", "# Dlint: Ignore=df201", "# HADOLINT ignore=DL3006"):
        text = pragma + "\n" + PLAIN
        assert findings_of(text) == [("DF106", 3, 66), ("DF201", 6, 6), ("DF106", 7, 66)], pragma
        assert with_df002(text) == [("DF106", 3, 66), ("DF201", 6, 6), ("DF106", 7, 66)], pragma
    stale = "# DLINT: IGNORE=DF109\n" + PLAIN
    assert with_df002(stale) == [
        ("DF002", 1, 17), ("DF201", 2, 6), ("DF106", 3, 66), ("DF201", 6, 6), ("DF106", 7, 66),
    ]


def test_unused_ignore_is_a_pass_after_the_rules():
    """DF002 judges what the other rules' findings were suppressed by, whatever the order of
    the rules chosen, and can itself be ignored for the file."""
    text = STAGE_A.replace("RUN", "# dlint: ignore=DF106\nRUN", 1) + "\n" + STAGE_B
    reordered = tuple(r for r in all_rules() if r.code == "DF002") + RULES
    assert _findings_of(text, reordered) == with_df002(text) == [("DF201", 1, 6), ("DF201", 6, 6), ("DF106", 7, 66)]
    stale = "# dlint: ignore-file=DF002\n# dlint: ignore=DF109\n" + PLAIN
    assert with_df002(stale) == [("DF201", 3, 6), ("DF106", 4, 66), ("DF201", 7, 6), ("DF106", 8, 66)]
