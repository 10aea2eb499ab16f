"""Whitespace-separated words of an instruction's arguments, with their source spans.

For the instructions whose arguments are plain words (FROM, EXPOSE, WORKDIR, USER, MAINTAINER,
ENV and LABEL keys): rules ask here instead of splitting ``instruction.args`` themselves, so
every position they report maps back to the right line and column across continuations.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from dlint.dockerfile import Instruction
from dlint.source import Span

_WORD = re.compile(r"\S+")


class ArgWord(NamedTuple):
    text: str
    start: int  # offset in ``instruction.text``
    end: int
    span: Span


def arg_words(instruction: Instruction) -> list[ArgWord]:
    """The argument words after the flags, in order."""
    base = instruction.args_offset
    return [
        ArgWord(m.group(), base + m.start(), base + m.end(), instruction.word_span(base + m.start(), base + m.end()))
        for m in _WORD.finditer(instruction.args)
    ]
