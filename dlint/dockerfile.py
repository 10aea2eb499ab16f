"""The Dockerfile model: what every rule reads, built once per file.

The line structure (directives, continuations, comments inside them, heredocs, swallowed
instructions) is scanned here, because dockerfile-parse's ``structure`` gets these wrong in
ways that change findings: it has no heredocs, cuts an instruction at a blank line inside a
continuation, drops an instruction whose continuation reaches the end of the file, treats an
escaped escape character at the end of a line as a continuation, keeps a UTF-8 BOM on the first
keyword, misses ``# escape=`` after another directive and gives no columns. What it gets right
is reused: its word splitter and key/value parsing (``ENV``, ``LABEL``, ``ARG``) and its
``FROM`` reading.

Rules never re-parse text: they read :class:`Dockerfile`, :class:`Stage` and
:class:`Instruction`, and ask :mod:`dlint.packages` for the shell facts of a ``RUN``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Iterator

from dlint.source import MappedText, Span

KEYWORDS = frozenset(
    """ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER ONBUILD
    RUN SHELL STOPSIGNAL USER VOLUME WORKDIR""".split()
)
HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
DEFAULT_SHELL = ("/bin/sh", "-c")
WINDOWS_SHELL = ("cmd", "/S", "/C")
POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})

_DIRECTIVE = re.compile(r"#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC = re.compile(r"(?<![<\w])<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_BLANKS = re.compile(r"\s*")
_FLAG = re.compile(r"--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?=\s|$)")
_SWALLOWED = re.compile(r"[ \t]*(" + "|".join(sorted(KEYWORDS)) + r")[ \t]+\S")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")


class DockerfileError(Exception):
    """The file cannot be read as a Dockerfile at all (the run fails with exit status 2)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Problem:
    """Something that makes the file fail to build at all (BuildKit would stop there)."""

    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Directive:
    name: str  # lower case: syntax, escape, check
    value: str
    line: int


@dataclass(frozen=True)
class Comment:
    line: int
    column: int
    text: str  # without the leading '#', stripped


@dataclass(frozen=True)
class Flag:
    name: str
    value: str | None
    span: Span


@dataclass
class Heredoc:
    delimiter: str
    strip_tabs: bool  # <<-
    quoted: bool  # <<"EOF": no expansion in the body
    marker: Span  # where <<EOF stands in the instruction
    marker_offsets: tuple[int, int]  # the same, as offsets in ``Instruction.text``
    body: MappedText
    start_line: int  # first body line
    end_line: int  # terminator line (or the last line, when unterminated)
    terminated: bool = True


@dataclass(frozen=True)
class ImageRef:
    """A FROM's image: ``name[:tag][@digest]`` after build-arg defaults are applied."""

    raw: str
    name: str
    tag: str | None
    digest: str | None
    has_variable: bool  # something could not be resolved

    @property
    def is_scratch(self) -> bool:
        return self.name.lower() == "scratch"

    @classmethod
    def parse(cls, raw: str, has_variable: bool = False) -> "ImageRef":
        name, _, digest = raw.partition("@")
        tag = None
        slash = name.rfind("/")
        colon = name.rfind(":")
        if colon > slash:  # a colon before the last slash is a registry port
            name, tag = name[:colon], name[colon + 1 :]
        return cls(raw, name, tag or None, digest or None, has_variable)


@dataclass
class Instruction:
    keyword: str  # upper case
    keyword_text: str  # as written (may be lower case)
    line: int  # first line
    column: int  # column of the keyword
    end_line: int  # last line, heredoc bodies included
    text: MappedText  # everything after the keyword, continuations joined, comments dropped
    raw: str  # the source lines, as written
    flags: list[Flag] = field(default_factory=list)
    args_offset: int = 0  # offset in ``text`` where the arguments start (after flags)
    exec_form: list[str] | None = None  # JSON (exec) form arguments
    heredocs: list[Heredoc] = field(default_factory=list)
    swallowed: bool = False  # split off a continuation that carried this keyword (DF001)
    unterminated: bool = False  # a continuation or heredoc reached the end of the file
    stage_index: int = -1
    shell: tuple[str, ...] = DEFAULT_SHELL  # the SHELL in force (for RUN)

    @property
    def args(self) -> str:
        return self.text.text[self.args_offset :]

    @property
    def keyword_span(self) -> Span:
        return Span.point(self.line, self.column, len(self.keyword_text))

    def flag(self, name: str) -> list[Flag]:
        return [f for f in self.flags if f.name == name]

    @property
    def is_posix_shell(self) -> bool:
        """False for Windows shells (cmd, powershell): their RUNs are not POSIX shell."""
        program = self.shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
        return program.removesuffix(".exe") in POSIX_SHELLS

    def word_span(self, start: int, end: int) -> Span:
        return self.text.span(start, end)


