"""``--fix``: apply the rules' fixes, safely.

Fixes are applied in passes, like ruff: each pass lints the current text, applies the fixes
whose edits do not touch the same lines, and starts again on the result, until nothing fixable
is left. A structural fix (DF001, a swallowed instruction) is applied alone in its pass, before
any rewrite of the same file, so that no later fix works on a misread instruction (sorting the
swallowed words `RUN rm -rf …` into a package list, say).

Files keep their BOM and line ends, are written atomically (a temporary file in the same
directory, then a rename) with their mode, and only when something changed. A file whose
bytes are not valid UTF-8 is never rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass

from dlint.dockerfile import decode, parse
from dlint.checker import Finding, Settings, lint
from dlint.files import write_atomically  # noqa: F401  (one implementation, in dlint/files.py)
from dlint.rule import Edit

STRUCTURAL = frozenset({"DF001"})
MAX_PASSES = 20


class NotFixable(Exception):
    pass


@dataclass
class FixResult:
    text: str  # the fixed text, in the file's own encoding conventions
    applied: list[Finding]  # the findings whose fixes were applied, over all passes


def _offsets(text: str) -> list[int]:
    starts, position = [0], 0
    for line in text.split("\n"):
        position += len(line) + 1
        starts.append(position)
    return starts


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits given in (line, column) positions of ``text``."""
    starts = _offsets(text)

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    spans = sorted(
        ((offset(e.span.line, e.span.column), offset(e.span.end_line, e.span.end_column), e.replacement) for e in edits),
        reverse=True,
    )
    for start, end, replacement in spans:
        text = text[:start] + replacement + text[end:]
    return text


def _lines_of(finding: Finding) -> range:
    edits = finding.fix.edits
    return range(min(e.span.line for e in edits), max(e.span.end_line for e in edits) + 1)


def applicable(finding: Finding, settings: Settings) -> bool:
    """Whether ``--fix`` applies this finding's fix under ``settings``."""
    fix = finding.fix
    return fix is not None and bool(fix.edits) and (fix.safe or settings.unsafe_fixes)


def _choose(findings: list[Finding], settings: Settings) -> list[Finding]:
    fixable = [f for f in findings if applicable(f, settings)]
    structural = [f for f in fixable if f.code in STRUCTURAL]
    candidates = structural or fixable
    chosen: list[Finding] = []
    taken: set[int] = set()
    for finding in sorted(candidates, key=lambda f: (f.line, f.column, f.code)):
        lines = set(_lines_of(finding))
        if lines & taken:
            continue  # the next pass sees the result of this one
        chosen.append(finding)
        taken |= lines
    return chosen


def fix_text(text: str, path: str, settings: Settings) -> FixResult:
    applied: list[Finding] = []
    for _ in range(MAX_PASSES):
        findings = lint(parse(text, path), settings)
        chosen = _choose(findings, settings)
        if not chosen:
            break
        text = apply_edits(text, [edit for f in chosen for edit in f.fix.edits])
        applied.extend(chosen)
    return FixResult(text, applied)


def fix_bytes(data: bytes, path: str, settings: Settings) -> tuple[bytes, list[Finding]]:
    """The fixed file content, keeping the BOM and the line-end style."""
    text, warnings = decode(data)
    if warnings:
        raise NotFixable(f"{path}: not valid UTF-8; not rewriting it")
    result = fix_text(text, path, settings)
    if not result.applied:
        return data, []
    fixed = result.text
    if b"\r\n" in data:
        fixed = fixed.replace("\n", "\r\n")
    prefix = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    return prefix + fixed.encode("utf-8"), result.applied


def unified_diff(old: bytes, new: bytes, name: str) -> str:
    import difflib

    before = old.decode("utf-8", "replace").splitlines(keepends=True)
    after = new.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"))
