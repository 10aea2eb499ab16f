"""ARG and ENV: the one place where dlint substitutes variables, as BuildKit does.

BuildKit expands variables in the arguments of ``ADD``, ``COPY``, ``ENV``, ``ARG``, ``EXPOSE``,
``FROM``, ``LABEL``, ``STOPSIGNAL``, ``USER``, ``VOLUME`` and ``WORKDIR`` (and the same in
``ONBUILD`` triggers, when they run), with its own small shell lexer: quotes are removed,
the escape character escapes, ``$NAME``, ``${NAME}`` and ``${NAME:-word}``-style modifiers are
replaced. Scopes:

- ``ARG``s before the first ``FROM`` are global: only ``FROM`` lines see them, and a stage
  sees one only after it declares it again (``ARG NAME`` without a value takes the global
  default);
- inside a stage, ``ARG`` and ``ENV`` apply from the next instruction on; an ``ENV`` always
  wins over an ``ARG`` of the same name;
- a stage built ``FROM`` an earlier stage inherits that stage's ``ENV`` (not its ``ARG`` s);
  a stage built from an external image may inherit ``ENV`` s dlint cannot see, so a name it
  does not know stays unknown.

A value is *unknown* when it depends on something dlint cannot see: a build argument with no
default (unless ``dlint build`` is given its value), a base image's environment, an automatic
platform argument (``TARGETARCH`` …), a modifier dlint does not evaluate. Rules treat unknown
values as anything (no finding), never as empty.

The lint model (:class:`dlint.dockerfile.Dockerfile`) and ``dlint build`` both use
:class:`Variables`; the lint passes no build arguments, the build passes its ``--build-arg``s.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping

from dlint.startup import TYPE_CHECKING, NamedTuple, lazy_pattern

if TYPE_CHECKING:
    from dlint.dockerfile import Dockerfile, Instruction

# A name bound to None is declared but its value is unknown. (Not "str | None" in quotes:
# typing would compile that into a ForwardRef.)
Scope = Mapping[str, str | None]

_SPECIAL = frozenset("@*#?-$!0")
_WHITESPACE = " \t\n\r\v\f"


class Expanded(NamedTuple):
    value: str  # with quotes removed and every known variable substituted
    known: bool  # False when some variable's value is unknown (``value`` then keeps it as written)


_new_tuple = tuple.__new__

_PLAIN_RUNS: dict[str, "re.Pattern[str]"] = {}  # escape character -> its _plain_run pattern


def _plain_run(escape: str) -> "re.Pattern[str]":
    """A run of characters the lexer copies as they are: no ``$``, quote, ``}`` or escape."""
    pattern = _PLAIN_RUNS.get(escape)
    if pattern is None:
        pattern = _PLAIN_RUNS[escape] = re.compile("[^$'\"}" + re.escape(escape) + "]+")
    return pattern


class _Unknown(Exception):
    pass


class _Lexer:
    """BuildKit's word processing (``shell.Lex.ProcessWord``) for one word."""

    __slots__ = ("text", "pos", "escape", "env", "closed", "known")

    def __init__(self, text: str, escape: str, env: Scope | None, closed: bool = False) -> None:
        self.text = text
        self.pos = 0
        self.escape = escape
        self.env = env  # None: leave every variable as written (quote removal only)
        self.closed = closed  # every variable that can be set is in ``env`` (the global scope)
        self.known = True

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        char = self.peek()
        self.pos += 1
        return char

    def run(self, stop: str = "", quotes: bool = True) -> str:
        out = []
        text = self.text
        plain = _plain_run(self.escape)
        while self.pos < len(text):
            char = text[self.pos]  # self.peek(), inlined: this loop runs per character
            if stop and char == stop:
                self.pos += 1
                return "".join(out)
            if char == "$":
                out.append(self.dollar())
            elif quotes and char == "'":
                out.append(self.single_quote())
            elif quotes and char == '"':
                out.append(self.double_quote())
            elif char == self.escape:
                self.pos += 1
                if self.pos >= len(text):
                    break
                out.append(self.next())
            else:
                # Characters without a meaning here are taken in one run, not one by one.
                match = plain.match(text, self.pos)
                if match is None:  # a "}" (it may be the stop) or, without ``quotes``, a quote
                    self.pos += 1
                    out.append(char)
                else:
                    out.append(match.group())
                    self.pos = match.end()
        if stop:
            raise _Unknown  # unbalanced: BuildKit fails; dlint calls it unknown
        return "".join(out)

    def single_quote(self) -> str:
        self.pos += 1
        end = self.text.find("'", self.pos)
        if end < 0:
            raise _Unknown
        value = self.text[self.pos : end]
        self.pos = end + 1
        return value

    def double_quote(self) -> str:
        self.pos += 1
        out = []
        text = self.text
        while True:
            if self.pos >= len(text):  # self.peek() == "", inlined: this loop runs per character
                raise _Unknown
            char = text[self.pos]
            if char == '"':
                self.pos += 1
                return "".join(out)
            if char == "$":
                out.append(self.dollar())
                continue
            self.pos += 1
            if char == self.escape:
                following = self.peek()
                if not following:
                    continue
                if following in ('"', "$", self.escape):
                    char = self.next()
            out.append(char)

    def name(self) -> str:
        text, start = self.text, self.pos
        if start < len(text) and text[start].isdigit():
            end = start
            while end < len(text) and text[end].isdigit():
                end += 1
            self.pos = end
            return text[start:end]
        if start < len(text) and text[start] in _SPECIAL:
            self.pos += 1
            return text[start]
        end = start
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        self.pos = end
        return text[start:end]

    def lookup(self, name: str) -> tuple[bool, str | None]:
        """(known, value): value None when the variable is unset."""
        env = self.env
        if name in env:
            value = env[name]
            return value is not None, value
        # Absent: in the global scope (FROM) it is unset; in a stage the base image may set it.
        return self.closed, None

    def dollar(self) -> str:
        start = self.pos
        self.pos += 1
        braced = self.peek() == "{"
        if braced:
            self.pos += 1
            if self.peek() in ("", "{", "}", ":"):
                raise _Unknown
        name = self.name()
        if not braced:
            if not name:
                return "$"
            operator = "}"
        else:
            operator = self.next()
        if operator == "}":
            if self.env is None:
                return self.text[start : self.pos]
            known, value = self.lookup(name)
            if not known or value is None:  # an unset variable in FROM: taken as unknown too
                self.known = False
                return self.text[start : self.pos]
            return value
        null_is_unset = operator == ":"
        if null_is_unset:
            operator = self.next()
        if operator not in ("-", "+", "?"):
            # ``#``, ``%``, ``/`` patterns and anything else: not evaluated here.
            depth = 1
            while self.pos < len(self.text) and depth:
                char = self.next()
                depth += {"{": 1, "}": -1}.get(char, 0)
            if self.env is not None:
                self.known = False
            return self.text[start : self.pos]
        known_before = self.known
        word = self.run(stop="}", quotes=True)
        if self.env is None:
            return self.text[start : self.pos]
        known, value = self.lookup(name)
        if not known:
            self.known = False
            return self.text[start : self.pos]
        empty = value is None or (null_is_unset and value == "")
        if operator == "-":
            if empty:
                return word
            self.known = known_before
            return value
        if operator == "+":
            self.known = known_before if empty else self.known
            return "" if empty else word
        self.known = known_before  # "?": the build fails when unset; otherwise the value
        return value or ""


