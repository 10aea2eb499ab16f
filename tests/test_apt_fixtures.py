"""The package-manager rules alone on their new fixtures, in the `# expect:` shape.

Each file under ``fixtures/rules/<CODE>/`` other than the old ``bad``/``good`` pair states its
expected findings in comments: ``# expect: DF106:9 DF106:20`` above the line they are on (one
token per finding, ``:COL`` its column, 1 when omitted), ``# expect: DF106@LINE:COL`` anywhere
for a line that cannot take a comment. A file without ``expect`` comments must give no
finding of its rule. The rule runs alone, so no other rule's findings matter here.
"""

from __future__ import annotations

import re

import pytest

from dlint.registry import lookup
from tests.helpers import FIXTURES, findings_of

CODES = ["DF101", "DF102", "DF105", "DF106", "DF107", "DF108", "DF109", "DF110", "DF111", "DF401"]
_EXPECT = re.compile(r"^\s*#\s*expect:\s*(.*)$")
_TOKEN = re.compile(r"(DF\d{3})(?:@(\d+))?(?::(\d+))?$")


def expected(text: str, code: str) -> list[tuple[str, int, int]]:
    found, pending = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _EXPECT.match(line)
        if match:
            for token in match.group(1).split():
                parsed = _TOKEN.match(token)
                assert parsed, f"bad expect token {token!r} at line {number}"
                name, at, column = parsed.group(1), parsed.group(2), int(parsed.group(3) or 1)
                if name != code:
                    continue
                if at:
                    found.append((name, int(at), column))
                else:
                    pending.append((name, column))
            continue
        if line.strip() and not line.lstrip().startswith("#"):
            found.extend((name, number, column) for name, column in pending)
            pending = []
    return sorted(found, key=lambda f: (f[1], f[2]))


def cases():
    for code in CODES:
        for path in sorted((FIXTURES / "rules" / code).glob("*.Dockerfile")):
            if path.name not in ("bad.Dockerfile", "good.Dockerfile"):
                yield pytest.param(code, path, id=f"{code}/{path.name}")


@pytest.mark.parametrize("code, path", list(cases()))
def test_rule_alone_on_its_fixture(code, path):
    got = sorted(findings_of(path, [lookup(code)]), key=lambda f: (f[1], f[2]))
    assert got == expected(path.read_text(), code)
