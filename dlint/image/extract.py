"""``--extract SRC:DEST``: copy a path out of the built image like ``docker cp IMAGE:SRC DEST``,
without ever writing outside DEST.

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
    return ExtractSpec(src if src.startswith("/") else "/" + src, dest, value)


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


class _Writer:
    """Writes checked members under ``root``; ``single`` is the target file when SRC is a file."""

    def __init__(self, root: str, root_name: str, result: Extracted, force: bool, single: str | None,
                 tree: str = "/", rewrite: bool = False) -> None:
        self.root = os.path.realpath(root)
        self.root_name = root_name
        self.result = result
        self.force = force
        self.single = single
        self.tree = image_path(tree)  # SRC's path in the image: what ``relative`` is relative to
        self.rewrite = rewrite  # --rewrite-absolute-symlinks
        self.written: dict[str, str] = {}  # member name -> host path of extracted regular files
        self.directories: list[tuple[str, int, float]] = []
        self.links: list[tuple[str, str]] = []  # (member name, host path)

    def refuse(self, member: tarfile.TarInfo, why: str) -> None:
        self.result.refused.append((member.name, why))

    def target(self, member: tarfile.TarInfo) -> tuple[str, list[str]] | None:
        parts = _archive_names(member.name)
        if parts is None:
            self.refuse(member, "absolute name or '..' in the name")
            return None
        if self.single is not None:
            return (self.single, []) if len(parts) <= 1 else None
        if self.root_name == "":
            relative = parts  # SRC/. : the archive's root is "." and holds the contents
        elif not parts or parts[0] != self.root_name:
            self.refuse(member, "outside the copied path")
            return None
        else:
            relative = parts[1:]
        return os.path.join(self.root, *relative), relative

    def safe_parent(self, path: str) -> bool:
        """Create the parents of ``path`` under the root as real directories; refuse symlinks."""
        parent = os.path.dirname(path)
        if os.path.commonpath([self.root, parent]) != self.root:
            return False
        relative = os.path.relpath(parent, self.root)
        current = self.root
        for part in ([] if relative == "." else relative.split(os.sep)):
            current = os.path.join(current, part)
            try:
                info = os.lstat(current)
            except FileNotFoundError:
                os.mkdir(current, 0o755)
                continue
            if not statmod.S_ISDIR(info.st_mode):
                return False  # a symlink or file in the way: never write through it
        return True

    def clear(self, member: tarfile.TarInfo, path: str) -> bool:
        """Make room for a non-directory at ``path``: only with --force, never a directory."""
        if not os.path.lexists(path):
            return True
        if os.path.isdir(path) and not os.path.islink(path):
            self.refuse(member, f"{path} is a directory")
            return False
        if not self.force:
            self.refuse(member, f"{path} exists; use --force to overwrite")
            return False
        os.unlink(path)  # a symlink is removed, not followed
        return True

    def mode(self, member: tarfile.TarInfo) -> int:
        if member.mode & 0o7000:
            self.result.stripped.append(member.name)
        return member.mode & 0o777

    def write(self, member: tarfile.TarInfo, tar: tarfile.TarFile) -> None:
        where = self.target(member)
        if where is None:
            return
        path, relative = where
        if self.single is None and not relative:  # the copied directory itself
            if member.isdir():
                self.directories.append((self.root, self.mode(member), member.mtime))
            else:
                self.refuse(member, "expected the copied directory")
            return
        if not self.safe_parent(path):
            self.refuse(member, "its directory is a symlink or outside the destination")
            return
        if member.isdir():
            if os.path.lexists(path):
                if not os.path.isdir(path) or os.path.islink(path):
                    self.refuse(member, f"{path} exists and is not a directory")
                    return
            else:
                os.mkdir(path, 0o700)
            self.directories.append((path, self.mode(member), member.mtime))
            self.result.directories += 1
        elif member.isreg():
            if not self.clear(member, path):
                return
            source = tar.extractfile(member)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as out:
                while True:
                    chunk = source.read(_COPY_BUFFER)
                    if not chunk:
                        break
                    out.write(chunk)
                os.fchmod(out.fileno(), self.mode(member))
            os.utime(path, (member.mtime, member.mtime), follow_symlinks=False)
            self.written[posixpath.normpath(member.name)] = path
            self.result.files += 1
            self.result.bytes += member.size
        elif member.issym():
            target = member.linkname
            rewritten = None
            if target.startswith("/"):
                target = self.absolute_link(member, target, relative)
                if target is None:
                    return
                rewritten = (member.name, member.linkname, target)
            inside = posixpath.normpath(posixpath.join(posixpath.dirname("/".join(relative)), target))
            if self.single is not None or inside == ".." or inside.startswith("../"):
                self.refuse(member, f"symlink to {target} points outside the extracted tree")
                return
            if not self.clear(member, path):
                return
            os.symlink(target, path)
            os.utime(path, (member.mtime, member.mtime), follow_symlinks=False)
            self.links.append((member.name, path))
            self.result.symlinks += 1
            if rewritten is not None:
                self.result.rewritten.append(rewritten)
        elif member.islnk():
            source = self.written.get(posixpath.normpath(member.linkname))
            if source is None or os.path.islink(source) or not os.path.isfile(source):
                self.refuse(member, f"hardlink to {member.linkname}, which was not extracted before it")
                return
            if not self.clear(member, path):
                return
            os.link(source, path)
            self.result.hardlinks += 1
        else:
            self.refuse(member, "device node, FIFO or other special file")

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
        for name, path in self.links:
            real = os.path.realpath(path)
            if os.path.commonpath([self.root, real]) != self.root:
                os.unlink(path)
                self.result.symlinks -= 1
                self.result.rewritten = [r for r in self.result.rewritten if r[0] != name]
                self.result.refused.append((name, "symlink resolves outside the extracted tree"))
        for path, mode, mtime in reversed(self.directories):  # children first: mtimes stick
            os.chmod(path, mode)
            os.utime(path, (mtime, mtime))


def extract_archive(
    chunks: Iterable[bytes],
    src: str,
    src_is_dir: bool,
    dest: str,
    force: bool = False,
    on_member: Callable[[tarfile.TarInfo], None] | None = None,
    rewrite_absolute: bool = False,
) -> Extracted:
    """Extract a ``docker cp``-style archive of ``src`` (its first component is SRC's base
    name) to ``dest`` with ``docker cp`` semantics. Public for tests: the engine cannot be
    made to produce a malicious archive, so unit tests feed hand-made ones here.
    ``rewrite_absolute``: --rewrite-absolute-symlinks (see the module's docstring)."""
    copy_contents = src.endswith("/.")
    src_name = posixpath.basename(posixpath.normpath(src)) or "/"
    dest_is_dir = os.path.isdir(dest)
    if src_is_dir:
        if os.path.lexists(dest) and not dest_is_dir:
            raise ExtractError(f"cannot copy directory {src} to {dest}: it is an existing file")
        root = dest if (copy_contents or not dest_is_dir) else os.path.join(dest, src_name)
        if not os.path.isdir(root):
            os.mkdir(root, 0o755)
        single = None
    else:
        if dest_is_dir:
            single = os.path.join(dest, src_name)
        elif dest.endswith("/"):
            raise ExtractError(f"cannot copy file {src} into {dest}: the directory does not exist")
        else:
            single = dest
        root = os.path.dirname(os.path.abspath(single))
    result = Extracted(src, single or root)
    reader = _ChunkReader(chunks)
    root_name = None
    with tarfile.open(fileobj=reader, mode="r|") as tar:
        writer = None
        for member in tar:
            if on_member is not None:
                on_member(member)
            if writer is None:
                parts = _archive_names(member.name)
                root_name = parts[0] if parts else ""
                writer = _Writer(root, root_name, result, force, os.path.abspath(single) if single else None,
                                 image_path(src), rewrite_absolute)
            writer.write(member, tar)
        if writer is not None:
            writer.finish()
    return result


def extract(api, image: str, spec: ExtractSpec, force: bool,
            on_member: Callable[[tarfile.TarInfo], None] | None = None, rewrite_absolute: bool = False) -> Extracted:
    """Create a container from ``image`` (not started), copy ``spec.src`` out, remove it."""
    import docker

    container = api.create_container(
        image, command=["dlint-extract-never-started"], network_disabled=True, labels={"dlint.extract": "1"}
    )["Id"]
    try:
        try:
            chunks, info = api.get_archive(container, spec.src)
        except docker.errors.NotFound:
            raise ExtractError(f"--extract {spec.raw}: {spec.src} does not exist in the image") from None
        src_is_dir = statmod.S_ISDIR(_go_mode(info.get("mode", 0)))
        return extract_archive(chunks, spec.src, src_is_dir, spec.dest, force, on_member, rewrite_absolute)
    finally:
        _remove(api, container)


def _go_mode(mode: int) -> int:
    """The engine's stat header carries Go's os.FileMode: the directory bit is 1<<31."""
    return statmod.S_IFDIR if mode & (1 << 31) else statmod.S_IFREG


def _remove(api, container: str) -> None:
    from dlint.image.run import remove_containers  # one clean-up for builds and extraction

    remove_containers(api, [container])