def process_word(text: str, escape: str = "\\", env: Scope | None = None, closed: bool = False) -> Expanded:
    """One word as BuildKit reads it: quotes and escapes removed and, with ``env``, variables
    substituted (those not in ``env``, or bound to None, are unknown and kept as written).
    Without ``env`` only quotes and escapes are removed."""
    # Expanded(…) made with tuple.__new__, what it calls through a generated Python function
    # (see dlint/source.py): this runs for most words.
    if "$" not in text and escape not in text:
        if "'" not in text and '"' not in text:
            return _new_tuple(Expanded, (text, True))  # most words: nothing to do
        # Only quotes to remove (``key="a value"``): what the lexer does, by a regex rather
        # than character by character.
        value = _unquoted(text)
        return _new_tuple(Expanded, (text, False) if value is None else (value, True))
    lexer = _Lexer(text, escape, env, closed)
    try:
        value = lexer.run()
    except (_Unknown, IndexError, RecursionError):  # deeply nested ${a:-${b:-…}}: unknown
        return _new_tuple(Expanded, (text, False))
    return _new_tuple(Expanded, (value, lexer.known))


# A run of other characters, a closed quote (its content in a group), or a quote never closed
# (compiled on first use: see dlint/startup.py).
_QUOTE_SEGMENT = lazy_pattern(r"""([^'"]+)|'([^']*)'|"([^"]*)"|(['"])""")


def _unquoted(text: str) -> str | None:
    """``text`` (without ``$`` and the escape character) with its quotes removed, as the lexer
    removes them; None when a quote is never closed (BuildKit fails: unknown)."""
    out = []
    for plain, single, double, unclosed in _QUOTE_SEGMENT().findall(text):
        if unclosed:
            return None
        out.append(plain or single or double)
    return "".join(out)