@dataclass
class Stage:
    index: int
    name: str | None  # the AS name, as written
    base: ImageRef
    parent: "Stage | None"  # the earlier stage this one is FROM
    instructions: list[Instruction]
    reaches_final: bool = False  # its layers are in the final image

    @property
    def from_instruction(self) -> Instruction:
        return self.instructions[0]

    @property
    def chain(self) -> list["Stage"]:
        """This stage and the stages it is built FROM, the first ancestor first: together
        their layers make up this stage's filesystem."""
        chain = []
        stage: Stage | None = self
        while stage is not None:
            chain.append(stage)
            stage = stage.parent
        return chain[::-1]


@dataclass
class Dockerfile:
    path: str
    lines: list[str]  # source lines, without line ends
    directives: list[Directive]
    comments: list[Comment]
    instructions: list[Instruction]
    stages: list[Stage]
    escape: str = "\\"
    warnings: list[str] = field(default_factory=list)  # e.g. invalid UTF-8 was replaced
    problems: list[Problem] = field(default_factory=list)  # the build would fail outright

    def directive(self, name: str) -> Directive | None:
        return next((d for d in self.directives if d.name == name), None)

    def runs(self) -> Iterator[Instruction]:
        return (i for i in self.instructions if i.keyword == "RUN")

    def stage_of(self, instruction: Instruction) -> Stage | None:
        if 0 <= instruction.stage_index < len(self.stages):
            return self.stages[instruction.stage_index]
        return None


# ---------------------------------------------------------------------------------------------
# Reading bytes


