"""``--builder buildkit|auto``: BuildKit through a capable Docker CLI, analysed through the SDK."""

from __future__ import annotations

import pytest

from tests.image.helpers import FIXTURES, dlint_build, dlint_build_json
from tests.engine_env import (  # noqa: F401  (fixtures are used by name)
    busybox_image,
    count_containers,
    debian_image,
    docker_client,
)

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def buildkit_cli(docker_client):
    from dlint.image.run import find_buildkit_cli

    from tests.engine_env import _skip_or_fail

    cli, why = find_buildkit_cli(None)
    if cli is None:
        _skip_or_fail(f"no BuildKit-capable Docker CLI here: {why}")  # a failure in CI
    return cli


def test_auto_picks_buildkit_for_cache_mounts(buildkit_cli, debian_image):
    code, doc, err = dlint_build_json(FIXTURES / "cachemount", "--no-lint")
    assert code == 0, err
    assert doc["image"]["builder"] == "buildkit"
    rows = doc["layers"]
    assert [r["line"] for r in rows] == [2, 3] and rows[1]["end_line"] == 4 and rows[1]["size"] > 100_000
    # The index stayed in the cache mount: no leftovers, nothing dead in the user's layers.
    assert doc["waste"]["leftovers_user"] == 0 and doc["waste"]["dead_user"] == 0
    # Built again: BuildKit reports the RUN as CACHED.
    code, doc, err = dlint_build_json(FIXTURES / "cachemount", "--no-lint")
    assert code == 0, err
    assert doc["cache"]["cached"] >= 1 and doc["cache"]["built"] == 0
    assert doc["layers"][1]["status"] == "cached"


def test_buildkit_layer_table_and_cache(buildkit_cli, busybox_image):
    code, doc, err = dlint_build_json(FIXTURES / "copyrun", "--no-lint", "--builder", "buildkit")
    assert code == 0, err
    assert [(r["line"], r["status"]) for r in doc["layers"]][:2] == [(2, "base"), (3, "meta")]
    assert [r["line"] for r in doc["layers"]] == [2, 3, 4, 5]
    assert doc["layers"][2]["size"] == len((FIXTURES / "copyrun" / "app.txt").read_bytes())
    assert doc["layers"][2]["status"] in ("cached", "built")


def test_buildkit_failure_names_the_line(buildkit_cli, busybox_image, docker_client):
    before = count_containers(docker_client)
    proc = dlint_build(FIXTURES / "failing", "--no-lint", "--builder", "buildkit")
    assert proc.returncode == 1
    assert "Dockerfile:4" in proc.stderr and "exit code: 3" in proc.stderr and "Traceback" not in proc.stderr
    assert count_containers(docker_client) == before


def test_no_capable_cli_is_a_clear_error(docker_client):
    proc = dlint_build(FIXTURES / "cachemount", "--no-lint", env={"DLINT_DOCKER_CLI": "/nonexistent/docker"})
    assert proc.returncode == 2
    assert "DLINT_DOCKER_CLI" in proc.stderr and "--builder legacy" in proc.stderr
