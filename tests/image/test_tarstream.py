"""The image archive's tar header reader against Python's ``tarfile`` as the reference: every
format ``tarfile`` writes (ustar, GNU, pax), long names and links, every member type, content
sizes around the 512-byte block, nested tars, and damaged input. No engine needed: the engine
tests read real ``docker save`` streams through the same reader."""

from __future__ import annotations

import io
import tarfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dlint.image.tarstream import DIRECTORY, REGULAR, Source, TarFormatError, members

FORMATS = {"ustar": tarfile.USTAR_FORMAT, "gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT}


def make_tar(entries, format=tarfile.PAX_FORMAT) -> bytes:
    """entries: (name, type, content or link target, mode)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=format) as tar:
        for name, kind, payload, mode in entries:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.mode = mode
            info.mtime = 1_700_000_000
            if kind == tarfile.REGTYPE:
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
            else:
                if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                    info.linkname = payload
                tar.addfile(info)
    return buffer.getvalue()


def ours(data: bytes):
    return [(m.name.rstrip("/"), m.size, m.type, m.linkname, m.mode) for m in members(Source(io.BytesIO(data)))]


def reference(data: bytes):
    with tarfile.open(fileobj=io.BytesIO(data), mode="r|") as tar:
        return [
            (t.name, t.size if t.isreg() else 0, REGULAR if t.isreg() else t.type.decode(), t.linkname, t.mode)
            for t in tar
        ]


LONG = "very-long-directory-name/" * 6 + "file-with-a-long-name.txt"  # > 100 and > 155 characters
EVERY_KIND = [
    ("etc", tarfile.DIRTYPE, None, 0o755),
    ("etc/empty", tarfile.REGTYPE, b"", 0o644),
    ("etc/one-block", tarfile.REGTYPE, b"x" * 512, 0o600),
    ("etc/just-over", tarfile.REGTYPE, b"y" * 513, 0o640),
    ("etc/just-under", tarfile.REGTYPE, b"z" * 511, 0o4755),
    (LONG, tarfile.REGTYPE, b"long name", 0o644),
    ("usr/bin/sh", tarfile.SYMTYPE, "/bin/" + "busybox" * 20, 0o777),  # long link target
    ("usr/bin/hard", tarfile.LNKTYPE, "etc/empty", 0o644),
    ("dev/null", tarfile.CHRTYPE, None, 0o666),
    ("dev/sda", tarfile.BLKTYPE, None, 0o660),
    ("run/fifo", tarfile.FIFOTYPE, None, 0o600),
    ("var/lib/apt/lists/.wh..wh..opq", tarfile.REGTYPE, b"", 0o644),
    ("caf\u00e9/\u00fcber.txt", tarfile.REGTYPE, b"unicode names", 0o644),
]


@pytest.mark.parametrize("format", FORMATS)
def test_every_member_kind_matches_tarfile(format):
    entries = EVERY_KIND if format != "ustar" else [e for e in EVERY_KIND if len(e[0]) < 100 and len(e[2] or "") < 100]
    data = make_tar(entries, FORMATS[format])
    assert ours(data) == reference(data)
    assert len(ours(data)) == len(entries)


def test_nested_layer_tars_and_partial_reads():
    """An image archive holds layer tars: each is read as a tar of its own from the outer
    stream, a member's first bytes can be read and the rest is skipped."""
    inner_a = make_tar([("a/file", tarfile.REGTYPE, b"A" * 3000, 0o644), ("a/link", tarfile.SYMTYPE, "file", 0o777)])
    inner_b = make_tar([("var/lib/apt/lists/x_InRelease", tarfile.REGTYPE, b"Date: Tue, 01 Oct 2026\n" + b"." * 70000, 0o644)])
    outer = make_tar([
        ("abc/layer.tar", tarfile.REGTYPE, inner_a, 0o644),
        ("manifest.json", tarfile.REGTYPE, b'[{"Layers": ["abc/layer.tar"]}]', 0o644),
        ("def/layer.tar", tarfile.REGTYPE, inner_b, 0o644),
    ])
    source = Source(io.BytesIO(outer))
    seen = []
    for member in members(source):
        if member.name.endswith("/layer.tar"):
            layer = Source(source, member.size)
            for inner in members(layer):
                head = layer.read(5) if inner.is_file and inner.name.endswith("InRelease") else b""
                seen.append((member.name, inner.name, inner.size, head))
            layer.drain()
        elif member.name == "manifest.json":
            seen.append((member.name, source.read(member.size)))
    assert seen == [
        ("abc/layer.tar", "a/file", 3000, b""),
        ("abc/layer.tar", "a/link", 0, b""),
        ("manifest.json", b'[{"Layers": ["abc/layer.tar"]}]'),
        ("def/layer.tar", "var/lib/apt/lists/x_InRelease", 70023, b"Date:"),
    ]


def test_old_style_directory_and_pax_size_override():
    header = tarfile.TarInfo("olddir/")
    header.type = tarfile.AREGTYPE  # NUL type flag, directory by its trailing slash
    block = header.tobuf(tarfile.USTAR_FORMAT)
    assert [(m.name, m.type) for m in members(Source(io.BytesIO(block + bytes(1024))))] == [("olddir/", DIRECTORY)]
    pax = tarfile.TarInfo("big")
    pax.size = 10
    pax.pax_headers = {"size": "10", "path": "renamed/by/pax"}
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(pax, io.BytesIO(b"0123456789"))
    assert ours(data.getvalue()) == [("renamed/by/pax", 10, REGULAR, "", 0o644)] == reference(data.getvalue())


def test_damaged_archives_raise_a_format_error():
    data = make_tar([("f", tarfile.REGTYPE, b"x" * 2000, 0o644)])
    with pytest.raises(TarFormatError, match="end of data"):
        ours(data[:1024])  # cut inside the content
    broken = bytearray(data)
    broken[0] ^= 0x01  # the name changes, the checksum does not
    with pytest.raises(TarFormatError, match="checksum"):
        ours(bytes(broken))
    with pytest.raises(TarFormatError):
        ours(b"this is not a tar archive at all".ljust(512, b"!"))
    assert ours(b"") == [] and ours(bytes(1024)) == []


names = st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF, blacklist_characters="/\\"), min_size=1, max_size=60)
paths = st.lists(names, min_size=1, max_size=5).map("/".join)
kinds = st.sampled_from([tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.FIFOTYPE])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(paths, kinds, st.integers(0, 1500), st.sampled_from([0o644, 0o755, 0o4711, 0o1777])), max_size=12),
    st.sampled_from(["gnu", "pax"]),
)
def test_random_archives_match_tarfile(entries, format):
    built = [
        (name, kind, b"d" * size if kind == tarfile.REGTYPE else ("target/" + name if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else None), mode)
        for name, kind, size, mode in entries
    ]
    data = make_tar(built, FORMATS[format])
    assert ours(data) == reference(data)


