"""Inline ignores (pragmas) and which of them suppressed something.

dlint's own forms, each taking codes or names (``DF106,unsorted-packages``; a code prefix
such as ``DF1`` works too) and an optional trailing ``-- reason``::

    # dlint: ignore=DF106,DF104        the instruction directly below (comment lines between
                                       are fine; a blank line ends the pragma's reach)
    # dlint: ignore-stage=DF201        directly above a FROM: that whole stage
    # dlint: ignore-file=DF103         anywhere: the whole file

hadolint's ``# hadolint ignore=DL3008`` (the instruction below) and ``# hadolint global
ignore=DL3008`` (the file) are honoured through :mod:`dlint.hadolint_map`; hadolint codes with
no dlint equivalent (``DL3003``) are left alone, and ``SC2086`` is ShellCheck's code of the SC
rule. BuildKit's ``# check=skip=JSONArgsRecommended`` directly above an instruction (above a
FROM: its stage) goes through :mod:`dlint.buildkit_map`; at the top of the file it is the
parser directive of :mod:`dlint.check_directive`.

Each named rule of a pragma remembers whether it suppressed a finding, so that the checker's
unused-ignore pass (``DF002``, after every other rule) can report the stale ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dlint.dockerfile import Dockerfile, Instruction
from dlint.source import Span

# The exact forms. Compiled on the first comment that may be a pragma (most files have none).
_PATTERNS = {
    "dlint": (r"#\s*dlint\s*:\s*(?P<body>.*)$", re.IGNORECASE),
    "form": (r"(?P<kind>ignore-file|ignore-stage|ignore)\s*=\s*", re.IGNORECASE),
    "hadolint": (r"#\s*hadolint\s+(?P<global>global\s+)?ignore\s*=\s*(?P<codes>\S+)", re.IGNORECASE),
    # BuildKit's check directive written above an instruction (or a FROM: its stage); what
    # follows the names after a blank is a reason.
    "check": (r"#\s*check\s*=\s*skip\s*=\s*(?P<names>\S+)", re.IGNORECASE),
    "reason": (r"\s--(?:\s|$)", 0),
    "item": (r"[^,\s]+", 0),
}
_compiled: dict[str, re.Pattern] = {}


def _pattern(name: str) -> re.Pattern:
    pattern = _compiled.get(name)
    if pattern is None:
        pattern = _compiled[name] = re.compile(*_PATTERNS[name])
    return pattern

INSTRUCTION, STAGE, FILE = "instruction", "stage", "file"
# `# check=skip=…` above an instruction: that instruction, or above a FROM, that stage.
CHECK = "check"


class Item:
    """One rule named in a pragma."""

    __slots__ = ("text", "codes", "span", "hadolint", "used")

    def __init__(self, text: str, codes: frozenset[str], span: Span, hadolint: bool = False) -> None:
        self.text = text  # as written: DF106, unpinned-package, DF1, DL3008
        self.codes = codes  # the dlint rules it names (empty: unknown, or hadolint-only)
        self.span = span
        self.hadolint = hadolint
        self.used = False

    @property
    def unknown(self) -> bool:
        return not self.codes and not self.hadolint

    def __repr__(self) -> str:
        return f"Item({self.text!r}, used={self.used})"


class Pragma:
    __slots__ = ("kind", "line", "span", "items", "first", "last", "reason", "problem", "buildkit")

    def __init__(self, kind: str, line: int, span: Span, items: list[Item], reason: str | None = None,
                 problem: str | None = None) -> None:
        self.kind = kind  # instruction, stage or file
        self.line = line  # where the comment is
        self.span = span  # the comment
        self.items = items
        self.first = 0  # the lines it covers (0: nothing, see ``problem``)
        self.last = 0
        self.reason = reason
        self.problem = problem  # why it covers nothing, as DF002 words it
        self.buildkit = kind == CHECK  # `# check=skip=…`: its names are BuildKit's checks

    def covers(self, line: int) -> bool:
        return self.first <= line <= self.last

    def __repr__(self) -> str:
        return f"Pragma({self.kind}, line {self.line}, {self.items!r}, covers {self.first}-{self.last})"


class Pragmas:
    """The pragmas of one file (plain classes here, not dataclasses: start-up time)."""

    def __init__(self) -> None:
        self.items: list[Pragma] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def suppresses(self, finding) -> bool:
        """Whether a pragma covers this finding; the narrowest one that does is marked used."""
        for kind in (INSTRUCTION, STAGE, FILE):
            for pragma in self.items:
                if pragma.kind != kind or not pragma.covers(finding.span.line):
                    continue
                # Every name in the pragma that covers the code counts as used (hadolint's
                # DL3006 and DL3007 both map to DF201).
                matching = [item for item in pragma.items if finding.code in item.codes]
                for item in matching:
                    item.used = True
                if matching:
                    return True
        return False


def parse(dockerfile: Dockerfile) -> Pragmas:
    """Every dlint and hadolint pragma of a Dockerfile, with the lines it covers."""
    pragmas = Pragmas()
    for comment in dockerfile.comments:
        if not may_be_pragma(comment.text):
            continue  # the common case: an ordinary comment
        line_text = dockerfile.lines[comment.line - 1]
        start = comment.column - 1  # the '#'
        pragma = _read(line_text, start, comment.line)
        if pragma is not None:
            _place(pragma, dockerfile)
            pragmas.items.append(pragma)
    return pragmas


def may_be_pragma(comment: str) -> bool:
    """Whether a comment's text (after the ``#``) can be a pragma: the quick test before the
    exact reading, in any letter case as the reading itself (``# DLINT: ignore=…``)."""
    lowered = comment.lower()
    return "lint" in lowered or "check" in lowered  # dlint, hadolint; BuildKit's check=skip


def _read(text: str, start: int, line: int) -> Pragma | None:
    span = Span(line, start + 1, line, len(text.rstrip()) + 1)
    hadolint = _pattern("hadolint").match(text, start)
    if hadolint:
        kind = FILE if hadolint.group("global") else INSTRUCTION
        items = [_hadolint_item(m, line) for m in _pattern("item").finditer(text, hadolint.start("codes"), hadolint.end("codes"))]
        return Pragma(kind, line, span, items)
    check = _pattern("check").match(text, start)
    if check:
        items = [_check_item(m, line) for m in _pattern("item").finditer(text, check.start("names"), check.end("names"))]
        reason = text[check.end():].strip() or None
        return Pragma(CHECK, line, span, items, reason=reason)
    match = _pattern("dlint").match(text, start)
    if not match:
        return None
    body_start = match.start("body")
    form = _pattern("form").match(text, body_start)
    if not form:
        return Pragma(
            FILE, line, span, [], problem="unknown dlint pragma (use ignore=, ignore-stage= or ignore-file=)"
        )
    kind = {"ignore": INSTRUCTION, "ignore-stage": STAGE, "ignore-file": FILE}[form.group("kind").lower()]
    end = len(text)
    reason = None
    separator = _pattern("reason").search(text, form.end())
    if separator:
        end = separator.start()
        reason = text[separator.end() :].strip() or None
    items = [_item(m, line) for m in _pattern("item").finditer(text, form.end(), end)]
    pragma = Pragma(kind, line, span, items, reason=reason)
    if not items:
        pragma.problem = f"{form.group('kind').lower()} names no rule (write e.g. ignore=DF106)"
    return pragma


def _item(match: re.Match, line: int) -> Item:
    from dlint.registry import UnknownRule, resolve

    from dlint.registry import is_subcode

    text = match.group(0)
    try:
        codes = frozenset({text.upper()}) if is_subcode(text) else frozenset(r.code for r in resolve(text))
    except UnknownRule:
        codes = frozenset()
    return Item(text, codes, Span(line, match.start() + 1, line, match.end() + 1))


def _check_item(match: re.Match, line: int) -> Item:
    """A BuildKit check name (``JSONArgsRecommended``, or ``all``): the dlint rules covering it.
    A check dlint does not cover is known, not an error (as a hadolint-only code is)."""
    from dlint.buildkit_map import BUILDKIT_TO_DLINT, check_named, dlint_code

    text = match.group(0)
    if text.lower() == "all":
        codes = frozenset(code for code, _what in BUILDKIT_TO_DLINT.values() if code)
        return Item(text, codes, Span(line, match.start() + 1, line, match.end() + 1))
    known = check_named(text) is not None
    code = dlint_code(text)
    return Item(text, frozenset({code}) if code else frozenset(), Span(line, match.start() + 1, line, match.end() + 1),
                hadolint=known)


def _hadolint_item(match: re.Match, line: int) -> Item:
    from dlint.hadolint_map import dlint_code

    from dlint.registry import is_subcode

    text = match.group(0)
    code = text.upper() if is_subcode(text) else dlint_code(text)  # SC codes are ShellCheck's in both
    codes = frozenset({code}) if code else frozenset()
    return Item(text, codes, Span(line, match.start() + 1, line, match.end() + 1), hadolint=True)


def _place(pragma: Pragma, dockerfile: Dockerfile) -> None:
    """Set the lines a pragma covers, or say why it covers none."""
    if pragma.problem:
        return
    if pragma.kind == FILE:
        pragma.first, pragma.last = 1, max(len(dockerfile.lines), 1)
        return
    target = _instruction_below(pragma.line, dockerfile)
    if pragma.kind == CHECK:  # above a FROM: its stage; above another instruction: that one
        if target is None:
            pragma.problem = "check=skip is not directly above an instruction, so it skips nothing"
            return
        pragma.kind = STAGE if target.keyword == "FROM" else INSTRUCTION
    if pragma.kind == INSTRUCTION:
        if target is None:
            pragma.problem = "ignore is not directly above an instruction, so it ignores nothing"
            return
        pragma.first, pragma.last = target.line, target.end_line
        return
    if target is None or target.keyword != "FROM":
        pragma.problem = "ignore-stage is not directly above a FROM, so it ignores nothing"
        return
    stage = dockerfile.stage_of(target)
    following = [s for s in dockerfile.stages if stage is not None and s.index == stage.index + 1]
    pragma.first = target.line
    pragma.last = following[0].from_instruction.line - 1 if following else max(len(dockerfile.lines), 1)


def _instruction_below(line: int, dockerfile: Dockerfile) -> Instruction | None:
    """The instruction a comment on ``line`` belongs to: the one it sits inside (a comment
    between continued lines), or the one directly below it and any comment lines."""
    for instruction in dockerfile.instructions:
        if instruction.line < line <= instruction.end_line:
            return instruction
    starts = {i.line: i for i in dockerfile.instructions}
    index = line  # the next line, 0-based
    while index < len(dockerfile.lines):
        text = dockerfile.lines[index].strip()
        if not text:
            return None  # a blank line ends the pragma's reach
        if text.startswith("#"):
            index += 1
            continue
        return starts.get(index + 1)
    return None


def unused(pragmas: Pragmas, ran: Iterable[str]) -> list[tuple[Span, str]]:
    """What DF002 reports: named rules that suppressed nothing (only rules that ran this
    time, since one switched off may be used with another configuration), unknown rules, and
    pragmas that cover nothing."""
    ran = set(ran)
    out: list[tuple[Span, str]] = []
    for pragma in pragmas.items:
        if pragma.problem:
            out.append((pragma.span, pragma.problem))
            continue
        for item in pragma.items:
            if item.unknown and pragma.buildkit:
                out.append((item.span, f"'{item.text}' is not a BuildKit check (see `dlint rules --buildkit`)"))
            elif item.unknown:
                out.append((item.span, f"'{item.text}' is not a dlint rule (see `dlint rules`)"))
            elif not item.used and item.codes & ran:
                out.append((item.span, f"'{item.text}' suppresses nothing here: remove it from the ignore"))
    return out
