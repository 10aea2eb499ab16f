"""What the image archive told us, kept on disk by content digest so it is read only once.

A layer's file list depends only on its content, and its diff id (``sha256:`` of the
uncompressed layer tar, the image's ``RootFS.Layers``) names that content. So:

- ``layers/<hex>.json.z``: a layer's entries and apt ``InRelease`` dates, by diff id;
- ``images/<hex>.json``: an image's config history (the ``empty_layer`` flags that tie history
  entries to layers) and its layers' compressed sizes, by image id — itself the digest of the config;
- ``blobs/<hex>``: the diff id behind a compressed ``blobs/sha256/<hex>`` layer of the OCI
  layout (the containerd store's export), learned when it was first read; an uncompressed
  blob's digest is its diff id already. So a layer read from one store is known in the other;
- ``v1/<id>``: the diff id behind a ``<id>/layer.tar`` directory of the classic ``docker save``
  layout. Those ids are derived from the chain of layers beneath (only the top layer's also
  from the image config), so once learned they identify a layer before its bytes are read.

With all of an image's layers and its history cached, nothing is exported at all (a rebuild
that was entirely cached, a second look at the same image). When only some are, the export is
still streamed once (the engine offers nothing smaller) but the known layers are skipped
without parsing. Files are written atomically; an unreadable or foreign file is a miss.

Where: ``$DLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/dlint``, else ``~/.cache/dlint``.

Size: capped at ``$DLINT_CACHE_MAX_SIZE`` (default 300MB; ``0`` disables the cap). After a run
wrote to it, the least recently used entries go first (a hit refreshes an entry's mtime).
``dlint cache info`` shows where it is and how big; ``dlint cache clean`` empties it.
"""

from __future__ import annotations

import json
import os
import re
import zlib

FORMAT = 1  # bump when what is stored changes: older files are then misses
DEFAULT_MAX_SIZE = 300 * 1000**2
_KINDS = ("layers", "images", "blobs", "v1")
_DIGEST = re.compile(r"^sha256:([0-9a-f]{64})$")
_V1_ID = re.compile(r"^[0-9a-f]{64}$")


