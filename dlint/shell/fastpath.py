"""The fast path: simple command lists read without tree-sitter (see the comment below).

Kept on numbers (2026-11-30): it takes 93% of the benchmark corpus's scripts and 80% of those
of a few thousand public Dockerfiles, and linting the benchmark corpus in-process costs about
20% less CPU with it. It copies the readings of tree-sitter-bash 0.25 exactly, so that grammar
is pinned in pyproject.toml and tests/shell/test_fastpath.py (the differential test) guards it.
"""

from __future__ import annotations

import re

from dlint.shell.words import Command, Locate, Script, Word, numbered
from dlint.startup import lazy_pattern

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
# Unquoted word characters: ``A-Za-z0-9-_./:=+,@%*?~^`` and all of non-ASCII. Not: blanks,
# | & ; < > (operators), ' " $ (handled apart), and what bails out: ( ) { } [ ] ` \ # !
# (subshells, groups, tests, substitutions, escapes, comments, negation) and control
# characters. Non-ASCII is a word character for tree-sitter as well: it parses an ASCII shadow
# with ``%`` in its place (_ascii_shadow). Lone surrogates bail out too, before the tokenizer
# (_parse_simple): written as the complement of the ASCII characters left out, with no
# surrogate range, this class compiles in a tenth of the time (about 3 ms at each start).
_PLAIN = r"""[^\x00-\x20!"#$&'();<>\[\\\]`{|}\x7f]"""
# A plain character other than = (a word may not start with =): one class, cheaper than a
# lookahead before each word.
_PLAIN_FIRST = r"""[^\x00-\x20!"#$&'();<=>\[\\\]`{|}\x7f]"""
# A quoted string or an expansion: the parts of a word other than plain characters. In "…",
# a run of characters is one possessive step (++), not one step of the * per character: the
# regex engine's loop of a group costs far more per step than a class repeat.
_QUOTE = rf"(?:'[^'\x00]*'|\"(?:[^\"\\\\`$\x00]++|{_EXPANSION})*\"|{_EXPANSION})"
_SIMPLE_TOKEN = re.compile(
    r"[ \t]*+(?:"  # possessive: no token starts with a blank, no need to give one back
    # Words of plain characters only, one blank between them, the last one followed by a
    # blank, a newline, ; & or the end: the same words as the word alternative below would
    # match one by one, but one match for a whole run of arguments (most of a RUN's words;
    # about 12% less time for _parse_simple on the benchmark corpus).
    rf"({_PLAIN_FIRST}{_PLAIN}*+(?: {_PLAIN_FIRST}{_PLAIN}*+)*(?=[ \t\n;&]|\Z))|"
    # A redirection operator, with its file descriptor: digits that start a token, right
    # before < or > (``1&>f`` is the word 1 and &>f, for bash as for tree-sitter).
    r"([0-9]*(?:>[>&|]?|<&?)|&>>?)"
    # A word: a concatenation of plain characters, quoted strings and $NAME / ${NAME}; not
    # starting with = (``==`` and ``=~`` are operators in a command's arguments). Then group 4
    # matches (and the text bails out) where tree-sitter is odd: ``A=|b`` and ``A=>f`` (an
    # empty value right before | < >) are errors, and ``-1>f``, ``a2>f``, ``_0>f`` (digits
    # before < >) are read as file descriptors or errors.
    rf"|({_PLAIN_FIRST}{_PLAIN}*(?:{_QUOTE}{_PLAIN}*)*|(?:{_QUOTE}{_PLAIN}*)+)"
    r"(?:(?=[|<>])((?<==).|(?<=[0-9])[<>]))?"
    r"|(&&|\|\||\|&|[;&|])"
    r"|(\n)"
    r"|(\\\n)"  # a line continuation (backslash, newline), a blank: checked in the loop
    r")"
)
_WORDS, _REDIRECTION, _WORD, _ODD, _OPERATOR, _NEWLINE, _CONTINUATION = 1, 2, 3, 4, 5, 6, 7
_SIMPLE_END = lazy_pattern(r"[ \t]*\Z")
_CONTINUED = lazy_pattern(r"[ \t]*[^ \t\n]")
_BLANK_TO_END = lazy_pattern(r"[ \t\n]*\Z")
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
_QUOTED = lazy_pattern(r"'([^']*)'|\"([^\"]*)\"")
_SEGMENTS = lazy_pattern(r"'([^']*)'|\"([^\"]*)\"|([^'\"]+)")
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
        quote = word[0]
        if word[-1] == quote and word.count(quote) == 2 and (quote == "'" or quote == '"'):
            return word[1:-1]  # one quoted string, the usual case: no regex
        return _QUOTED().sub(_unquote, word)
    parts = []
    for single, double, bare in _SEGMENTS().findall(word):
        if "$" in double or "$" in bare:
            return None
        parts.append(single or double or bare)
    return "".join(parts)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")  # fails on a surrogate, and only then
    except UnicodeEncodeError:
        return True
    return False


