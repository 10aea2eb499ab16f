"""Extraction safety and ``docker cp`` semantics, on hand-made archives (no engine).

The engine cannot be made to produce these archives: ``docker cp``/``get_archive`` always
writes relative names without ``..``. A hostile or broken engine (or a tampered transport)
could, so :func:`dlint.build.extract.extract_archive` is fed fake tars here; the engine tests
cover real images with hostile symlinks.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile

import pytest

from dlint.build.errors import BuildCommandError, ExtractError
from dlint.build.extract import check_destination, extract_archive, parse_spec

MTIME = 1_600_000_000


def tar_of(*members: tuple) -> list[bytes]:
    """Members: (name, type, payload/linkname, mode). Returned as stream chunks."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, extra, mode in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.mode = mode
            info.mtime = MTIME
            data = None
            if kind == tarfile.REGTYPE:
                data = extra
                info.size = len(data)
            elif kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname = extra
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    raw = buffer.getvalue()
    return [raw[i : i + 1000] for i in range(0, len(raw), 1000)]  # chunks that do not align


def files_under(path) -> set[str]:
    found = set()
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(root, name), path))
    return found


DIR, REG, SYM, LNK, FIFO, CHR = tarfile.DIRTYPE, tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.FIFOTYPE, tarfile.CHRTYPE


def test_dotdot_and_absolute_members_write_nothing_outside(tmp_path):
    dest = tmp_path / "dest"
    chunks = tar_of(
        ("app", DIR, None, 0o755),
        ("app/ok.txt", REG, b"ok\n", 0o644),
        ("../evil", REG, b"evil", 0o644),
        ("app/../../evil2", REG, b"evil", 0o644),
        ("/abs-evil", REG, b"evil", 0o644),
    )
    result = extract_archive(chunks, "/app", True, str(dest))
    assert files_under(tmp_path) == {"dest", "dest/ok.txt"}
    assert (dest / "ok.txt").read_bytes() == b"ok\n"
    refused = {name for name, _ in result.refused}
    assert refused == {"../evil", "app/../../evil2", "/abs-evil"}


def test_symlink_escapes_are_refused_and_never_written_through(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "dest"
    chunks = tar_of(
        ("app", DIR, None, 0o755),
        ("app/abs", SYM, "/etc/passwd", 0o777),
        ("app/up", SYM, "../outside", 0o777),
        ("app/up/planted", REG, b"through the link", 0o644),
        ("app/inside", SYM, "sub/file", 0o777),
        ("app/sub", DIR, None, 0o755),
        ("app/sub/file", REG, b"x", 0o644),
        ("app/dot", SYM, ".", 0o777),
        ("app/sneaky", SYM, "dot/../outside", 0o777),  # lexically inside, really outside
        ("app/hard", LNK, "etc/shadow", 0o644),  # a hardlink to something never extracted
        ("app/hard-ok", LNK, "app/sub/file", 0o644),
        ("app/via", SYM, "sub", 0o777),  # allowed: points inside
        ("app/via/through", REG, b"written through a link", 0o644),  # refused all the same
    )
    result = extract_archive(chunks, "/app", True, str(dest))
    assert list(outside.iterdir()) == []
    assert os.readlink(dest / "inside") == "sub/file"
    assert (dest / "hard-ok").read_bytes() == b"x"
    assert os.stat(dest / "hard-ok").st_ino == os.stat(dest / "sub" / "file").st_ino
    for name in ("abs", "sneaky", "hard"):
        assert not os.path.lexists(dest / name), name
    # The refused link is not created, so "up/planted" lands in a real directory inside DEST.
    assert not os.path.islink(dest / "up") and (dest / "up" / "planted").is_file()
    refused = {name for name, _ in result.refused}
    assert {"app/abs", "app/up", "app/sneaky", "app/hard", "app/via/through"} <= refused
    assert not (dest / "sub" / "through").exists()


def test_devices_fifos_refused_and_setuid_dropped(tmp_path):
    dest = tmp_path / "dest"
    chunks = tar_of(
        ("app", DIR, None, 0o755),
        ("app/fifo", FIFO, None, 0o644),
        ("app/null", CHR, None, 0o666),
        ("app/suid", REG, b"#!/bin/sh\n", 0o4755),
    )
    result = extract_archive(chunks, "/app", True, str(dest))
    assert files_under(dest) == {"suid"}
    assert stat.S_IMODE(os.stat(dest / "suid").st_mode) == 0o755
    assert result.stripped == ["app/suid"]
    assert {name for name, _ in result.refused} == {"app/fifo", "app/null"}


def test_existing_file_needs_force_and_symlink_is_replaced_not_followed(tmp_path):
    target = tmp_path / "victim"
    target.write_text("keep")
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "f").symlink_to(target)
    chunks = tar_of(("app", DIR, None, 0o755), ("app/f", REG, b"new", 0o600))
    result = extract_archive(chunks, "/app/.", True, str(dest))
    assert result.refused and target.read_text() == "keep"
    result = extract_archive(tar_of(("app", DIR, None, 0o755), ("app/f", REG, b"new", 0o600)),
                             "/app/.", True, str(dest), force=True)
    assert not result.refused
    assert not os.path.islink(dest / "f") and (dest / "f").read_bytes() == b"new"
    assert target.read_text() == "keep"


