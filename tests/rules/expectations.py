"""Expected findings written in a fixture, as ``# expect:`` comments (the format of
/work/TEAM.md, as ruff and hadolint keep their expectations next to the code):

    # expect: DF106:9 DF106:20
    RUN apt-get install -y curl wget

One finding of that code per token, ``:COL`` its column (column 1 when omitted), on the next
line that is neither a comment nor blank. For a line that cannot take a comment above it (in a
heredoc body, a parser directive), ``CODE@LINE`` or ``CODE@LINE:COL`` anywhere in the file.
A rule's options for the file, when it has some, are a JSON object in an ``# options:`` line.
"""

from __future__ import annotations

import json
import re

EXPECT = re.compile(r"^\s*#\s*expect:(?P<tokens>.*)$")
TOKEN = re.compile(r"(?P<code>DF\d{3}|SC\d{4})(?:@(?P<line>\d+))?(?::(?P<column>\d+))?")


OPTIONS = re.compile(r"^\s*#\s*options:\s*(?P<json>\{.*\})\s*$", re.MULTILINE)


class BadExpectation(ValueError):
    pass


def fixture_options(text: str) -> dict:
    """The rule options an ``# options: {…}`` line sets ({} without one)."""
    match = OPTIONS.search(text)
    return json.loads(match.group("json")) if match else {}


def expected_findings(text: str) -> list[tuple[str, int, int]]:
    """(code, line, column) of every expectation in a fixture's text, sorted."""
    lines = text.removeprefix("\ufeff").splitlines()  # a BOM is not part of the first line's text
    out = []
    for index, line in enumerate(lines):
        match = EXPECT.match(line)
        if not match:
            continue
        tokens = match.group("tokens").split()
        if not tokens:
            raise BadExpectation(f"line {index + 1}: `# expect:` names no finding")
        target = None
        for token in tokens:
            parsed = TOKEN.fullmatch(token)
            if not parsed:
                raise BadExpectation(f"line {index + 1}: {token!r} is not CODE, CODE:COL, CODE@LINE or CODE@LINE:COL")
            if parsed.group("line"):
                number = int(parsed.group("line"))
            else:
                if target is None:
                    target = _next_code_line(lines, index)
                if target is None:
                    raise BadExpectation(f"line {index + 1}: no line below for {token!r} (use {token}@LINE)")
                number = target
            out.append((parsed.group("code"), number, int(parsed.group("column") or 1)))
    return sorted(out, key=lambda item: (item[1], item[2], item[0]))


def _next_code_line(lines: list[str], index: int) -> int | None:
    for below in range(index + 1, len(lines)):
        stripped = lines[below].strip()
        if stripped and not stripped.startswith("#"):
            return below + 1
    return None
