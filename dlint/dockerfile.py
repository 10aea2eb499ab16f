"""The Dockerfile model: what every rule reads, built once per file.

The file is read as BuildKit's parser reads it (moby/buildkit frontend/dockerfile/parser):
directives, continuations (with comment and blank lines inside them, an escaped escape
character, a continuation that reaches the end of the file), heredocs (also in ``ONBUILD``
triggers), lowercase keywords, a UTF-8 BOM, exact lines and columns. dockerfile-parse's
``structure`` gets each of these wrong in ways that change findings (tests/test_dockerfile.py
lists them), so dlint scans the lines itself; words, quotes and ARG/ENV values are read by
:mod:`dlint.variables`, as BuildKit's shell lexer does.

Beyond BuildKit, one reading of intent: a continued line that starts with a keyword is taken
as a new instruction the continuation swallowed (DF001), except where BuildKit's syntax expects
a keyword there (``ONBUILD \\`` + the trigger, ``HEALTHCHECK --interval=… \\`` + ``CMD``).

``problems`` are what BuildKit refuses before building anything (unknown instructions, FROM
with other than one or three arguments, missing arguments, an unclosed heredoc …); a file
with template placeholders gets one problem and no instructions.

Rules never re-parse text: they read :class:`Dockerfile`, :class:`Stage` and
:class:`Instruction` (``words``, ``sources``, ``destination``, ``trigger``), ask
``Dockerfile.expand`` for ARG/ENV values, and ask :mod:`dlint.packages` for the shell facts of
a ``RUN``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dlint.source import MappedText, Span
from dlint.startup import TYPE_CHECKING, NamedTuple, Record, lazy_pattern
from dlint.variables import Variables, process_word, split_words

if TYPE_CHECKING:
    from dlint.variables import Expanded

_new_tuple = tuple.__new__  # _new_tuple(Arg, (raw, value, span, None)) == Arg(raw, value, span), made faster

KEYWORDS = frozenset(
    """ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER ONBUILD
    RUN SHELL STOPSIGNAL USER VOLUME WORKDIR""".split()
)
# Each keyword as written in upper or lower case -> (that text, the keyword): the scanner keeps
# these constants rather than two new strings per instruction.
_KEYWORD_FORMS = {written: (written, keyword) for keyword in KEYWORDS for written in (keyword, keyword.lower())}
HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
DEFAULT_SHELL = ("/bin/sh", "-c")
WINDOWS_SHELL = ("cmd", "/S", "/C")
POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})

# What every file needs is compiled at import, the rest on first use (lazy_pattern: call it).
_DIRECTIVE = lazy_pattern(r"#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC = lazy_pattern(r"(?<![<\w])<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_BLANKS = re.compile(r"\s*")
_FLAG = re.compile(r"--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?=\s|$)")
_SWALLOWED = lazy_pattern(r"[ \t]*(" + "|".join(sorted(KEYWORDS)) + r")[ \t]+\S")
_ONLY_FLAGS = lazy_pattern(r"(?:\s*--\S*)*\s*")
_JSON_STRING = lazy_pattern(r'"(?:[^"\\]|\\.)*"')
# Template placeholders: Jinja/Go/Mustache ``{{ … }}``, Jinja ``{% … %}``, ``%%VAR%%``.
_PLACEHOLDER = lazy_pattern(r"\{\{.*?\}\}|\{%.*?%\}|%%[A-Za-z_][A-Za-z0-9_]*%%")
_TEMPLATE_START = ("{{", "{%", "{#", "%%")
_STAGE_NAME = lazy_pattern(r"[a-z][a-z0-9-_.]*")
# What BuildKit refuses as an ONBUILD trigger.
_NOT_TRIGGERS = {
    "ONBUILD": "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
    "FROM": "FROM isn't allowed as an ONBUILD trigger",
    "MAINTAINER": "MAINTAINER isn't allowed as an ONBUILD trigger",
}


class DockerfileError(Exception):
    """The file cannot be read as a Dockerfile at all (the run fails with exit status 2)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


# Frozen values are NamedTuples, the others plain classes (no dataclasses: see dlint/startup.py).


class Problem(NamedTuple):
    """Something that makes the file fail to build at all (BuildKit would stop there)."""

    line: int
    column: int
    message: str


class Directive(NamedTuple):
    name: str  # lower case: syntax, escape, check
    value: str
    line: int


class Comment(NamedTuple):
    line: int
    column: int
    text: str  # without the leading '#', stripped


class Flag(NamedTuple):
    name: str
    value: str | None
    span: Span


