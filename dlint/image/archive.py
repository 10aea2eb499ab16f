"""Reading an image archive once, as a stream: ``client.api.get_image`` → outer tar → each layer
tar's headers (:mod:`dlint.image.tarstream`). Nothing is written to disk and file contents are
skipped, except the few bytes of apt ``InRelease`` files (their ``Date:`` is the package
index's real age). Layers already in the :class:`~dlint.image.layer_cache.LayerCache` are not
parsed again, and an image whose layers and history are all there is not exported at all."""

from __future__ import annotations

import io
import json
import posixpath
import re
import zlib
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
    compressed: int | None = None  # the stored (pushed) size, when the store keeps it compressed
    error: str | None = None  # why the blob could not be read (an error if the image uses it)

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
    diff_ids: list[str] = field(default_factory=list)  # per layer, when known


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
    """One layer tar's entries (headers only; ``source`` holds exactly that tar)."""
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
_PODMAN_LAYER = re.compile(r"^[0-9a-f]{64}\.tar$")
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_ATTESTATION = "attestation-manifest"
_INDEX_TYPES = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")


class ArchiveError(ValueError):
    """The export is not in a format dlint can read (exit 2, never a report of zeros)."""


class _Gunzip(io.RawIOBase):
    """Stream-decompress gzip members (concatenated members too) from a file object."""

    def __init__(self, raw) -> None:
        self._raw = raw
        self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._out = memoryview(b"")
        self._chunk = bytearray(1 << 18)
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not len(self._out):
            if self._eof:
                return 0
            if self._zlib.unconsumed_tail:
                data = self._zlib.unconsumed_tail
            else:
                count = self._raw.readinto(self._chunk)
                if not count:
                    self._eof = True
                    if not self._zlib.eof:
                        raise ArchiveError("a gzip layer ends before its compressed stream does (truncated)")
                    try:
                        self._out = memoryview(self._zlib.flush())
                    except zlib.error as error:
                        raise ArchiveError(f"damaged gzip layer: {error}") from None
                    continue
                data = bytes(self._chunk[:count])
                if self._zlib.eof:  # a further gzip member
                    rest = self._zlib.unused_data + data
                    self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    data = rest
            try:
                self._out = memoryview(self._zlib.decompress(data, 1 << 20))
            except zlib.error as error:
                raise ArchiveError(f"damaged gzip layer: {error}") from None
        size = min(len(buffer), len(self._out))
        buffer[:size] = self._out[:size]
        self._out = self._out[size:]
        return size


def _unzstd(raw):
    """A zstd stream reader. ``zstandard`` is imported here only: most exports have no zstd
    layer, and ``dlint lint`` must not pay for the import."""
    try:
        from compression import zstd  # Python 3.14

        return zstd.ZstdFile(raw, "rb")
    except ImportError:
        pass
    try:
        import zstandard
    except ImportError:
        raise ArchiveError("a layer is zstd-compressed and the zstandard module is missing: pip install zstandard") from None
    return zstandard.ZstdDecompressor().stream_reader(raw, read_size=1 << 18, read_across_frames=True)


class _Readinto(io.RawIOBase):
    """``readinto`` over an object that only has ``read`` (zstandard's reader)."""

    def __init__(self, reader) -> None:
        self._reader = reader

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._reader.read(len(buffer))
        except Exception as error:  # zstandard.ZstdError
            raise ArchiveError(f"damaged zstd layer: {error}") from None
        buffer[: len(data)] = data
        return len(data)


def read_layer_blob(source: Source, name: str, size: int, head: bytes) -> LayerFiles:
    """A layer blob of ``size`` bytes whose first bytes ``head`` were already read: a tar,
    or a gzip or zstd compressed tar (decompressed as a stream, never written to disk)."""
    rest = Source(source, size - len(head))
    raw = _Prefixed(head, rest)
    try:
        if head.startswith(_GZIP_MAGIC):
            layer = read_layer(Source(_Gunzip(raw)), name)
        elif head.startswith(_ZSTD_MAGIC):
            layer = read_layer(Source(_Readinto(_unzstd(raw))), name)
        else:
            layer = read_layer(Source(raw, size), name)
    except TarFormatError as error:
        raise ArchiveError(f"layer {name} is neither a tar nor a gzip or zstd compressed tar ({error})") from None
    rest.drain()  # the compressed stream's end (after the tar's end blocks)
    return layer


@dataclass
class _Candidate:
    config: str  # member name of the config
    layers: list[str]  # member names of the layer blobs, bottom first
    compressed: list[int | None] = field(default_factory=list)  # stored size per layer, when compressed
    platform: str = ""