def _parse_simple(text: str, locate: Locate, base: int = 0) -> Script | None:
    """The Script of a simple command list, or None when the text is not one.

    The subset: words of plain characters, '…', "…" and $NAME / ${NAME}; leading NAME=value
    assignments; redirections to a word (> f, 2>&1, >>f, <f, &>f); && || ; | |& & and
    newlines between statements; line continuations between words; declaration commands
    (export, local, unset, …), which like in the tree-sitter walk yield no command.

    It reproduces what the tree-sitter reader builds from tree-sitter-bash 0.25, not only what
    bash does: words after a redirection's target are arguments (``cmd > f x`` runs ``cmd x``,
    as in bash), ``A= cmd`` assigns the empty string, and ``a || b > f | c`` is
    ``(a || b > f) | c``. Choices (``a || b``) are labelled as the tree-sitter reader labels
    them: ``a && b || c`` is ``(a && b) || c``, ``a || b || c`` is ``(a || b) || c``. Where tree-sitter is odd in ways not worth copying (see the
    comments below) the fast path bails out. Words keep their spans lazy, as Word.located;
    their offsets are ``base`` + the offset in ``text`` (see run.parse_script).
    """
    commands: list[Command] = []
    words: list[Word] = []
    assignments: list[Word] = []
    operator: str | None = None  # what joins the current statement to the previous one
    conditional = False
    # Where the statement is: 0 before its command name; 1 in the arguments; 3 in a
    # declaration (export, local, …: no command at all, like in the tree-sitter walk); 4 and 5:
    # a redirection operator waits for its target, then 1 or 3.
    state = 0
    redirects: list[tuple[str, Word]] = []
    redirection = ""  # the operator waiting for its target
    # Choices: the and-or list so far starts at commands[list_start]; ``branch`` labels the
    # commands being read (the right side of the last ||).
    choices: dict[int, str] = {}
    list_start = 0
    branch: tuple = ()
    redirected = False  # the statement has a redirection
    pipes = 0  # how many | and |& the current and-or list has
    # No quote and no $ anywhere: every word is its own value.
    plain = "$" not in text and "'" not in text and '"' not in text
    if not text.isascii() and _has_surrogate(text):
        return None  # the tokenizer's classes take them in, as they take in all non-ASCII
    # All tokens first, then the check that they reach the end: most texts outside the subset
    # (85% of those of the public corpus) stop the tokenizer, and are turned away here without
    # the work below on the tokens before the stop. Time of _parse_simple over the texts it
    # turns away: public corpus 26 -> 12 ms; the others, iterating a list: about 4% less.
    matches = list(iter(_SIMPLE_TOKEN.scanner(text).match, None))
    end = matches[-1].end() if matches else 0
    if end != len(text) and _SIMPLE_END().match(text, end) is None:
        return None
    for match in matches:
        kind = match.lastindex
        if kind == _WORDS or kind == _WORD:
            if kind == _WORD:
                token = match[_WORD]  # match[n]: a little cheaper than match.group(n)
                end = base + match.end(_WORD)
                if state == 1:  # an argument
                    word = _new(Word)
                    word.text, word.value, word._span = token, token if plain else _simple_value(token), None
                    word._locate, word._start, word._end = locate, end - len(token), end
                    words.append(word)
                    continue
                tokens = iter((token,))
                end -= len(token) + 1
                literal = plain
            else:
                tokens = iter(match[_WORDS].split(" "))
                end = base + match.start(_WORDS) - 1
                literal = True  # plain characters only: each word is its own value
            if state != 1:
                # Up to the command name (or a redirection's target): at most one token of a
                # run in most statements.
                for token in tokens:
                    start = end + 1  # the words of a run are one blank apart
                    end = start + len(token)
                    if state == 0:
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
                            word = _new(Word)
                            word.text, word.value, word._span = token, None, None
                            word._locate, word._start, word._end = locate, start, end
                            assignments.append(word)
                            continue
                        word = _new(Word)
                        word.text, word.value, word._span = token, token if literal else _simple_value(token), None
                        word._locate, word._start, word._end = locate, start, end
                        words.append(word)
                        state = 1
                        break
                    elif state == 4:
                        target = _new(Word)
                        target.text, target.value, target._span = token, token if literal else _simple_value(token), None
                        target._locate, target._start, target._end = locate, start, end
                        redirects.append((redirection, target))
                        state = 1
                        break
                    else:
                        # Declaration arguments are not commands, but tree-sitter lexes them
                        # like the words before a command name.
                        if token not in _RESERVED and _name_kind(token) == _UNFIT:
                            return None
                        state = 3
            # The rest of a run: arguments of plain characters, their own values (the common
            # case: most of a RUN's words).
            for token in tokens:
                start = end + 1
                end = start + len(token)
                word = _new(Word)
                word.text, word.value, word._span = token, token, None
                word._locate, word._start, word._end = locate, start, end
                words.append(word)
        elif kind == _REDIRECTION:
            start = match.start(_REDIRECTION)
            first = text[start]
            end = match.end()
            if (
                state == 0
                or state > 3
                or first == "0"
                or (
                    state == 1
                    and first in "0123456789"
                    # right after the word ``-`` (match.start(): where the token before ended)
                    and words[-1].text == "-"
                    and words[-1]._end == base + match.start()
                )
                or (text[end - 1] == "&" and text[end : end + 1] == "-")
            ):
                # A redirection before the command name or without a target, ``0>f``
                # (tree-sitter sees the word 0), ``00>f`` (an error), ``- 2>f`` (the word -
                # is lost), or ``>&-`` (a token of its own: ``>&-f x`` is an error).
                return None
            state = 5 if state == 3 else 4
            redirection = match.group(_REDIRECTION).lstrip("0123456789")
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
                separator = match[_OPERATOR]
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
                # A Command made field by field: its __init__ is a call more (keyword defaults).
                command = _new(Command)
                command.words, command.assignments, command.operator = words, assignments, operator
                command.conditional, command.nested, command.redirects = conditional, False, redirects
                command.branch = branch
                commands.append(command)
                words = []
                assignments = []
                redirects = []
            elif assignments:
                assignments = []
            if redirects:
                redirects = []
            state = 0
            if separator == "||":
                conditional = True
                choice = len(choices)
                choices[choice] = "or"
                for command in commands[list_start:]:
                    command.branch = ((choice, 0),) + command.branch
                branch = ((choice, 1),)
            elif separator == "|" or separator == "|&":
                # A pipeline goes on running only sometimes (``a || b | c``), but tree-sitter
                # puts a redirection around the whole and-or list before it, so that in
                # ``a || b > f | c`` the pipeline is (a || b > f) | c and c always runs.
                if redirected:
                    conditional = False
                    branch = ()
                pipes += 1
            else:
                conditional = False
                branch = ()
                if separator != "&&":
                    list_start = len(commands)
                    if pipes > 1 and separator == "\n" and not _BLANK_TO_END().match(text, match.end()):
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
                or _CONTINUED().match(text, match.end()) is None
            ):
                return None
        else:
            return None  # _ODD
    if state > 3:
        return None  # a redirection without a target
    if state == 0 and not assignments and operator in _BINARY:
        return None  # an operator at the end
    if (state == 0 or state == 3) and (operator == "|" or operator == "|&"):
        return None  # assignments or a declaration in a pipeline, as above
    if words:
        commands.append(Command(words, assignments, operator, conditional, False, redirects, branch))
    return numbered(Script(commands, choices=choices)) if choices else Script(commands)