class Heredoc(Record):
    _fields = ("delimiter", "strip_tabs", "quoted", "marker", "marker_offsets", "body", "start_line", "end_line",
               "terminated")

    def __init__(
        self,
        delimiter: str,
        strip_tabs: bool,  # <<-
        quoted: bool,  # <<"EOF": no expansion in the body
        marker: Span,  # where <<EOF stands in the instruction
        marker_offsets: tuple[int, int],  # the same, as offsets in ``Instruction.text``
        body: MappedText,
        start_line: int,  # first body line
        end_line: int,  # terminator line (or the last line, when unterminated)
        terminated: bool = True,
    ) -> None:
        self.delimiter = delimiter
        self.strip_tabs = strip_tabs
        self.quoted = quoted
        self.marker = marker
        self.marker_offsets = marker_offsets
        self.body = body
        self.start_line = start_line
        self.end_line = end_line
        self.terminated = terminated


class ImageRef(NamedTuple):
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


class Assignment(NamedTuple):
    """One ``name=value`` of an ARG, ENV or LABEL (or the legacy ``ENV name value``)."""

    name: str  # quotes removed
    value: str | None  # quotes removed, variables as written; None: an ARG without a default
    span: Span  # the word that names it
    legacy: bool = False  # ``ENV name value``: the rest of the line is the value


class Arg(NamedTuple):
    """One argument word of an instruction, as BuildKit splits it."""

    raw: str  # as written, quotes included
    value: str  # quotes and escapes removed; variables are left as written (see Dockerfile.expand)
    span: Span
    heredoc: "Heredoc | None" = None  # a ``<<EOF`` word: the heredoc it names

    @property
    def has_variable(self) -> bool:
        return "$" in self.raw


class Instruction(Record):
    _fields = ("keyword", "keyword_text", "line", "column", "end_line", "text", "raw", "flags", "args_offset",
               "exec_form", "heredocs", "swallowed", "unterminated", "stage_index", "shell")

    def __init__(
        self,
        keyword: str,  # upper case
        keyword_text: str,  # as written (may be lower case)
        line: int,  # first line
        column: int,  # column of the keyword
        end_line: int,  # last line, heredoc bodies included
        text: MappedText,  # everything after the keyword, continuations joined, comments dropped
        raw: str,  # the source lines, as written
        # Tuples: most instructions have neither, and the empty tuple is one shared object.
        flags: tuple[Flag, ...] = (),
        args_offset: int = 0,  # offset in ``text`` where the arguments start (after flags)
        exec_form: list[str] | None = None,  # JSON (exec) form arguments
        heredocs: tuple[Heredoc, ...] = (),
        swallowed: bool = False,  # split off a continuation that carried this keyword (DF001)
        unterminated: bool = False,  # a continuation or heredoc reached the end of the file
        stage_index: int = -1,
        shell: tuple[str, ...] = DEFAULT_SHELL,  # the SHELL in force (for RUN)
    ) -> None:
        self.keyword = keyword
        self.keyword_text = keyword_text
        self.line = line
        self.column = column
        self.end_line = end_line
        self.text = text
        self.raw = raw
        self.flags = flags
        self.args_offset = args_offset
        self.exec_form = exec_form
        self.heredocs = heredocs
        self.swallowed = swallowed
        self.unterminated = unterminated
        self.stage_index = stage_index
        self.shell = shell

    # Not fields (not in ``_fields``): class defaults, set on the few instructions that need
    # them, so that creating the tens of thousands of instructions stays cheap.
    trigger = None  # ONBUILD: the Instruction it registers
    # An ONBUILD trigger: a weak reference to its ONBUILD (a strong one would make a cycle,
    # keeping the model in memory until a full collection); read it as ``trigger_of``.
    _onbuild = None
    escape = "\\"  # the file's escape character
    _words = None  # ``words``, once computed
    _assignments = None  # ``assignments``, once computed
    _args = None  # ``args``, once computed (``text`` and ``args_offset`` are set by the parser, then fixed)
    not_strings = False  # a JSON array whose items are not all strings (BuildKit refuses it)

    @property
    def args(self) -> str:
        if self._args is None:  # read by several rules and the shell reader: one copy
            self._args = self.text.text[self.args_offset :]
        return self._args

    @property
    def words(self) -> list[Arg]:
        """The arguments after the flags, split as BuildKit splits them, quotes removed: the
        JSON strings of the exec form, else blank-separated words (quotes keep blanks
        inside a word). A ``<<EOF`` word knows its heredoc."""
        if self._words is None:
            self._words = _words_of(self)
        return self._words

    @property
    def sources(self) -> list[Arg]:
        """COPY/ADD: every argument but the last (heredocs included)."""
        return self.words[:-1] if self.keyword in ("COPY", "ADD") else []

    @property
    def destination(self) -> Arg | None:
        """COPY/ADD: the last argument, when there are at least two."""
        words = self.words
        return words[-1] if self.keyword in ("COPY", "ADD") and len(words) >= 2 else None

    @property
    def assignments(self) -> list[Assignment]:
        """ARG, ENV, LABEL: the names they set, with their values (see :class:`Assignment`)."""
        if self.keyword not in ("ARG", "ENV", "LABEL"):
            return []
        if self._assignments is not None:  # several rules read them
            return self._assignments
        words = self.words
        if not words:
            return []
        first = words[0]
        if self.keyword != "ARG" and "=" not in first.value:
            # The legacy form: the name, then the rest of the arguments as its value.
            rest = " ".join(w.value for w in words[1:])
            out = [Assignment(first.value, rest, first.span, legacy=True)]
        else:
            out = []
            for word in words:
                name, equals, value = word.value.partition("=")
                out.append(_new_tuple(Assignment, (name, value if equals else None, word.span, False)))
        self._assignments = out
        return out

    @property
    def trigger_of(self) -> "Instruction | None":
        """An ONBUILD trigger: its ONBUILD instruction (None for any other instruction)."""
        return self._onbuild() if self._onbuild is not None else None

    @property
    def is_trigger(self) -> bool:
        """An ONBUILD trigger: it runs in images built FROM this one, not in this build."""
        return self._onbuild is not None

    @property
    def keyword_span(self) -> Span:
        # Span.point(self.line, self.column, len(self.keyword_text)), made faster: rules ask often
        line, column = self.line, self.column
        return _new_tuple(Span, (line, column, line, column + len(self.keyword_text)))

    def flag(self, name: str) -> list[Flag]:
        if not self.flags:  # most instructions: no comprehension to run
            return []
        return [f for f in self.flags if f.name == name]

    @property
    def is_posix_shell(self) -> bool:
        """False for Windows shells (cmd, powershell): their RUNs are not POSIX shell."""
        if self.shell is DEFAULT_SHELL:  # most instructions: no SHELL instruction, /bin/sh
            return True
        program = self.shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
        return program.removesuffix(".exe") in POSIX_SHELLS

    def word_span(self, start: int, end: int) -> Span:
        return self.text.span(start, end)


