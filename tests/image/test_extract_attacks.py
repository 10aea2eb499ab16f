"""Extraction attacks on the host side (issue 13), on real engines (both image stores) with
crafted images: ``docker import`` of a tar each test builds, then ``dlint build --extract`` of a
Dockerfile ``FROM`` it. Every test checks that nothing outside DEST changed (content, mode,
mtime) and that no container is left."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
import tarfile
import time
import uuid

import pytest

from tests.image.helpers import dlint_build, dlint_build_json
from tests.engine_env import containers_left, image_of, store  # noqa: F401  (fixtures are used by name)

pytestmark = pytest.mark.engine

MTIME = 1_600_000_000


def crafted_tar(*members) -> bytes:
    """Members: (name (str or bytes), kind, payload or linkname, mode)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT, encoding="utf-8",
                      errors="surrogateescape") as tar:
        for name, kind, extra, mode in members:
            if isinstance(name, bytes):
                name = name.decode("utf-8", "surrogateescape")
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime = kind, mode, MTIME
            data = None
            if kind == tarfile.REGTYPE:
                data = extra
                info.size = len(data)
            elif kind == tarfile.SYMTYPE:
                info.linkname = extra
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def crafted_context(store, tmp_path, *members) -> str:
    """A build context whose Dockerfile is FROM an image imported from the crafted tar."""
    tag = f"dlint-test/crafted:{uuid.uuid4().hex[:12]}"
    store.client.api.import_image_from_data(crafted_tar(*members), repository=tag.split(":")[0], tag=tag.split(":")[1])
    context = tmp_path / f"context-{uuid.uuid4().hex[:6]}"
    context.mkdir()
    (context / "Dockerfile").write_text(f"FROM {tag}\nLABEL dlint.test=extract\n")
    return str(context)


def snapshot(root) -> dict:
    """Everything under ``root`` (itself included): kind, mode, mtime, and content or link."""
    found = {}
    for top, dirs, files in os.walk(root):
        for name in ["."] if top == str(root) else []:
            info = os.lstat(top)
            found["."] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), info.st_mtime_ns)
        for name in dirs + files:
            path = os.path.join(top, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                extra = os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                extra = hashlib.sha256(open(path, "rb").read()).hexdigest()
            else:
                extra = None
            found[os.path.relpath(path, root)] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode),
                                                  info.st_mtime_ns, extra)
    return found


@pytest.fixture
def outside(tmp_path):
    """A directory the attacks aim at, with a file in it; 0700, as a user's private folder."""
    target = tmp_path / "outside"
    target.mkdir()
    (target / "victim").write_text("keep me\n")
    os.chmod(target, 0o700)
    os.utime(target / "victim", (MTIME, MTIME))
    return target


REG, DIR, SYM, FIFO = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.FIFOTYPE


def test_symlinks_already_below_dest_are_never_followed(store, tmp_path, outside):
    context = crafted_context(
        store, tmp_path,
        ("app", DIR, None, 0o755), ("app/sub", DIR, None, 0o777), ("app/sub/payload", REG, b"image\n", 0o644),
        ("app/tool", REG, b"#!/bin/sh\n", 0o755),
    )
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "sub").symlink_to(outside)  # planted before the run: a directory of the copy
    (dest / "tool").symlink_to(outside / "victim")  # and the copied file's own name
    before, images = snapshot(outside), []
    for force in ([], ["--force"]):
        code, doc, err = dlint_build_json(context, "--no-lint", "--extract", f"/app:{dest}", *force, env=store.env)
        assert code == 1 and "refused" in err
        refused = {r["member"]: r["why"] for r in doc["extracted"][0]["refused"]}
        assert "app/sub/payload" in refused and "never followed" in refused["app/sub/payload"]
        assert snapshot(outside) == before
        assert doc["layers"] and doc["waste"]  # the report of the finished build is still there
        images.append(doc["image"]["id"])
    # With --force the planted link at the file's name is replaced by the file, not written through.
    assert not os.path.islink(dest / "tool") and (dest / "tool").read_bytes() == b"#!/bin/sh\n"
    assert os.path.islink(dest / "sub")
    # A file SRC into a DEST directory whose entry of that name is a planted symlink.
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "tool").symlink_to(outside / "victim")
    code, doc, err = dlint_build_json(context, "--no-lint", "--extract", f"/app/tool:{tmp_path / 'bin'}", env=store.env)
    assert code == 1 and "--force" in doc["extracted"][0]["refused"][0]["why"]
    assert snapshot(outside) == before
    assert not containers_left(store.client, images=images + [doc["image"]["id"]])


