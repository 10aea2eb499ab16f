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
from dlint.shell.words import Command, Locate, Script, Word, _unescape, blank_comment_substitutions, numbered
from dlint.startup import lazy_pattern

_new = object.__new__

_CONDITIONAL_NODES = frozenset(
    {"if_statement", "case_statement", "while_statement", "for_statement", "c_style_for_statement",
     "function_definition"}
)
_LOOP_KINDS = frozenset(
    {"while_statement", "for_statement", "c_style_for_statement", "function_definition"}
)
_LOOP_BODIES = frozenset({"do_group", "compound_statement", "subshell"})
_CHOICE_KINDS = {
    "if_statement": "if", "case_statement": "case", "list": "or", **{k: "maybe" for k in _LOOP_KINDS}
}
_ATTACH = "attach"  # a stack entry that gives a list's redirections to its last command
_NESTED_NODES = frozenset({"command_substitution", "process_substitution"})
_OPERATORS = frozenset({"&&", "||", ";", "|", "|&", "&", ";;"})
_SKIPPED_ARGUMENTS = frozenset(
    {"file_redirect", "heredoc_redirect", "herestring_redirect", "comment", "heredoc_body"}
)


# ---------------------------------------------------------------------------------------------
# tree-sitter

_PARSER = None


def _binding(package: str):
    """``package._binding`` (the C extension) loaded without running ``package/__init__.py``.

    The packages' ``__init__`` files cost more than their parsers: tree_sitter_bash's imports
    ``importlib.resources`` (with pathlib, tempfile, typing …: about 9 ms) for query files dlint
    never reads, and tree_sitter's imports ``typing`` for one Protocol (3-5 ms). Every process
    that meets an ``if``, ``for``, ``case`` or ``$(…)`` pays that: each worker of a many-file
    run, and a single-file run. The module goes into sys.modules under its full name, so that
    a later ``import tree_sitter`` reuses it (and its types) instead of loading a second copy.
    """
    import importlib.machinery
    import importlib.util
    import sys

    name = package + "._binding"
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.find_spec(package)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(package)  # not a package as installed by pip: the ordinary import
    spec = importlib.machinery.PathFinder.find_spec(name, spec.submodule_search_locations)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _parser():
    global _PARSER
    if _PARSER is None:
        try:
            binding = _binding("tree_sitter")
            Language, Parser = binding.Language, binding.Parser
            language = _binding("tree_sitter_bash").language
        except Exception:  # an unexpected layout of either package: the ordinary imports
            from tree_sitter import Language, Parser
            from tree_sitter_bash import language
        _PARSER = Parser(Language(language()))
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



_MAY_NEST = lazy_pattern(rb"[$<>]\(|`")


def _word_value(node, source: bytes, text: str | None = None) -> str | None:
    """The value of a word node; ``text``: its text when the caller has it already."""
    kind = node.type
    if text is None:
        text = source[node.start_byte : node.end_byte].decode("utf-8", "replace")
    if kind == "word" or kind == "number":
        if "$" in text:
            return None
        return _unescape(text) if "\\" in text else text
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


_NON_ASCII = lazy_pattern(r"[^\x00-\x7f]")


def _ascii_shadow(text: str) -> bytes:
    """The text with every non-ASCII character replaced by as many ``%`` as its UTF-8 bytes.

    tree-sitter-bash 0.25 can crash the interpreter (a segfault, found by the property tests)
    on some non-ASCII input such as ``{`` followed by U+C344A. Bash splits words on ASCII only,
    so the parse is the same; byte offsets do not move, and words are still read from the
    real bytes."""
    return _NON_ASCII().sub(lambda m: "%" * len(m.group().encode("utf-8", "surrogatepass")), text).encode("ascii")


