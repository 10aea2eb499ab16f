"""Shell analysis of RUN instructions: the simple commands a RUN executes.

A RUN's shell text (shell form, the ``sh -c`` string of an exec form, and heredoc bodies that
are scripts) is parsed once into :class:`Command` objects: argv :class:`Word` s with their
source spans, the operator that joins each command to the previous one, and whether it runs
only sometimes (after ``||``, inside ``if``/``case``/loops/functions) or nested (``$(…)``).

Parser choice (measured on these machines): tree-sitter with the bash grammar imports in about
20 ms and parses a typical RUN in well under 1 ms, and copes with ``case``, ``if`` and ``$(…)``;
bashlex takes about 275 ms to import and fails on common constructs. When tree-sitter reports
a syntax error, a small tolerant tokenizer takes over so that analysis never stops. Simple
command lists, most RUNs, skip tree-sitter: a regex tokenizer builds the very same Script
about three times faster (see "Fast path" below).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable

from dlint.dockerfile import Instruction, POSIX_SHELLS
from dlint.source import Span

Locate = Callable[[int, int], Span]

_CONDITIONAL_NODES = frozenset(
    {"if_statement", "case_statement", "while_statement", "for_statement", "c_style_for_statement",
     "function_definition"}
)
_NESTED_NODES = frozenset({"command_substitution", "process_substitution"})
_OPERATORS = frozenset({"&&", "||", ";", "|", "|&", "&", ";;"})
_SKIPPED_ARGUMENTS = frozenset(
    {"file_redirect", "heredoc_redirect", "herestring_redirect", "comment", "heredoc_body"}
)


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


# ---------------------------------------------------------------------------------------------
# tree-sitter

_PARSER = None


def _parser():
    global _PARSER
    if _PARSER is None:
        import tree_sitter_bash
        from tree_sitter import Language, Parser

        _PARSER = Parser(Language(tree_sitter_bash.language()))
    return _PARSER


class _Offsets:
    """tree-sitter speaks UTF-8 byte offsets; the model speaks characters."""

    def __init__(self, text: str, data: bytes) -> None:
        self.identity = len(text) == len(data)
        if not self.identity:
            table = []
            for index, char in enumerate(text):
                table.extend([index] * len(char.encode("utf-8", "surrogatepass")))
            table.append(len(text))
            self.table = table

    def __call__(self, offset: int) -> int:
        return offset if self.identity else self.table[min(offset, len(self.table) - 1)]


_MAY_NEST = re.compile(rb"[$<>]\(|`")
_ESCAPED = re.compile(r"\\(.)", re.S)


def _unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text) if "\\" in text else text


def _word_value(node, source: bytes) -> str | None:
    kind = node.type
    text = source[node.start_byte : node.end_byte].decode("utf-8", "replace")
    if kind in ("word", "number"):
        return _unescape(text) if "$" not in text else None
    if kind == "raw_string":
        return text[1:-1]
    if kind == "string":
        if any(child.type not in ('"', "string_content") for child in node.children):
            return None
        return re.sub(r'\\([\\"$`])', r"\1", text[1:-1])
    if kind == "concatenation":
        parts = [_word_value(child, source) for child in node.children]
        return None if any(part is None for part in parts) else "".join(parts)
    return None


def _node_text(node, source: bytes) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _ascii_shadow(text: str) -> bytes:
    """The text with every non-ASCII character replaced by as many ``%`` as its UTF-8 bytes.

    tree-sitter-bash 0.25 can crash the interpreter (a segfault, found by the property tests)
    on some non-ASCII input such as ``{`` followed by U+C344A. Bash splits words on ASCII only,
    so the parse is the same; byte offsets do not move, and words are still read from the
    real bytes."""
    return _NON_ASCII.sub(lambda m: "%" * len(m.group().encode("utf-8", "surrogatepass")), text).encode("ascii")


def _parse_tree_sitter(text: str, locate: Locate) -> Script | None:
    data = text.encode("utf-8", "surrogatepass")
    tree = _parser().parse(data if data.isascii() else _ascii_shadow(text))
    root = tree.root_node
    if root.has_error:
        return None
    offsets = _Offsets(text, data)

    def word(node) -> Word:
        start, end = node.start_byte, node.end_byte
        if not offsets.identity:
            start, end = offsets(start), offsets(end)
        return Word.located(text[start:end], _word_value(node, data), locate, start, end)

    def add(into: list[Word], node, last: list[Word] | None) -> list[Word]:
        """Append the word of ``node``; returns the list that got it. tree-sitter-bash 0.25
        cuts some words in two (``https://x/$A/$B.tgz`` comes as ``https://x/$A/$`` and
        ``B.tgz``, also in ``A=…`` assignments); bash splits words on blanks and operators
        only, so a piece right after the previous word, with nothing between, joins it."""
        new = word(node)
        if last and last[-1]._end == new._start:
            joined = last.pop()
            value = joined.value + new.value if joined.value is not None and new.value is not None else None
            if last is not into:  # the rest of an assignment: its value expands, no value
                value = None
            last.append(Word.located(text[joined._start:new._end], value, locate, joined._start, new._end))
            return last
        into.append(new)
        return into

    commands: list[Command] = []
    # Iterative walk in document order: deeply nested input must not hit the recursion limit.
    # Each entry: node, operator before it, conditional, nested.
    stack = [(root, None, False, False)]
    while stack:
        node, operator, conditional, nested = stack.pop()
        kind = node.type
        if kind == "command":
            words, assignments, inner = [], [], []
            last = None  # the list the previous word went to
            nameless = False  # the command name was the tail of an assignment (joined to it)
            for child in node.children:
                child_kind = child.type
                if child_kind == "variable_assignment":
                    last = add(assignments, child, last)
                elif child_kind == "command_name":
                    last = add(words, child.children[0] if child.child_count else child, last)
                    nameless = last is assignments
                elif child_kind in _SKIPPED_ARGUMENTS:
                    last = None
                    continue
                elif nameless and not words and _name_kind(_node_text(child, data)) == _ASSIGNMENT_WORD:
                    # Still before the command name: ``B=`` is an assignment, as tree-sitter
                    # reads it when no cut word came first (``A=x$B/$C.d B= cmd``).
                    last = add(assignments, child, last)
                    assignments[-1].value = None  # as for every assignment: it is not a literal
                else:
                    last = add(words, child, last)
                    # Only words that can hold a command ($(…), `…`, <(…)) need a walk.
                    if _MAY_NEST.search(data, child.start_byte, child.end_byte):
                        inner.append(child)
            if words:
                commands.append(Command(words, assignments, operator, conditional, nested))
            # $(…) inside arguments run too.
            for child in reversed(inner):
                stack.append((child, None, conditional, nested))
            continue
        if kind in _NESTED_NODES:
            nested = True
        child_conditional = conditional or kind in _CONDITIONAL_NODES
        entries = []
        pending = operator
        previous_end = None
        for child in node.children:
            child_kind = child.type
            if child_kind in _OPERATORS:
                pending = child_kind
                continue
            if not child.is_named:  # then, do, else, (: a new sequence starts
                pending = None
                continue
            if pending is None and previous_end is not None:
                gap = data[previous_end : child.start_byte]
                pending = "\n" if b"\n" in gap else None
            is_or = pending == "||"
            entries.append((child, pending, child_conditional or is_or, nested))
            pending = None
            previous_end = child.end_byte
        stack.extend(reversed(entries))
    return Script(commands)


# ---------------------------------------------------------------------------------------------
# Fast path: simple scripts without tree-sitter
#
# Why: shell analysis was about 35% of `dlint lint` time, and most RUNs are plain command
# lists (``apt-get update && apt-get install -y curl=7.88 && rm -rf /var/lib/apt/lists/*``).
# For those one regex tokenizer over the str builds the same Script as tree-sitter and the walk
# above, in about a third of the time. Measured on the 8,302 shell scripts of the benchmark
# corpus (benchmarks/corpus.py, 1,000 files; medians of 9 rounds in one process, 2 busy
# cores): 93% take the fast path, at about 14 µs each against 40 µs for tree-sitter + walk;
# all scripts together 350 ms -> 165 ms; linting the corpus in-process 800 ms -> 570 ms.
#
# Anything outside the subset it is sure of makes it return None, and the text goes to
# tree-sitter as before. "Sure" means: the same Script as tree-sitter-bash 0.25 gives, quirks
# included, not what bash would do; where tree-sitter is odd in ways not worth copying, the fast
# path bails out (each case is commented below). tests/test_shell_fastpath.py holds the two
# paths to the same result field by field and offset by offset (a hypothesis grammar of the
# subset, random token soups, every script of the fixtures and of a generated corpus, one case
# per reason to bail out): change the fast path, the grammar or tree-sitter-bash only with it.

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_EXPANSION = rf"\$(?:{_NAME}|\{{{_NAME}\}})"  # $NAME or ${NAME}; any other $ bails out
# Unquoted word characters. Not: blanks, | & ; < > (operators), ' " $ (handled apart), and what
# bails out: ( ) { } [ ] ` \ # ! (subshells, groups, tests, substitutions, escapes, comments,
# negation), control characters and lone surrogates. Non-ASCII is a word character for
# tree-sitter as well: it parses an ASCII shadow with ``%`` in its place (_ascii_shadow).
_PLAIN = r"[A-Za-z0-9\-_./:=+,@%*?~^\u0080-\ud7ff\ue000-\U0010ffff]"
_SIMPLE_TOKEN = re.compile(
    r"[ \t]*(?:"
    # A redirection operator, with its file descriptor: digits that start a token, right
    # before < or > (``1&>f`` is the word 1 and &>f, for bash as for tree-sitter).
    r"([0-9]*(?:>[>&|]?|<&?)|&>>?)"
    # A word: a concatenation of plain characters, quoted strings and $NAME / ${NAME}; not
    # starting with = (``==`` and ``=~`` are operators in a command's arguments). Then group 3
    # matches (and the text bails out) where tree-sitter is odd: ``A=|b`` and ``A=>f`` (an
    # empty value right before | < >) are errors, and ``-1>f``, ``a2>f``, ``_0>f`` (digits
    # before < >) are read as file descriptors or errors.
    rf"|((?!=)(?:{_PLAIN}+|'[^'\x00\ud800-\udfff]*'"
    rf"|\"(?:[^\"\\\\`$\x00\ud800-\udfff]|{_EXPANSION})*\"|{_EXPANSION})+)((?<==)[|<>]|(?<=[0-9])[<>])?"
    r"|(&&|\|\||\|&|[;&|])"
    r"|(\n)"
    r"|(\\\n)"  # a line continuation (backslash, newline), a blank: checked in the loop
    r")"
)
_REDIRECTION, _WORD, _ODD, _OPERATOR, _NEWLINE, _CONTINUATION = 1, 2, 3, 4, 5, 6
_SIMPLE_END = re.compile(r"[ \t]*\Z")
_CONTINUED = re.compile(r"[ \t]*[^ \t\n]")
_BLANK_TO_END = re.compile(r"[ \t\n]*\Z")
_DECLARATIONS = frozenset({"declare", "typeset", "export", "readonly", "local", "unset", "unsetenv"})
_RESERVED = _DECLARATIONS | {
    "if", "then", "elif", "else", "fi", "for", "select", "in", "while", "until", "do", "done",
    "case", "esac", "function",
}
_BEFORE_QUOTE = re.compile(r"[^'\"$]*")
# Before the command name (and in a declaration's arguments) tree-sitter-bash's scanner looks
# for variable names, and words such as ``a@``, ``a%``, ``aé`` (non-ASCII reads as ``%``),
# ``a:`` after an assignment, ``@a=v``, ``_=v``, ``0=v`` or ``--opt=v`` come out as errors or
# assignments. Allowed there: ``NAME=value`` and ``NAME+=value`` (group 1: NAME; group 2: a
# second ``=``, which bails out), and words of ``[A-Za-z0-9_./-]``, quotes and expansions.
_NAME_POSITION = re.compile(
    rf"([A-Za-z0-9_]+)\+?=(=?)|(?:[A-Za-z0-9_./-]+|'[^']*'|\"[^\"]*\"|{_EXPANSION})*\Z"
)
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_SEGMENTS = re.compile(r"'([^']*)'|\"([^\"]*)\"|([^'\"]+)")
_BINARY = frozenset({"&&", "||", "|", "|&"})
_new = object.__new__  # Word objects are made field by field: Word.located costs a call more


_UNFIT, _COMMAND_NAME, _ASSIGNMENT_WORD = 0, 1, 2
_NAME_KINDS: dict[str, int] = {}  # word -> its _name_kind; command names repeat a lot


def _name_kind(word: str) -> int:
    """What a word not a reserved word is before the command name: _ASSIGNMENT_WORD,
    _COMMAND_NAME, or _UNFIT (the fast path bails out)."""
    kind = _NAME_KINDS.get(word)
    if kind is None:
        match = _NAME_POSITION.match(word)
        if match is None or word == "-" or _BEFORE_QUOTE.match(word).group() in _RESERVED:
            # Also a command named - (``- A=1`` is the assignment A=1 for tree-sitter, the -
            # is lost) and a reserved word glued to a quote (``export"A"``).
            kind = _UNFIT
        elif match.group(1) is None:
            kind = _COMMAND_NAME
        elif match.group(2) or match.group(1) in ("0", "_"):
            kind = _UNFIT  # ``A==1``; and tree-sitter takes ``_=1`` and ``0=1`` for words
        else:
            kind = _ASSIGNMENT_WORD
        if len(_NAME_KINDS) > 4096:
            _NAME_KINDS.clear()
        _NAME_KINDS[word] = kind
    return kind


def _unquote(match: re.Match) -> str:
    single = match.group(1)
    return single if single is not None else match.group(2)


def _simple_value(word: str) -> str | None:
    """Quote removal for a fast-path word (no backslashes but inside '…'); None if it expands."""
    if "'" not in word and '"' not in word:
        return None if "$" in word else word
    if "$" not in word:
        return _QUOTED.sub(_unquote, word)
    parts = []
    for single, double, bare in _SEGMENTS.findall(word):
        if "$" in double or "$" in bare:
            return None
        parts.append(single or double or bare)
    return "".join(parts)


def _parse_simple(text: str, locate: Locate) -> Script | None:
    """The Script of a simple command list, or None when the text is not one.

    The subset: words of plain characters, '…', "…" and $NAME / ${NAME}; leading NAME=value
    assignments; redirections to a word (> f, 2>&1, >>f, <f, &>f); && || ; | |& & and
    newlines between statements; line continuations between words; declaration commands
    (export, local, unset, …), which like in the tree-sitter walk yield no command.

    It reproduces what tree-sitter-bash 0.25 builds, not only what bash does: words after a
    redirection that follows the command name belong to the redirection (``cmd > f x`` has no
    argument ``x``), ``A= cmd`` assigns the empty string, and ``a || b > f | c`` is
    ``(a || b > f) | c``. Where tree-sitter is odd in ways not worth copying (see the
    comments below) the fast path bails out. Words keep their spans lazy, as Word.located.
    """
    commands: list[Command] = []
    words: list[Word] = []
    assignments: list[Word] = []
    operator: str | None = None  # what joins the current statement to the previous one
    conditional = False
    # Where the statement is: 0 before its command name; 1 in the arguments; 2 after a
    # redirection, whose target takes every later word (``cmd > f x`` has no argument x);
    # 3 in a declaration (export, local, …: no command at all, like in the tree-sitter walk);
    # 4 and 5: a redirection operator waits for its target, then 2 or 3.
    state = 0
    redirected = False  # the statement has a redirection
    pipes = 0  # how many | and |& the current and-or list has
    # No quote and no $ anywhere: every word is its own value.
    plain = "$" not in text and "'" not in text and '"' not in text
    match = None
    for match in iter(_SIMPLE_TOKEN.scanner(text).match, None):
        kind = match.lastindex
        if kind == _WORD:
            token = match.group(_WORD)
            if state == 1:
                value = token if plain else _simple_value(token)
            elif state == 0:
                if token in _RESERVED:
                    if token not in _DECLARATIONS:
                        return None  # if, for, while, …
                    if not assignments:  # ``A=1 export B`` is a command named export
                        state = 3
                        continue
                    name = _COMMAND_NAME
                else:
                    name = _NAME_KINDS.get(token)
                    if name is None:
                        name = _name_kind(token)
                if name != _COMMAND_NAME:
                    if name == _UNFIT:
                        return None
                    end = match.end()
                    word = _new(Word)
                    word.text, word.value, word._span = token, None, None
                    word._locate, word._start, word._end = locate, end - len(token), end
                    assignments.append(word)
                    continue
                value = token if plain else _simple_value(token)
                state = 1
            elif state == 2:
                continue
            elif state == 4:
                state = 2
                continue
            else:
                # Declaration arguments are not commands, but tree-sitter lexes them like the
                # words before a command name.
                if token not in _RESERVED and _name_kind(token) == _UNFIT:
                    return None
                state = 3
                continue
            end = match.end()
            word = _new(Word)
            word.text, word.value, word._span = token, value, None
            word._locate, word._start, word._end = locate, end - len(token), end
            words.append(word)
        elif kind == _REDIRECTION:
            start = match.start(_REDIRECTION)
            first = text[start]
            end = match.end()
            if (
                state == 0
                or state > 3
                or first == "0"
                or (state == 1 and first in "0123456789" and words[-1].text == "-")
                or (text[end - 1] == "&" and text[end : end + 1] == "-")
            ):
                # A redirection before the command name or without a target, ``0>f``
                # (tree-sitter sees the word 0), ``00>f`` (an error), ``- 2>f`` (the word -
                # is lost), or ``>&-`` (a token of its own: ``>&-f x`` is an error).
                return None
            state = 5 if state == 3 else 4
            redirected = True
        elif kind == _OPERATOR or kind == _NEWLINE:
            if state > 3:
                return None  # a redirection without a target
            if kind == _NEWLINE:
                if not (state or assignments):
                    continue  # a blank line, or a newline after an operator
                separator = "\n"
            else:
                if not (state or assignments):
                    return None  # an operator with nothing before it
                separator = match.group(_OPERATOR)
            if (state == 0 or state == 3) and (
                (separator == "\n" and len(assignments) > 1)
                or operator == "|"
                or operator == "|&"
                or separator == "|"
                or separator == "|&"
            ):
                # Only assignments, or a declaration: tree-sitter can join the next line to
                # them (``A=1 B=2`` + newline + ``y`` is one command; so is ``x|x|A=1`` +
                # newline + ``y >f``, and ``x|x|export A`` + newline + ``y >f`` is one
                # declaration).
                return None
            if words:
                commands.append(Command(words, assignments, operator, conditional, False))
                words = []
                assignments = []
            elif assignments:
                assignments = []
            state = 0
            if separator == "||":
                conditional = True
            elif separator == "|" or separator == "|&":
                # A pipeline goes on running only sometimes (``a || b | c``), but tree-sitter
                # puts a redirection around the whole and-or list before it, so that in
                # ``a || b > f | c`` the pipeline is (a || b > f) | c and c always runs.
                if redirected:
                    conditional = False
                pipes += 1
            else:
                conditional = False
                if separator != "&&":
                    if pipes > 1 and separator == "\n" and not _BLANK_TO_END.match(text, match.end()):
                        # ``a | b | c`` + newline + ``d && e``: tree-sitter joins the lines
                        # into the command ``c d`` (when a later line has && || or a
                        # redirection, and in other cases after two pipes in a list).
                        return None
                    pipes = 0
            redirected = False
            operator = separator
        elif kind == _CONTINUATION:
            # Only the usual one: after blanks that follow something on the same line, and
            # before more on the next. tree-sitter reads ``a``, backslash, newline, ``b`` as
            # two words; joins a line that starts with a continuation to the line before
            # (one command); and fails on a continuation before an empty line or the end.
            blanks = match.start()
            if (
                match.start(_CONTINUATION) == blanks
                or not blanks
                or text[blanks - 1] == "\n"
                or _CONTINUED.match(text, match.end()) is None
            ):
                return None
        else:
            return None  # _ODD
    end = 0 if match is None else match.end()
    if end != len(text) and _SIMPLE_END.match(text, end) is None:
        return None
    if state > 3:
        return None  # a redirection without a target
    if state == 0 and not assignments and operator in _BINARY:
        return None  # an operator at the end
    if (state == 0 or state == 3) and (operator == "|" or operator == "|&"):
        return None  # assignments or a declaration in a pipeline, as above
    if words:
        commands.append(Command(words, assignments, operator, conditional, False))
    return Script(commands)


# ---------------------------------------------------------------------------------------------
# Tolerant fallback: quotes, escapes and $(…) grouping, nothing more.

_TOKEN_OPERATORS = ("&&", "||", ";;", "|&", ";", "|", "&", "\n", "(", ")")


def _parse_tolerant(text: str, locate: Locate) -> Script:
    commands: list[Command] = []
    words: list[Word] = []
    operator: str | None = None
    next_operator: str | None = None
    index, length = 0, len(text)

    def flush(new_operator: str | None) -> None:
        nonlocal words, operator
        if words:
            assignments = []
            while words and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", words[0].text) and len(words) > 1:
                assignments.append(words.pop(0))
            commands.append(Command(words, assignments, operator, operator == "||", False))
            operator = new_operator
        elif new_operator is not None and new_operator != "\n":
            operator = new_operator
        words = []

    while index < length:
        char = text[index]
        if char in " \t\r":
            index += 1
            continue
        if char == "#" and (index == 0 or text[index - 1] in " \t\n;&|"):
            end = text.find("\n", index)
            index = length if end < 0 else end
            continue
        matched = next((op for op in _TOKEN_OPERATORS if text.startswith(op, index)), None)
        if matched:
            flush(matched if matched not in "()" else operator)
            index += len(matched)
            continue
        start = index
        quote = None
        depth = 0
        literal = True
        while index < length:
            char = text[index]
            if quote:
                if char == "\\" and quote == '"':
                    index += 2
                    continue
                if char == quote:
                    quote = None
                elif char == "$" and quote == '"':
                    literal = False
                index += 1
                continue
            if char == "\\":
                index += 2
                continue
            if char in "'\"":
                quote = char
            elif char == "$":
                literal = False
                if text.startswith("$(", index):
                    depth += 1
                    index += 2
                    continue
            elif char == "`":
                literal = False
            elif char == ")" and depth:
                depth -= 1
            elif depth == 0 and (char in " \t\n;&|()" ):
                break
            index += 1
        index = min(index, length)
        raw = text[start:index]
        value = None
        if literal:
            value = re.sub(r"'([^']*)'|\"((?:[^\"\\]|\\.)*)\"|\\(.)",
                           lambda m: m.group(1) if m.group(1) is not None
                           else _unescape(m.group(2)) if m.group(2) is not None else m.group(3),
                           raw, flags=re.S)
        words.append(Word.located(raw, value, locate, start, index))
    flush(None)
    return Script(commands, tolerant=True)


def parse_script(text: str, locate: Locate) -> Script:
    """Commands of one piece of POSIX shell text; never raises.

    Simple text takes the fast path (_parse_simple), the rest tree-sitter, and what tree-sitter
    cannot parse the tolerant tokenizer."""
    script = _parse_simple(text, locate)
    if script is not None:
        return script
    try:
        script = _parse_tree_sitter(text, locate)
    except (RecursionError, ValueError, MemoryError):
        script = None
    return script if script is not None else _parse_tolerant(text, locate)


# ---------------------------------------------------------------------------------------------
# RUN instructions

_JSON_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _blank_heredoc_markers(instruction: Instruction, text: str) -> str:
    # Blank, not delete, so that every other word keeps its position.
    for heredoc in instruction.heredocs:
        start, end = heredoc.marker_offsets
        start -= instruction.args_offset
        end -= instruction.args_offset
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _is_shell_program(word: Word | None) -> bool:
    if word is None or word.value is None:
        return False
    return word.value.rsplit("/", 1)[-1] in POSIX_SHELLS


def script_of(instruction: Instruction) -> Script:
    """All commands a RUN executes, in order. Empty for non-POSIX (Windows) shells."""
    if instruction.keyword == "RUN" and instruction.is_posix_shell:
        return _with_shell_strings(_script_of_run(instruction))
    return Script([])


def _with_shell_strings(script: Script) -> Script:
    """Also the commands of ``sh -c '…'`` / ``bash -c "…"``: they run in the same layer.

    Only a quoted string without backslashes is opened, so that every offset inside it maps
    straight back to the source."""
    commands: list[Command] = []
    for command in script.commands:
        commands.append(command)
        words = command.words
        if len(words) < 3 or not _is_shell_program(words[0]):
            continue
        option = words[1].value or ""
        string = words[2]
        if not (option.startswith("-") and option.endswith("c")) or string.value is None:
            continue
        if string.text[:1] not in ("'", '"') or "\\" in string.text or not hasattr(string, "_locate"):
            continue
        start = string._start + 1

        def locate(s: int, e: int, start=start, outer=string._locate) -> Span:
            return outer(start + s, start + e)

        inner = parse_script(string.value, locate)
        for nested in inner.commands:
            nested.conditional = nested.conditional or command.conditional
        commands.extend(inner.commands)
    script.commands = commands
    return script


def _script_of_run(instruction: Instruction) -> Script:
    base = instruction.args_offset
    text = instruction.text

    def locate_args(start: int, end: int) -> Span:
        return text.span(base + start, base + end)

    if instruction.exec_form is not None:
        return _script_of_exec_form(instruction)
    args = instruction.args
    if instruction.heredocs:
        args = _blank_heredoc_markers(instruction, args)
    script = parse_script(args, locate_args)
    if instruction.heredocs:
        # ``RUN <<EOF`` runs the body as the script; ``RUN bash <<EOF`` feeds it to a shell.
        runs_body = not script.commands or (
            len(script.commands) == 1 and _is_shell_program(script.commands[0].words[0])
        )
        if runs_body:
            for heredoc in instruction.heredocs:
                body = heredoc.body
                more = parse_script(body.text, body.span)
                script.commands.extend(more.commands)
                script.tolerant = script.tolerant or more.tolerant
    return script


def _script_of_exec_form(instruction: Instruction) -> Script:
    base = instruction.args_offset
    args = instruction.args
    words = []
    for match in _JSON_STRING.finditer(args):
        start, end = base + match.start(), base + match.end()
        try:
            value = json.loads(match.group(0))
        except ValueError:
            value = match.group(1)
        words.append((Word(match.group(0), value, instruction.text.span(start, end)), base + match.start(1)))
    if not words:
        return Script([])
    # ["sh", "-c", "…"]: the string is a shell script.
    option = words[1][0].value or "" if len(words) >= 3 else ""
    if _is_shell_program(words[0][0]) and option.startswith("-") and option.endswith("c"):
        word, offset = words[-1]
        text = instruction.text
        return parse_script(word.value or "", lambda s, e: text.span(offset + s, offset + e))
    return Script([Command([w for w, _ in words], [], None, False, False)])
