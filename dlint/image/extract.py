"""``--extract SRC:DEST``: copy a path out of the built image like ``docker cp IMAGE:SRC DEST``,
without ever writing outside DEST.

Host side: DEST is opened once (the user's path: its symlinks are followed then); every path
below it is built from directory handles (``dir_fd``, ``O_NOFOLLOW``, files ``O_EXCL``), so a
symlink below DEST, planted before the run or during it, is never followed. Directories that
existed are never re-moded; new ones lose world-write unless ``keep_modes``. A directory SRC
is copied *as* DEST on every run (an existing DEST receives its contents). A full disk, a too
long name or ``--max-extract-size`` stop with one line saying what was written.

The container is created, never started, and removed in every case (errors, Ctrl-C). The
archive is read as a stream and every member is checked here, not by ``tarfile``'s filters
(the Python on these machines predates the 2025 tarfile fixes, and the ``data`` filter had
gaps): names must be relative without ``..``; nothing is written through a symlink; symlinks
must point inside the extracted tree (absolute targets are refused: ``docker cp`` keeps them,
and then they point at the host's files); hardlinks only to files already extracted; no
devices or FIFOs; setuid/setgid/sticky bits are dropped. Refused members are reported.

``--rewrite-absolute-symlinks`` (``rewrite_absolute``): an absolute symlink whose target, read
as a path in the image and normalised lexically (``.``/empty components dropped, ``..`` pops
one, ``/..`` is ``/``), is SRC or lies under it becomes the equivalent relative link, computed
from the link's own directory (``/app/current -> /app/releases/v1`` extracted from ``/app``:
``current -> releases/v1``). Then it is checked like any relative link. Absolute targets
elsewhere stay refused. "Under SRC" is lexical: SRC as given, normalised the same way, so
links naming SRC through another path (a symlink to it in the image) are refused.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat as statmod
import tarfile
from dataclasses import dataclass, field
from typing import Callable, Iterable

from dlint.image.archive import _ChunkReader
from dlint.image.errors import BuildCommandError, ExtractError

_COPY_BUFFER = 1 << 20


@dataclass(frozen=True)
class ExtractSpec:
    src: str  # absolute path in the image
    dest: str  # host path, as given
    raw: str


@dataclass
class Extracted:
    src: str
    dest: str  # the path written (file, or the directory that received the tree)
    files: int = 0
    directories: int = 0
    symlinks: int = 0
    hardlinks: int = 0
    bytes: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (member, why)
    stripped: list[str] = field(default_factory=list)  # members whose setuid/setgid/sticky bits were dropped
    rewritten: list[tuple[str, str, str]] = field(default_factory=list)  # (member, absolute target, written target)


def parse_spec(value: str) -> ExtractSpec:
    src, sep, dest = value.partition(":")
    if not sep or not src or not dest:
        raise BuildCommandError(f"--extract {value!r}: expected SRC:DEST, e.g. /app/bin:./out")
    # docker cp: container paths are relative to the container's root.
    src = src if src.startswith("/") else "/" + src
    if image_path(src) == "/":
        raise BuildCommandError(
            f"--extract {value!r}: SRC is the image's root; dlint copies a path out of the image, not the whole "
            "filesystem (name a directory such as /app, or use `docker export` for everything)"
        )
    return ExtractSpec(src, dest, value)


def check_destination(spec: ExtractSpec, force: bool) -> None:
    """Refuse before building what would fail after it."""
    dest = spec.dest
    parent = os.path.dirname(os.path.abspath(dest.rstrip("/") or "/"))
    if not os.path.isdir(parent):
        raise BuildCommandError(f"--extract {spec.raw}: the directory {parent} does not exist")
    if os.path.lexists(dest) and not os.path.isdir(dest) and not force:
        raise BuildCommandError(f"--extract {spec.raw}: {dest} exists; use --force to overwrite it")


def _archive_names(name: str) -> list[str] | None:
    """Path components of a member name, or None when it is absolute or climbs with ``..``."""
    if not name or "\x00" in name or name.startswith("/") or "\\" in name:
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    return parts


def image_path(path: str) -> str:
    """``path`` as an absolute image path, normalised lexically: empty and ``.`` components
    dropped, ``..`` pops the previous component and stays at ``/`` (``/..`` is ``/``), as the
    engine cleans ``docker cp`` paths. Unlike ``posixpath.normpath``, ``//x`` is ``/x``."""
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def _under(path: str, tree: str) -> bool:
    """Both normalised by :func:`image_path`: is ``path`` ``tree`` or inside it?"""
    return tree == "/" or path == tree or path.startswith(tree + "/")