class Stage(Record):
    _fields = ("index", "name", "base", "parent", "instructions", "reaches_final")

    def __init__(
        self,
        index: int,
        name: str | None,  # the AS name, as written
        base: ImageRef,
        parent: "Stage | None",  # the earlier stage this one is FROM
        instructions: list[Instruction],
        reaches_final: bool = False,  # its layers are in the final image
    ) -> None:
        self.index = index
        self.name = name
        self.base = base
        self.parent = parent
        self.instructions = instructions
        self.reaches_final = reaches_final

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


class Dockerfile(Record):
    _fields = ("path", "lines", "directives", "comments", "instructions", "stages", "escape", "warnings", "problems",
               "template")  # not ``_variables``: neither compared nor shown

    def __init__(
        self,
        path: str,
        lines: list[str],  # source lines, without line ends
        directives: list[Directive],
        comments: list[Comment],
        instructions: list[Instruction],
        stages: list[Stage],
        escape: str = "\\",
        warnings: list[str] | None = None,  # e.g. invalid UTF-8 was replaced; None: a new empty list
        problems: list[Problem] | None = None,  # the build would fail outright; None: a new empty list
        template: bool = False,  # a template (placeholders), not a Dockerfile: nothing is linted
        _variables: Variables | None = None,
    ) -> None:
        self.path = path
        self.lines = lines
        self.directives = directives
        self.comments = comments
        self.instructions = instructions
        self.stages = stages
        self.escape = escape
        self.warnings = [] if warnings is None else warnings
        self.problems = [] if problems is None else problems
        self.template = template
        self._variables = _variables

    def directive(self, name: str) -> Directive | None:
        for directive in self.directives:  # a loop, not next(generator): asked by many rules
            if directive.name == name:
                return directive
        return None

    def runs(self) -> Iterator[Instruction]:
        """Every RUN in file order, ONBUILD RUN triggers included (``trigger_of`` set): they
        are not layers of this image but run in every image built FROM it."""
        for instruction in self.instructions:
            if instruction.keyword == "RUN":
                yield instruction
            elif instruction.trigger is not None and instruction.trigger.keyword == "RUN":
                yield instruction.trigger

    def all_instructions(self) -> Iterator[Instruction]:
        """Every instruction in file order, each ONBUILD followed by its trigger. Rules about
        what one instruction says use this; rules about the layers of a stage walk
        ``Stage.instructions``, where triggers are not."""
        for instruction in self.instructions:
            yield instruction
            if instruction.trigger is not None:
                yield instruction.trigger

    @property
    def variables(self) -> Variables:
        """ARG and ENV values in force at each instruction (no build arguments)."""
        if self._variables is None:
            self._variables = Variables(self)
        return self._variables

    def expand(self, instruction: Instruction, word: "Arg | str") -> "Expanded":
        """A word of ``instruction`` with quotes removed and ARG/ENV values substituted, as
        BuildKit reads it; ``known`` is False when some variable's value is unknown."""
        text = word.raw if isinstance(word, Arg) else word
        if "$" not in text:  # most words: no variable, no scope to build
            return process_word(text, self.escape)
        return self.variables.expand(instruction, text)

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
        self._can_continue = "\\ \t"  # set again when an escape directive is read
        self._double_escape = "\\\\"
        self.directives: list[Directive] = []
        self.comments: list[Comment] = []
        self.instructions: list[Instruction] = []

    def scan(self) -> None:
        index = self._scan_directives()
        lines = self.lines
        count = len(lines)
        swallowed = False
        while index < count:
            stripped = lines[index].lstrip()
            if not stripped:
                index += 1
                continue
            if stripped[0] == "#":
                self._comment(index)
                index += 1
                continue
            if stripped[0] == self.escape and not stripped[1:].strip(" \t"):
                index += 1  # a line that is only a continuation: BuildKit joins it to the next
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
            line = self.lines[index].strip()
            match = _DIRECTIVE().match(line) if line.startswith("#") else None
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
        self._can_continue = self.escape + " \t"  # what a continued line can end with
        self._double_escape = self.escape * 2
        return index

    def _comment(self, index: int) -> None:
        line = self.lines[index]
        column = len(line) - len(line.lstrip()) + 1
        self.comments.append(_new_tuple(Comment, (index + 1, column, line.strip()[1:].strip())))

    def _instruction(self, index: int, stripped: str, swallowed: bool) -> int:
        """Read one instruction starting at ``index`` (``stripped`` is that line without its
        indent); return the next line index, negated when the next instruction was swallowed
        by this one's continuation."""
        lines, escape = self.lines, self.escape
        count = len(lines)
        first = lines[index]
        indent = len(first) - len(stripped)
        # The keyword: up to the first blank. find() and a slice, not split(), which copies the
        # rest of the line; a keyword of letters has no other blank or escape in it.
        end = stripped.find(" ")
        keyword_text = stripped[:end] if end > 0 else stripped
        if not keyword_text.isalpha():
            keyword_text = stripped.split(None, 1)[0]
            if keyword_text[-1] == escape and len(keyword_text) > 1 and _continued(first, escape) is not None:
                # ``RUN\`` then the command on the next line: BuildKit joins the lines first, so
                # the keyword is ``RUN``.
                if first.rstrip(" \t").endswith(keyword_text):
                    keyword_text = keyword_text[:-1]
        start = indent + len(keyword_text)
        # Only a line ending in one of ``can_continue`` (or empty) can continue: most lines
        # skip the rest of _continued's test. On the lines of every instruction, slices are
        # compared rather than calling startswith/endswith, which parse their arguments slowly.
        can_continue = self._can_continue
        next_swallowed = False
        unterminated = False
        if first[-1:] not in can_continue:
            # One line (most instructions): no loop, and the text in fewer objects.
            text = MappedText.one(first[start:], index + 1, start + 1) if len(first) > start else MappedText()
            line_index = raw_end = index
            line_index += 1
        else:
            # The pieces of the text are gathered here and made into one MappedText at the end.
            pieces: list[str] = []
            origins: list[tuple[int, int]] = []
            double_escape = self._double_escape
            line_index = index
            line: str | None = first
            piece_start = start
            while True:
                # Does ``line`` continue? (_continued, inlined: it runs for every continued line.)
                if line[-1:] not in can_continue:
                    break
                continued = line.rstrip(" \t")
                if continued[-1:] != escape or continued[-2:] == double_escape:
                    break
                if len(continued) - 1 > piece_start:
                    pieces.append(continued[piece_start:-1])
                    origins.append((line_index + 1, piece_start + 1))
                raw_end = line_index
                # Skip the blank and comment lines a continuation may span.
                line_index += 1
                while line_index < count:
                    candidate = lines[line_index].lstrip()
                    if candidate and candidate[0] != "#":
                        break
                    if candidate:
                        self._comment(line_index)
                    line_index += 1
                if line_index >= count:
                    unterminated = True
                    line = None
                    break
                # ``candidate`` is that line without its indent; a keyword starts with a capital, and
                # checking that first spares most continued lines the costly regex.
                if candidate[0].isupper():
                    match = _SWALLOWED().match(lines[line_index])
                    if match and not _keyword_expected(keyword_text.upper(), "".join(pieces), match.group(1)):
                        next_swallowed = True
                        line = None
                        break
                piece_start = 0
                line = lines[line_index]
            if line is not None:  # the instruction's last line
                if len(line) > piece_start:
                    pieces.append(line[piece_start:])
                    origins.append((line_index + 1, piece_start + 1))
                raw_end = line_index
                line_index += 1
            text = MappedText.of(pieces, origins) if pieces else MappedText()
        forms = _KEYWORD_FORMS.get(keyword_text)
        if forms is not None:
            keyword_text, keyword = forms
        else:
            keyword = keyword_text.upper()
        # Every argument by position: with keywords the call to this 15-field __init__ costs
        # twice as much.
        instruction = Instruction(
            keyword, keyword_text, index + 1, indent + 1, raw_end + 1, text, "", (), 0, None, (),
            swallowed, unterminated,
        )
        if escape != "\\":
            instruction.escape = escape
        # Most arguments start after one blank with neither a flag nor an exec form: then
        # _read_arguments has nothing to do but set ``args_offset``.
        after = text.text[:2]
        second = after[1:]
        if after[:1] == " " and second != "-" and second != "[" and not second.isspace():
            instruction.args_offset = 1
        else:
            _read_arguments(instruction)
        # Only text with ``<<`` can open a heredoc. Most instructions skip the search, a regex
        # tried at every character that took a fifth of all parsing time.
        if keyword in HEREDOC_KEYWORDS and instruction.exec_form is None and "<<" in text.text:
            line_index = self._heredocs(instruction, line_index)
        elif keyword == "ONBUILD":
            trigger = _trigger_of(instruction)
            if trigger is not None:
                if trigger.keyword in HEREDOC_KEYWORDS and trigger.exec_form is None and "<<" in trigger.text.text:
                    line_index = self._heredocs(trigger, line_index)
                    instruction.end_line = trigger.end_line
                    instruction.unterminated = trigger.unterminated
        end_line = instruction.end_line
        instruction.raw = lines[index] if end_line == index + 1 else "\n".join(lines[index:end_line])
        if instruction.trigger is not None:
            instruction.trigger.raw = instruction.raw
        self.instructions.append(instruction)
        return -line_index if next_swallowed else line_index

    def _heredocs(self, instruction: Instruction, line_index: int) -> int:
        args = instruction.args
        lines = self.lines
        count = len(lines)
        heredocs = []
        for match in _HEREDOC().finditer(args):
            strip_tabs, quote, delimiter = match.group(1) == "-", match.group(2), match.group(3)
            offset = instruction.args_offset
            start_line = line_index + 1
            terminated = False
            pieces: list[str] = []  # of the body, made into one MappedText at the end
            origins: list[tuple[int, int]] = []
            while line_index < count:
                line = lines[line_index]
                body_line = line.lstrip("\t") if strip_tabs else line
                if body_line == delimiter:
                    terminated = True
                    break
                pieces.append(body_line + "\n")
                origins.append((line_index + 1, len(line) - len(body_line) + 1))
                line_index += 1
            body = MappedText.of(pieces, origins) if pieces else MappedText()
            end_line = min(line_index + 1, count)
            start, end = match.span()
            # delimiter, strip_tabs, quoted, marker, marker_offsets, body, start_line, end_line, terminated
            heredocs.append(Heredoc(
                delimiter, strip_tabs, bool(quote), instruction.word_span(offset + start, offset + end),
                (offset + start, offset + end), body, start_line, end_line, terminated,
            ))
            instruction.end_line = max(instruction.end_line, end_line)
            if not terminated:
                instruction.unterminated = True
                break
            line_index += 1  # past the terminator
        instruction.heredocs = tuple(heredocs)
        return line_index


