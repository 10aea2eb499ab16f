"""The tolerant tokenizer: what tree-sitter cannot parse is still read into commands."""

from __future__ import annotations

import re

from dlint.shell.words import Command, Locate, Script, Word, _unescape, blank_comment_substitutions

# ---------------------------------------------------------------------------------------------
# Tolerant fallback: quotes, escapes and $(…) grouping, nothing more.

_TOKEN_OPERATORS = ("&&", "||", ";;", "|&", ";", "|", "&", "\n", "(", ")")


def _parse_tolerant(text: str, locate: Locate, base: int = 0) -> Script:
    text = blank_comment_substitutions(text)
    commands: list[Command] = []
    words: list[Word] = []
    operator: str | None = None
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
        words.append(Word.located(raw, value, locate, base + start, base + index))
    flush(None)
    return Script(commands, tolerant=True)
