"""The build context as far as a lint can see it: the folder the image is built from
(``dlint lint --context DIR``, else the Dockerfile's folder, as ``docker build -f`` users
mostly run it) and the .dockerignore that applies to it, read on first use.

Only rules about COPY/ADD ask for it (through ``LintContext.build_context``), so a file
without such instructions costs no file-system call. What it asks the file system goes through
a :class:`dlint.file_system.FileSystem`, a memo the lint run keeps (``Settings.file_system``):
each folder is listed once per run, however many Dockerfiles share it or sit below it.
"""

from __future__ import annotations

import os

from dlint.dockerignore import BadPattern, Matcher, ignore_file
from dlint.file_system import FileSystem

_UNREAD = object()


class BuildContext:
    __slots__ = ("root", "dockerfile", "given", "_ignore_file", "_matcher", "error", "_fs", "_folder")

    def __init__(self, root: str, dockerfile: str | None, given: bool, fs: FileSystem | None = None) -> None:
        self.root = root  # the context folder, as given or as the Dockerfile's path names it
        self.dockerfile = dockerfile  # the Dockerfile on disk (None: standard input)
        self.given = given  # named by --context (else the Dockerfile's folder is assumed)
        self._ignore_file = _UNREAD
        self._matcher = _UNREAD
        self.error: str | None = None  # the .dockerignore could not be read or has a bad pattern
        self._fs = fs or FileSystem()
        self._folder: str | None = None  # the root as os.path.split names it (``has``), on first use

    @classmethod
    def of(cls, path: str, given: str | None, fs: FileSystem | None = None) -> "BuildContext | None":
        """The context of the Dockerfile at ``path`` (``-``: standard input); None when
        there is no folder to look at. ``fs``: the run's memo of the file system."""
        fs = fs or FileSystem()
        dockerfile = path if path != "-" and fs.isfile(path) else None
        if given is not None:
            return cls(given, dockerfile, True, fs) if fs.isdir(given) else None
        if dockerfile is not None:  # the folder of a file: a folder (no need to ask)
            return cls(os.path.dirname(dockerfile) or ".", dockerfile, False, fs)
        return None

    @property
    def ignore_file(self) -> str | None:
        """``<Dockerfile>.dockerignore`` next to the Dockerfile, else the context's
        ``.dockerignore``; None when there is neither."""
        if self._ignore_file is _UNREAD:
            self._ignore_file = ignore_file(self.dockerfile, self.root, self._fs.isfile)
        return self._ignore_file  # type: ignore[return-value]

    @property
    def matcher(self) -> Matcher | None:
        """The patterns of the .dockerignore (None without one, or when it cannot be read:
        then ``error`` says why)."""
        if self._matcher is _UNREAD:
            self._matcher = None
            path = self.ignore_file
            if path is not None:
                try:
                    with open(path, "rb") as handle:
                        self._matcher = Matcher.read(handle.read(1 << 20))
                except (OSError, BadPattern) as error:
                    self.error = f"{path}: {getattr(error, 'strerror', None) or error}"
        return self._matcher  # type: ignore[return-value]

    def has(self, name: str) -> bool:
        """An entry of that name at the root of the context (a file, folder or link)."""
        if "/" in name:
            return self._fs.lexists(os.path.join(self.root, name))
        folder = self._folder
        if folder is None:
            folder = self._folder = os.path.split(os.path.join(self.root, "_"))[0]
        return self._fs.lexists_in(folder, name)

    def ignore_file_above(self) -> str | None:
        """A .dockerignore in a folder above the assumed context, up to the repository's root
        (the folder holding .git): a sign that builds run from there. None when the context
        was named with --context."""
        if self.given:
            return None
        return self._fs.ignore_file_above(os.path.abspath(self.root))