_WORD_PATTERNS: dict[str, "re.Pattern[str]"] = {}


def split_words(text: str, escape: str = "\\") -> list[tuple[int, int]]:
    """(start, end) of each word of ``text``: blanks separate words except inside quotes
    (BuildKit's ``parseWords``: quotes and escapes are kept in the word)."""
    pattern = _WORD_PATTERNS.get(escape)
    if pattern is None:
        e = re.escape(escape)
        pattern = _WORD_PATTERNS[escape] = re.compile(
            rf"""(?:{e}[\s\S]|"(?:{e}[\s\S]|[^"{e}])*(?:"|$)|'[^']*(?:'|$)|[^\s"'{e}]|{e}$)+"""
        )
    return [match.span() for match in pattern.finditer(text)]


def assignments(text: str, escape: str, keyword: str) -> list[tuple[str, str | None]]:
    """The (name, raw value) pairs of an ``ARG`` or ``ENV``: ``ENV a=1 b="x y"``, the legacy
    ``ENV name value``, ``ARG name`` (value None)."""
    spans = split_words(text, escape)
    if not spans:
        return []
    first = text[spans[0][0] : spans[0][1]]
    if keyword == "ENV" and "=" not in first:
        rest = text[spans[0][1] :].strip(_WHITESPACE)
        return [(first, rest)]  # the legacy form: the rest of the line is the value
    pairs: list[tuple[str, str | None]] = []
    for start, end in spans:
        word = text[start:end]
        name, equals, value = word.partition("=")
        pairs.append((name, value if equals else None))
    return pairs


# Set by BuildKit in the global scope (for FROM) but with values dlint cannot know.
AUTOMATIC_ARGS = frozenset(
    "TARGETPLATFORM TARGETOS TARGETARCH TARGETVARIANT BUILDPLATFORM BUILDOS BUILDARCH BUILDVARIANT".split()
)


class Variables:
    """The ARG and ENV values in force at each instruction of one Dockerfile.

    Computed per stage on first use (most files never ask). ``build_args`` are the values
    of ``--build-arg`` (``dlint build``); without them every build argument without a default
    is unknown.
    """

    def __init__(
        self, dockerfile: "Dockerfile", build_args: Mapping[str, str] | None = None, complete: bool = False
    ) -> None:
        # Not the Dockerfile itself: the model keeps this object, and a reference back would
        # make a cycle that keeps every linted file in memory until a full collection.
        self.instructions = dockerfile.instructions
        self.stages = dockerfile.stages  # the model's own list, filled as stages are read
        self.escape = dockerfile.escape
        self.build_args = dict(build_args or {})
        # ``complete``: ``build_args`` are all the build arguments there are (``dlint build``),
        # so a build argument without a default that is not among them is unset.
        self.complete = complete
        self._global: dict[str, str | None] | None = None
        # stage index -> (lines of the instructions that change the scope, the scopes after them)
        self._stages: dict[int, tuple[list[int], list[dict[str, str | None]]]] = {}
        self._final: dict[int, dict[str, str | None]] = {}  # stage index -> its ENVs at its end

    def global_scope(self) -> Scope:
        """What ``FROM`` lines see: the global ARGs (and the automatic platform ARGs)."""
        if self._global is None:
            scope: dict[str, str | None] = {name: None for name in AUTOMATIC_ARGS}
            for instruction in self.instructions:
                if instruction.keyword == "FROM":
                    break
                if instruction.keyword == "ARG":
                    self._declare_args(instruction, scope, scope, None, closed=True)
            self._global = scope
        return self._global

    def _declare_args(self, instruction, scope, expand_in, env_names, closed=False) -> None:
        for name, raw in assignments(instruction.args, self.escape, "ARG"):
            if env_names is not None and name in env_names:
                continue  # an ENV of the same name always wins
            if name in self.build_args:
                scope[name] = self.build_args[name]
            elif raw is not None:
                expanded = process_word(raw, self.escape, expand_in, closed)
                scope[name] = expanded.value if expanded.known else None
            elif not closed and self._global is not None and self._global.get(name) is not None:
                scope[name] = self._global[name]
            elif self.complete:
                scope.pop(name, None)  # unset: ``${NAME:-default}`` takes its default
            else:
                scope[name] = None  # declared, value unknown (a --build-arg may set it)

    def _stage(self, index: int) -> tuple[list[int], list[dict[str, str | None]]]:
        found = self._stages.get(index)
        if found is not None:
            return found
        stage = self.stages[index]
        self.global_scope()
        scope: dict[str, str | None] = dict(self._final_of(stage.parent.index)) if stage.parent else {}
        env_names = set(scope)
        positions, scopes = [0], [dict(scope)]
        for instruction in stage.instructions:
            keyword = instruction.keyword
            # The values are expanded with the scope before the instruction: a copy, unless
            # no value refers to a variable (then the scope is not read).
            if keyword == "ARG":
                self._declare_args(instruction, scope, dict(scope) if "$" in instruction.args else scope, env_names)
            elif keyword == "ENV":
                before = dict(scope) if "$" in instruction.args else scope
                for name, raw in assignments(instruction.args, self.escape, "ENV"):
                    expanded = process_word(raw or "", self.escape, before)
                    scope[name] = expanded.value if expanded.known else None
                    env_names.add(name)
            else:
                continue
            positions.append(instruction.line)  # in force from the next instruction on
            scopes.append(dict(scope))
        self._final[index] = {name: value for name, value in scope.items() if name in env_names}
        self._stages[index] = (positions, scopes)
        return positions, scopes

    def _final_of(self, index: int) -> dict[str, str | None]:
        if index not in self._final:
            self._stage(index)
        return self._final[index]

    def before(self, instruction: "Instruction") -> Scope:
        """The variables an instruction's arguments are expanded with. A name that is absent
        may still be set by the base image: :meth:`expand` treats it as unknown."""
        index = instruction.stage_index
        if index < 0 or instruction.keyword == "FROM":
            return self.global_scope()
        found = self._stages.get(index)  # _stage's own look-up, without the call: asked per instruction
        positions, scopes = found if found is not None else self._stage(index)
        if len(positions) == 1:  # no ARG or ENV in the stage
            return scopes[0]
        owner = instruction.trigger_of or instruction
        return scopes[bisect_left(positions, owner.line) - 1]

    def expand(self, instruction: "Instruction", word: str) -> Expanded:
        """``word`` (as written, quotes included) as BuildKit reads it for ``instruction``."""
        if "$" not in word:
            return process_word(word, self.escape)
        closed = instruction.keyword == "FROM" or instruction.stage_index < 0
        return process_word(word, self.escape, self.before(instruction), closed)

    def resolve_image(self, raw: str) -> str | None:
        """A FROM's image with the global ARGs applied; None when a variable stays unknown.
        BuildKit replaces an unset variable in FROM with nothing; dlint says unknown."""
        expanded = process_word(raw, self.escape, self.global_scope(), closed=True)
        return expanded.value if expanded.known and expanded.value else None


