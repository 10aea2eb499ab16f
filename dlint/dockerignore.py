"""`.dockerignore` as BuildKit reads it (moby/patternmatcher, on Linux).

The file (``ignorefile.ReadAll``): a UTF-8 BOM is dropped; a line starting with ``#`` is a
comment (only in the first column); every other line is trimmed, an empty one skipped; a
leading ``!`` makes an exception (it re-includes what earlier lines excluded); each pattern is
cleaned like a path (``a//b/./c/`` is ``a/b/c``, ``a/../b`` is ``b``) and a leading ``/`` is
dropped, so ``/foo`` and ``foo`` are the same.

A pattern (``patternmatcher.Pattern``): ``*`` is any run of characters but ``/``, ``?`` one
character but ``/``, ``[…]`` a character class, ``\\`` escapes the next character, ``**``
any number of folders (``**/x`` also matches ``x`` itself; ``x/**`` everything below ``x``).
A path is excluded when it or one of its parent folders matches the last pattern that
decides it (``MatchesOrParentMatches``): later lines win over earlier ones.

Where this differs from the Go code, it is on purpose and never reports more: an escape
before a letter is that letter (Go's regular expression would read ``\\d`` as a digit class).

Which file applies (``frontend/dockerui``): ``<Dockerfile name>.dockerignore`` next to the
Dockerfile when there is one (``Dockerfile.dockerignore``, ``app.Dockerfile.dockerignore``),
else ``.dockerignore`` at the root of the build context.
"""

from __future__ import annotations

import os
import posixpath
import re

DEFAULT_NAME = ".dockerignore"


class BadPattern(ValueError):
    """A pattern BuildKit refuses (the build fails reading the file)."""


def read_patterns(data: bytes) -> list[str]:
    """The patterns of a .dockerignore, as ``ignorefile.ReadAll`` returns them."""
    text = data.decode("utf-8", "replace")
    patterns = []
    for number, line in enumerate(text.splitlines()):
        if number == 0:
            line = line.removeprefix("\ufeff")
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append("!" + pattern if invert else pattern)
    return patterns


def clean(path: str) -> str:
    """Go's ``filepath.Clean`` on a slash path."""
    if not path:
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    joined = "/".join(parts)
    if rooted:
        return "/" + joined
    return joined or "."


_ESCAPED = frozenset(".+()|{}$")


class Pattern:
    """One pattern of a matcher: its cleaned text, whether it is an exception (``!``)."""

    __slots__ = ("text", "exclusion", "dirs", "_kind", "_regex")

    def __init__(self, text: str, exclusion: bool) -> None:
        self.text = text
        self.exclusion = exclusion
        self.dirs = text.split("/")
        self._kind, self._regex = _compile(text)

    def __repr__(self) -> str:
        return f"Pattern({'!' if self.exclusion else ''}{self.text})"

    def match(self, path: str) -> bool:
        kind = self._kind
        if kind == "exact":
            return path == self.text
        if kind == "prefix":
            return path.startswith(self.text[:-2])
        if kind == "suffix":
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        return self._regex.match(path) is not None


def _compile(pattern: str) -> tuple[str, "re.Pattern[str] | None"]:
    """(kind, regular expression) as ``Pattern.compile`` makes them: exact, prefix (``x/**``),
    suffix (``**/x``) or a regular expression."""
    out = ["^"]
    kind = "exact"
    index, length, step = 0, len(pattern), 0
    while index < length:
        char = pattern[index]
        index += 1
        if char == "*":
            if index < length and pattern[index] == "*":
                index += 1
                if index < length and pattern[index] == "/":
                    index += 1
                if index >= length:  # "**" at the end: everything
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        out.append(".*")
                        kind = "regex"
                else:
                    out.append("(.*/)?")
                    kind = "regex"
                if step == 0:
                    kind = "suffix"
            else:
                out.append("[^/]*")
                kind = "regex"
        elif char == "?":
            out.append("[^/]")
            kind = "regex"
        elif char in _ESCAPED:
            out.append("\\" + char)
        elif char == "\\":
            if index < length:
                out.append(re.escape(pattern[index]))
                index += 1
                kind = "regex"
            else:
                out.append("\\\\")
        elif char in "[]":
            out.append(char)
            kind = "regex"
        else:
            out.append(char)
        step += 1
    if kind != "regex":
        return kind, None
    try:
        return kind, re.compile("".join(out) + r"\Z")
    except re.error as error:
        raise BadPattern(f"bad pattern {pattern!r}: {error}") from None


class Matcher:
    """The patterns of one .dockerignore (``patternmatcher.New``)."""

    __slots__ = ("patterns",)

    def __init__(self, patterns: list[str]) -> None:
        self.patterns: list[Pattern] = []
        for text in patterns:
            text = text.strip()
            if not text:
                continue
            text = clean(text)
            exclusion = text.startswith("!")
            if exclusion:
                if len(text) == 1:
                    raise BadPattern('illegal exclusion pattern: "!"')
                text = text[1:]
            self.patterns.append(Pattern(text, exclusion))

    @classmethod
    def read(cls, data: bytes) -> "Matcher":
        return cls(read_patterns(data))

    @property
    def exclusions(self) -> bool:
        """Some pattern is an exception (``!``)."""
        return any(p.exclusion for p in self.patterns)

    def matches(self, path: str) -> bool:
        """``path`` (relative to the context, slash-separated) is excluded: it or a parent
        folder matches, and no later exception takes it back (``MatchesOrParentMatches``)."""
        return self.deciding(path) is not None

    def deciding(self, path: str) -> Pattern | None:
        """The pattern that excludes ``path`` (the last one that matched), or None when the
        path is in the context."""
        path = clean(path)
        parent = posixpath.dirname(path) or "."
        parents = parent.split("/")
        matched = False
        deciding = None
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            match = pattern.match(path)
            if not match and parent != ".":
                for index in range(len(parents)):
                    if pattern.match("/".join(parents[: index + 1])):
                        match = True
                        break
            if match:
                matched = not pattern.exclusion
                deciding = pattern if matched else None
        return deciding

    def may_keep_below(self, path: str) -> bool:
        """An exception could take back something inside the folder ``path`` (``dir`` then
        ``!dir/keep``): then an excluded folder may still reach the build with some files."""
        parts = clean(path).split("/")
        for pattern in self.patterns:
            if not pattern.exclusion:
                continue
            if "**" in pattern.text:
                return True
            dirs = pattern.dirs
            if len(dirs) > len(parts) and all(_component_matches(d, p) for d, p in zip(dirs, parts)):
                return True
        return False

    def excludes_everything(self) -> bool:
        """A pattern that excludes every entry of the context root (``*``, ``**``, ``**/*``):
        BuildKit's test before it warns about ``COPY .``."""
        return any(not p.exclusion and p.text in ("*", "**", "**/*") for p in self.patterns)


def _component_matches(pattern: str, name: str) -> bool:
    try:
        return Pattern(pattern, False).match(name)
    except BadPattern:
        return True


def ignore_file(dockerfile: str | None, context: str | None, isfile=os.path.isfile) -> str | None:
    """The .dockerignore that applies: ``<Dockerfile>.dockerignore`` next to the Dockerfile,
    else the context's ``.dockerignore``; None when there is neither. ``isfile``: how to ask
    (``build_context.FileSystem.isfile`` answers from a listing of the folder)."""
    candidates = []
    if dockerfile:
        candidates.append(dockerfile + DEFAULT_NAME)
    if context is not None:
        candidates.append(os.path.join(context, DEFAULT_NAME))
    for candidate in candidates:
        if isfile(candidate):
            return candidate
    return None
