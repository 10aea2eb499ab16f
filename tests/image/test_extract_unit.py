"""Extraction safety and ``docker cp`` semantics, on hand-made archives (no engine).

The engine cannot be made to produce these archives: ``docker cp``/``get_archive`` always
writes relative names without ``..``. A hostile or broken engine (or a tampered transport)
could, so :func:`dlint.image.extract.extract_archive` is fed fake tars here; the engine tests
cover real images with hostile symlinks.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile

import pytest

from dlint.image.errors import BuildCommandError, ExtractError
from dlint.image.extract import check_destination, extract_archive, image_path, parse_spec, rewrite_absolute

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
        # An existing DEST receives the contents too: the same result on every run (docker cp
        # would write out/app/a.txt the second time).
        ("/app", True, {"out/a.txt"}),
        ("/app/.", True, {"out/a.txt"}),  # trailing /. copies the contents
    ],
)
def test_directory_semantics_are_the_same_on_every_run(tmp_path, src, dest_exists, expected):
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


# --rewrite-absolute-symlinks ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/app/releases/v1", "/app/releases/v1"),
        ("/app/./releases//v1/", "/app/releases/v1"),
        ("//app", "/app"),  # posixpath.normpath would keep the leading "//"
        ("/app/../etc/passwd", "/etc/passwd"),
        ("/../../app/x", "/app/x"),  # "/.." is "/" in the image
        ("/app/.", "/app"),
        ("/", "/"),
        ("/..", "/"),
    ],
)
def test_image_path_normalises_lexically(path, expected):
    assert image_path(path) == expected


@pytest.mark.parametrize(
    "target, link, tree, expected",
    [
        # the example, at the top of the tree
        ("/app/releases/v1", "/app/current", "/app", ("/app/releases/v1", "releases/v1")),
        # nested links: relative to the link's own directory
        ("/app/releases/v1", "/app/a/b/current", "/app", ("/app/releases/v1", "../../releases/v1")),
        ("/app/a/b/file", "/app/a/b/l", "/app", ("/app/a/b/file", "file")),
        ("/app/a/x/file", "/app/a/b/l", "/app", ("/app/a/x/file", "../x/file")),
        # a link to SRC itself, and to the link's own directory
        ("/app", "/app/self", "/app", ("/app", ".")),
        ("/app", "/app/a/b/up", "/app", ("/app", "../..")),
        ("/app/a", "/app/a/here", "/app", ("/app/a", ".")),
        # ".." and "." resolved lexically, staying in the tree
        ("/app/releases/../releases/v2/.", "/app/current", "/app", ("/app/releases/v2", "releases/v2")),
        ("/../app/bin", "/app/sub/l", "/app", ("/app/bin", "../bin")),
        ("/etc/../app/bin", "/app/l", "/app", ("/app/bin", "bin")),
        # a trailing "/" (must be a directory) is kept
        ("/app/releases/v1/", "/app/current", "/app", ("/app/releases/v1", "releases/v1/")),
        ("/app/", "/app/a/up", "/app", ("/app", "../")),
        # SRC given with a trailing "/." or "/" or sloppy slashes: the same tree
        ("/app/releases/v1", "/app/current", "/app/.", ("/app/releases/v1", "releases/v1")),
        ("/app/releases/v1", "//app//current", "/app/", ("/app/releases/v1", "releases/v1")),
        # the whole image
        ("/usr/bin/busybox", "/bin/sh", "/", ("/usr/bin/busybox", "../usr/bin/busybox")),
        # outside the tree: not rewritten, reported with where it points
        ("/etc/passwd", "/app/l", "/app", ("/etc/passwd", None)),
        ("/app/../etc/passwd", "/app/l", "/app", ("/etc/passwd", None)),
        ("/app/../../../etc", "/app/a/l", "/app", ("/etc", None)),
        ("/application/x", "/app/l", "/app", ("/application/x", None)),  # a prefix, not a parent
        ("/", "/app/l", "/app", ("/", None)),
        ("/srv", "/srv/app/l", "/srv/app", ("/srv", None)),  # SRC's parent
    ],
)
def test_rewrite_absolute_target(target, link, tree, expected):
    assert rewrite_absolute(target, link, tree) == expected


def test_rewrite_absolute_needs_an_absolute_link_inside_the_tree():
    for target, link in (("relative", "/app/l"), ("/app/x", "/other/l"), ("/app/x", "/app")):
        with pytest.raises(ValueError):
            rewrite_absolute(target, link, "/app")


def symlink_tree():
    return tar_of(
        ("app", DIR, None, 0o755),
        ("app/releases", DIR, None, 0o755),
        ("app/releases/v1", DIR, None, 0o755),
        ("app/releases/v1/run.sh", REG, b"v1\n", 0o755),
        ("app/current", SYM, "/app/releases/v1", 0o777),  # -> releases/v1
        ("app/bin", DIR, None, 0o755),
        ("app/bin/run", SYM, "/app/current/run.sh", 0o777),  # a chain: -> ../current/run.sh
        ("app/bin/home", SYM, "/app", 0o777),  # SRC itself: -> ..
        ("app/bin/dotdot", SYM, "/app/bin/../releases/./v1/", 0o777),  # -> ../releases/v1/
        ("app/passwd", SYM, "/etc/passwd", 0o777),  # outside: refused with or without the flag
        ("app/escape", SYM, "/app/../etc/shadow", 0o777),  # escapes through "..": refused
        ("app/prefix", SYM, "/application/x", 0o777),  # not under /app: refused
        ("app/rel", SYM, "releases/v1/run.sh", 0o777),  # relative links: unchanged
        ("app/hard", LNK, "app/releases/v1/run.sh", 0o755),  # hardlinks: unchanged rules
    )


REWRITTEN = {
    "current": "releases/v1",
    "bin/run": "../current/run.sh",
    "bin/home": "..",
    "bin/dotdot": "../releases/v1/",
}


def links_under(path) -> dict[str, str]:
    return {
        os.path.relpath(os.path.join(root, name), path): os.readlink(os.path.join(root, name))
        for root, dirs, files in os.walk(path)
        for name in dirs + files
        if os.path.islink(os.path.join(root, name))
    }


@pytest.mark.parametrize(
    "src, dest_exists, under",
    [
        ("/app", False, "out"),  # DEST becomes the directory
        ("/app", True, "out"),  # an existing directory receives the contents (every run alike)
        ("/app/.", True, "out"),  # the contents
        ("/app/", False, "out"),  # a trailing "/" on a directory changes nothing
    ],
)
def test_rewrite_absolute_symlinks_in_the_tree(tmp_path, src, dest_exists, under):
    dest = tmp_path / "out"
    if dest_exists:
        dest.mkdir()
    chunks = symlink_tree()
    if src.endswith("/."):  # the engine names the contents "./..."
        chunks = tar_of(*[(("." + n[3:]) if n != "app" else ".", k, (("." + x[3:]) if k == LNK else x), m)
                          for n, k, x, m in _members(symlink_tree)])
    result = extract_archive(chunks, src, True, str(dest), rewrite_absolute=True)
    root = tmp_path / under
    assert links_under(root) == {**REWRITTEN, "rel": "releases/v1/run.sh"}
    assert (root / "bin" / "run").read_bytes() == b"v1\n"  # the chain resolves inside DEST
    assert os.path.samefile(root / "bin" / "home", root)
    assert os.path.samefile(root / "bin" / "dotdot", root / "releases" / "v1")
    assert os.stat(root / "hard").st_ino == os.stat(root / "releases" / "v1" / "run.sh").st_ino
    prefix = "app/" if not src.endswith("/.") else "./"
    assert {(n[len(prefix):], a, r) for n, a, r in result.rewritten} == {
        ("current", "/app/releases/v1", "releases/v1"),
        ("bin/run", "/app/current/run.sh", "../current/run.sh"),
        ("bin/home", "/app", ".."),
        ("bin/dotdot", "/app/bin/../releases/./v1/", "../releases/v1/"),
    }
    assert result.symlinks == 5
    refused = {n[len(prefix):]: why for n, why in result.refused}
    assert set(refused) == {"passwd", "escape", "prefix"}
    assert refused["passwd"] == "absolute symlink to /etc/passwd points outside the copied path /app; not rewritten"
    assert refused["escape"] == (
        "absolute symlink to /app/../etc/shadow (/etc/shadow in the image) points outside the copied path /app; "
        "not rewritten"
    )
    assert os.listdir(tmp_path) == ["out"]  # nothing written next to DEST
    for root_, dirs, files in os.walk(root):
        for name in dirs + files:
            real = os.path.realpath(os.path.join(root_, name))
            assert real == str(root) or real.startswith(str(root) + os.sep), (name, real)


def _members(make):
    """The members make() packs, read back as (name, type, payload/linkname, mode)."""
    raw = b"".join(make())
    out = []
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        for m in tar.getmembers():
            extra = tar.extractfile(m).read() if m.isreg() else (m.linkname if m.issym() or m.islnk() else None)
            out.append((m.name, m.type, extra, m.mode))
    return out


def test_absolute_symlinks_without_the_flag_are_refused_and_say_when_the_flag_helps(tmp_path):
    dest = tmp_path / "out"
    result = extract_archive(symlink_tree(), "/app", True, str(dest))
    assert links_under(dest) == {"rel": "releases/v1/run.sh"}
    assert result.rewritten == [] and result.symlinks == 1
    refused = dict(result.refused)
    assert set(refused) == {"app/current", "app/bin/run", "app/bin/home", "app/bin/dotdot", "app/passwd",
                            "app/escape", "app/prefix"}
    assert refused["app/current"] == (
        "absolute symlink to /app/releases/v1 (would point at the host's files); it is inside /app: "
        "--rewrite-absolute-symlinks would write it as releases/v1"
    )
    assert refused["app/bin/run"].endswith("would write it as ../current/run.sh")
    assert refused["app/passwd"] == "absolute symlink to /etc/passwd (would point at the host's files)"
    assert refused["app/escape"] == "absolute symlink to /app/../etc/shadow (/etc/shadow in the image) " \
                                    "(would point at the host's files)"
    assert "--rewrite" not in refused["app/prefix"]


def test_rewritten_link_is_still_checked_against_the_final_tree(tmp_path):
    """A rewritten link that resolves through a link leaving DEST is dropped like a relative one,
    and no longer reported as rewritten."""
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "out"
    chunks = tar_of(
        ("app", DIR, None, 0o755),
        ("app/abs", SYM, "/app/sneaky", 0o777),  # rewritten to "sneaky", checked before sneaky is
        ("app/dot", SYM, ".", 0o777),
        ("app/sneaky", SYM, "dot/../outside", 0o777),  # lexically inside, really DEST's parent
        ("app/ok", SYM, "/app/dot", 0o777),
    )
    result = extract_archive(chunks, "/app", True, str(dest), rewrite_absolute=True)
    assert links_under(dest) == {"dot": ".", "ok": "dot"}
    assert result.rewritten == [("app/ok", "/app/dot", "dot")]
    assert dict(result.refused) == {
        "app/abs": "symlink resolves outside the extracted tree",
        "app/sneaky": "symlink resolves outside the extracted tree",
    }
    assert result.symlinks == 2
    assert list(outside.iterdir()) == []


def test_dotdot_in_an_absolute_target_is_lexical(tmp_path):
    """``..`` pops the previous component whatever it is in the image (here a link to /app/sub,
    where the kernel would climb from /app/sub): documented; what is written stays in DEST."""
    dest = tmp_path / "out"
    chunks = tar_of(
        ("app", DIR, None, 0o755),
        ("app/sub", DIR, None, 0o755),
        ("app/sub/s", SYM, "/app/sub", 0o777),
        ("app/x", SYM, "/app/sub/s/../../outside", 0o777),
    )
    result = extract_archive(chunks, "/app", True, str(dest), rewrite_absolute=True)
    assert links_under(dest) == {"sub/s": ".", "x": "outside"}
    assert not result.refused


def test_symlink_as_the_copied_file_is_refused_even_with_the_flag(tmp_path):
    chunks = tar_of(("tool", SYM, "/usr/bin/tool", 0o777))
    result = extract_archive(chunks, "/usr/local/bin/tool", False, str(tmp_path / "t"), rewrite_absolute=True)
    assert not os.path.lexists(tmp_path / "t") and result.rewritten == []
    assert [n for n, _ in result.refused] == ["tool"]
    chunks = tar_of(("tool", SYM, "/usr/local/bin/tool", 0o777))  # a link to itself: still refused
    result = extract_archive(chunks, "/usr/local/bin/tool", False, str(tmp_path / "t"), rewrite_absolute=True)
    assert not os.path.lexists(tmp_path / "t") and [n for n, _ in result.refused] == ["tool"]


# Host-side failures and names ------------------------------------------------------------------


def test_a_name_too_long_for_the_host_is_one_clear_error(tmp_path):
    long = "n" * 300  # over NAME_MAX (255) of the host's filesystem
    chunks = tar_of(("app", DIR, None, 0o755), ("app/ok", REG, b"ok", 0o644), (f"app/{long}", REG, b"x", 0o644))
    with pytest.raises(ExtractError) as raised:
        extract_archive(chunks, "/app", True, str(tmp_path / "out"))
    message = str(raised.value)
    assert "\n" not in message and "File name too long" in message
    assert f"stopped at app/{long}" in message and "1 files (2 B)" in message and "(left in place)" in message
    assert (tmp_path / "out" / "ok").read_bytes() == b"ok"


def test_max_extract_size_counts_holes_too(tmp_path):
    chunks = tar_of(("app", DIR, None, 0o755), ("app/a", REG, b"a" * 600, 0o644), ("app/b", REG, bytes(600), 0o644))
    with pytest.raises(ExtractError, match="--max-extract-size 1000 B would be exceeded by app/b"):
        extract_archive(chunks, "/app", True, str(tmp_path / "out"), max_size=1000)
    assert os.listdir(tmp_path / "out") == ["a"]


def test_printable_and_json_names():
    from dlint.image.extract import json_name, printable

    assert printable("a\nb\x1b[31m") == r"a\nb\x1b[31m"
    raw = b"caf\xc3\xa9\xff"
    name = raw.decode("utf-8", "surrogateescape")
    assert printable(name) == r"café\xff"
    assert json_name("café\n") == {"member": "café\n"}
    import base64

    assert base64.b64decode(json_name(name)["member_base64"]) == raw


def test_src_root_is_refused():
    for src in ("/", "/.", "//", "/..", "."):
        with pytest.raises(BuildCommandError, match="SRC is the image's root"):
            parse_spec(f"{src}:out")