def test_existing_directories_keep_their_modes_new_ones_lose_world_write(store, tmp_path, outside):
    context = crafted_context(
        store, tmp_path,
        ("app", DIR, None, 0o777), ("app/open", DIR, None, 0o777), ("app/tmp", DIR, None, 0o1777),
        ("app/mine", DIR, None, 0o777), ("app/open/f", REG, b"f", 0o644),
    )
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "mine").mkdir()
    os.chmod(dest, 0o700)
    os.chmod(dest / "mine", 0o700)
    os.utime(dest / "mine", (MTIME, MTIME))
    before = snapshot(outside)
    code, doc, err = dlint_build_json(context, "--no-lint", "--extract", f"/app/.:{dest}", env=store.env)
    assert code == 0, err
    mode = lambda p: stat.S_IMODE(os.lstat(p).st_mode)  # noqa: E731
    assert mode(dest) == 0o700 and mode(dest / "mine") == 0o700  # existed before: untouched
    assert os.lstat(dest / "mine").st_mtime == MTIME
    assert mode(dest / "open") == 0o775 and mode(dest / "tmp") == 0o1775  # new: no world-write, sticky kept
    code, doc, err = dlint_build_json(context, "--no-lint", "--keep-modes", "--extract", f"/app:{tmp_path / 'kept'}",
                                      env=store.env)
    assert code == 0, err
    assert mode(tmp_path / "kept") == 0o777 and mode(tmp_path / "kept" / "tmp") == 0o1777
    assert snapshot(outside) == before


def test_a_full_disk_is_one_line_exit_1_and_the_report_is_still_printed(store, tmp_path, outside):
    context = crafted_context(
        store, tmp_path,
        ("app", DIR, None, 0o755), ("app/a-small", REG, b"s" * 1000, 0o644),
        ("app/z-big", REG, os.urandom(3 << 20), 0o644),
    )
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], check=True)
    try:
        before = snapshot(outside)
        started = time.monotonic()
        proc = dlint_build(context, "--no-lint", "--extract", f"/app:{disk / 'out'}", env=store.env)
        assert time.monotonic() - started < 60
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        [line] = [line for line in proc.stderr.splitlines() if "stopped at" in line]
        assert "app/z-big: No space left on device" in line and "1 files (1.0 kB)" in line and str(disk / "out") in line
        assert "Layers" in proc.stdout and "Waste" in proc.stdout
        assert snapshot(outside) == before and image_of(proc.stdout)
        assert not containers_left(store.client, proc.stderr, [image_of(proc.stdout)])
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_interrupting_a_large_extraction_closes_the_stream_first(store, tmp_path, outside):
    """Ctrl-C in the middle of a large archive: the stream is closed, then the container
    removed, at once (the engine would otherwise hold it until the whole archive is read)."""
    from dlint.image.extract import ExtractInterrupted, extract, parse_spec

    context = crafted_context(
        store, tmp_path,
        ("app", DIR, None, 0o755), ("app/a", REG, b"a", 0o644), ("app/huge", REG, bytes(200 << 20), 0o644),
    )
    code, doc, err = dlint_build_json(context, "--no-lint", env=store.env)
    assert code == 0, err
    before = snapshot(outside)

    def interrupt(member):
        if member.name == "app/huge":
            raise KeyboardInterrupt

    started = time.monotonic()
    with pytest.raises(ExtractInterrupted, match="1 files"):
        extract(store.client.api, doc["image"]["id"], parse_spec(f"/app:{tmp_path / 'x'}"), False, interrupt)
    assert time.monotonic() - started < 20
    assert not containers_left(store.client, images=[doc["image"]["id"]])
    assert snapshot(outside) == before


