"""Reading an image archive once, as a stream: ``client.api.get_image`` → outer tar → each layer
tar's headers (:mod:`dlint.image.tarstream`). Nothing is written to disk and file contents are
skipped, except the few bytes of apt ``InRelease`` files (their ``Date:`` is the package
index's real age). Layers already in the :class:`~dlint.image.layer_cache.LayerCache` are not
parsed again, and an image whose layers and history are all there is not exported at all."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field

from dlint.image.tarstream import DIRECTORY, HARDLINK, REGULAR, SPARSE, SYMLINK, Source, TarFormatError, members

# Entry kinds
FILE, DIR, SYMLINK_KIND, HARDLINK_KIND, OTHER, WHITEOUT, OPAQUE = "file", "dir", "symlink", "hardlink", "other", "whiteout", "opaque"
WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
_DATE = re.compile(rb"^Date:\s*(.+?)\s*$", re.M)


@dataclass
class LayerFiles:
    name: str  # member name in the archive (e.g. ``<id>/layer.tar``)
    entries: list[tuple[str, int, str]] = field(default_factory=list)  # (path, size, kind)
    apt_dates: dict[str, str] = field(default_factory=dict)  # InRelease path -> its Date:

    @property
    def size(self) -> int:
        return sum(size for _, size, kind in self.entries if kind == FILE)


@dataclass
class ImageArchive:
    layers: list[LayerFiles]  # in RootFS order
    history: list[dict]  # the config's history, oldest first (with ``empty_layer``)
    layers_read: int = 0  # layers parsed from the exported archive
    layers_cached: int = 0  # layers taken from the layer cache
    exported: bool = True  # False: everything came from the cache, no export


class CacheMismatch(Exception):
    """A layer skipped as known turned out to sit where the image has another one."""


class _ChunkReader(io.RawIOBase):
    """A file object over an iterator of byte chunks (the SDK's streamed response)."""

    def __init__(self, chunks) -> None:
        self._chunks = iter(chunks)
        self._pending = memoryview(b"")  # a view: no copy of the rest of a 2 MB chunk per read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not len(self._pending):
            try:
                self._pending = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _normalise(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return "/" + name.strip("/")


def read_layer(source: Source, name: str) -> LayerFiles:
    layer = LayerFiles(name)
    append = layer.entries.append
    for member in members(source):
        path = _normalise(member.name)
        if path == "/":
            continue
        directory, _, base = path.rpartition("/")
        kind = member.type
        if base.startswith(WHITEOUT_PREFIX):
            if base == OPAQUE_MARKER:
                append((directory or "/", 0, OPAQUE))
            else:
                append((f"{directory}/{base[len(WHITEOUT_PREFIX):]}", 0, WHITEOUT))
        elif kind == REGULAR:
            append((path, member.size, FILE))
            if path.startswith("/var/lib/apt/lists/") and path.endswith("InRelease"):
                match = _DATE.search(source.read(min(member.data, 65536)))
                if match:
                    layer.apt_dates[path] = match.group(1).decode("ascii", "replace")
        elif kind == SPARSE:
            append((path, member.size, FILE))
        elif kind == DIRECTORY:
            append((path, 0, DIR))
        elif kind == SYMLINK:
            append((path, 0, SYMLINK_KIND))
        elif kind == HARDLINK:
            append((path, 0, HARDLINK_KIND))
        else:
            append((path, 0, OTHER))
    source.drain()
    return layer


class _Prefixed(io.RawIOBase):
    """``head`` (already read, to look at) followed by the rest of ``source``."""

    def __init__(self, head: bytes, source: Source) -> None:
        self._head = memoryview(head)
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if len(self._head):
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        return self._source.readinto(buffer)


def _known_layer(cache, diff_id: str | None, diff_ids: list[str]):
    """(diff id, cached entries) when the cache can stand in for reading this layer. A
    damaged or unreadable entry is not known: the layer is read, and its entry rewritten."""
    if not diff_id or diff_id not in diff_ids:
        return None
    found = cache.get_layer(diff_id)
    return (diff_id, found) if found is not None else None


_BLOB = re.compile(r"^blobs/sha256/([0-9a-f]{64})$")


def read_image(api, image_id: str, diff_ids: list[str] | None = None, cache=None) -> ImageArchive:
    """The image's layers' headers in order, and its config history.

    ``diff_ids`` (the image's ``RootFS.Layers``) lets ``cache`` (a
    :class:`~dlint.image.layer_cache.LayerCache`) serve known layers."""
    diff_ids = list(diff_ids or [])
    if cache is not None and diff_ids:
        history = cache.get_history(image_id)
        cached = [cache.get_layer(d) for d in diff_ids] if history is not None else []
        if cached and all(item is not None for item in cached):
            layers = [LayerFiles(f"sha256:{d}", entries, dates) for d, (entries, dates) in zip(diff_ids, cached)]
            return ImageArchive(layers, history, 0, len(layers), exported=False)
    try:
        return _read_export(api, image_id, diff_ids, cache)
    except CacheMismatch:  # read everything again, and put right what the cache holds
        return _read_export(api, image_id, diff_ids, cache, skip_known=False)


def _read_export(api, image_id: str, diff_ids: list[str], cache, skip_known: bool = True) -> ImageArchive:
    """Stream ``docker save`` of one image (20.10's ``<id>/layer.tar`` layout and the OCI
    ``blobs/sha256/…`` layout of newer engines)."""
    layers: dict[str, LayerFiles] = {}
    skipped: dict[str, tuple[str, tuple]] = {}  # member name -> (diff id, cached entries)
    skipping = cache is not None and skip_known  # layers the cache knows go by unparsed
    manifest = None
    configs: dict[str, dict] = {}
    reader = io.BufferedReader(_ChunkReader(api.get_image(image_id, chunk_size=1 << 20)), buffer_size=1 << 20)
    source = Source(reader)
    for member in members(source):
        if not member.is_file:
            continue
        name = member.name
        if name == "manifest.json":
            manifest = json.loads(source.read(member.data))
        elif name.endswith("/layer.tar"):
            known = _known_layer(cache, cache.diff_id_of_v1(name.split("/", 1)[0]), diff_ids) if skipping else None
            if known:
                skipped[name] = known
                continue
            layers[name] = read_layer(Source(source, member.data), name)
        elif name.endswith(".json") and "/" not in name:
            configs[name] = json.loads(source.read(member.data))
        elif _BLOB.match(name):
            known = _known_layer(cache, "sha256:" + name.rsplit("/", 1)[-1], diff_ids) if skipping else None
            if known:
                skipped[name] = known
                continue
            # A blob is a layer tar or a JSON document (config, manifest); JSON starts with "{".
            head = source.read(min(member.data, 512))
            if head[:1] == b"{" and member.data < (16 << 20):
                try:
                    configs[name] = json.loads(head + source.read(member.data - len(head)))
                except ValueError:
                    pass
            else:
                try:
                    inner = Source(_Prefixed(head, Source(source, member.data - len(head))), member.data)
                    layers[name] = read_layer(inner, name)
                except TarFormatError:
                    pass
    if not manifest:
        raise ValueError("the image archive has no manifest.json")
    entry = manifest[0]
    names = entry.get("Layers", [])
    config = configs.get(entry.get("Config", ""), {})
    history = config.get("history", [])
    positions = list(zip(names, diff_ids)) if len(diff_ids) == len(names) else []
    ordered, read, reused = [], 0, 0
    for index, name in enumerate(names):
        diff_id = positions[index][1] if positions else None
        if name in skipped:
            known_as, found = skipped[name]
            if known_as != diff_id:
                raise CacheMismatch(name)
            ordered.append(LayerFiles(name, *found))
            reused += 1
            continue
        layer = layers.get(name, LayerFiles(name))
        ordered.append(layer)
        read += 1
        if cache is not None and diff_id and name in layers:
            cache.put_layer(diff_id, layer.entries, layer.apt_dates)
            if name.endswith("/layer.tar"):
                cache.remember_v1(name.split("/", 1)[0], diff_id)
    if cache is not None and positions and config:
        cache.put_history(image_id, history)
    return ImageArchive(ordered, history, read, reused)