def _keyword_expected(keyword: str, text: str, following: str) -> bool:
    """Whether a keyword at the start of a continued line is read by BuildKit as part of the
    instruction so far (``text``, after ``keyword``), rather than swallowed: ``ONBUILD \\``
    then the trigger, ``HEALTHCHECK --interval=5s \\`` then ``CMD …`` (BuildKit joins every
    continuation; which keywords may follow is dlint's reading of the author's intent)."""
    while keyword == "ONBUILD":
        words = text.split(None, 1)
        if not words:
            return True  # the trigger instruction
        keyword, text = words[0].upper(), words[1] if len(words) > 1 else ""
    if keyword == "HEALTHCHECK":
        return following == "CMD" and _ONLY_FLAGS().fullmatch(text) is not None
    return False


def _trigger_of(onbuild: Instruction) -> Instruction | None:
    """The instruction an ONBUILD registers, with its own keyword, flags, arguments and
    positions inside the ONBUILD's text."""
    text = onbuild.text.text
    start = len(text) - len(text.lstrip())
    if start >= len(text):
        return None
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    keyword_text = text[start:end]
    line, column = onbuild.text.position(start)
    trigger = Instruction(
        keyword_text.upper(), keyword_text, line, column, onbuild.end_line, onbuild.text.slice(end), onbuild.raw,
        unterminated=onbuild.unterminated,
    )
    trigger.escape = onbuild.escape
    import weakref  # here: only ONBUILD needs it (0.4 ms)

    trigger._onbuild = weakref.ref(onbuild)
    _read_arguments(trigger)
    onbuild.trigger = trigger
    return trigger