def rewrite_absolute(target: str, link: str, tree: str) -> tuple[str, str | None]:
    """The absolute symlink at image path ``link`` (inside the copied ``tree``, SRC's image
    path) points at ``target``: return (where that is in the image, lexically normalised; the
    equivalent relative target, from the link's own directory, or None when the target is not
    ``tree`` or under it). A trailing ``/`` (the target must be a directory) is kept.

    >>> rewrite_absolute("/app/releases/v1", "/app/current", "/app")
    ('/app/releases/v1', 'releases/v1')
    >>> rewrite_absolute("/app/../etc/passwd", "/app/a", "/app")
    ('/etc/passwd', None)
    """
    tree = image_path(tree)
    link = image_path(link)
    if not target.startswith("/") or not _under(link, tree) or link == tree:
        raise ValueError(f"not an absolute link inside {tree}: {link} -> {target}")
    where = image_path(target)
    if not _under(where, tree):
        return where, None
    relative = posixpath.relpath(where, posixpath.dirname(link))
    if target.endswith("/") and not relative.endswith("/"):
        relative += "/"
    return where, relative


_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_HOLE_BLOCK = 64 * 1024  # an all-zero block of this size is left as a hole (sparse files stay sparse)
DEFAULT_MAX_EXTRACT_SIZE = 10 * 1000**3


class ExtractInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during an extraction; says what was written."""


class _Stop(Exception):
    """Extraction cannot go on (a full disk, a name too long, --max-extract-size)."""


class _Writer:
    """Writes checked members below DEST through directory handles, never through a path.

    ``root_fd`` is the directory that receives the copy, opened once. Every member's parents
    are opened one component at a time with ``O_NOFOLLOW`` relative to it (``openat``), files
    are created with ``O_EXCL | O_NOFOLLOW``: a symlink already below DEST (placed before the
    run, or by a racing process) is never followed, whatever its name. Directories that existed
    before the run are never re-moded or re-timed; directories this run creates get the
    image's mode without world-write (unless ``keep_modes``), the sticky bit kept.
    ``single`` is the file name to write in ``root_fd`` when SRC is a file."""

    def __init__(self, root_fd: int, root_path: str, root_name: str, result: Extracted, force: bool,
                 single: str | None, tree: str = "/", rewrite: bool = False, keep_modes: bool = False,
                 max_size: int | None = None, root_created: bool = False) -> None:
        self.root_fd = root_fd
        self.root = root_path  # the real path of root_fd, for messages and the final link check
        self.root_name = root_name
        self.result = result
        self.force = force
        self.single = single
        self.tree = image_path(tree)  # SRC's path in the image: what ``relative`` is relative to
        self.rewrite = rewrite  # --rewrite-absolute-symlinks
        self.keep_modes = keep_modes
        self.max_size = max_size
        self.root_created = root_created
        self.written: dict[str, tuple[tuple[str, ...], str]] = {}  # member name -> (parent parts, name)
        self.fds: dict[tuple[str, ...], int] = {(): root_fd}  # open directory handles, by parts
        self.created: set[tuple[str, ...]] = set()  # directories this run made
        self.directories: list[tuple[tuple[str, ...], int, float]] = []  # created dirs: (parts, mode, mtime)
        self.links: list[tuple[str, tuple[str, ...]]] = []  # (member name, parts of the link)
        self.apparent = 0  # bytes of file content (holes included) written so far

    def close(self) -> None:
        for parts, fd in self.fds.items():
            if parts:
                os.close(fd)
        self.fds = {(): self.root_fd}

    def refuse(self, member: tarfile.TarInfo, why: str) -> None:
        self.result.refused.append((member.name, why))

    def target(self, member: tarfile.TarInfo) -> tuple[str, ...] | None:
        """The member's path below the root, as components; None when not written."""
        parts = _archive_names(member.name)
        if parts is None:
            self.refuse(member, "absolute name or '..' in the name")
            return None
        if self.single is not None:
            return (self.single,) if len(parts) <= 1 else None
        if self.root_name == "":
            return tuple(parts)  # SRC/. : the archive's root is "." and holds the contents
        if not parts or parts[0] != self.root_name:
            self.refuse(member, "outside the copied path")
            return None
        return tuple(parts[1:])

    def directory(self, parts: tuple[str, ...], create: bool = True) -> int | None:
        """A handle on the directory ``parts`` below the root, opened component by component
        without following symlinks, creating what is missing; None when something that is
        not a real directory (a symlink, a file) is in the way."""
        fd = self.fds.get(parts)
        if fd is not None:
            return fd
        parent = self.directory(parts[:-1], create)
        if parent is None:
            return None
        name = parts[-1]
        try:
            fd = os.open(name, _OPEN_DIR, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                return None
            os.mkdir(name, 0o700, dir_fd=parent)
            self.created.add(parts)
            fd = os.open(name, _OPEN_DIR, dir_fd=parent)
        except (NotADirectoryError, OSError) as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR):
                return None  # a symlink or a file: never traversed
            raise
        self.fds[parts] = fd
        return fd

    def clear(self, member: tarfile.TarInfo, parent: int, name: str, parts: tuple[str, ...]) -> bool:
        """Make room for a non-directory: only with --force, never over a directory. A symlink
        in the way is removed, never followed."""
        try:
            info = os.stat(name, dir_fd=parent, follow_symlinks=False)
        except FileNotFoundError:
            return True
        shown = self.shown(parts)
        if statmod.S_ISDIR(info.st_mode):
            self.refuse(member, f"{shown} is a directory")
            return False
        if not self.force:
            self.refuse(member, f"{shown} exists; use --force to overwrite")
            return False
        os.unlink(name, dir_fd=parent)
        return True

    def shown(self, parts: tuple[str, ...]) -> str:
        return os.path.join(self.root, *parts)

    def file_mode(self, member: tarfile.TarInfo) -> int:
        if member.mode & 0o7000:
            self.result.stripped.append(member.name)
        return member.mode & 0o777

    def dir_mode(self, member: tarfile.TarInfo) -> int:
        mode = member.mode & 0o1777  # setuid/setgid dropped, the sticky bit kept
        return mode if self.keep_modes else mode & ~0o002

    def write(self, member: tarfile.TarInfo, tar: tarfile.TarFile) -> None:
        parts = self.target(member)
        if parts is None:
            return
        if self.single is None and not parts:  # the copied directory itself
            if not member.isdir():
                self.refuse(member, "expected the copied directory")
            elif self.root_created:
                self.directories.append(((), self.dir_mode(member), member.mtime))
            return
        parent_parts, name = parts[:-1], parts[-1]
        parent = self.directory(parent_parts)
        if parent is None:
            self.refuse(member, "a symlink or file below the destination is in its way (never followed)")
            return
        if member.isdir():
            try:
                info = os.stat(name, dir_fd=parent, follow_symlinks=False)
            except FileNotFoundError:
                info = None
            if info is not None and not statmod.S_ISDIR(info.st_mode):
                self.refuse(member, f"{self.shown(parts)} exists and is not a directory (never followed)")
                return
            if self.directory(parts) is None:
                self.refuse(member, f"{self.shown(parts)} is not a directory")
                return
            if parts in self.created:
                self.directories.append((parts, self.dir_mode(member), member.mtime))
            self.result.directories += 1
        elif member.isreg():
            if self.max_size is not None and self.apparent + member.size > self.max_size:
                raise _Stop(f"--max-extract-size {self.max_size} B would be exceeded by {member.name} "
                            f"({member.size} B)")
            if not self.clear(member, parent, name, parts):
                return
            self.write_file(member, tar, parent, name)
            self.written[posixpath.normpath(member.name)] = (parent_parts, name)
            self.result.files += 1
            self.result.bytes += member.size
            self.apparent += member.size
        elif member.issym():
            target = member.linkname
            rewritten = None
            if target.startswith("/"):
                target = self.absolute_link(member, target, list(parts))
                if target is None:
                    return
                rewritten = (member.name, member.linkname, target)
            inside = posixpath.normpath(posixpath.join(posixpath.dirname("/".join(parts)), target))
            if self.single is not None or inside == ".." or inside.startswith("../"):
                self.refuse(member, f"symlink to {target} points outside the extracted tree")
                return
            if not self.clear(member, parent, name, parts):
                return
            os.symlink(target, name, dir_fd=parent)
            os.utime(name, (member.mtime, member.mtime), dir_fd=parent, follow_symlinks=False)
            self.links.append((member.name, parts))
            self.result.symlinks += 1
            if rewritten is not None:
                self.result.rewritten.append(rewritten)
        elif member.islnk():
            source = self.written.get(posixpath.normpath(member.linkname))
            source_fd = self.fds.get(source[0]) if source else None
            if source is None or source_fd is None:
                self.refuse(member, f"hardlink to {member.linkname}, which was not extracted before it")
                return
            try:
                info = os.stat(source[1], dir_fd=source_fd, follow_symlinks=False)
            except FileNotFoundError:
                info = None
            if info is None or not statmod.S_ISREG(info.st_mode):
                self.refuse(member, f"hardlink to {member.linkname}, which was not extracted before it")
                return
            if not self.clear(member, parent, name, parts):
                return
            os.link(source[1], name, src_dir_fd=source_fd, dst_dir_fd=parent, follow_symlinks=False)
            self.result.hardlinks += 1
        else:
            self.refuse(member, "device node, FIFO or other special file")

    def write_file(self, member: tarfile.TarInfo, tar: tarfile.TarFile, parent: int, name: str) -> None:
        source = tar.extractfile(member)
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=parent)
        try:
            zero = bytes(_HOLE_BLOCK)
            while True:
                chunk = source.read(_COPY_BUFFER)
                if not chunk:
                    break
                view = memoryview(chunk)
                for start in range(0, len(view), _HOLE_BLOCK):
                    block = view[start : start + _HOLE_BLOCK]
                    if len(block) == _HOLE_BLOCK and block == zero:
                        os.lseek(fd, _HOLE_BLOCK, os.SEEK_CUR)  # a hole: the file stays sparse
                    else:
                        while len(block):
                            block = block[os.write(fd, block):]
            os.ftruncate(fd, member.size)  # a hole at the end still counts in the size
            os.fchmod(fd, self.file_mode(member))
            os.utime(fd, (member.mtime, member.mtime))
        finally:
            os.close(fd)

    def absolute_link(self, member: tarfile.TarInfo, target: str, relative: list[str]) -> str | None:
        """The relative target to write for an absolute link, or None (refused)."""
        if self.single is not None:  # SRC is the link itself: there is no tree to point into
            self.refuse(member, f"absolute symlink to {target} (would point at the host's files)")
            return None
        link = posixpath.join(self.tree, *relative)
        where, rewritten = rewrite_absolute(target, link, self.tree)
        if rewritten is None:
            also = f" ({where} in the image)" if where not in (target, target.rstrip("/")) else ""
            if self.rewrite:
                self.refuse(member, f"absolute symlink to {target}{also} points outside the copied path "
                                    f"{self.tree}; not rewritten")
            else:
                self.refuse(member, f"absolute symlink to {target}{also} (would point at the host's files)")
            return None
        if not self.rewrite:
            self.refuse(member, f"absolute symlink to {target} (would point at the host's files); it is inside "
                                f"{self.tree}: --rewrite-absolute-symlinks would write it as {rewritten}")
            return None
        return rewritten

    def finish(self) -> None:
        # A relative link can still escape through another link ("s/../x" with s -> "."):
        # check every link against the final tree and drop those that leave it.
        for name, parts in self.links:
            real = os.path.realpath(self.shown(parts))
            if os.path.commonpath([self.root, real]) != self.root:
                parent = self.fds.get(parts[:-1])
                if parent is not None:
                    os.unlink(parts[-1], dir_fd=parent)
                self.result.symlinks -= 1
                self.result.rewritten = [r for r in self.result.rewritten if r[0] != name]
                self.result.refused.append((name, "symlink resolves outside the extracted tree"))
        # Only directories this run created take the image's mode and mtime; children first,
        # so mtimes stick. Through the open handle: never a path that could have been swapped.
        for parts, mode, mtime in reversed(self.directories):
            fd = self.fds.get(parts)
            if fd is None:
                continue
            os.fchmod(fd, mode)
            os.utime(fd, (mtime, mtime))


