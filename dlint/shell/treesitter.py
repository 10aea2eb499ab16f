"""The tree-sitter reader: shell text to a :class:`~dlint.shell.words.Script` with
tree-sitter and the bash grammar.

tree-sitter with the bash grammar imports in about 20 ms and parses a typical RUN in well
under 1 ms, and copes with ``case``, ``if`` and ``$(…)``; bashlex takes about 275 ms to import
and fails on common constructs. On a syntax error it returns None and the tolerant tokenizer
takes over.
"""

from __future__ import annotations

import re

from dlint.shell.fastpath import _ASSIGNMENT_WORD, _name_kind
from dlint.shell.words import Command, Locate, Script, Word, _unescape

_CONDITIONAL_NODES = frozenset(
    {"if_statement", "case_statement", "while_statement", "for_statement", "c_style_for_statement",
     "function_definition"}
)
_NESTED_NODES = frozenset({"command_substitution", "process_substitution"})
_OPERATORS = frozenset({"&&", "||", ";", "|", "|&", "&", ";;"})
_SKIPPED_ARGUMENTS = frozenset(
    {"file_redirect", "heredoc_redirect", "herestring_redirect", "comment", "heredoc_body"}
)


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
