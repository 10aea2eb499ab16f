"""Shell text of RUN instructions to the commands they execute: the three readers in turn,
then the RUN's shell form, exec form, ``sh -c '…'`` strings and heredoc bodies."""

from __future__ import annotations

from dlint.dockerfile import Instruction, POSIX_SHELLS
from dlint.shell import fastpath
from dlint.shell.words import Command, Locate, Script, Word
from dlint.startup import lazy_pattern


def parse_script(text: str, locate: Locate, base: int = 0) -> Script:
    """Commands of one piece of POSIX shell text; never raises.

    Simple text takes the fast path (_parse_simple), the rest tree-sitter, and what tree-sitter
    cannot parse the tolerant tokenizer. A word's span is ``locate(base + start, base + end)``
    (``start``, ``end``: its offsets in ``text``): with ``base``, a RUN's words locate straight
    through the instruction's text, without a function that adds the offset at every call."""
    script = fastpath._parse_simple(text, locate, base)
    if script is not None:
        return script
    # Imported on first use: a file whose scripts all take the fast path needs neither. Kept
    # as globals: an import statement runs importlib's Python code at every call.
    global _treesitter, _tolerant
    if _treesitter is None:
        from dlint.shell import tolerant, treesitter

        _treesitter, _tolerant = treesitter, tolerant
    try:
        script = _treesitter._parse_tree_sitter(text, locate, base)
    except (RecursionError, ValueError, MemoryError):
        script = None
    return script if script is not None else _tolerant._parse_tolerant(text, locate, base)


_treesitter = _tolerant = None  # the modules of the two other readers, once imported


# ---------------------------------------------------------------------------------------------
# RUN instructions

_JSON_STRING = lazy_pattern(r'"((?:[^"\\]|\\.)*)"')


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
    straight back to the source. Most scripts have none and are returned as they are."""
    commands: list[Command] | None = None  # copied from the first ``sh -c`` on, with the nested
    for index, command in enumerate(script.commands):
        string = _shell_string(command)
        if commands is not None:
            commands.append(command)
        if string is None:
            continue
        if commands is None:
            commands = script.commands[: index + 1]
        # The string's words locate through the string's own locate (offset past the quote).
        inner = parse_script(string.value, string._locate, string._start + 1)
        for nested in inner.commands:
            nested.conditional = nested.conditional or command.conditional
        # Appended in place, after the sh -c command (``Script.extend`` keeps choices apart).
        holder = Script(commands, choices=script.choices, exhaustive=script.exhaustive)
        holder.extend(inner, command.branch)
        script.choices, script.exhaustive = holder.choices, holder.exhaustive
    if commands is not None:
        script.commands = commands
    return script


def _shell_string(command: Command) -> Word | None:
    """The quoted string a shell runs (``sh -c '…'``: a shell, an option ending in ``c``, a
    quoted word without backslashes), or None."""
    words = command.words
    if len(words) < 3:
        return None
    option = words[1].value or ""
    if not (option.endswith("c") and option.startswith("-")) or not _is_shell_program(words[0]):
        return None
    string = words[2]
    text = string.text
    if string.value is None or text[:1] not in ("'", '"') or "\\" in text or not hasattr(string, "_locate"):
        return None
    return string


def _script_of_run(instruction: Instruction) -> Script:
    if instruction.exec_form is not None:
        return _script_of_exec_form(instruction)
    args = instruction.args
    if instruction.heredocs:
        args = _blank_heredoc_markers(instruction, args)
    script = parse_script(args, instruction.text.span, instruction.args_offset)
    if instruction.heredocs:
        # ``RUN <<EOF`` runs the body as the script; ``RUN bash <<EOF`` feeds it to a shell.
        runs_body = not script.commands or (
            len(script.commands) == 1 and _is_shell_program(script.commands[0].words[0])
        )
        if runs_body:
            for heredoc in instruction.heredocs:
                body = heredoc.body
                script.extend(parse_script(body.text, body.span))
    return script


def _script_of_exec_form(instruction: Instruction) -> Script:
    base = instruction.args_offset
    args = instruction.args
    words = []
    for match in _JSON_STRING().finditer(args):
        start, end = base + match.start(), base + match.end()
        value = match.group(1)  # what json reads too, when there is no escape (or it refuses the string)
        if "\\" in value:
            import json  # only here (see dlint.dockerfile._read_arguments)

            try:
                value = json.loads(match.group(0))
            except ValueError:
                pass
        words.append((Word(match.group(0), value, instruction.text.span(start, end)), base + match.start(1)))
    if not words:
        return Script([])
    # ["sh", "-c", "…"]: the string is a shell script.
    option = words[1][0].value or "" if len(words) >= 3 else ""
    if _is_shell_program(words[0][0]) and option.startswith("-") and option.endswith("c"):
        word, offset = words[-1]
        return parse_script(word.value or "", instruction.text.span, offset)
    return Script([Command([w for w, _ in words], [], None, False, False)])