def _written_so_far(result: Extracted) -> str:
    return (f"{result.files} files ({human_bytes(result.bytes)}), {result.directories} directories and "
            f"{result.symlinks} symlinks were written under {printable(result.dest)}")


def human_bytes(size: int) -> str:
    from dlint.image.render import human

    return human(size)


def extract_archive(
    chunks: Iterable[bytes],
    src: str,
    src_is_dir: bool,
    dest: str,
    force: bool = False,
    on_member: Callable[[tarfile.TarInfo], None] | None = None,
    rewrite_absolute: bool = False,
    keep_modes: bool = False,
    max_size: int | None = DEFAULT_MAX_EXTRACT_SIZE,
) -> Extracted:
    """Extract a ``docker cp``-style archive of ``src`` (its first component is SRC's base
    name) to ``dest``. Public for tests: the engine cannot be made to produce a malicious
    archive, so unit tests feed hand-made ones here.

    The rule for DEST (the same on every run): a directory SRC is copied *as* DEST: DEST is
    created, or, when it exists, receives SRC's contents (``docker cp`` would copy into
    ``DEST/<basename>`` the second time). A file SRC is written at DEST, or at
    ``DEST/<basename>`` when DEST is an existing directory. DEST itself is the user's path:
    symlinks in it, its last component included, are followed, once, when it is opened.
    Nothing below it is ever followed.
    ``rewrite_absolute``: --rewrite-absolute-symlinks (see the module's docstring)."""
    src_name = posixpath.basename(posixpath.normpath(src)) or "/"
    dest_is_dir = os.path.isdir(dest)  # follows a symlink DEST: the documented rule
    root_created = False
    if src_is_dir:
        if os.path.lexists(dest) and not dest_is_dir:
            raise ExtractError(f"cannot copy directory {src} to {dest}: it is an existing file")
        root = dest
        if not dest_is_dir:
            parent = os.path.dirname(os.path.abspath(dest.rstrip("/") or "/"))
            if not os.path.isdir(parent):
                raise ExtractError(f"cannot copy directory {src} to {dest}: {parent} does not exist")
            os.mkdir(root, 0o700)
            root_created = True
        single = None
    else:
        if dest_is_dir:
            root, single = dest, src_name
        elif dest.endswith("/"):
            raise ExtractError(f"cannot copy file {src} into {dest}: the directory does not exist")
        else:
            root, single = os.path.dirname(os.path.abspath(dest)), os.path.basename(dest)
    root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    root_path = os.path.realpath(root)
    result = Extracted(src, os.path.join(root_path, single) if single else root_path)
    reader = _ChunkReader(chunks)
    writer = None
    try:
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for member in tar:
                if on_member is not None:
                    on_member(member)
                if writer is None:
                    parts = _archive_names(member.name)
                    writer = _Writer(root_fd, root_path, parts[0] if parts else "", result, force, single,
                                     image_path(src), rewrite_absolute, keep_modes, max_size, root_created)
                try:
                    writer.write(member, tar)
                except OSError as error:
                    raise _Stop(f"{printable(member.name)}: {error.strerror or error}") from None
            if writer is not None:
                writer.finish()
    except _Stop as stop:
        raise ExtractError(f"--extract {printable(src)}:{printable(dest)} stopped at {stop}; "
                           f"{_written_so_far(result)} (left in place)") from None
    except KeyboardInterrupt:
        raise ExtractInterrupted(f"interrupted during --extract {printable(src)}:{printable(dest)}: "
                                 f"{_written_so_far(result)} (left in place)") from None
    finally:
        if writer is not None:
            writer.close()
        os.close(root_fd)
    return result


