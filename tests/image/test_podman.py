"""``DOCKER_HOST=unix://…/podman.sock dlint build``: Podman's Docker API (Debian's podman,
``podman system service``), which builds with Buildah and exports Podman's docker-archive
layout (``<diff id>.tar`` layers). The same truths as on Docker: dead bytes against a ground
truth computed from Podman's own export, the cache report, extraction exact, nothing left."""

from __future__ import annotations

import os
import stat
import time

import pytest

from tests.image.helpers import FIXTURES, dlint_build, dlint_build_json
from tests.image.test_stores import ground_truth
from tests.engine_env import containers_left, podman  # noqa: F401  (fixtures are used by name)

pytestmark = pytest.mark.engine


def test_founding_example_on_podman(podman, tmp_path):
    code, doc, err = dlint_build_json(FIXTURES / "split", "--no-lint", env=podman.env)
    assert code == 0, err
    base = podman.client.api.inspect_image("dlint-test/debian:bookworm")["RootFS"]["Layers"]
    truth = ground_truth(podman.client, doc["image"]["id"], len(base), tmp_path)
    assert truth["dead_user"] > 5_000_000
    assert abs(doc["waste"]["dead_user"] - truth["dead_user"]) <= 0.01 * truth["dead_user"]
    assert [r["size"] for r in doc["layers"]] == truth["layer_sizes"]
    assert [r["line"] for r in doc["layers"]] == [2, 3, 4, 5]
    # Buildah's "STEP n/m:" and "--> Using cache" are read like the classic builder's lines.
    assert all(r["status"] in ("built", "cached") for r in doc["layers"][1:])
    assert not containers_left(podman.client, err, [doc["image"]["id"]])


def test_cache_report_and_times_on_podman(podman):
    code, _, err = dlint_build_json(FIXTURES / "stale", "--no-lint", "--build-arg", "REBUILD=first", env=podman.env)
    assert code == 0, err
    code, doc, err = dlint_build_json(FIXTURES / "stale", "--no-lint", "--build-arg", f"REBUILD={time.time()}",
                                      env=podman.env)
    assert code == 0, err
    rows = {r["line"]: r for r in doc["layers"]}
    assert rows[3]["status"] == "cached" and rows[5]["status"] == "built" and rows[5]["seconds"] > 0.5
    assert doc["cache"]["misses_by_time"][0]["line"] == 5
    assert [s["line"] for s in doc["cache"]["stale_index"]] == [3]


def test_extraction_on_podman(podman, tmp_path):
    dest = tmp_path / "out"
    code, doc, err = dlint_build_json(FIXTURES / "extract", "--no-lint", "--extract", f"/out:{dest}", env=podman.env)
    assert code == 0, err
    payload = FIXTURES / "extract" / "payload"
    assert (dest / "blob.bin").read_bytes() == (payload / "blob.bin").read_bytes()
    assert stat.S_IMODE(os.stat(dest / "tool.sh").st_mode) == 0o750
    assert os.readlink(dest / "link-inside") == "sub/secret.txt"
    assert not containers_left(podman.client, err, [doc["image"]["id"]])


def test_a_missing_base_image_on_podman_is_the_usual_clear_error(podman):
    proc = dlint_build(FIXTURES / "missing-base", "--no-lint", env=podman.env)
    assert proc.returncode == 2 and "never pulls" in proc.stderr and "Traceback" not in proc.stderr
