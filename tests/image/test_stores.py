"""The same build truths on both image stores: Docker 20.10's classic store and dockerd 26 with
the containerd image store (whose ``docker save`` is an OCI layout with gzip-compressed layers).

The ground truth is computed here, independently of dlint's reader: the engine's own export is
written to a file, opened with ``tarfile``, each layer decompressed with ``gzip`` (or
``zstandard``) and replayed as an overlay filesystem."""

from __future__ import annotations

import gzip
import io
import json
import os
import posixpath
import stat
import tarfile
import time

import pytest

from tests.image.helpers import FIXTURES, dlint_build, dlint_build_json
from tests.engine_env import containers_left, store  # noqa: F401  (fixtures are used by name)

pytestmark = pytest.mark.engine


def _layer_tar(data: bytes) -> tarfile.TarFile:
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    elif data[:4] == b"\x28\xb5\x2f\xfd":
        import zstandard

        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return tarfile.open(fileobj=io.BytesIO(data))


def ground_truth(client, image_id: str, base_layers: int, tmp_path) -> dict:
    """Per layer: its regular files' bytes; and the bytes the layers from ``base_layers`` on
    created that are not visible in the final image (deleted or replaced later)."""
    path = tmp_path / "export.tar"
    with open(path, "wb") as out:
        for chunk in client.api.get_image(image_id):
            out.write(chunk)
    with tarfile.open(path) as outer:
        manifest = json.load(outer.extractfile("manifest.json"))
        layer_names = manifest[0]["Layers"]
        files: dict[str, tuple[int, int]] = {}  # path -> (layer, size)
        sizes, dead_user = [], 0

        def kill(target: str, under: bool) -> int:
            gone = [p for p in files if p == target or (under and p.startswith(target.rstrip("/") + "/"))]
            popped = [files.pop(p) for p in gone]
            return sum(size for layer, size in popped if layer >= base_layers)

        for index, name in enumerate(layer_names):
            layer = _layer_tar(outer.extractfile(name).read())
            members = layer.getmembers()
            size = 0
            for member in members:  # deletions apply to lower layers: first
                full = posixpath.normpath("/" + member.name)
                directory, base = posixpath.split(full)
                if base == ".wh..wh..opq":
                    dead_user += kill(directory + "/", True)
                elif base.startswith(".wh."):
                    dead_user += kill(posixpath.join(directory, base[4:]), True)
            for member in members:
                full = posixpath.normpath("/" + member.name)
                if posixpath.basename(full).startswith(".wh.") or member.isdir():
                    continue
                if full in files:
                    dead_user += kill(full, False)
                if member.isreg():
                    files[full] = (index, member.size)
                    size += member.size
            sizes.append(size)
        layout = "oci" if "index.json" in outer.getnames() else "classic"
    return {"layer_sizes": sizes, "dead_user": dead_user, "format": layout}


@pytest.fixture(scope="module")
def founding(store, tmp_path_factory):
    """The founding example (update / install / rm in three RUNs), built on this store."""
    code, doc, err = dlint_build_json(FIXTURES / "split", "--no-lint", "-t", f"dlint-test/stores-split-{store.name}",
                                      env=store.env)
    assert code == 0, err
    assert not containers_left(store.client, err, [doc["image"]["id"]])
    base = store.client.api.inspect_image("dlint-test/debian:bookworm")["RootFS"]["Layers"]
    truth = ground_truth(store.client, doc["image"]["id"], len(base), tmp_path_factory.mktemp(store.name))
    return doc, truth


def test_dead_bytes_match_the_engines_own_export(founding, store):
    doc, truth = founding
    assert truth["dead_user"] > 5_000_000  # the apt lists: a real index, not an empty directory
    assert abs(doc["waste"]["dead_user"] - truth["dead_user"]) <= 0.01 * truth["dead_user"]
    lists = next(g for g in doc["waste"]["dead"] if g["directory"] == "/var/lib/apt/lists")
    assert lists["rules"] == ["DF107", "DF108"] and lists["created_by"]["line"] == 3
    assert doc["waste"]["reclaimable"] == doc["waste"]["dead_user"]


def test_layer_table_is_uncompressed_content_on_both_stores(founding, store):
    doc, truth = founding
    rows = doc["layers"]
    assert [r["line"] for r in rows] == [2, 3, 4, 5]
    assert [r["size"] for r in rows] == truth["layer_sizes"]  # exact: one layer per row here
    assert rows[3]["size"] == 0 and rows[-1]["cumulative"] == doc["waste"]["image_size"] == sum(truth["layer_sizes"])
    if store.name == "containerd":
        assert truth["format"] == "oci"
        # The RUN layers are stored gzip-compressed: their compressed size is shown, and smaller.
        assert all(0 < r["compressed"] < r["size"] for r in rows[1:3])
    else:
        assert all(r["compressed"] is None for r in rows)


