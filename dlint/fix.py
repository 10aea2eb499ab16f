"""``--fix``: apply the rules' fixes, safely.

Fixes are applied in passes, like ruff: each pass lints the current text, applies the fixes
whose edits do not touch the same lines, and starts again on the result, until nothing fixable
is left. A structural fix (DF001, a swallowed instruction) is applied alone in its pass, before
any rewrite of the same file, so that no later fix works on a misread instruction (sorting the
swallowed words `RUN rm -rf …` into a package list, say).

Fixes never break a build: every pass applies its fixes to a copy and parses the result as
BuildKit reads it. A fix is dropped (its finding stays) when the result has a problem the
original did not have (BuildKit would refuse it), or when the instruction sequence changes
anywhere but in the instruction the fix rewrites (another keyword, one instruction more or
less, other flags, a heredoc or an exec form gained or lost).

Files keep their BOM and line ends, are written atomically (a temporary file in the same
directory, then a rename) with their mode, and only when something changed. A file whose
bytes are not valid UTF-8 is never rewritten.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from typing import NamedTuple

from dlint.dockerfile import Dockerfile, Instruction, decode, parse
from dlint.checker import Finding, Settings, lint
from dlint.files import write_atomically  # noqa: F401  (one implementation, in dlint/files.py)
from dlint.rule import Edit

STRUCTURAL = frozenset({"DF001"})
MAX_PASSES = 20


class NotFixable(Exception):
    pass


class FixResult(NamedTuple):
    # A NamedTuple, not a dataclass: `dataclasses` costs milliseconds of imports (see
    # benchmarks/README.md on start-up).
    text: str  # the fixed text, in the file's own encoding conventions
    applied: list[Finding]  # the findings whose fixes were applied, over all passes
    dropped: list[Finding] = []  # fixes refused: they would break the file (never modified)


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
    dropped: list[Finding] = []
    refused: set[tuple] = set()  # fixes found to break the file: never tried again
    for _ in range(MAX_PASSES):
        original = parse(text, path)
        findings = [f for f in lint(original, settings) if _key(f) not in refused]
        chosen = _choose(findings, settings)
        if not chosen:
            break
        check = _Check(text, path, original, findings, settings)
        fixed = check(chosen)
        if fixed is None:
            # Together they break the file: try each alone, keep those that do not.
            good = []
            for finding in chosen:
                if check([finding]) is None:
                    refused.add(_key(finding))
                    dropped.append(finding)
                else:
                    good.append(finding)
            chosen = good
            # Each is fine alone; if they still clash together, the first goes this pass.
            fixed = check(chosen) if chosen else None
            if fixed is None and chosen:
                chosen = chosen[:1]
                fixed = check(chosen)
            if fixed is None:
                continue
        text = fixed
        applied.extend(chosen)
    return FixResult(text, applied, dropped)


def _key(finding: Finding) -> tuple:
    return (finding.code, finding.span, finding.fix.edits if finding.fix else None)


class _Check:
    """Applies fixes to a copy of one text and says whether the result may replace it."""

    def __init__(self, text: str, path: str, original: Dockerfile, findings: list[Finding], settings: Settings):
        self.text, self.path, self.original, self.findings, self.settings = text, path, original, findings, settings

    def __call__(self, chosen: list[Finding]) -> str | None:
        """The text with the fixes of ``chosen`` applied, or None when the result would not
        build where the original did, reads as another sequence of instructions, or still
        has the findings the fixes were meant to resolve."""
        fixed = apply_edits(self.text, [edit for f in chosen for edit in f.fix.edits])
        result = parse(fixed, self.path)
        if _new_problems(self.original, result):
            return None
        touched = [range(min(e.span.line for e in f.fix.edits), max(e.span.end_line for e in f.fix.edits) + 1) for f in chosen]
        if not _same_sequence(self.original, result, touched):
            return None
        if not self._resolved(result, chosen):
            return None
        return fixed

    def _resolved(self, result: Dockerfile, chosen: list[Finding]) -> bool:
        """Each fix leaves fewer findings of its rule in its instruction, or changes what
        its RUN runs (a rule may report once per RUN what the fix mends in one command). A
        fix that lands in a shell comment does neither, and would be applied again and
        again."""
        codes = {f.code for f in chosen}
        rules = tuple(r for r in self.settings.rules if r.code in codes)
        settings = Settings(rules, options=self.settings.options, respect_pragmas=self.settings.respect_pragmas)
        before = Counter(_place(self.original, f) for f in self.findings if f.code in codes)
        after = Counter(_place(result, f) for f in lint(result, settings))
        wanted = Counter(_place(self.original, f) for f in chosen)
        for place, count in wanted.items():
            if after[place] <= before[place] - count:
                continue
            index = place[1]
            if index < 0 or _commands(self.original.instructions[index]) == _commands(result.instructions[index]):
                return False
        return True


def _commands(instruction: Instruction) -> tuple | None:
    """What a RUN (or an ONBUILD RUN) runs, word by word; None for other instructions."""
    instruction = instruction.trigger or instruction
    if instruction.keyword != "RUN":
        return None
    from dlint.packages import facts_of

    return tuple(
        (tuple(w.text for w in c.assignments), tuple(w.text for w in c.words), c.operator)
        for c in facts_of(instruction).script.commands
    )


def _place(dockerfile: Dockerfile, finding: Finding) -> tuple[str, int]:
    """A finding's rule and the index of the instruction it is in (fixes move lines, not
    instructions)."""
    lines = [i.line for i in dockerfile.instructions]
    index = bisect_right(lines, finding.line) - 1
    return finding.code, index


_DIGITS = re.compile(r"\d+")


def _new_problems(before: Dockerfile, after: Dockerfile) -> bool:
    """Whether ``after`` has a problem ``before`` has not (line numbers aside: fixes move
    lines)."""
    if after.template and not before.template:
        return True
    old = Counter(_DIGITS.sub("N", p.message) for p in before.problems)
    new = Counter(_DIGITS.sub("N", p.message) for p in after.problems)
    return bool(new - old)


def _shape(instruction: Instruction) -> tuple:
    """What an instruction is besides its keyword: flags, form, stage, trigger's shape."""
    trigger = instruction.trigger
    return (
        tuple((f.name, f.value) for f in instruction.flags),
        instruction.exec_form is not None,
        len(instruction.heredocs),
        instruction.stage_index,
        _shape(trigger) if trigger is not None else None,
    )