def _words_of(instruction: Instruction) -> list[Arg]:
    offset = instruction.args_offset
    args = instruction.args
    span = instruction.word_span
    if instruction.exec_form is not None:
        tokens = list(_JSON_STRING().finditer(args))
        if len(tokens) == len(instruction.exec_form):
            return [
                Arg(t.group(0), value, span(offset + t.start(), offset + t.end()))
                for t, value in zip(tokens, instruction.exec_form)
            ]
        return [Arg(value, value, span(offset, offset + len(args))) for value in instruction.exec_form]
    escape = instruction.escape
    words = []
    if not instruction.heredocs and escape not in args and "'" not in args and '"' not in args:
        # Most arguments: plain words, nothing to unquote. Arg and Span are made with
        # tuple.__new__, what Arg(…) and Span(…) call through a generated Python function
        # (see dlint/source.py). The words are split() (as r"\S+" finds them, without a match
        # object per word) and each found from the end of the one before: a word has no
        # blank, so its first occurrence there is the word itself.
        end = 0
        single = instruction.text.single_line_origin()
        if single is not None:  # on one line, spans are a sum
            line, column = single
            column += offset
            for word in args.split():
                start = args.find(word, end)
                end = start + len(word)
                words.append(_new_tuple(Arg, (word, word, _new_tuple(Span, (line, column + start, line, column + end)), None)))
            return words
        for word in args.split():
            start = args.find(word, end)
            end = start + len(word)
            words.append(_new_tuple(Arg, (word, word, span(offset + start, offset + end), None)))
        return words
    heredocs = {h.marker_offsets[0]: h for h in instruction.heredocs}
    for start, end in split_words(args, escape):
        raw = args[start:end]
        heredoc = heredocs.get(offset + start) if heredocs else None
        value = raw if heredoc is not None else process_word(raw, escape).value
        words.append(_new_tuple(Arg, (raw, value, span(offset + start, offset + end), heredoc)))
    return words