def test_text_report_says_what_the_sizes_are(founding, store):
    proc = dlint_build(FIXTURES / "split", "--no-lint", env=store.env)
    assert proc.returncode == 0, proc.stderr
    assert "sizes: uncompressed content of each layer" in proc.stdout
    assert ("compressed" in proc.stdout.splitlines()[proc.stdout.splitlines().index("Layers") + 1]) == (
        store.name == "containerd")
    assert "/var/lib/apt/lists (6 files)" in proc.stdout or "/var/lib/apt/lists (" in proc.stdout


def test_extraction_is_exact_and_leaves_no_container(store, tmp_path):
    dest = tmp_path / "out"
    code, doc, err = dlint_build_json(FIXTURES / "extract", "--no-lint", "--extract", f"/out:{dest}", env=store.env)
    assert code == 0, err
    payload = FIXTURES / "extract" / "payload"
    assert (dest / "blob.bin").read_bytes() == (payload / "blob.bin").read_bytes()
    assert (dest / "sub" / "secret.txt").read_bytes() == (payload / "sub" / "secret.txt").read_bytes()
    assert stat.S_IMODE(os.stat(dest / "tool.sh").st_mode) == 0o750
    assert time.gmtime(os.stat(dest / "tool.sh").st_mtime)[:6] == (2020, 1, 2, 3, 4, 5)
    assert os.readlink(dest / "link-inside") == "sub/secret.txt"
    assert doc["extracted"][0]["files"] == 3
    assert not containers_left(store.client, err, [doc["image"]["id"]])


def test_second_look_on_each_store_exports_nothing(store, tmp_path):
    """A second look at the same image (every step cached) reads no export on either store,
    and reports the same sizes, compressed sizes and waste."""
    env = {**store.env, "DLINT_CACHE_DIR": str(tmp_path / "cache")}
    code, first, err = dlint_build_json(FIXTURES / "split", "--no-lint", env=env)
    assert code == 0, err
    code, second, err = dlint_build_json(FIXTURES / "split", "--no-lint", env=env)
    assert code == 0, err
    assert second["analysis"]["exported"] is False and second["analysis"]["layers_cached"] == 4
    assert second["waste"]["dead_user"] == first["waste"]["dead_user"]
    assert [r["size"] for r in second["layers"]] == [r["size"] for r in first["layers"]]
    assert [r["compressed"] for r in second["layers"]] == [r["compressed"] for r in first["layers"]]


def test_layer_cache_is_shared_across_stores(tmp_path):
    """Diff ids key the layer cache: the base layer read from the classic store's export is
    known when the containerd store's export holds it (under the same digest, or under the
    digest of its compressed blob once learned)."""
    from tests.engine_env import CONTAINERD_HOST, EngineUnavailable, ensure_containerd_engine, ensure_engine

    try:
        ensure_engine()
        ensure_containerd_engine()
    except EngineUnavailable as error:
        if os.environ.get("DLINT_REQUIRE_ENGINE") == "1":
            pytest.fail(str(error), pytrace=False)
        pytest.skip(str(error))
    cache = str(tmp_path / "cache")
    code, classic, err = dlint_build_json(FIXTURES / "split", "--no-lint", env={"DLINT_CACHE_DIR": cache})
    assert code == 0, err
    assert classic["analysis"]["layers_cached"] == 0
    code, other, err = dlint_build_json(FIXTURES / "split", "--no-lint",
                                        env={"DLINT_CACHE_DIR": cache, "DOCKER_HOST": CONTAINERD_HOST})
    assert code == 0, err
    assert other["analysis"]["exported"] is True and other["analysis"]["layers_cached"] >= 1  # the base layer
    assert other["layers"][0]["size"] == classic["layers"][0]["size"]


def test_time_per_step_and_misses_ranked_by_seconds(store):
    code, _, err = dlint_build_json(FIXTURES / "stale", "--no-lint", "--build-arg", "REBUILD=first", env=store.env)
    assert code == 0, err
    code, doc, err = dlint_build_json(FIXTURES / "stale", "--no-lint", "--build-arg", f"REBUILD={time.time()}",
                                      env=store.env)
    assert code == 0, err
    rows = {r["line"]: r for r in doc["layers"]}
    assert rows[3]["status"] == "cached" and rows[5]["status"] == "built"
    assert rows[5]["seconds"] > 1.0 > rows[3]["seconds"] >= 0  # an apt-get install takes seconds; a cache hit not
    assert rows[2]["seconds"] is None  # the base image: not built here
    [miss] = doc["cache"]["misses_by_time"]
    assert miss["line"] == 5 and miss["seconds"] == rows[5]["seconds"]
    assert doc["cache"]["first_miss"]["seconds"] == rows[5]["seconds"]
    proc = dlint_build(FIXTURES / "stale", "--no-lint", "--build-arg", f"REBUILD={time.time()}", env=store.env)
    assert "misses by time: line 5 " in proc.stdout
    header = next(line for line in proc.stdout.splitlines() if line.startswith("step  lines"))
    assert " time  cache" in header
