"""Shell analysis of RUN instructions: the simple commands a RUN executes.

A RUN's shell text (shell form, the ``sh -c`` string of an exec form, and heredoc bodies that
are scripts) is parsed once into :class:`Command` objects: argv :class:`Word` s with their
source spans, the operator that joins each command to the previous one, and whether it runs
only sometimes (after ``||``, inside ``if``/``case``/loops/functions) or nested (``$(…)``).

Parser choice (measured on these machines): tree-sitter with the bash grammar imports in about
20 ms and parses a typical RUN in well under 1 ms, and copes with ``case``, ``if`` and ``$(…)``;
bashlex takes about 275 ms to import and fails on common constructs. When tree-sitter reports
a syntax error, a small tolerant tokenizer takes over so that analysis never stops.
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

    commands: list[Command] = []
    # Iterative walk in document order: deeply nested input must not hit the recursion limit.
    # Each entry: node, operator before it, conditional, nested.
    stack = [(root, None, False, False)]
    while stack:
        node, operator, conditional, nested = stack.pop()
        kind = node.type
        if kind == "command":
            words, assignments, inner = [], [], []
            for child in node.children:
                child_kind = child.type
                if child_kind == "variable_assignment":
                    assignments.append(word(child))
                elif child_kind == "command_name":
                    words.append(word(child.children[0] if child.child_count else child))
                elif child_kind in _SKIPPED_ARGUMENTS:
                    continue
                else:
                    words.append(word(child))
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
    """Commands of one piece of POSIX shell text; never raises."""
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
    """All commands a RUN executes, in order. Empty for non-POSIX (Windows) shells. Cached."""
    cached = instruction.cache.get("script")
    if cached is not None:
        return cached
    script = Script([])
    if instruction.keyword == "RUN" and instruction.is_posix_shell:
        script = _with_shell_strings(_script_of_run(instruction))
    instruction.cache["script"] = script
    return script


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