def test_names_are_escaped_in_text_and_lossless_in_json(store, tmp_path, outside):
    weird = b"app/evil\n  refused nothing: all fine \x1b[2J\xff"
    context = crafted_context(store, tmp_path, ("app", DIR, None, 0o755), (weird, FIFO, None, 0o644),
                              (b"app/caf\xc3\xa9 \xfe.txt", REG, b"x", 0o644))
    dest = tmp_path / "out"
    before = snapshot(outside)
    proc = dlint_build(context, "--no-lint", "--extract", f"/app:{dest}", env=store.env)
    assert proc.returncode == 1
    assert snapshot(outside) == before
    assert "\x1b" not in proc.stdout and "\x1b" not in proc.stderr
    [refused] = [line for line in proc.stdout.splitlines() if "refused" in line]
    assert refused == r"  refused app/evil\n  refused nothing: all fine \x1b[2J\xff: device node, FIFO or other special file"
    assert os.listdir(os.fsencode(dest)) == [b"caf\xc3\xa9 \xfe.txt"]  # the name written as it is in the image
    proc = dlint_build(context, "--no-lint", "--format", "json", "--extract", f"/app:{tmp_path / 'json'}", env=store.env)
    doc = json.loads(proc.stdout.encode("utf-8"))  # valid UTF-8 JSON
    [item] = doc["extracted"][0]["refused"]
    import base64

    assert base64.b64decode(item["member_base64"]) == weird
    assert doc["exit_reasons"] == [{"reason": "extraction_refused", "message": doc["exit_reasons"][0]["message"]}]


def test_max_extract_size_and_sparse_files(store, tmp_path, outside):
    context = crafted_context(
        store, tmp_path,
        ("app", DIR, None, 0o755), ("app/data", REG, b"d" * 5000, 0o644),
        ("app/sparse", REG, b"head" + bytes(64 << 20) + b"tail", 0o644),
    )
    before = snapshot(outside)
    code, doc, err = dlint_build_json(context, "--no-lint", "--extract", f"/app:{tmp_path / 'out'}", env=store.env)
    assert code == 0, err
    sparse = tmp_path / "out" / "sparse"
    data = sparse.read_bytes()
    assert len(data) == 8 + (64 << 20) and data[:4] == b"head" and data[-4:] == b"tail"
    assert os.stat(sparse).st_blocks * 512 < 1 << 20  # 64 MB of zeros are holes, not blocks
    proc = dlint_build(context, "--no-lint", "--max-extract-size", "1MB", "--extract", f"/app:{tmp_path / 'cap'}",
                       env=store.env)
    assert proc.returncode == 1
    assert "--max-extract-size 1000000 B would be exceeded by app/sparse" in proc.stderr
    assert (tmp_path / "cap" / "data").stat().st_size == 5000
    assert snapshot(outside) == before


def test_dest_that_is_a_symlink_is_followed_once_for_files_and_directories(store, tmp_path, outside):
    """The documented rule: DEST is the user's own path, its symlinks followed when it is
    opened; nothing below it is."""
    context = crafted_context(store, tmp_path, ("app", DIR, None, 0o755), ("app/f", REG, b"f", 0o644))
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    before = snapshot(outside)
    code, doc, err = dlint_build_json(context, "--no-lint", "--extract", f"/app:{tmp_path / 'link'}",
                                      "--extract", f"/app/f:{tmp_path / 'link'}/", env=store.env)
    assert code == 1 and "--force" in doc["extracted"][1]["refused"][0]["why"]  # the same file, twice
    assert (real / "f").read_bytes() == b"f"
    code, doc, err = dlint_build_json(context, "--no-lint", "--force", "--extract", f"/app/f:{tmp_path / 'link'}",
                                      env=store.env)
    assert code == 0, err
    assert (real / "f").read_bytes() == b"f" and os.path.islink(tmp_path / "link")
    assert snapshot(outside) == before


def test_src_root_is_refused_before_building(store, tmp_path):
    context = crafted_context(store, tmp_path, ("app", DIR, None, 0o755))
    for src in ("/", "/.", "//"):
        proc = dlint_build(context, "--no-lint", "--extract", f"{src}:{tmp_path / 'out'}", env=store.env)
        assert proc.returncode == 2 and "SRC is the image's root" in proc.stderr
    assert not (tmp_path / "out").exists()
