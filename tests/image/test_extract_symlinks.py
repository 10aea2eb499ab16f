"""``dlint build --extract`` and absolute symlinks on a real engine: refused by default (the
message says when --rewrite-absolute-symlinks would help), rewritten as relative links with the
flag when they point inside SRC, refused all the same when they point elsewhere."""

from __future__ import annotations

import os

import pytest

from tests.engine_env import (  # noqa: F401  (fixtures are used by name)
    busybox_image,
    count_containers,
    docker_client,
)
from tests.image.helpers import FIXTURES, dlint_build_json

pytestmark = pytest.mark.engine

FIXTURE = FIXTURES / "symlinks"
FLAG = "--rewrite-absolute-symlinks"

# Member (relative to /app) -> its target in the image, and what the flag writes (readlink in DEST).
ABSOLUTE = {
    "current": "/app/releases/v1",
    "bin/run": "/app/current/bin/run.sh",  # a chain: through "current", itself rewritten
    "nested/deep/home": "/app",  # SRC itself
    "nested/deep/v1": "/app/nested/../releases/v1/",  # ".." resolved lexically, the trailing "/" kept
    "nested/chain": "/app/nested/deep/home",  # to a rewritten link to SRC
}
REWRITTEN = {
    "current": "releases/v1",
    "bin/run": "../current/bin/run.sh",
    "nested/deep/home": "../..",
    "nested/deep/v1": "../../releases/v1/",
    "nested/chain": "deep/home",
}
OUTSIDE = {"passwd", "escape"}


def links(root) -> dict[str, str]:
    found = {}
    for where, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(where, name)
            if os.path.islink(path):
                found[os.path.relpath(path, root)] = os.readlink(path)
    return found


def assert_inside(root) -> None:
    """Every path under ``root``, links resolved, stays under ``root``."""
    root = os.path.realpath(root)
    for where, dirs, files in os.walk(root):
        for name in dirs + files:
            real = os.path.realpath(os.path.join(where, name))
            assert real == root or real.startswith(root + os.sep), (name, real)


@pytest.fixture(scope="module")
def built(docker_client, busybox_image):
    """Build once; the extracting runs below hit the cache."""
    code, doc, err = dlint_build_json(FIXTURE, "--no-lint", "-t", "dlint-test/build-symlinks")
    assert code == 0, err
    return doc["image"]["id"]


def test_absolute_symlinks_refused_without_the_flag(built, docker_client, tmp_path):
    before = count_containers(docker_client)
    dest = tmp_path / "out"
    code, doc, err = dlint_build_json(FIXTURE, "--no-lint", "--extract", f"/app:{dest}")
    assert code == 1 and "refused" in err
    assert sorted(os.listdir(tmp_path)) == ["out"]
    assert links(dest) == {"rel": "releases/v1"}
    assert_inside(dest)
    [item] = doc["extracted"]
    refused = {r["member"][len("app/"):]: r["why"] for r in item["refused"]}
    assert set(refused) == set(ABSOLUTE) | OUTSIDE
    for name, relative in REWRITTEN.items():
        assert refused[name] == (
            f"absolute symlink to {ABSOLUTE[name]} (would point at the host's files); it is inside /app: "
            f"{FLAG} would write it as {relative}"
        )
    assert refused["passwd"] == "absolute symlink to /etc/passwd (would point at the host's files)"
    assert refused["escape"] == ("absolute symlink to /app/../etc/shadow (/etc/shadow in the image) "
                                 "(would point at the host's files)")
    assert (dest / "hard").read_bytes() == b"v1\n"
    assert os.stat(dest / "hard").st_ino == os.stat(dest / "releases" / "v1" / "bin" / "run.sh").st_ino
    assert count_containers(docker_client) == before


def test_absolute_symlinks_inside_src_rewritten_with_the_flag(built, docker_client, tmp_path):
    before = count_containers(docker_client)
    dest, contents, nested = tmp_path / "out", tmp_path / "contents", tmp_path / "nested"
    contents.mkdir()  # "/app/." into an existing directory: the same tree, named "./..." in the archive
    code, doc, err = dlint_build_json(
        FIXTURE, "--no-lint", FLAG, "--extract", f"/app:{dest}", "--extract", f"/app/.:{contents}",
        "--extract", f"/app/nested:{nested}", "--extract", f"/app/current:{tmp_path / 'current'}",
    )
    assert code == 1 and "refused" in err  # /etc/passwd and /app/../etc/shadow stay refused
    assert sorted(os.listdir(tmp_path)) == ["contents", "nested", "out"]
    for root in (dest, contents):
        assert links(root) == {**REWRITTEN, "rel": "releases/v1"}
        assert (root / "bin" / "run").read_bytes() == b"v1\n"  # a chain of rewritten links
        assert os.path.samefile(root / "nested" / "chain", root)
        assert os.path.samefile(root / "nested" / "deep" / "v1", root / "releases" / "v1")
        assert os.stat(root / "hard").st_ino == os.stat(root / "releases" / "v1" / "bin" / "run.sh").st_ino
        assert_inside(root)
    app, dot, sub, link = doc["extracted"]
    for item, prefix in ((app, "app/"), (dot, "./")):
        refused = {r["member"][len(prefix):]: r["why"] for r in item["refused"]}
        assert refused == {
            "passwd": "absolute symlink to /etc/passwd points outside the copied path /app; not rewritten",
            "escape": "absolute symlink to /app/../etc/shadow (/etc/shadow in the image) points outside the "
                      "copied path /app; not rewritten",
        }
        assert item["symlinks"] == len(REWRITTEN) + 1
    # SRC /app/nested: links to /app and /app/releases point outside it; the one to
    # /app/nested/deep/home is inside, and written though what it points to is refused.
    assert links(nested) == {"chain": "deep/home"}
    assert not os.path.exists(nested / "chain")  # dangling, inside DEST
    assert_inside(nested)
    refused = {r["member"]: r["why"] for r in sub["refused"]}
    assert refused == {
        "nested/deep/home": "absolute symlink to /app points outside the copied path /app/nested; not rewritten",
        "nested/deep/v1": "absolute symlink to /app/nested/../releases/v1/ (/app/releases/v1 in the image) "
                          "points outside the copied path /app/nested; not rewritten",
    }
    # SRC is the link itself (docker cp copies the link, not what it points to): no tree to
    # point into, refused as before.
    assert link["refused"] == [
        {"member": "current", "why": "absolute symlink to /app/releases/v1 (would point at the host's files)"}
    ]
    assert count_containers(docker_client) == before


def test_json_lists_the_rewritten_links(built, docker_client, tmp_path):
    before = count_containers(docker_client)
    dest = tmp_path / "out"
    code, doc, err = dlint_build_json(FIXTURE, "--no-lint", FLAG, "--extract", f"/app:{dest}")
    assert code == 1, err
    [item] = doc["extracted"]
    assert "rewritten_symlinks" in item, "dlint/image/render.py does not report Extracted.rewritten yet"
    assert sorted(item["rewritten_symlinks"], key=lambda r: r["member"]) == sorted(
        ({"member": f"app/{name}", "target": ABSOLUTE[name], "written": written}
         for name, written in REWRITTEN.items()),
        key=lambda r: r["member"],
    )
    assert count_containers(docker_client) == before