@pytest.mark.parametrize(
    "src, dest_exists, expected",
    [
        ("/app", False, {"out/a.txt"}),  # dir to new path: DEST becomes the dir
        ("/app", True, {"out/app/a.txt", "out/app"}),  # dir into an existing dir
        ("/app/.", True, {"out/a.txt"}),  # trailing /. copies the contents
    ],
)
def test_docker_cp_directory_semantics(tmp_path, src, dest_exists, expected):
    dest = tmp_path / "out"
    if dest_exists:
        dest.mkdir()
    chunks = tar_of(("app", DIR, None, 0o750), ("app/a.txt", REG, b"a", 0o640))
    if src.endswith("/."):
        chunks = tar_of((".", DIR, None, 0o750), ("./a.txt", REG, b"a", 0o640))
    extract_archive(chunks, src, True, str(dest))
    assert files_under(tmp_path) - {"out"} == expected
    copied = next(p for p in expected if p.endswith("a.txt"))
    assert stat.S_IMODE(os.stat(tmp_path / copied).st_mode) == 0o640
    assert os.stat(tmp_path / copied).st_mtime == MTIME


def test_docker_cp_file_semantics(tmp_path):
    chunks = lambda: tar_of(("tool", REG, b"bin", 0o755))  # noqa: E731
    extract_archive(chunks(), "/usr/bin/tool", False, str(tmp_path / "renamed"))
    assert (tmp_path / "renamed").read_bytes() == b"bin"
    (tmp_path / "dir").mkdir()
    extract_archive(chunks(), "/usr/bin/tool", False, str(tmp_path / "dir"))
    assert (tmp_path / "dir" / "tool").read_bytes() == b"bin"
    with pytest.raises(ExtractError):
        extract_archive(chunks(), "/usr/bin/tool", False, str(tmp_path / "missing") + "/")


def test_destination_checks_before_building(tmp_path):
    existing = tmp_path / "file"
    existing.write_text("x")
    with pytest.raises(BuildCommandError, match="--force"):
        check_destination(parse_spec(f"/a:{existing}"), force=False)
    check_destination(parse_spec(f"/a:{existing}"), force=True)
    with pytest.raises(BuildCommandError, match="does not exist"):
        check_destination(parse_spec(f"/a:{tmp_path}/no/such/dir/x"), force=False)
    with pytest.raises(BuildCommandError, match="SRC:DEST"):
        parse_spec("no-colon")
    assert parse_spec("app/bin:out").src == "/app/bin"
