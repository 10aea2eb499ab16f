"""The words/commands model of shell text: what every reader of RUN text produces.

A :class:`Script` is the list of simple :class:`Command` s a piece of shell text runs, in
document order: argv :class:`Word` s with their source spans (worked out lazily), the leading
``VAR=value`` assignments, the operator that joins each command to the previous one, and
whether it runs only sometimes (after ``||``, inside ``if``/``case``/loops/functions) or nested
(``$(…)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from dlint.source import Span

Locate = Callable[[int, int], Span]

class Word:
    """One shell word. Its span is worked out on first use: most words are never reported,
    and mapping every word back to its line and column was the largest cost of a lint."""

    __slots__ = ("text", "value", "_span", "_locate", "_start", "_end")

    def __init__(self, text: str, value: str | None, span: Span | None = None) -> None:
        self.text = text  # as written
        self.value = value  # after quote removal; None when it expands ($VAR, $(…))
        self._span = span

    @classmethod
    def located(cls, text: str, value: str | None, locate: Locate, start: int, end: int) -> "Word":
        word = cls(text, value)
        word._locate, word._start, word._end = locate, start, end
        return word

    @property
    def span(self) -> Span:
        if self._span is None:
            self._span = self._locate(self._start, self._end)
        return self._span

    @property
    def is_literal(self) -> bool:
        return self.value is not None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Word):
            return NotImplemented
        return (self.text, self.value, self.span) == (other.text, other.value, other.span)

    def __hash__(self) -> int:
        return hash((self.text, self.value))

    def __repr__(self) -> str:
        return f"Word(text={self.text!r}, value={self.value!r}, span={self.span!r})"


@dataclass
class Command:
    words: list[Word]  # argv; leading VAR=value assignments are in ``assignments``
    assignments: list[Word]
    operator: str | None  # what joins it to the previous command: && || ; | & newline, or None
    conditional: bool  # runs only sometimes (after ||, in if/case/loops/functions)
    nested: bool  # inside $(…) or <(…)

    @property
    def name(self) -> str | None:
        return self.words[0].value if self.words else None

    @property
    def span(self) -> Span:
        first, last = self.words[0].span, self.words[-1].span
        return Span(first.line, first.column, last.end_line, last.end_column)


@dataclass
class Script:
    commands: list[Command]
    tolerant: bool = False  # some text needed the fallback tokenizer



_ESCAPED = re.compile(r"\\(.)", re.S)


def _unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text) if "\\" in text else text
