"""A real Docker engine and two local base images for the engine tests.

Nothing can be pulled on these machines, so the base images are made locally
(scripts/base_images.sh) and reused by name. If no engine answers and we are
root on a Debian-like Linux, scripts/engine.sh installs and starts one.

Plain module: tests/conftest.py imports the fixtures. `docker` is imported
inside functions so lint-only test runs never pay for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BUSYBOX_IMAGE = "dlint-test/busybox:latest"
DEBIAN_IMAGE = "dlint-test/debian:bookworm"

# The second engine: dockerd 26 with the containerd image store (scripts/engine_containerd.sh).
CONTAINERD_HOST = "unix:///run/dlint-engine26/docker.sock"
# Podman's Docker API (scripts/engine_podman.sh).
PODMAN_HOST = "unix:///run/dlint-podman/podman.sock"
# Docker 26's CLI with trixie's buildx 0.13 as its plugin (made by the same script).
BUILDX_CLI = "/var/tmp/dlint-engine26/bin/docker"

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
REQUIRE_ENV = "DLINT_REQUIRE_ENGINE"


class EngineUnavailable(RuntimeError):
    """No engine could be reached or started, or the base images failed to build."""


# Outcome of the first ensure_engine() call: later calls (and fixtures in
# several modules) reuse it instead of re-running the scripts.
_state: dict = {}


def _connect():
    """Return (client, None) if an engine answers, else (None, why)."""
    try:
        import docker
    except ImportError as e:
        return None, f"docker SDK not installed: {e}"
    try:
        client = docker.from_env()
        client.ping()
        return client, None
    except Exception as e:  # connection refused, missing socket, bad DOCKER_HOST...
        return None, f"no Docker engine answers: {e}"


def _can_start_local() -> bool:
    return (
        sys.platform.startswith("linux")
        and os.geteuid() == 0
        and shutil.which("apt-get") is not None
    )


def _run_script(name: str, timeout: int = 1200) -> None:
    env = dict(os.environ, DLINT_BUSYBOX_IMAGE=BUSYBOX_IMAGE, DLINT_DEBIAN_IMAGE=DEBIAN_IMAGE)
    try:
        proc = subprocess.run(
            ["bash", str(SCRIPTS / name)],
            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise EngineUnavailable(f"scripts/{name} took over {timeout} s") from None
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
        raise EngineUnavailable(f"scripts/{name} failed (exit {proc.returncode}):\n{tail}")


def _images_present(client) -> bool:
    import docker

    try:
        for name in (BUSYBOX_IMAGE, DEBIAN_IMAGE):
            client.images.get(name)
        return True
    except docker.errors.ImageNotFound:
        return False


def ensure_engine():
    """Return a pinged docker.DockerClient with both base images present.

    Raises EngineUnavailable with the reason otherwise. Runs the scripts at
    most once per process.
    """
    if "client" in _state:
        return _state["client"]
    if "error" in _state:
        raise EngineUnavailable(_state["error"])
    try:
        client, why = _connect()
        if client is None:
            if why.startswith("docker SDK") or not _can_start_local():
                raise EngineUnavailable(why)
            _run_script("engine.sh")
            client, why = _connect()
            if client is None:
                raise EngineUnavailable(f"engine.sh ran but {why}")
        if not _images_present(client):
            _run_script("base_images.sh")
    except EngineUnavailable as e:
        _state["error"] = str(e)
        raise
    _state["client"] = client
    return client


def _ensure_other(key: str, host: str, script: str):
    """A pinged client of the engine at ``host`` with the base images, started by ``script``
    when it does not answer (it needs the default engine's base images)."""
    if key in _state:
        return _state[key]
    if key + "_error" in _state:
        raise EngineUnavailable(_state[key + "_error"])
    try:
        ensure_engine()
        import docker

        def connect():
            try:
                client = docker.DockerClient(base_url=host, timeout=600)
                client.ping()
                return client if _images_present(client) else None
            except Exception:
                return None

        client = connect()
        if client is None:
            if not _can_start_local():
                raise EngineUnavailable(f"no engine with the base images answers at {host}")
            _run_script(script, timeout=900)
            client = connect()
            if client is None:
                raise EngineUnavailable(f"{script} ran but {host} does not answer")
    except EngineUnavailable as e:
        _state[key + "_error"] = str(e)
        raise
    _state[key] = client
    return client


def ensure_podman_engine():
    """Podman's Docker API, with the base images."""
    return _ensure_other("podman", PODMAN_HOST, "engine_podman.sh")


def ensure_containerd_engine():
    """dockerd 26 with the containerd image store, base images loaded; scripts/engine_containerd.sh
    starts it (it needs the default engine's base images)."""
    return _ensure_other("containerd", CONTAINERD_HOST, "engine_containerd.sh")


class Store:
    """One engine the build tests run against: its client, and the environment that points
    ``dlint build`` at it."""

    def __init__(self, name: str, client, host: str | None) -> None:
        self.name = name
        self.client = client
        self.env = {"DOCKER_HOST": host} if host else {}

    def __repr__(self) -> str:
        return f"Store({self.name})"


def _skip_or_fail(reason: str):
    # Outside an except block, so the report shows the reason, not a traceback chain.
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def podman():
    """Podman serving the Docker API, as a Store."""
    try:
        return Store("podman", ensure_podman_engine(), PODMAN_HOST)
    except EngineUnavailable as e:
        reason = str(e)
    _skip_or_fail(reason)


@pytest.fixture(scope="session", params=["classic", "containerd"])
def store(request):
    """Each build test that takes this runs on both image stores: the default engine (Docker
    20.10, classic store) and dockerd 26 with the containerd image store."""
    try:
        if request.param == "classic":
            client = ensure_engine()
            host = os.environ.get("DOCKER_HOST")
        else:
            client = ensure_containerd_engine()
            host = CONTAINERD_HOST
    except EngineUnavailable as e:
        reason = str(e)
    else:
        return Store(request.param, client, host)
    _skip_or_fail(reason)


def containers_left(client, log: str = "", images=()) -> list[str]:
    """The containers a run of ``dlint build`` made that still exist: the classic builder's step
    containers its log names (`` ---> Running in <id>``) and any container of the images it
    built (extraction's). Precise where counting all containers is not: other builds may run
    on the same engine meanwhile."""
    import re

    steps = set(re.findall(r"Running in ([0-9a-f]{12})", log))
    built = {i for i in images if i}
    def of_ours(container) -> bool:
        ids = (str(container.attrs.get("ImageID", "")), str(container.attrs.get("Image", "")))
        return any(i.startswith(prefix) for i in ids for prefix in built)

    return [c.id[:12] for c in client.containers.list(all=True) if c.id[:12] in steps or of_ours(c)]


def image_of(text: str) -> str | None:
    """The image id a text report names (``built sha256:<12> …``), as a prefix to match."""
    import re

    match = re.search(r"^built (sha256:[0-9a-f]{12})", text, re.M)
    return match.group(1) if match else None


def count_containers(client) -> int:
    """All containers, stopped ones included: builds must leave none behind."""
    return len(client.containers.list(all=True))


@pytest.fixture(scope="session")
def docker_client():
    try:
        return ensure_engine()
    except EngineUnavailable as e:
        reason = str(e)
    # Outside the except block, so the report shows the reason, not a traceback chain.
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def busybox_image(docker_client) -> str:
    return BUSYBOX_IMAGE


@pytest.fixture(scope="session")
def debian_image(docker_client) -> str:
    return DEBIAN_IMAGE
