"""BuildKit through buildx: trixie's docker-buildx 0.13 as the plugin of Docker 26's CLI,
building on dockerd 26 (containerd store), read through ``--progress=rawjson`` (vertex ids,
cached flags, start and completion times) instead of scraped text."""

from __future__ import annotations

import time

import pytest

from tests.image.helpers import FIXTURES, dlint_build, dlint_build_json
from tests.engine_env import BUILDX_CLI, CONTAINERD_HOST, containers_left, store  # noqa: F401

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def buildx(store):
    if store.name != "containerd":
        pytest.skip("buildx runs against the Docker 26 engine here")
    from dlint.image.run import buildkit_capable

    ok, why = buildkit_capable(BUILDX_CLI)
    assert ok and why == "buildx rawjson", why
    return {"DOCKER_HOST": CONTAINERD_HOST, "DLINT_DOCKER_CLI": BUILDX_CLI}


@pytest.mark.parametrize("store", ["containerd"], indirect=True)
def test_heredocs_build_on_docker_26_through_buildx(buildx, store):
    code, doc, err = dlint_build_json(FIXTURES / "heredoc", "--no-lint", "--no-cache", env=buildx)
    assert code == 0, err
    assert (doc["image"]["builder"], doc["image"]["progress"]) == ("buildkit", "rawjson")
    rows = doc["layers"]
    assert [(r["line"], r["end_line"]) for r in rows] == [(2, 2), (3, 5)]
    assert rows[1]["size"] == len("built\n") and rows[1]["status"] == "built"
    assert rows[1]["seconds"] is not None and rows[1]["seconds"] >= 0


@pytest.mark.parametrize("store", ["containerd"], indirect=True)
def test_rawjson_cache_flags_and_times(buildx, store, tmp_path):
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text(
        "FROM dlint-test/busybox:latest\nARG STAMP=0\nRUN sleep 2 && echo $STAMP > /stamp\nRUN echo after > /after\n"
    )
    code, first, err = dlint_build_json(context, "--no-lint", "--build-arg", f"STAMP={time.time()}", env=buildx)
    assert code == 0, err
    slow = next(r for r in first["layers"] if r["line"] == 3)
    assert slow["status"] == "built" and 2.0 <= slow["seconds"] < 30  # from the vertex's start and completion
    code, again, err = dlint_build_json(context, "--no-lint", "--build-arg", f"STAMP={first['image']['id']}",
                                        env=buildx)
    assert code == 0, err
    [rebuilt] = [r for r in again["layers"] if r["line"] == 3]
    assert rebuilt["status"] == "built"
    ranked = again["cache"]["misses_by_time"]
    assert ranked[0]["line"] == 3 and ranked[0]["seconds"] >= 2.0
    code, third, err = dlint_build_json(context, "--no-lint", "--build-arg", f"STAMP={first['image']['id']}",
                                        env=buildx)
    assert code == 0, err
    assert [r["status"] for r in third["layers"] if r["line"] in (3, 4)] == ["cached", "cached"]
    assert third["cache"]["built"] == 0


@pytest.mark.parametrize("store", ["containerd"], indirect=True)
def test_buildx_failure_names_the_line(buildx, store):
    proc = dlint_build(FIXTURES / "failing", "--no-lint", "--builder", "buildkit", env=buildx)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    [line] = [line for line in proc.stderr.splitlines() if line.startswith("dlint: error:")]
    assert "Dockerfile:4" in line and "exit code: 3" in line
    assert not containers_left(store.client, proc.stderr)


@pytest.mark.parametrize("store", ["containerd"], indirect=True)
def test_buildkit_options_pass_through(buildx, store, tmp_path):
    token = tmp_path / "token"
    token.write_text("s3cret")
    code, doc, err = dlint_build_json(
        FIXTURES / "secret", "--no-lint", "--no-cache", "--secret", f"id=token,src={token}", "--label", "dlint.test=yes",
        "--platform", "linux/amd64", "--cache-to", "type=inline", "--cache-from", "dlint-test/busybox:latest",
        env=buildx)
    assert code == 0, err  # the RUN checks the secret's value: it fails without it
    inspected = store.client.api.inspect_image(doc["image"]["id"])
    assert inspected["Config"]["Labels"]["dlint.test"] == "yes" and inspected["Architecture"] == "amd64"
    assert doc["layers"][1]["size"] == len("ok\n")  # the secret is not in the layer
    proc = dlint_build(FIXTURES / "secret", "--no-lint", "--no-cache", env=buildx)
    assert proc.returncode == 1  # no --secret: the RUN's check fails


def test_buildkit_only_options_with_the_classic_builder_are_refused():
    proc = dlint_build(FIXTURES / "secret", "--no-lint", "--builder", "legacy", "--secret", "id=token,src=/dev/null")
    assert proc.returncode == 2
    assert "--secret needs BuildKit; the classic builder (--builder legacy) has none" in proc.stderr


@pytest.mark.parametrize("store", ["classic"], indirect=True)
def test_label_and_platform_on_the_classic_builder(store):
    code, doc, err = dlint_build_json(FIXTURES / "copyrun", "--no-lint", "--label", "dlint.test=classic",
                                      "--platform", "linux/amd64", env=store.env)
    assert code == 0, err
    assert store.client.api.inspect_image(doc["image"]["id"])["Config"]["Labels"]["dlint.test"] == "classic"