def default_directory() -> str:
    explicit = os.environ.get("DLINT_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "dlint")


def max_size() -> int:
    """The cap from ``$DLINT_CACHE_MAX_SIZE`` (``300MB``, ``1GB``, bytes; 0: no cap)."""
    text = os.environ.get("DLINT_CACHE_MAX_SIZE")
    if not text:
        return DEFAULT_MAX_SIZE
    from dlint.image.render import parse_size

    try:
        return max(0, parse_size(text))
    except ValueError:
        return DEFAULT_MAX_SIZE


def _hex(digest: str) -> str | None:
    match = _DIGEST.match(digest or "")
    return match.group(1) if match else None


class LayerCache:
    def __init__(self, directory: str | None = None) -> None:
        self.directory = directory or default_directory()

    # -- layers ------------------------------------------------------------------------------

    def _layer_path(self, diff_id: str) -> str | None:
        hexdigest = _hex(diff_id)
        return os.path.join(self.directory, "layers", hexdigest + ".json.z") if hexdigest else None

    def get_layer(self, diff_id: str):
        """(entries, apt_dates) or None. A hit is marked as recently used."""
        path = self._layer_path(diff_id)
        document = self._load(path, compressed=True)
        if not document or document.get("diff_id") != diff_id:
            return None
        try:
            os.utime(path)
        except OSError:
            pass
        try:
            entries = [(str(path), int(size), str(kind)) for path, size, kind in document["entries"]]
            dates = {str(k): str(v) for k, v in document["apt_dates"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return entries, dates

    def put_layer(self, diff_id: str, entries, apt_dates) -> None:
        path = self._layer_path(diff_id)
        if path:
            self._store(path, {"diff_id": diff_id, "entries": entries, "apt_dates": apt_dates}, compressed=True)

    # -- classic save layout: <v1 id>/layer.tar --------------------------------------------

    def diff_id_of_v1(self, v1_id: str) -> str | None:
        if not _V1_ID.match(v1_id):
            return None
        try:
            with open(os.path.join(self.directory, "v1", v1_id), encoding="ascii") as handle:
                value = handle.read().strip()
        except (OSError, UnicodeDecodeError):
            return None
        return value if _hex(value) else None

    def remember_v1(self, v1_id: str, diff_id: str) -> None:
        if _V1_ID.match(v1_id) and _hex(diff_id):
            self._write(os.path.join(self.directory, "v1", v1_id), diff_id.encode("ascii"))

    # -- OCI layout: blobs/sha256/<digest of the compressed layer> ----------------------------

    def diff_id_of_blob(self, digest: str) -> str | None:
        """The diff id of a compressed layer blob, learned when it was first read: a
        compressed blob's digest is not its diff id (that of the uncompressed tar)."""
        hexdigest = _hex(digest)
        if not hexdigest:
            return None
        try:
            with open(os.path.join(self.directory, "blobs", hexdigest), encoding="ascii") as handle:
                value = handle.read().strip()
        except (OSError, UnicodeDecodeError):
            return None
        return value if _hex(value) else None

    def remember_blob(self, digest: str, diff_id: str) -> None:
        hexdigest = _hex(digest)
        if hexdigest and _hex(diff_id):
            self._write(os.path.join(self.directory, "blobs", hexdigest), diff_id.encode("ascii"))

    # -- images --------------------------------------------------------------------------------

    def _image_path(self, image_id: str) -> str | None:
        hexdigest = _hex(image_id)
        return os.path.join(self.directory, "images", hexdigest + ".json") if hexdigest else None

    def get_history(self, image_id: str) -> list[dict] | None:
        document = self._load(self._image_path(image_id), compressed=False)
        history = document.get("history") if document else None
        return history if isinstance(history, list) and all(isinstance(h, dict) for h in history) else None

    def get_compressed(self, image_id: str) -> list | None:
        """The stored (compressed) size of each layer, None where the store keeps it plain."""
        document = self._load(self._image_path(image_id), compressed=False)
        sizes = document.get("compressed") if document else None
        if not isinstance(sizes, list) or not all(s is None or isinstance(s, int) for s in sizes):
            return None
        return sizes

    def put_history(self, image_id: str, history: list[dict], compressed: list | None = None) -> None:
        path = self._image_path(image_id)
        if path:
            self._store(path, {"image_id": image_id, "history": history, "compressed": compressed}, compressed=False)

    # -- size ----------------------------------------------------------------------------------

    def entries(self) -> list[tuple[str, int, float]]:
        """(path, bytes, mtime) of every file the cache holds."""
        found = []
        for kind in _KINDS:
            folder = os.path.join(self.directory, kind)
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            for name in names:
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                found.append((path, info.st_size, info.st_mtime))
        return found

    def size(self) -> int:
        return sum(size for _, size, _ in self.entries())

    def trim(self, limit: int | None = None) -> int:
        """Remove least recently used files until the cache holds at most ``limit`` bytes
        (default: :func:`max_size`; 0 means no cap). Returns the bytes removed."""
        limit = max_size() if limit is None else limit
        if not limit:
            return 0
        files = self.entries()
        total = sum(size for _, size, _ in files)
        removed = 0
        for path, size, _ in sorted(files, key=lambda f: f[2]):
            if total - removed <= limit:
                break
            try:
                os.unlink(path)
                removed += size
            except OSError:
                continue
        return removed

    def clean(self) -> tuple[int, int]:
        """Remove everything; (files, bytes) removed."""
        files = self.entries()
        count = size = 0
        for path, length, _ in files:
            try:
                os.unlink(path)
                count += 1
                size += length
            except OSError:
                continue
        return count, size

    # -- files -------------------------------------------------------------------------------

    def _load(self, path: str | None, compressed: bool) -> dict | None:
        if path is None:
            return None
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            document = json.loads(zlib.decompress(data) if compressed else data)
        except (OSError, ValueError, zlib.error):
            return None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            return None
        return document

    def _store(self, path: str, document: dict, compressed: bool) -> None:
        data = json.dumps({"format": FORMAT, **document}, separators=(",", ":")).encode("utf-8")
        self._write(path, zlib.compress(data, 1) if compressed else data)

    def _write(self, path: str, data: bytes) -> None:
        """Atomically, and silently not at all when the cache directory is not writable:
        the cache only saves time, it must never fail a build."""
        from dlint.files import write_atomically

        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_atomically(path, data, mode=0o600, durable=False)
        except OSError:
            pass