def _read_arguments(instruction: Instruction) -> None:
    """Flags (``--mount=…``) and the exec (JSON) form."""
    text = instruction.text.text
    # Past the leading blanks; the usual one blank without a copy of the text.
    if text[:1] == " " and not text[1:2].isspace():
        offset = 1
    else:
        offset = len(text) - len(text.lstrip())
    if text[offset : offset + 2] == "--":  # the regex only where a flag can start
        flags = []
        while text[offset : offset + 2] == "--":
            match = _FLAG.match(text, offset)
            if not match:
                break
            flags.append(
                _new_tuple(Flag, (match.group(1), match.group(2), instruction.word_span(match.start(), match.end())))
            )
            offset = _BLANKS.match(text, match.end()).end()  # not text[offset:]: quadratic on many flags
        instruction.flags = tuple(flags)
    instruction.args_offset = offset
    # ``offset`` is past all blanks, so only an exec form starts with "[" right there (this
    # spares most instructions a copy of their arguments).
    if text[offset : offset + 1] == "[":
        args = text[offset:].strip()
        value = _plain_json_strings(args)
        if value is None:
            import json  # here: the usual exec form does without it (1 ms to import)

            try:
                value = json.loads(args)
            except (ValueError, RecursionError):  # deeply nested brackets are not an exec form either
                return
        if isinstance(value, list):
            if all(isinstance(item, str) for item in value):
                instruction.exec_form = value
            else:
                instruction.not_strings = True


_JSON_BLANKS = " \t\n\r"  # JSON's whitespace


def _plain_json_strings(args: str) -> list[str] | None:
    """``json.loads(args)`` for the usual exec form, a JSON array of strings without escapes
    or control characters (``["nginx", "-g", "daemon off;"]``); None for any other text, which
    json then reads."""
    if "\\" in args or not args.endswith("]"):
        return None
    parts = args[1:-1].split('"')  # separators and strings in turn
    if len(parts) % 2 == 0:
        return None
    if len(parts) == 1:
        return [] if not parts[0].strip(_JSON_BLANKS) else None
    if parts[0].strip(_JSON_BLANKS) or parts[-1].strip(_JSON_BLANKS):
        return None
    if any(parts[index].strip(_JSON_BLANKS) != "," for index in range(2, len(parts) - 1, 2)):
        return None
    values = parts[1::2]
    for value in values:
        if not value.isprintable() and any(character < " " for character in value):
            return None  # json refuses control characters in a string
    return values


