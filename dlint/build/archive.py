"""Reading an image archive once, as a stream: ``client.api.get_image`` → outer tar → each layer
tar's headers. Nothing is written to disk and file contents are skipped, except the few bytes
of apt ``InRelease`` files (their ``Date:`` is the package index's real age)."""

from __future__ import annotations

import io
import json
import re
import tarfile
from dataclasses import dataclass, field

# Entry kinds
FILE, DIR, SYMLINK, HARDLINK, OTHER, WHITEOUT, OPAQUE = "file", "dir", "symlink", "hardlink", "other", "whiteout", "opaque"
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


def read_layer(fileobj, name: str) -> LayerFiles:
    layer = LayerFiles(name)
    with tarfile.open(fileobj=fileobj, mode="r|") as tar:
        for member in tar:
            path = _normalise(member.name)
            if path == "/":
                continue
            directory, _, base = path.rpartition("/")
            if base == OPAQUE_MARKER:
                layer.entries.append((directory or "/", 0, OPAQUE))
            elif base.startswith(WHITEOUT_PREFIX):
                layer.entries.append((f"{directory}/{base[len(WHITEOUT_PREFIX):]}", 0, WHITEOUT))
            elif member.isdir():
                layer.entries.append((path, 0, DIR))
            elif member.issym():
                layer.entries.append((path, 0, SYMLINK))
            elif member.islnk():
                layer.entries.append((path, 0, HARDLINK))
            elif member.isreg():
                layer.entries.append((path, member.size, FILE))
                if path.startswith("/var/lib/apt/lists/") and path.endswith("InRelease"):
                    head = tar.extractfile(member).read(65536)
                    match = _DATE.search(head)
                    if match:
                        layer.apt_dates[path] = match.group(1).decode("ascii", "replace")
            else:
                layer.entries.append((path, 0, OTHER))
    return layer


def read_image(api, image_id: str) -> ImageArchive:
    """Stream ``docker save`` of one image (20.10's ``<id>/layer.tar`` layout and the OCI
    ``blobs/sha256/…`` layout of newer engines) and return its layers' headers in order."""
    layers: dict[str, LayerFiles] = {}
    manifest = None
    configs: dict[str, dict] = {}
    reader = io.BufferedReader(_ChunkReader(api.get_image(image_id)), buffer_size=1 << 20)
    with tarfile.open(fileobj=reader, mode="r|") as outer:
        for member in outer:
            if not member.isreg():
                continue
            name = member.name
            handle = outer.extractfile(member)
            if name == "manifest.json":
                manifest = json.loads(handle.read())
            elif name.endswith("/layer.tar"):
                layers[name] = read_layer(handle, name)
            elif name.endswith(".json") and "/" not in name:
                configs[name] = json.loads(handle.read())
            elif name.startswith("blobs/"):
                # OCI layout: a blob is a layer tar or a JSON document; JSON starts with "{".
                peek = io.BufferedReader(handle, buffer_size=1 << 16)
                if peek.peek(1)[:1] == b"{" and member.size < (16 << 20):
                    try:
                        configs[name] = json.loads(peek.read())
                    except ValueError:
                        pass
                else:
                    try:
                        layers[name] = read_layer(peek, name)
                    except tarfile.TarError:
                        pass
    if not manifest:
        raise ValueError("the image archive has no manifest.json")
    entry = manifest[0]
    ordered = [layers.get(name, LayerFiles(name)) for name in entry.get("Layers", [])]
    config = configs.get(entry.get("Config", ""), {})
    return ImageArchive(ordered, config.get("history", []))
