"""The words/commands model of shell text: what every reader of RUN text produces.

A :class:`Script` is the list of simple :class:`Command` s a piece of shell text runs, in
document order: argv :class:`Word` s with their source spans (worked out lazily), the leading
``VAR=value`` assignments, the operator that joins each command to the previous one, and
whether it runs only sometimes (after ``||``, inside ``if``/``case``/loops/functions) or nested
(``$(…)``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dlint.source import Span
from dlint.startup import Record, lazy_pattern

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


# A branch label: (choice, arm). A command's ``branch`` lists the labels of the choices it is
# inside, outermost first. Two commands are alternatives (never both run) when they carry the
# same choice with different arms. What a choice is (Script.choices):
#   "or"    ``a || b``: arm 0 (a) always runs, arm 1 (b) only when a fails;
#   "if"    ``if``/``elif`` without ``else``: one arm or none (the conditions are arm-less,
#           an ``elif``'s condition belongs to its arm);
#   "else"  ``if`` with an ``else``: exactly one arm;
#   "case"  ``case`` arms: one arm or none (exactly one with a ``*)`` arm);
#   "maybe" a loop or function body (arm 0): runs zero or more times.
Branch = tuple[tuple[int, int], ...]


class Command(Record):
    # A plain class, not a dataclass: see dlint/startup.py. With slots: made about 230 ns
    # faster (some 23,000 over the benchmark corpus).
    _fields = __slots__ = ("words", "assignments", "operator", "conditional", "nested", "redirects", "branch")

    def __init__(
        self,
        words: list[Word],  # argv; leading VAR=value assignments are in ``assignments``
        assignments: list[Word],
        operator: str | None,  # what joins it to the previous command: && || ; | & newline, or None
        conditional: bool,  # runs only sometimes (after ||, in if/case/loops/functions)
        nested: bool,  # inside $(…) or <(…)
        redirects: list[tuple[str, Word]] | None = None,  # (operator, target): > f, 2>&1; None: a new empty list
        branch: Branch = (),
    ) -> None:
        self.words = words
        self.assignments = assignments
        self.operator = operator
        self.conditional = conditional
        self.nested = nested
        self.redirects = [] if redirects is None else redirects
        self.branch = branch

    @property
    def name(self) -> str | None:
        return self.words[0].value if self.words else None

    @property
    def span(self) -> Span:
        first, last = self.words[0].span, self.words[-1].span
        return Span(first.line, first.column, last.end_line, last.end_column)

    @property
    def source(self) -> str:
        """The command as written: its words joined by single blanks (for messages)."""
        return " ".join(word.text for word in self.words)

    def option_value(self, short: str, long: str, stop_at_operand: bool = False) -> str | None:
        """The value of an option given as ``-u VALUE``, ``-uVALUE`` or ``--user=VALUE`` /
        ``--user VALUE`` (``short`` "-u", ``long`` "--user"); with ``stop_at_operand``, only
        among the options before the first operand (sudo's own, not its command's)."""
        values = [word.value or "" for word in self.words[1:]]
        for index, value in enumerate(values):
            if value in (short, long) and index + 1 < len(values):
                return values[index + 1]
            if value.startswith(long + "="):
                return value.split("=", 1)[1]
            if value.startswith(short) and not value.startswith("--") and len(value) > len(short):
                return value[len(short):]
            if stop_at_operand and not value.startswith("-"):
                break
        return None

    def excludes(self, other: "Command") -> bool:
        """Whether the two commands are alternatives: in different arms of one choice."""
        if not self.branch or not other.branch:
            return False
        arms = dict(self.branch)
        return any(arms.get(choice, arm) != arm for choice, arm in other.branch)


class Script(Record):
    _fields = __slots__ = ("commands", "tolerant", "choices", "exhaustive")  # slots: as Command

    def __init__(
        self,
        commands: list[Command],
        tolerant: bool = False,  # some text needed the fallback tokenizer
        choices: dict[int, str] | None = None,  # choice -> kind (see Branch); None: a new empty dict
        # Choices that always run exactly one of their arms (``if … else``, ``case`` with ``*)``):
        # choice -> how many arms it has (an arm without commands has no label).
        exhaustive: dict[int, int] | None = None,  # None: a new empty dict
    ) -> None:
        self.commands = commands
        self.tolerant = tolerant
        self.choices = {} if choices is None else choices
        self.exhaustive = {} if exhaustive is None else exhaustive

    def extend(self, other: "Script", branch: Branch = ()) -> None:
        """Append ``other``'s commands (run inside ``branch``), keeping choice numbers apart."""
        offset = max(self.choices, default=-1) + 1
        for command in other.commands:
            if command.branch or branch:
                command.branch = branch + tuple((choice + offset, arm) for choice, arm in command.branch)
        self.commands.extend(other.commands)
        if other.choices:
            self.choices.update({choice + offset: kind for choice, kind in other.choices.items()})
            self.exhaustive.update({choice + offset: arms for choice, arms in other.exhaustive.items()})
        self.tolerant = self.tolerant or other.tolerant


def numbered(script: Script) -> Script:
    """Renumber the choices in order of first appearance (outer before inner), so that every
    reader gives the same numbers for the same text."""
    choices = script.choices
    if not choices or (len(choices) == 1 and 0 in choices):
        return script  # one choice (`a || true`, the usual case): already numbered
    order: dict[int, int] = {}
    for command in script.commands:
        for choice, _arm in command.branch:
            if choice not in order:
                order[choice] = len(order)
    for command in script.commands:
        if command.branch:
            command.branch = tuple((order[choice], arm) for choice, arm in command.branch)
    script.choices = {order[choice]: kind for choice, kind in script.choices.items() if choice in order}
    if script.exhaustive:
        script.exhaustive = {order[c]: arms for c, arms in script.exhaustive.items() if c in order}
    return script


_ESCAPED = lazy_pattern(r"\\(.)", re.S)


def _unescape(text: str) -> str:
    return _ESCAPED().sub(r"\1", text) if "\\" in text else text


# A command substitution whose content is only a comment, standing alone as a word:
# ``cmd a `#a note` b`` (an inline comment in a continued command) and ``$(# a note`` + newline
# + ``)``. Bash expands it to nothing (it finds the closing backtick first, then the comment
# runs to the end of that content); tree-sitter-bash reports an error there and the tolerant
# tokenizer would read the comment's words as arguments.
_COMMENT_SUBSTITUTION = lazy_pattern(r"`[ \t]*#[^`\n]*`|\$\([ \t]*#[^\n]*\n[ \t\n]*\)")
_WORD_BEFORE = frozenset(" \t\n;&|(")
_WORD_AFTER = frozenset(" \t\n;&|)<>")


def blank_comment_substitutions(text: str) -> str:
    """``text`` with every comment-only command substitution that stands alone as a word,
    outside quotes, replaced by blanks (so every other word keeps its offset)."""
    if "#" not in text or _COMMENT_SUBSTITUTION().search(text) is None:
        return text
    chars = list(text)
    quote = None
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if quote == "'":
            if char == "'":
                quote = None
        elif char == "\\":
            index += 1
        elif quote == '"':
            if char == '"':
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "`$":
            match = _COMMENT_SUBSTITUTION().match(text, index)
            if (
                match is not None
                and (index == 0 or text[index - 1] in _WORD_BEFORE)
                and (match.end() == length or text[match.end()] in _WORD_AFTER)
            ):
                chars[index:match.end()] = " " * (match.end() - index)
                index = match.end()
                continue
        index += 1
    return "".join(chars)