# ---------------------------------------------------------------------------------------------
# Stages


def _build_stages(dockerfile: Dockerfile) -> list[Stage]:
    stages = dockerfile.stages  # filled in place: the ARG/ENV scopes read this list
    by_name: dict[str, Stage] = {}
    current: Stage | None = None
    # The SHELL in force (the previous instruction's), the current stage's index and list:
    # kept in locals, read for every instruction.
    shell = DEFAULT_SHELL
    stage_index = -1
    stage_instructions: list[Instruction] = []
    for instruction in dockerfile.instructions:
        keyword = instruction.keyword
        if keyword == "FROM":
            words = instruction.words
            image = words[0].raw if words else ""
            name = words[2].value if len(words) >= 3 and words[1].value.lower() == "as" else None
            if "$" in image:
                expanded = dockerfile.expand(instruction, image)
                resolved, unresolved = expanded.value, not expanded.known
            else:
                resolved, unresolved = (words[0].value if words else ""), False
            parent = by_name.get(resolved.lower())
            shell = parent.instructions[-1].shell if parent else _default_shell(resolved)
            current = Stage(len(stages), name, ImageRef.parse(resolved, unresolved), parent, [])
            stages.append(current)
            stage_index, stage_instructions = current.index, current.instructions
            if name:
                by_name[name.lower()] = current
            instruction.shell = shell
        elif current is not None:
            if keyword == "SHELL" and instruction.exec_form:
                shell = tuple(instruction.exec_form)
            instruction.shell = shell
        if current is not None:
            instruction.stage_index = stage_index
            stage_instructions.append(instruction)
        if instruction.trigger is not None:
            instruction.trigger.stage_index = instruction.stage_index
            instruction.trigger.shell = instruction.shell
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
        stages=[],
        escape=scanner.escape,
        warnings=warnings,
    )
    dockerfile.stages = _build_stages(dockerfile)
    dockerfile.problems = _problems(dockerfile)
    # A template shows itself by unknown instructions (`{% if … %}` lines) or a placeholder
    # in a FROM: only then is the text searched for placeholders.
    if dockerfile.problems or any(_has_mark(stage.from_instruction.raw) for stage in dockerfile.stages):
        template = _template_placeholder(dockerfile)
        if template is not None:
            # Not a Dockerfile yet: one error, and no rule reads the placeholders as instructions.
            line, column, placeholder = template
            dockerfile.template = True
            dockerfile.instructions = []
            dockerfile.stages = []
            dockerfile.problems = [Problem(
                line, column, f"looks like a template, not a Dockerfile (placeholder `{placeholder}`): "
                "lint the Dockerfile it generates",
            )]
    return dockerfile


def _has_mark(text: str) -> bool:
    return "{{" in text or "{%" in text or "%%" in text


def _template_placeholder(dockerfile: Dockerfile) -> tuple[int, int, str] | None:
    """Where a template shows itself: a line that starts with a placeholder, a placeholder
    in a FROM, or placeholders in a file that also has unknown instructions. A ``{{ … }}``
    elsewhere (``docker inspect --format '{{.Id}}'`` in a RUN) is ordinary text."""
    first = None
    template = False
    for instruction in dockerfile.instructions:
        if not template and instruction.keyword_text.startswith(_TEMPLATE_START):
            template = True
        if "{" not in instruction.raw and "%%" not in instruction.raw:
            continue
        match = _PLACEHOLDER().search(instruction.raw)
        if match is None:
            continue
        if first is None:
            before = instruction.raw[: match.start()]
            line = instruction.line + before.count("\n")
            column = match.start() - (before.rfind("\n") + 1) + 1
            first = (line, column, match.group(0))
        if instruction.keyword == "FROM" or instruction.keyword not in KEYWORDS:
            template = True
    if first is None and template:
        instruction = next(i for i in dockerfile.instructions if i.keyword_text.startswith(_TEMPLATE_START))
        first = (instruction.line, instruction.column, instruction.keyword_text)
    return first if template else None


# BuildKit refuses these instructions without arguments.
_NEEDS_ARGUMENTS = frozenset(
    "ARG ENV LABEL EXPOSE HEALTHCHECK ONBUILD SHELL VOLUME USER WORKDIR STOPSIGNAL MAINTAINER".split()
)
_EXACTLY_ONE = frozenset({"USER", "WORKDIR", "STOPSIGNAL", "MAINTAINER"})
_CHECKED_ARGUMENTS = _NEEDS_ARGUMENTS | {"ADD", "COPY"}