def _blob(digest: str) -> str:
    return "blobs/sha256/" + digest.split(":", 1)[-1]


_COMPRESSED_TYPES = ("gzip", "zstd")


def _candidates(manifest, documents: dict[str, dict]) -> list[_Candidate]:
    """Every image the export holds: from ``index.json`` (OCI layout, nested indexes followed,
    attestation manifests skipped), then from ``manifest.json`` (both layouts)."""
    found: list[_Candidate] = []
    index = documents.get("index.json")

    def visit(descriptor: dict, depth: int) -> None:
        if depth > 4 or not isinstance(descriptor, dict):
            return
        annotations = descriptor.get("annotations") or {}
        if annotations.get("vnd.docker.reference.type") == _ATTESTATION:
            return
        platform = descriptor.get("platform") or {}
        if platform.get("os") == "unknown" or platform.get("architecture") == "unknown":
            return  # BuildKit's attestations are also marked unknown/unknown
        document = documents.get(_blob(descriptor.get("digest", "")))
        if not isinstance(document, dict):
            return
        if descriptor.get("mediaType") in _INDEX_TYPES or "manifests" in document:
            for child in document.get("manifests") or []:
                visit(child, depth + 1)
            return
        config = (document.get("config") or {}).get("digest")
        layers = document.get("layers")
        if not config or not isinstance(layers, list):
            return
        compressed = [
            layer.get("size") if any(k in str(layer.get("mediaType", "")) for k in _COMPRESSED_TYPES) else None
            for layer in layers
        ]
        where = "/".join(filter(None, [platform.get("os"), platform.get("architecture"), platform.get("variant")]))
        found.append(_Candidate(_blob(config), [_blob(layer.get("digest", "")) for layer in layers], compressed, where))

    if isinstance(index, dict):
        for descriptor in index.get("manifests") or []:
            visit(descriptor, 0)
    for entry in manifest if isinstance(manifest, list) else []:
        if not isinstance(entry, dict) or not entry.get("Config"):
            continue
        layers = list(entry.get("Layers") or [])
        if any(c.config == entry["Config"] and c.layers == layers for c in found):
            continue
        found.append(_Candidate(entry["Config"], layers, [None] * len(layers)))
    return found


def _diff_ids_of(config: dict) -> list[str]:
    rootfs = config.get("rootfs") if isinstance(config, dict) else None
    ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    return [str(d) for d in ids] if isinstance(ids, list) else []


def _choose(candidates: list[_Candidate], documents: dict, diff_ids: list[str], platform: str | None) -> _Candidate:
    if not candidates:
        raise ArchiveError("the image archive has neither a manifest.json nor an OCI index.json that names an image")
    if diff_ids:  # the image the engine describes: its layers are the config's diff ids
        for candidate in candidates:
            if _diff_ids_of(documents.get(candidate.config, {})) == diff_ids:
                return candidate
    if platform:
        for candidate in candidates:
            if candidate.platform == platform or candidate.platform.startswith(platform + "/"):
                return candidate
        known = ", ".join(c.platform or "?" for c in candidates)
        raise ArchiveError(f"the archive has no image for platform {platform} (it has {known})")
    return candidates[0]


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
            compressed = cache.get_compressed(image_id)
            if compressed is not None and len(compressed) == len(layers):
                for layer, size in zip(layers, compressed):
                    layer.compressed = size
            return ImageArchive(layers, history, 0, len(layers), exported=False, diff_ids=diff_ids)

    def export():
        return io.BufferedReader(_ChunkReader(api.get_image(image_id, chunk_size=1 << 20)), buffer_size=1 << 20)

    try:
        return read_export(export(), image_id, diff_ids, cache)
    except CacheMismatch:  # read everything again, and put right what the cache holds
        return read_export(export(), image_id, diff_ids, cache, skip_known=False)


