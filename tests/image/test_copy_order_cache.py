"""What DF301 (copy-context-before-install) costs, measured on a real engine: the same project
built twice, a source file changed in between. With `COPY . .` before the install, the
install runs again (a cache miss, and its three seconds again); with the manifest copied
first, it is a cache hit. Real builds (`dlint build`, the engine's classic builder) of a
busybox image, offline: the install is a stand-in `pip` that copies the requirements file."""

from __future__ import annotations

import shutil

import pytest

from dlint.checker import Settings, lint
from dlint.dockerfile import parse
from dlint.registry import lookup
from tests.engine_env import busybox_image, docker_client  # noqa: F401  (fixtures are used by name)
from tests.image.helpers import FIXTURES, dlint_build_json

INSTALL = "RUN pip install -r requirements.txt"


def build(context, name, cache_dir):
    code, doc, err = dlint_build_json(
        context, "-f", context / name, "--no-lint", env={"DLINT_CACHE_DIR": str(cache_dir)}
    )
    assert code == 0, err
    return doc


def step(doc, instruction):
    [found] = [s for s in doc["cache"]["steps"] if s["instruction"] == instruction]
    return found


@pytest.mark.engine
def test_copying_the_context_first_reruns_the_install_on_a_source_change(tmp_path, docker_client, busybox_image):
    context = tmp_path / "project"
    shutil.copytree(FIXTURES / "copyorder", context)

    # What dlint says before anything is built: only the context-first order is flagged.
    def df301(name):
        dockerfile = parse((context / name).read_bytes(), name)
        return [(f.line, f.column, f.message) for f in lint(dockerfile, Settings((lookup("DF301"),)))]

    assert df301("Dockerfile.context-first") == [
        (5, 1, "the whole build context is copied before the install at line 6: any file change re-runs it: "
               "copy requirements*.txt (or pyproject.toml and its lock file) first, install, then copy the rest")
    ]
    assert df301("Dockerfile.manifest-first") == []

    images = []
    try:
        first = {name: build(context, name, tmp_path / "cache") for name in ("Dockerfile.context-first",
                                                                             "Dockerfile.manifest-first")}
        images += [doc["image"]["id"] for doc in first.values()]
        (context / "app.py").write_text('print("hello, world")\n')  # a source change, not the manifest
        again = {name: build(context, name, tmp_path / "cache") for name in first}
        images += [doc["image"]["id"] for doc in again.values()]

        context_first, manifest_first = again["Dockerfile.context-first"], again["Dockerfile.manifest-first"]
        # Context first: the changed file busts `COPY . .`, and the install after it runs again.
        assert context_first["cache"]["first_miss"]["instruction"] == "COPY . ."
        rerun = step(context_first, INSTALL)
        assert (rerun["line"], rerun["cached"]) == (6, False)
        assert rerun["seconds"] >= 3.0  # the stand-in install's three seconds, paid again
        # Manifest first: the install is a cache hit; only the final `COPY . .` is rebuilt.
        assert manifest_first["cache"]["first_miss"]["instruction"] == "COPY . ."
        assert manifest_first["cache"]["first_miss"]["line"] == 7
        kept = step(manifest_first, INSTALL)
        assert (kept["line"], kept["cached"]) == (6, True)
        assert [s["instruction"] for s in manifest_first["cache"]["steps"] if not s["cached"]] == ["COPY . ."]
        # The time the order saves: the rebuild's misses, summed.
        cost = {name: sum(m["seconds"] for m in doc["cache"]["misses_by_time"]) for name, doc in again.items()}
        assert cost["Dockerfile.context-first"] - cost["Dockerfile.manifest-first"] >= 3.0
    finally:
        for image in images:
            try:
                docker_client.images.remove(image, force=True)
            except Exception:  # already gone with another: the same layers
                pass