@pytest.mark.parametrize("format", ["gnu", "posix"])
def test_sparse_files_written_by_gnu_tar(tmp_path, format):
    """Layers made by other tools can hold sparse files (``docker save`` keeps a pulled layer
    byte for byte). GNU tar writes them in two styles: type S with extension blocks when the
    map is long, and pax records. Both are listed with their real size, and what follows
    them is read correctly."""
    import shutil
    import subprocess

    if not shutil.which("tar"):
        pytest.skip("GNU tar is not installed")
    folder = tmp_path / "d"
    folder.mkdir()
    with open(folder / "holes", "wb") as handle:  # 12 data blocks between holes: a long map
        for index in range(12):
            handle.seek(index * 200_000)
            handle.write(b"data")
        handle.truncate(3_000_000)
    (folder / "after").write_bytes(b"xyz")
    archive = tmp_path / "sparse.tar"
    subprocess.run(["tar", f"--format={format}", "-S", "-cf", str(archive), "-C", str(tmp_path), "d/holes", "d/after"],
                   check=True)
    data = archive.read_bytes()
    listed = [(m.name, m.size, m.type) for m in members(Source(io.BytesIO(data)))]
    assert listed == [("d/holes", 3_000_000, "S"), ("d/after", 3, REGULAR)]
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        assert [(t.name, t.size) for t in tar] == [(name, size) for name, size, _ in listed]