def printable(name: str) -> str:
    """A name from an image, safe to print on a terminal: control characters (newlines, escape
    sequences) and bytes that are not UTF-8 are shown as escapes."""
    raw = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in raw)


def json_name(name: str) -> dict:
    """A name for JSON, lossless: its text when it is valid UTF-8 (JSON escapes control
    characters itself), else the escaped text and the raw bytes in base64."""
    try:
        name.encode("utf-8")
        return {"member": name}
    except UnicodeEncodeError:
        import base64

        raw = name.encode("utf-8", "surrogateescape")
        return {"member": printable(name), "member_base64": base64.b64encode(raw).decode("ascii")}


def extract(api, image: str, spec: ExtractSpec, force: bool,
            on_member: Callable[[tarfile.TarInfo], None] | None = None, rewrite_absolute: bool = False,
            keep_modes: bool = False, max_size: int | None = DEFAULT_MAX_EXTRACT_SIZE) -> Extracted:
    """Create a container from ``image`` (not started), copy ``spec.src`` out, remove it.

    The archive's stream is closed before the container is removed, on every exit (a full
    disk, Ctrl-C): the engine holds the container while it streams, and removing it would
    otherwise wait for the whole archive."""
    import docker

    container = api.create_container(
        image, command=["dlint-extract-never-started"], network_disabled=True, labels={"dlint.extract": "1"}
    )["Id"]
    response = None
    try:
        response = api._get(api._url("/containers/{0}/archive", container), params={"path": spec.src}, stream=True)
        try:
            api._raise_for_status(response)
        except docker.errors.NotFound:
            raise ExtractError(f"--extract {spec.raw}: {spec.src} does not exist in the image") from None
        stat_header = response.headers.get("x-docker-container-path-stat")
        info = docker.utils.decode_json_header(stat_header) if stat_header else {}
        src_is_dir = statmod.S_ISDIR(_go_mode(info.get("mode", 0)))
        chunks = response.iter_content(_COPY_BUFFER, decode_unicode=False)
        return extract_archive(chunks, spec.src, src_is_dir, spec.dest, force, on_member, rewrite_absolute,
                               keep_modes, max_size)
    finally:
        if response is not None:
            response.close()
        _remove(api, container)


def _go_mode(mode: int) -> int:
    """The engine's stat header carries Go's os.FileMode: the directory bit is 1<<31."""
    return statmod.S_IFDIR if mode & (1 << 31) else statmod.S_IFREG


def _remove(api, container: str) -> None:
    from dlint.image.run import remove_containers  # one clean-up for builds and extraction

    remove_containers(api, [container])