def _parse_tree_sitter(text: str, locate: Locate, base: int = 0) -> Script | None:
    """The Script of ``text``, or None on a syntax error. Word offsets are ``base`` + the
    offset in ``text`` (see run.parse_script)."""
    text = blank_comment_substitutions(text)
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
        # As Word.located, a call less (one per word).
        new = _new(Word)
        piece = text[start:end]
        # All ASCII (identity): the piece is the node's bytes decoded, no need to decode them.
        new.text, new.value, new._span = piece, _word_value(node, data, piece if offsets.identity else None), None
        new._locate, new._start, new._end = locate, base + start, base + end
        return new

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
            last.append(
                Word.located(text[joined._start - base : new._end - base], value, locate, joined._start, new._end)
            )
            return last
        into.append(new)
        return into

    commands: list[Command] = []
    ends: list[int] = []  # where each command's node ends
    choices: dict[int, str] = {}
    exhaustive: dict[int, int] = {}

    def redirect(node, redirects: list, words: list[Word] | None, last: list[Word] | None):
        """Record a file redirection's target. Bash takes the words after the target as the
        command's arguments (``xargs -r < list apt-get install``, ``cmd > f x``); tree-sitter
        puts them in the redirection, so they go back to ``words`` when it is given."""
        operator, target = "", None
        for child in node.children:
            if child.type == "file_descriptor":
                continue
            if not child.is_named:
                operator += child.type
            elif target is None:
                target = [word(child)]
            elif target[-1]._end == base + (offsets(child.start_byte) if not offsets.identity else child.start_byte):
                add(target, child, target)  # the target, cut in two by tree-sitter
            elif words is not None:
                last = add(words, child, last)
        if target is not None:
            redirects.append((operator, target[0]))
        return last

    def command(node, operator, conditional, nested, branch, outer_redirects=()) -> None:
        words, assignments, inner, redirects = [], [], [], []
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
                if child_kind == "file_redirect":
                    redirect(child, redirects, None, None)
                last = None
                continue
            elif nameless and not words and _name_kind(_node_text(child, data)) == _ASSIGNMENT_WORD:
                # Still before the command name: ``B=`` is an assignment, as tree-sitter
                # reads it when no cut word came first (``A=x$B/$C.d B= cmd``).
                last = add(assignments, child, last)
                assignments[-1].value = None  # as for every assignment: it is not a literal
            else:
                last = add(words, child, last)
                # Only words that can hold a command ($(…), `…`, <(…)) need a walk; a leaf
                # (word, raw_string, number) has nothing to walk.
                if child.child_count and _MAY_NEST().search(data, child.start_byte, child.end_byte):
                    inner.append(child)
        for child in outer_redirects:
            last = redirect(child, redirects, words, None)
        if words:
            commands.append(Command(words, assignments, operator, conditional, nested, redirects, branch))
            ends.append(node.end_byte)
        # $(…) inside arguments run too.
        for child in reversed(inner):
            stack.append((child, None, conditional, nested, branch))

    # Iterative walk in document order: deeply nested input must not hit the recursion limit.
    # Each entry: node, operator before it, conditional, nested, branch.
    stack = [(root, None, False, False, ())]
    while stack:
        node, operator, conditional, nested, branch = stack.pop()
        if operator == _ATTACH:
            # tree-sitter puts a redirection after an and-or list around the whole list
            # (``a && b > f``); bash redirects the last command only.
            if ends and ends[-1] == node.end_byte:
                last = commands[-1]
                for child in branch:
                    redirect(child, last.redirects, last.words, None)
            continue
        kind = node.type
        if kind == "command":
            command(node, operator, conditional, nested, branch)
            continue
        if kind == "redirected_statement":
            body = node.child_by_field_name("body")
            if body is not None and body.type == "command":
                outer = [c for c in node.children if c.type == "file_redirect"]
                command(body, operator, conditional, nested, branch, outer)
                continue
            if body is not None and body.type in ("list", "pipeline"):
                outer = [c for c in node.children if c.type == "file_redirect"]
                stack.append((body, _ATTACH, False, False, outer))
        if kind in _NESTED_NODES:
            nested = True
        child_conditional = conditional or kind in _CONDITIONAL_NODES
        # Choices: which child starts which arm (see dlint.shell.words.Branch).
        choice = arm = None
        if kind in _CHOICE_KINDS:
            choice = len(choices)
            if kind == "if_statement":
                has_else = any(c.type == "else_clause" for c in node.children)
                choices[choice] = "else" if has_else else "if"
                if has_else:
                    exhaustive[choice] = 2 + sum(1 for c in node.children if c.type == "elif_clause")
            elif kind == "list":
                if not any(c.type == "||" for c in node.children):
                    choice = None
                else:
                    choices[choice] = "or"
                    arm = 0
            else:
                choices[choice] = _CHOICE_KINDS[kind]
                if kind == "case_statement":
                    items = [c for c in node.children if c.type == "case_item"]
                    if any(_node_text(c, data).lstrip().startswith("*)") for c in items):
                        exhaustive[choice] = len(items)
        entries = []
        named = False  # a named child was seen
        pending = operator
        previous_end = None
        for child in node.children:
            child_kind = child.type
            if child_kind in _OPERATORS:
                pending = child_kind
                if choice is not None and kind == "list":
                    arm = 1
                continue
            if not child.is_named:  # then, do, else, (: a new sequence starts
                if kind == "if_statement" and child_kind == "then":
                    arm = 0
                if named or pending not in ("|", "|&"):
                    pending = None  # kept for ``a | while …``, ``a | { …; }``: piped into
                continue
            if choice is not None:
                if kind == "if_statement" and child_kind in ("elif_clause", "else_clause"):
                    arm += 1
                elif kind == "case_statement":
                    arm = None if child_kind != "case_item" else (0 if arm is None else arm + 1)
                elif kind in _LOOP_KINDS:
                    arm = 0 if child_kind in _LOOP_BODIES else None
            if pending is None and previous_end is not None:
                # A newline between the two (find: no slice of the bytes).
                pending = "\n" if data.find(b"\n", previous_end, child.start_byte) >= 0 else None
            if child.child_count:  # a leaf (word, variable_name, …) holds no command
                is_or = pending == "||"
                child_branch = branch if arm is None else branch + ((choice, arm),)
                entries.append((child, pending, child_conditional or is_or, nested, child_branch))
            named = True
            pending = None
            previous_end = child.end_byte
        stack.extend(reversed(entries))
    return numbered(Script(commands, choices=choices, exhaustive=exhaustive))
