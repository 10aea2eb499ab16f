"""``dlint image NAME`` and ``dlint image --archive FILE``: the same analysis as ``dlint build``
without building, on both image stores, and from a ``docker save`` file with no engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.image.helpers import FIXTURES, ROOT, dlint_build_json
from tests.engine_env import containers_left, store  # noqa: F401  (fixtures are used by name)


def dlint_image(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dlint", "image", *map(str, args)], cwd=ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def built(store):
    tag = f"dlint-test/image-split-{store.name}"
    code, doc, err = dlint_build_json(FIXTURES / "split", "--no-lint", "-t", tag, env=store.env)
    assert code == 0, err
    return tag, doc


@pytest.mark.engine
def test_image_on_the_engine_equals_the_build_report(store, built, tmp_path):
    tag, build = built
    proc = dlint_image(tag, "-f", FIXTURES / "split" / "Dockerfile", "--format", "json", env=store.env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["image"]["id"] == build["image"]["id"]
    assert [(r["line"], r["size"], r["compressed"]) for r in doc["layers"]] == [
        (r["line"], r["size"], r["compressed"]) for r in build["layers"]]
    assert doc["waste"]["dead_user"] == build["waste"]["dead_user"] > 5_000_000
    assert [r["status"] for r in doc["layers"]] == ["base", "image", "image", "image"]
    # Without -f: rows are the history's entries.
    proc = dlint_image(tag, env=store.env)
    assert proc.returncode == 0, proc.stderr
    assert "RUN apt-get update" in proc.stdout and "created by layer 2 (RUN), deleted by layer 4 (RUN)" in proc.stdout


@pytest.mark.engine
def test_image_from_a_docker_save_file_needs_no_engine(store, built, tmp_path):
    tag, build = built
    saved = tmp_path / "image.tar"
    with open(saved, "wb") as out:
        for chunk in store.client.api.get_image(tag):
            out.write(chunk)
    proc = dlint_image("--archive", saved, "-f", FIXTURES / "split" / "Dockerfile", "--format", "json",
                       env={"DOCKER_HOST": "unix:///nonexistent.sock"})
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [r["size"] for r in doc["layers"]] == [r["size"] for r in build["layers"]]
    assert doc["waste"]["dead_user"] == build["waste"]["dead_user"]


@pytest.mark.engine
def test_image_extract(store, built, tmp_path):
    code, doc, err = dlint_build_json(FIXTURES / "extract", "--no-lint", "-t", f"dlint-test/image-extract-{store.name}",
                                      env=store.env)
    assert code == 0, err
    proc = dlint_image(f"dlint-test/image-extract-{store.name}", "--extract", f"/out:{tmp_path / 'o'}", env=store.env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "o" / "blob.bin").read_bytes() == (FIXTURES / "extract" / "payload" / "blob.bin").read_bytes()
    assert not containers_left(store.client, images=[doc["image"]["id"]])


@pytest.mark.engine
def test_no_such_image_is_exit_2(store):
    proc = dlint_image("dlint-test/no-such:image", env=store.env)
    assert proc.returncode == 2 and "no image dlint-test/no-such:image on the engine" in proc.stderr


def test_unreadable_or_missing_archive_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.tar"
    bad.write_bytes(b"not a tar archive at all" * 40)
    for args, said in (((bad,), "not a readable tar archive"), ((tmp_path / "missing.tar",), "no such file"),
                       ((tmp_path,), "is a directory")):
        proc = dlint_image("--archive", *args)
        assert proc.returncode == 2 and said in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    proc = dlint_image("some:image", "--archive", bad)
    assert proc.returncode == 2 and "one of them" in proc.stderr