def decode(data: bytes) -> tuple[str, list[str]]:
    """Text of a Dockerfile. Invalid UTF-8 is replaced (U+FFFD) with a warning, as BuildKit
    reads bytes and users still want their other findings; NUL bytes mean it is not text."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise DockerfileError("binary file (NUL byte); not a Dockerfile", line)
    warnings = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        warnings.append(f"line {line}: invalid UTF-8, undecodable bytes replaced with U+FFFD")
        text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n"), warnings


# ---------------------------------------------------------------------------------------------
# Scanning lines into instructions


def _continued(line: str, escape: str) -> str | None:
    """The line without its escape character when it continues on the next line, else None.

    BuildKit's rule: the escape character ends the line (trailing blanks allowed) and is not
    itself escaped (``\\\\`` at the end is a literal backslash)."""
    stripped = line.rstrip(" \t")
    if stripped.endswith(escape) and not stripped.endswith(escape * 2):
        return stripped[:-1]
    return None


class _Scanner:
    def __init__(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.escape = "\\"
        self.directives: list[Directive] = []
        self.comments: list[Comment] = []
        self.instructions: list[Instruction] = []

    def scan(self) -> None:
        index = self._scan_directives()
        lines = self.lines
        swallowed = False
        while index < len(lines):
            stripped = lines[index].lstrip()
            if not stripped:
                index += 1
                continue
            if stripped[0] == "#":
                self._comment(index)
                index += 1
                continue
            index = self._instruction(index, stripped, swallowed)
            swallowed = index < 0
            index = abs(index)

    def _scan_directives(self) -> int:
        # Directives are comments at the very top; a blank line, another comment or an
        # instruction ends them, and each may appear once.
        index = 0
        seen = set()
        while index < len(self.lines):
            match = _DIRECTIVE.match(self.lines[index].strip())
            if not match:
                break
            name = match.group(1).lower()
            if name not in KNOWN_DIRECTIVES or name in seen:
                break
            seen.add(name)
            value = match.group(2)
            self.directives.append(Directive(name, value, index + 1))
            if name == "escape" and value in ("\\", "`"):
                self.escape = value
            index += 1
        return index

    def _comment(self, index: int) -> None:
        line = self.lines[index]
        column = len(line) - len(line.lstrip()) + 1
        self.comments.append(Comment(index + 1, column, line.strip()[1:].strip()))

    def _instruction(self, index: int, stripped: str, swallowed: bool) -> int:
        """Read one instruction starting at ``index`` (``stripped`` is that line without its
        indent); return the next line index, negated when the next instruction was swallowed
        by this one's continuation."""
        lines, escape = self.lines, self.escape
        first = lines[index]
        indent = len(first) - len(stripped)
        keyword_text = stripped.split(None, 1)[0]
        start = indent + len(keyword_text)
        text = MappedText()
        line_index = index
        piece_start = start
        next_swallowed = False
        unterminated = False
        while True:
            line = lines[line_index]
            raw_end = line_index
            continued = _continued(line, escape)
            if continued is None:
                text.append(line[piece_start:], line_index + 1, piece_start + 1)
                line_index += 1
                break
            text.append(continued[piece_start:], line_index + 1, piece_start + 1)
            # Skip the blank and comment lines a continuation may span.
            line_index += 1
            while line_index < len(lines):
                candidate = lines[line_index].lstrip()
                if candidate and not candidate.startswith("#"):
                    break
                if candidate:
                    self._comment(line_index)
                line_index += 1
            if line_index >= len(lines):
                unterminated = True
                break
            # ``candidate`` is that line without its indent; a keyword starts with a capital, and
            # checking that first spares most continued lines the costly regex.
            if candidate[0].isupper() and _SWALLOWED.match(lines[line_index]):
                next_swallowed = True
                break
            piece_start = 0
        # keyword, keyword_text, line, column, end_line, text, raw: passed by position, as with
        # keywords the call to this 16-field __init__ costs twice as much.
        instruction = Instruction(
            keyword_text.upper(), keyword_text, index + 1, indent + 1, raw_end + 1, text, "",
            swallowed=swallowed, unterminated=unterminated,
        )
        _read_arguments(instruction)
        # Only text with ``<<`` can open a heredoc. Most instructions skip the search, a regex
        # tried at every character that took a fifth of all parsing time.
        if instruction.keyword in HEREDOC_KEYWORDS and instruction.exec_form is None and "<<" in text.text:
            line_index = self._heredocs(instruction, line_index)
        instruction.raw = "\n".join(lines[index : instruction.end_line])
        self.instructions.append(instruction)
        return -line_index if next_swallowed else line_index

    def _heredocs(self, instruction: Instruction, line_index: int) -> int:
        args = instruction.args
        for match in _HEREDOC.finditer(args):
            strip_tabs, quote, delimiter = match.group(1) == "-", match.group(2), match.group(3)
            offset = instruction.args_offset
            body = MappedText()
            start_line = line_index + 1
            terminated = False
            while line_index < len(self.lines):
                line = self.lines[line_index]
                candidate = line.lstrip("\t") if strip_tabs else line
                if candidate == delimiter:
                    terminated = True
                    break
                body_line = candidate if strip_tabs else line
                body.append(body_line + "\n", line_index + 1, len(line) - len(body_line) + 1)
                line_index += 1
            end_line = min(line_index + 1, len(self.lines))
            instruction.heredocs.append(
                Heredoc(
                    delimiter=delimiter,
                    strip_tabs=strip_tabs,
                    quoted=bool(quote),
                    marker=instruction.word_span(offset + match.start(), offset + match.end()),
                    marker_offsets=(offset + match.start(), offset + match.end()),
                    body=body,
                    start_line=start_line,
                    end_line=end_line,
                    terminated=terminated,
                )
            )
            instruction.end_line = max(instruction.end_line, end_line)
            if not terminated:
                instruction.unterminated = True
                break
            line_index += 1  # past the terminator
        return line_index


def _read_arguments(instruction: Instruction) -> None:
    """Flags (``--mount=…``) and the exec (JSON) form."""
    text = instruction.text.text
    offset = len(text) - len(text.lstrip())
    while True:
        match = _FLAG.match(text, offset)
        if not match:
            break
        instruction.flags.append(
            Flag(match.group(1), match.group(2), instruction.word_span(match.start(), match.end()))
        )
        offset = _BLANKS.match(text, match.end()).end()  # not text[offset:]: quadratic on many flags
    instruction.args_offset = offset
    # ``offset`` is past all blanks, so only an exec form starts with "[" right there (this
    # spares most instructions a copy of their arguments).
    if text.startswith("[", offset):
        args = text[offset:].strip()
        try:
            value = json.loads(args)
        except (ValueError, RecursionError):  # deeply nested brackets are not an exec form either
            return
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            instruction.exec_form = value


# ---------------------------------------------------------------------------------------------
# Stages


def _substitute(value: str, variables: dict[str, str]) -> tuple[str, bool]:
    unresolved = False

    def replace(match: re.Match) -> str:
        nonlocal unresolved
        name = match.group(1) or match.group(2)
        if name in variables:
            return variables[name]
        default = re.match(r"\$\{[^:}]+:?-([^}]*)\}", match.group(0))
        if default:
            return default.group(1)
        unresolved = True
        return match.group(0)

    return _VARIABLE.sub(replace, value), unresolved


def _global_args(instructions: list[Instruction]) -> dict[str, str]:
    """ARG defaults declared before the first FROM: they may name base images."""
    from dockerfile_parse.util import extract_key_values

    values: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG" and "=" in instruction.args:
            try:
                for key, value in extract_key_values(False, {}, {}, instruction.args):
                    values[key] = value
            except Exception:  # dockerfile-parse raises on odd quoting; the ARG is unknown
                continue
    return values