def _argument_problem(instruction: Instruction) -> str | None:
    """What BuildKit says about an instruction's arguments before building anything (the
    checks that are certain; values such as durations are not judged)."""
    keyword = instruction.keyword
    if instruction.not_strings:
        return "the exec form must be a JSON array of strings"
    if keyword == "SHELL" and instruction.exec_form is None:
        if instruction.args_offset >= len(instruction.text.text):
            return "SHELL requires at least one argument"
        return "SHELL requires the arguments to be in JSON form"
    if keyword in _NEEDS_ARGUMENTS and instruction.args_offset >= len(instruction.text.text):
        kind = "exactly one argument" if keyword in _EXACTLY_ONE else "at least one argument"
        return f"{keyword} requires {kind}"
    if keyword not in ("ADD", "COPY", "HEALTHCHECK", "ENV"):
        return None
    args = instruction.args
    if keyword in ("ADD", "COPY"):
        if len(args.split(None, 2)) < 2 and len(instruction.words) < 2:
            return (
                f"{keyword} requires at least two arguments, but only one was provided. "
                "Destination could not be determined"
            )
    elif keyword == "HEALTHCHECK":
        kind, _, rest = args.strip().partition(" ")
        if kind.upper() == "NONE":
            return "HEALTHCHECK NONE takes no arguments" if rest.strip() else None
        if kind.upper() != "CMD":
            return f'Unknown type "{kind}" in HEALTHCHECK (try CMD)'
        if not rest.strip():
            return "Missing command after HEALTHCHECK CMD"
    elif keyword == "ENV" and "=" not in args and len(args.split(None, 2)) == 1:
        return "ENV must have two arguments"
    return None




def _from_problems(instruction: Instruction) -> list[Problem]:
    """BuildKit's own checks of a FROM line (before any variable is expanded)."""
    words = instruction.words
    if len(words) == 3 and words[1].value.lower() == "as":
        name = words[2]
        if not _STAGE_NAME().fullmatch(name.value.lower()):
            return [Problem(
                name.span.line, name.span.column,
                f"invalid name for build stage: '{name.value}', name can't start with a number or contain symbols",
            )]
        return []
    if len(words) == 1:
        return []
    return [Problem(
        instruction.line, instruction.column,
        f"FROM requires either one or three arguments (`FROM image [AS name]`), not {len(words)}",
    )]


def _problems(dockerfile: Dockerfile) -> list[Problem]:
    problems = []
    seen_from = False
    has_from = any(i.keyword == "FROM" for i in dockerfile.instructions)  # else one error says it all
    checked = _CHECKED_ARGUMENTS
    for index, instruction in enumerate(dockerfile.instructions):
        keyword = instruction.keyword
        if keyword not in KEYWORDS:
            hint = ""
            previous = dockerfile.instructions[index - 1] if index else None
            # An indented word right under an instruction is usually a continued argument.
            if previous is not None and previous.end_line == instruction.line - 1 and instruction.column > 1:
                hint = f" (a missing `{dockerfile.escape}` at the end of line {previous.end_line}?)"
            problems.append(Problem(
                instruction.line, instruction.column, f"unknown instruction '{instruction.keyword_text}'{hint}"
            ))
            continue
        if keyword == "FROM":
            seen_from = True
            problems.extend(_from_problems(instruction))
            continue
        if keyword in checked or instruction.not_strings:
            message = _argument_problem(instruction)
            if message is not None:
                problems.append(Problem(instruction.line, instruction.column, message))
        trigger = instruction.trigger
        if trigger is not None and trigger.keyword in _NOT_TRIGGERS:
            problems.append(Problem(trigger.line, trigger.column, _NOT_TRIGGERS[trigger.keyword]))
        if not seen_from and keyword != "ARG" and has_from:
            problems.append(Problem(instruction.line, instruction.column, f"{keyword} before the first FROM"))
        # BuildKit refuses an unclosed heredoc; a file that ends inside a line continuation
        # it builds (the instruction just ends there), so that is no problem.
        if instruction.unterminated:
            heredocs = trigger.heredocs if trigger is not None else instruction.heredocs
            open_heredoc = next((h for h in heredocs if not h.terminated), None)
            if open_heredoc is not None:
                problems.append(Problem(
                    open_heredoc.marker.line, open_heredoc.marker.column,
                    f"heredoc <<{open_heredoc.delimiter} is never closed: no line "
                    f"'{open_heredoc.delimiter}' before the end of the file",
                ))
    if not seen_from:
        first = dockerfile.instructions[0] if dockerfile.instructions else None
        line, column = (first.line, first.column) if first else (1, 1)
        problems.append(Problem(line, column, "no FROM instruction: nothing to build"))
    return problems
