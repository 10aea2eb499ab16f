"""Errors a new user hit with ``dlint build`` (issue 13), on a real engine: each is said before
building or reported as what it is, in one place, with the right exit status."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.image.helpers import FIXTURES, dlint_build, dlint_build_json
from tests.engine_env import docker_client, store  # noqa: F401  (fixtures are used by name)

pytestmark = pytest.mark.engine


def test_a_dockerfile_that_does_not_parse_is_not_built(docker_client):
    said = subprocess.run([sys.executable, "-m", "dlint", "lint", str(FIXTURES / "typo" / "Dockerfile")],
                          capture_output=True, text=True)
    for extra in ([], ["--no-lint"]):
        proc = dlint_build(FIXTURES / "typo", *extra)
        assert proc.returncode == 2
        [line] = [line for line in proc.stderr.splitlines() if line.startswith("dlint: error:")]
        assert line.endswith("/Dockerfile:4:1: unknown instruction 'COPPY'")
        assert line.split("Dockerfile", 1)[1] in said.stderr  # the same message `dlint lint` gives
        assert "Step 1/" not in proc.stderr and "engine" not in proc.stderr  # nothing was sent


def test_an_engine_4xx_is_reported_whole_as_a_refusal(store):
    proc = dlint_build(FIXTURES / "engine400", "--no-lint", env=store.env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    [line] = [line for line in proc.stderr.splitlines() if line.startswith("dlint: error:")]
    assert "refused the build request (HTTP 400 Bad Request)" in line
    assert line.endswith('time: invalid duration "abc"')  # the engine's whole message
    assert "lost the Docker engine" not in proc.stderr


def test_heredocs_on_an_engine_without_them_are_said_before_building(docker_client):
    version = docker_client.version()["Version"]
    assert int(version.split(".")[0]) < 23  # the default engine here: Docker 20.10
    proc = dlint_build(FIXTURES / "heredoc", "--no-lint")
    assert proc.returncode == 2
    [line] = [line for line in proc.stderr.splitlines() if line.startswith("dlint: error:")]
    assert "heredoc/Dockerfile:3: heredocs need Dockerfile frontend 1.4 or later" in line
    assert "# syntax=docker/dockerfile:1" in line and "unknown instruction" not in proc.stderr
    proc = dlint_build(FIXTURES / "heredoc", "--no-lint", "--builder", "legacy")
    assert proc.returncode == 2 and "the classic builder (--builder legacy) cannot build them" in proc.stderr


def test_extract_to_an_existing_directory_is_the_same_on_every_run(store, tmp_path):
    dest = tmp_path / "artifacts"
    listings = []
    for extra in ([], ["--force"], ["--force"]):
        code, doc, err = dlint_build_json(FIXTURES / "extract", "--no-lint", *extra, "--extract", f"/out:{dest}",
                                          env=store.env)
        assert code == 0, err
        listings.append(sorted(os.listdir(dest)))
    assert listings == [["blob.bin", "link-inside", "sub", "tool.sh"]] * 3  # never artifacts/out


def test_json_says_why_the_run_exited_1(store, tmp_path):
    code, doc, err = dlint_build_json(FIXTURES / "leftovers", "--max-waste", "1MB", env=store.env)
    assert code == 1
    reasons = [r["reason"] for r in doc["exit_reasons"]]
    assert reasons == ["findings", "max_waste"]
    code, doc, err = dlint_build_json(FIXTURES / "failing", "--no-lint", env=store.env)
    assert code == 1 and doc["exit_reasons"][0]["reason"] == "build_failed"
    code, doc, err = dlint_build_json(FIXTURES / "leftovers", "--no-lint", env=store.env)
    assert code == 0 and doc["exit_reasons"] == []


def test_chown_after_copy_names_copy_chown(store):
    code, doc, err = dlint_build_json(FIXTURES / "chown", "--no-lint", env=store.env)
    assert code == 0, err
    [group] = [g for g in doc["waste"]["dead"] if g["user"]]
    assert group["directory"] == "/srv/app" and group["size"] == 35_011 and group["how"] == "overwritten"
    assert group["created_by"]["line"] == 3 and group["made_dead_by"]["line"] == 4
    assert group["fix"] == "COPY --chown=… at line 3 instead of `chown -R` at line 4"
    proc = dlint_build(FIXTURES / "chown", "--no-lint", env=store.env)
    assert "use COPY --chown=… at line 3 instead of `chown -R` at line 4: saves 35.0 kB" in proc.stdout
