"""The layer cache of ``dlint build`` (dlint/image/layer_cache.py): a second look at an image
exports nothing, a rebuild re-reads only its changed layers, and what comes out of the cache
is exactly what reading the export gives. Real builds on a real engine; each test has its own
cache directory (``DLINT_CACHE_DIR``)."""

from __future__ import annotations

import shutil

import pytest

from dlint.image.layer_cache import LayerCache
from tests.image.helpers import FIXTURES, dlint_build, dlint_build_json
from tests.engine_env import busybox_image, docker_client  # noqa: F401  (fixtures are used by name)

DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64


def build(context, cache_dir, *more):
    code, doc, err = dlint_build_json(context, "--no-lint", *more, env={"DLINT_CACHE_DIR": str(cache_dir)})
    assert code == 0, err
    return doc


def analysed(doc):
    """What the analysis says about the image, without what differs between two runs."""
    return {
        "layers": [(r["line"], r["instruction"], r["size"], r["cumulative"]) for r in doc["layers"]],
        "waste": doc["waste"],
    }


@pytest.fixture
def context(tmp_path):
    target = tmp_path / "context"
    shutil.copytree(FIXTURES / "layercache", target)
    return target


@pytest.mark.engine
def test_second_look_exports_nothing_and_reports_the_same(context, tmp_path, busybox_image):
    cache = tmp_path / "cache"
    first = build(context, cache)
    assert first["analysis"]["exported"] is True
    assert (first["analysis"]["layers_read"], first["analysis"]["layers_cached"]) == (5, 0)  # busybox base: 2 layers
    assert len(list((cache / "layers").iterdir())) == 5

    second = build(context, cache)  # every step cached: the same image
    assert second["image"]["id"] == first["image"]["id"]
    assert second["analysis"]["exported"] is False
    assert (second["analysis"]["layers_read"], second["analysis"]["layers_cached"]) == (0, 5)
    assert analysed(second) == analysed(first)


@pytest.mark.engine
def test_rebuild_reads_only_the_changed_layers(context, tmp_path, busybox_image):
    cache = tmp_path / "cache"
    build(context, cache)
    (context / "data.txt").write_text("second version of the data, longer than the first\n")
    rebuilt = build(context, cache)
    # The COPY and the RUN after it are new; the base's two layers and the first RUN come from
    # the cache.
    assert rebuilt["analysis"]["exported"] is True
    assert (rebuilt["analysis"]["layers_read"], rebuilt["analysis"]["layers_cached"]) == (2, 3)
    # Exactly what a run without the cache finds in the same image.
    fresh = build(context, tmp_path / "unused", "--no-layer-cache")
    assert fresh["image"]["id"] == rebuilt["image"]["id"]
    assert (fresh["analysis"]["layers_read"], fresh["analysis"]["layers_cached"]) == (5, 0)
    assert not (tmp_path / "unused").exists()  # --no-layer-cache writes nothing either
    assert analysed(rebuilt) == analysed(fresh)
    size_row = rebuilt["layers"][-2]
    assert size_row["instruction"] == "COPY data.txt /srv/data.txt" and size_row["size"] == 50


@pytest.mark.engine
def test_damaged_cache_files_are_misses_and_get_rewritten(context, tmp_path, busybox_image):
    cache = tmp_path / "cache"
    first = build(context, cache)
    for path in (cache / "layers").iterdir():
        path.write_bytes(b"not a cache file")
    again = build(context, cache)
    assert again["analysis"]["exported"] is True and again["analysis"]["layers_read"] == 5
    assert analysed(again) == analysed(first)
    # The damaged entries were rewritten: the next look needs no export.
    third = build(context, cache)
    assert third["analysis"]["exported"] is False and third["analysis"]["layers_cached"] == 5


@pytest.mark.engine
def test_unusable_cache_directory_does_not_fail_the_build(context, tmp_path, busybox_image):
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache directory cannot be created under a file")
    proc = dlint_build(context, "--no-lint", env={"DLINT_CACHE_DIR": str(blocker / "cache")})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


# -- the store itself (no engine) -------------------------------------------------------------


def test_layers_round_trip_and_foreign_files_are_misses(tmp_path):
    cache = LayerCache(str(tmp_path))
    entries = [("/etc/hostname", 9, "file"), ("/etc", 0, "dir"), ("/var/lib/apt/lists", 0, "opaque")]
    cache.put_layer(DIGEST_A, entries, {"/var/lib/apt/lists/x_InRelease": "Tue, 01 Oct 2026 10:00:00 UTC"})
    assert cache.get_layer(DIGEST_B) is None  # never stored
    assert cache.get_layer(DIGEST_A) == (entries, {"/var/lib/apt/lists/x_InRelease": "Tue, 01 Oct 2026 10:00:00 UTC"})
    # A file copied under another digest's name does not answer for it.
    shutil.copy(tmp_path / "layers" / (DIGEST_A[7:] + ".json.z"), tmp_path / "layers" / (DIGEST_B[7:] + ".json.z"))
    assert cache.get_layer(DIGEST_B) is None
    # Names that are not digests are never turned into paths.
    cache.put_layer("sha256:../../etc/passwd", entries, {})
    assert cache.get_layer("../../etc/passwd") is None and not (tmp_path / "etc").exists()
    cache.remember_v1("f" * 64, DIGEST_A)
    assert cache.diff_id_of_v1("f" * 64) == DIGEST_A
    assert cache.diff_id_of_v1("../" + "f" * 61) is None
    cache.put_history(DIGEST_B, [{"created_by": "RUN x"}, {"empty_layer": True}])
    assert cache.get_history(DIGEST_B) == [{"created_by": "RUN x"}, {"empty_layer": True}]
    assert cache.get_history(DIGEST_A) is None


@pytest.mark.engine
def test_a_build_keeps_the_cache_under_its_size_cap(context, tmp_path, busybox_image):
    cache = tmp_path / "cache"
    code, doc, err = dlint_build_json(context, "--no-lint",
                                      env={"DLINT_CACHE_DIR": str(cache), "DLINT_CACHE_MAX_SIZE": "3kB"})
    assert code == 0, err
    assert doc["analysis"]["layers_read"] == 5
    assert 0 < LayerCache(str(cache)).size() <= 3000