def read_export(fileobj, image_id: str | None = None, diff_ids: list[str] | None = None, cache=None,
                skip_known: bool = True, platform: str | None = None) -> ImageArchive:
    """Read a ``docker save`` stream: 20.10's ``<id>/layer.tar`` layout and the OCI layout
    (``index.json``, ``blobs/sha256/…``) of Docker 25 and later, layers plain or gzip/zstd
    compressed. ``diff_ids`` (the engine's ``RootFS.Layers``) picks the image when the archive
    holds several (platforms), else ``platform`` (``linux/arm64``), else the first one."""
    diff_ids = list(diff_ids or [])
    layers: dict[str, LayerFiles] = {}
    skipped: dict[str, tuple[str, tuple]] = {}  # member name -> (diff id, cached entries)
    skipping = cache is not None and skip_known  # layers the cache knows go by unparsed
    manifest = None
    documents: dict[str, dict] = {}
    links: dict[str, str] = {}  # a member that is a symlink to another (shared layers)
    source = Source(fileobj)
    try:
        for member in members(source):
            name = member.name
            while name.startswith("./"):
                name = name[2:]
            if member.type == SYMLINK and (name.endswith("/layer.tar") or _BLOB.match(name)):
                links[name] = posixpath.normpath(posixpath.join(posixpath.dirname(name), member.linkname))
                continue
            if not member.is_file:
                continue
            if name == "manifest.json":
                manifest = json.loads(source.read(member.data))
            elif name.endswith("/layer.tar"):
                known = _known_layer(cache, cache.diff_id_of_v1(name.split("/", 1)[0]), diff_ids) if skipping else None
                if known:
                    skipped[name] = known
                    continue
                layers[name] = read_layer(Source(source, member.data), name)
            elif _PODMAN_LAYER.match(name):  # Podman's docker-archive: <diff id hex>.tar at the top
                known = _known_layer(cache, "sha256:" + name[:-4], diff_ids) if skipping else None
                if known:
                    skipped[name] = known
                    continue
                head = source.read(min(member.data, 512))
                layers[name] = read_layer_blob(source, name, member.data, head)
            elif name.endswith(".json") and "/" not in name:
                documents[name] = json.loads(source.read(member.data))
            elif _BLOB.match(name):
                digest = "sha256:" + name.rsplit("/", 1)[-1]
                if skipping:
                    known = _known_layer(cache, digest, diff_ids) or _known_layer(cache, cache.diff_id_of_blob(digest), diff_ids)
                    if known:
                        skipped[name] = known
                        continue
                # A blob is a layer (tar, compressed or not) or a JSON document (config, manifest,
                # index). JSON starts with "{" (after white space); a tar or compressed tar never does.
                head = source.read(min(member.data, 512))
                if head.lstrip()[:1] == b"{" and member.data < (16 << 20):
                    try:
                        documents[name] = json.loads(head + source.read(member.data - len(head)))
                    except ValueError:
                        pass
                    continue
                try:
                    layers[name] = read_layer_blob(source, name, member.data, head)
                except ArchiveError as error:
                    layers[name] = LayerFiles(name, error=str(error))
    except TarFormatError as error:
        raise ArchiveError(f"the image export is not a readable tar archive ({error})") from None
    except (ValueError, UnicodeDecodeError) as error:
        if isinstance(error, ArchiveError):
            raise
        raise ArchiveError(f"the image export has a damaged JSON document ({error})") from None

    candidate = _choose(_candidates(manifest, documents), documents, diff_ids, platform)
    config = documents.get(candidate.config)
    if not isinstance(config, dict):
        raise ArchiveError(f"the image archive lacks its config {candidate.config}")
    history = config.get("history", [])
    config_ids = _diff_ids_of(config)
    ids = diff_ids if len(diff_ids) == len(candidate.layers) else (
        config_ids if len(config_ids) == len(candidate.layers) else [])
    ordered, read, reused = [], 0, 0
    for index, name in enumerate(candidate.layers):
        seen = set()
        while name in links and name not in seen:  # a layer stored once, linked from here
            seen.add(name)
            name = links[name]
        diff_id = ids[index] if ids else None
        compressed = candidate.compressed[index] if index < len(candidate.compressed) else None
        if name in skipped:
            known_as, found = skipped[name]
            if known_as != diff_id:
                raise CacheMismatch(name)
            ordered.append(LayerFiles(name, *found, compressed=compressed))
            reused += 1
            continue
        layer = layers.get(name)
        if layer is None:
            raise ArchiveError(f"the image archive lacks layer {index + 1} ({name})")
        if layer.error:
            raise ArchiveError(layer.error)
        layer.compressed = compressed
        ordered.append(layer)
        read += 1
        if cache is not None and diff_id:
            cache.put_layer(diff_id, layer.entries, layer.apt_dates)
            if name.endswith("/layer.tar"):
                cache.remember_v1(name.split("/", 1)[0], diff_id)
            elif _BLOB.match(name) and "sha256:" + name.rsplit("/", 1)[-1] != diff_id:
                cache.remember_blob("sha256:" + name.rsplit("/", 1)[-1], diff_id)
    if cache is not None and image_id and ids:
        cache.put_history(image_id, history, [layer.compressed for layer in ordered])
    if cache is not None and read:
        cache.trim()  # least recently used entries go when over the size cap
    return ImageArchive(ordered, history, read, reused, diff_ids=ids)