def _adds_cache_mounts(old: Instruction, new: Instruction) -> bool:
    """The only change to the instruction's shape is cache mounts added to its flags (DF305):
    they keep a cache out of the layer and change nothing else the instruction does."""
    before = [(f.name, f.value) for f in old.flags]
    after = [(f.name, f.value) for f in new.flags]
    added = [f for f in after if f not in before]
    return (
        bool(added)
        and all(name == "mount" and (value or "").startswith("type=cache,") for name, value in added)
        and [f for f in after if f in before] == before
        and _shape(old)[1:] == _shape(new)[1:]
    )


def _signature(instruction: Instruction) -> tuple:
    """What an instruction is, as far as a fix of another instruction must not change it."""
    trigger = instruction.trigger
    return instruction.keyword, trigger.keyword if trigger is not None else None, _shape(instruction)


def _same_sequence(before: Dockerfile, after: Dockerfile, touched: list[range]) -> bool:
    """The same instructions in the same order; those a fix touched may change inside (the
    keyword of an ADD that becomes COPY, the text of a RUN) but keep their flags, form
    (shell, exec, heredocs) and ONBUILD trigger's shape."""
    if len(before.instructions) != len(after.instructions):
        return False
    for old, new in zip(before.instructions, after.instructions):
        own = any(old.line <= line <= old.end_line for lines in touched for line in lines)
        if own:
            # Its keyword may change (ADD to COPY), not its shape: a word typed into an exec
            # form's JSON, say, would turn it into a shell command.
            if _shape(old) != _shape(new) and not _adds_cache_mounts(old, new):
                return False
            continue
        if _signature(old) != _signature(new):
            return False
    return True


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