def _build_stages(instructions: list[Instruction]) -> list[Stage]:
    stages: list[Stage] = []
    by_name: dict[str, Stage] = {}
    variables: dict[str, str] | None = None  # global ARG defaults: read only if an image uses one
    current: Stage | None = None
    for instruction in instructions:
        if instruction.keyword == "FROM":
            words = instruction.args.split()
            image = words[0] if words else ""
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            if "$" in image:
                if variables is None:
                    variables = _global_args(instructions)
                resolved, unresolved = _substitute(image, variables)
            else:
                resolved, unresolved = image, False
            parent = by_name.get(resolved.lower())
            shell = parent.instructions[-1].shell if parent else _default_shell(resolved)
            current = Stage(len(stages), name, ImageRef.parse(resolved, unresolved), parent, [])
            stages.append(current)
            if name:
                by_name[name.lower()] = current
            instruction.shell = shell
        elif current is not None:
            instruction.shell = current.instructions[-1].shell
            if instruction.keyword == "SHELL" and instruction.exec_form:
                instruction.shell = tuple(instruction.exec_form)
        if current is not None:
            instruction.stage_index = current.index
            current.instructions.append(instruction)
    # The last stage is the image; the stages it is built FROM carry their layers into it.
    stage = stages[-1] if stages else None
    while stage is not None and not stage.reaches_final:
        stage.reaches_final = True
        stage = stage.parent
    return stages


def _default_shell(image: str) -> tuple[str, ...]:
    lowered = image.lower()
    if "windows/" in lowered or "nanoserver" in lowered or "servercore" in lowered:
        return WINDOWS_SHELL
    return DEFAULT_SHELL


# ---------------------------------------------------------------------------------------------


def parse(data: bytes | str, path: str = "Dockerfile") -> Dockerfile:
    """Build the model of one Dockerfile. Raises :class:`DockerfileError` only for input that
    is not text at all; anything else (unknown keywords, no FROM, unterminated heredocs) is
    modelled so that rules can report it with a position."""
    warnings: list[str] = []
    if isinstance(data, bytes):
        text, warnings = decode(data)
    else:
        text = data.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    scanner = _Scanner(path, lines)
    scanner.scan()
    dockerfile = Dockerfile(
        path=path,
        lines=lines,
        directives=scanner.directives,
        comments=scanner.comments,
        instructions=scanner.instructions,
        stages=_build_stages(scanner.instructions),
        escape=scanner.escape,
        warnings=warnings,
    )
    dockerfile.problems = _problems(dockerfile)
    return dockerfile


def _problems(dockerfile: Dockerfile) -> list[Problem]:
    problems = []
    seen_from = False
    has_from = any(i.keyword == "FROM" for i in dockerfile.instructions)  # else one error says it all
    for index, instruction in enumerate(dockerfile.instructions):
        position = (instruction.line, instruction.column)
        if instruction.keyword not in KEYWORDS:
            hint = ""
            previous = dockerfile.instructions[index - 1] if index else None
            # An indented word right under an instruction is usually a continued argument.
            if previous is not None and previous.end_line == instruction.line - 1 and instruction.column > 1:
                hint = f" (a missing `{dockerfile.escape}` at the end of line {previous.end_line}?)"
            problems.append(Problem(*position, f"unknown instruction '{instruction.keyword_text}'{hint}"))
        elif instruction.keyword == "FROM":
            seen_from = True
        elif not seen_from and instruction.keyword != "ARG" and has_from:
            problems.append(Problem(*position, f"{instruction.keyword} before the first FROM"))
        if instruction.unterminated:
            # Almost always a truncated file or a stray last escape character.
            open_heredoc = next((h for h in instruction.heredocs if not h.terminated), None)
            if open_heredoc is not None:
                problems.append(Problem(
                    open_heredoc.marker.line, open_heredoc.marker.column,
                    f"heredoc <<{open_heredoc.delimiter} is never closed: no line "
                    f"'{open_heredoc.delimiter}' before the end of the file",
                ))
            else:
                problems.append(Problem(
                    instruction.end_line, len(dockerfile.lines[instruction.end_line - 1]),
                    f"the file ends inside a line continuation (a stray `{dockerfile.escape}` at the end)",
                ))
    if not seen_from:
        first = dockerfile.instructions[0] if dockerfile.instructions else None
        line, column = (first.line, first.column) if first else (1, 1)
        problems.append(Problem(line, column, "no FROM instruction: nothing to build"))
    return problems
