"""What a lint run asks the file system about build contexts, asked once per folder (see
:class:`FileSystem`)."""

from __future__ import annotations

import os

_UNREAD = object()
_UNKNOWN = object()  # a name the listing cannot answer for (see FileSystem._entry)
# A folder is listed once this many questions were asked about it (a listing costs about as
# much as three or four single questions: a Dockerfile's folder asked only whether it holds a
# .dockerignore is not listed). One with more entries than _MAX_LISTED is never listed.
_LIST_AFTER = 4
_MAX_LISTED = 4096


class FileSystem:
    """The folders a lint run has looked at, each listed once (``os.scandir``) when asked about
    more than a few times, answering ``os.path.isfile``/``isdir``/``lexists`` for their entries,
    and which .dockerignore lies above a build context. Files in one folder share a build context and the folders above it,
    and a dozen questions about one folder used to be a dozen system calls for each file.
    A run is short: what it saw of the folders stays true for it (the lint session keeps one
    per ``Settings``; a ``BuildContext`` made without one gets its own)."""

    __slots__ = ("_listings", "_asked", "_above")

    def __init__(self) -> None:
        self._listings: dict[str, tuple | None] = {}  # folder -> (name -> DirEntry, lower-cased names)
        self._asked: dict[str, int] = {}  # folder not listed yet -> questions asked about it
        self._above: dict[str, str | None] = {}  # absolute folder -> ignore_file_above's answer

    def _listing(self, folder: str) -> tuple | None:
        """The folder's listing; None while it is not listed (or cannot be)."""
        listing = self._listings.get(folder, _UNREAD)
        if listing is _UNREAD:
            asked = self._asked.get(folder, 0) + 1
            if asked < _LIST_AFTER:
                self._asked[folder] = asked
                return None
            listing = None
            try:
                with os.scandir(folder) as entries:
                    found = {}
                    for entry in entries:
                        if len(found) == _MAX_LISTED:
                            break
                        found[entry.name] = entry
                    else:
                        listing = (found, frozenset(name.lower() for name in found))
            except (OSError, ValueError):
                pass  # not a folder, unreadable …: asked about name by name
            self._listings[folder] = listing
        return listing  # type: ignore[return-value]

    def _entry(self, path: str):
        """The DirEntry of ``path``, None when there is none, or _UNKNOWN when the listing of its
        folder cannot say: unlisted, or a name that a case-insensitive or Unicode-normalizing
        file system (macOS, Windows) might find under another spelling."""
        folder, name = os.path.split(path)
        return self._entry_in(folder, name)

    def _entry_in(self, folder: str, name: str):
        """``_entry`` of ``name`` in ``folder`` (as ``os.path.split`` names them)."""
        listing = self._listing(folder or ".")
        if listing is None or not name:
            return _UNKNOWN
        entries, lowered = listing
        entry = entries.get(name)
        if entry is None and (name.lower() in lowered or not name.isascii()):
            return _UNKNOWN
        return entry

    def isfile(self, path: str) -> bool:
        entry = self._entry(path)
        if entry is _UNKNOWN:
            return os.path.isfile(path)
        return entry is not None and entry.is_file()  # follows a link, as os.path.isfile does

    def lexists(self, path: str) -> bool:
        entry = self._entry(path)
        if entry is _UNKNOWN:
            return os.path.lexists(path)
        return entry is not None

    def lexists_in(self, folder: str, name: str) -> bool:
        """``lexists(os.path.join(folder, name))`` for a ``folder`` as ``os.path.split`` gives it
        and a ``name`` without a slash, without joining and splitting the path again (a build
        context is asked about some fifteen names)."""
        entry = self._entry_in(folder, name)
        if entry is _UNKNOWN:
            return os.path.lexists(os.path.join(folder, name))
        return entry is not None

    def isdir(self, folder: str) -> bool:
        if self._listings.get(folder) is not None:
            return True  # os.scandir lists only a folder (or a link to one)
        return os.path.isdir(folder)

    def ignore_file_above(self, folder: str) -> str | None:
        """A .dockerignore in a folder above ``folder`` (absolute), up to the repository's root
        (the folder holding .git); None when there is none."""
        found = self._above.get(folder, _UNREAD)
        if found is _UNREAD:
            found = None
            if not self.lexists(os.path.join(folder, ".git")):
                parent = os.path.dirname(folder)
                if parent != folder:
                    candidate = os.path.join(parent, ".dockerignore")
                    found = candidate if self.isfile(candidate) else self.ignore_file_above(parent)
            self._above[folder] = found
        return found  # type: ignore[return-value]