class Reference(NamedTuple):
    """A variable a word refers to (see :func:`references`)."""

    name: str
    start: int  # offset of its ``$`` in the word
    end: int  # offset just past it (past the closing ``}``)
    operator: str  # "" for ``$NAME``/``${NAME}``; else what follows the name: ":-", "-", "+", "?", "#", "/" …


_REFERENCE_HEAD: "re.Pattern[str] | None" = None  # compiled on first use (DF516 only)


class _Finder(_Lexer):
    """BuildKit's word processing, noting each variable it looks up (quotes and escapes are
    honoured: ``'$A'`` and ``\\$A`` refer to nothing)."""

    __slots__ = ("found",)

    def __init__(self, text: str, escape: str) -> None:
        super().__init__(text, escape, {})
        self.found: list[Reference] = []

    def dollar(self) -> str:
        start = self.pos
        result = super().dollar()
        head = _reference_head().match(self.text, start, self.pos)
        if head is not None and (not head.group(1) or self.text[self.pos - 1] == "}"):
            operator = ""
            if head.group(1):
                operator = head.group(3) or ""
                operator = "" if operator == "}" else operator.rstrip("}")
            self.found.append(Reference(head.group(2), start, self.pos, operator))
        return result


def _reference_head() -> "re.Pattern[str]":
    global _REFERENCE_HEAD
    if _REFERENCE_HEAD is None:
        _REFERENCE_HEAD = re.compile(r"\$(\{)?([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!0-])(:?[^}]?)?")
    return _REFERENCE_HEAD


def references(text: str, escape: str = "\\") -> list[Reference]:
    """The variables a word (as written) refers to, as BuildKit's lexer reads it, in the order
    of their ``$``; nested ones (``${A:-$B}``) included. Empty when the word has none or
    BuildKit would refuse it (an unbalanced quote or brace)."""
    if "$" not in text:
        return []
    finder = _Finder(text, escape)
    try:
        finder.run()
    except (_Unknown, IndexError, RecursionError):
        return []
    return sorted(finder.found, key=lambda reference: reference.start)
