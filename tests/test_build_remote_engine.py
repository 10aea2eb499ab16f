"""``DOCKER_HOST=tcp://…`` works: a second engine on a loopback port, with its own data root,
gets its own base image (``docker save | docker load``) and builds and extracts like the local
one. Remote build hosts are how users scale past one machine."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import socket
import subprocess
import tempfile
import time

import pytest

from tests.test_build_helpers import FIXTURES, dlint_build_json
from tests.engine_env import REQUIRE_ENV, busybox_image, docker_client  # noqa: F401

pytestmark = pytest.mark.engine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def tcp_engine(docker_client, busybox_image):
    dockerd = shutil.which("dockerd")
    cli = "/usr/bin/docker" if os.access("/usr/bin/docker", os.X_OK) else shutil.which("docker")
    if not dockerd or not cli or os.geteuid() != 0:
        _unavailable("a second engine needs root, dockerd and a docker CLI")
    work = tempfile.mkdtemp(prefix="dlint-engine2-", dir="/tmp")
    host = f"tcp://127.0.0.1:{_free_port()}"
    env = {**os.environ, "DOCKER_HOST": host}
    log = open(os.path.join(work, "dockerd.log"), "w")
    process = subprocess.Popen(
        [dockerd, "-H", host, "--data-root", f"{work}/data", "--exec-root", f"{work}/exec",
         "--pidfile", f"{work}/dockerd.pid", "--bridge=none", "--iptables=false", "--ip-masq=false"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        for _ in range(60):
            if subprocess.run([cli, "version"], env=env, capture_output=True).returncode == 0:
                break
            if process.poll() is not None:
                break
            time.sleep(0.5)
        else:
            _unavailable(f"the second dockerd did not answer at {host}")
        if process.poll() is not None:
            _unavailable(f"the second dockerd exited ({process.returncode}); see {work}/dockerd.log")
        save = subprocess.Popen([cli, "save", busybox_image], stdout=subprocess.PIPE)
        subprocess.run([cli, "load"], stdin=save.stdout, env=env, check=True, capture_output=True)
        save.wait()
        yield host
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        # dockerd leaves its network namespace bind-mounted under the exec root.
        with open("/proc/mounts") as mounts:
            for point in sorted((line.split()[1] for line in mounts if f" {work}/" in line), reverse=True):
                subprocess.run(["umount", point], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


def test_build_and_extract_on_a_tcp_engine(tcp_engine, tmp_path):
    env = {"DOCKER_HOST": tcp_engine}
    code, doc, err = dlint_build_json(
        FIXTURES / "copyrun", "--no-lint", "--extract", f"/app/size.txt:{tmp_path / 'size.txt'}", env=env
    )
    assert code == 0, err
    assert [r["status"] for r in doc["layers"]] == ["base", "built", "built", "built"]  # a fresh engine: no cache
    assert (tmp_path / "size.txt").read_text().split()[0] == str(len((FIXTURES / "copyrun" / "app.txt").read_bytes()))
    import docker

    remote = docker.DockerClient(base_url=tcp_engine)
    try:
        assert remote.api.inspect_image(doc["image"]["id"])["Id"] == doc["image"]["id"]
        assert remote.containers.list(all=True) == []
    finally:
        remote.close()


def test_engine_that_goes_away_mid_build(tcp_engine):
    """Last in this module: it stops the second engine while a step runs (as an engine
    restart or a lost build host would). dlint must say so, with a failing status and no
    traceback."""
    process = subprocess.Popen(
        [sys.executable, "-m", "dlint", "build", str(FIXTURES / "slow"), "--no-lint"],
        cwd=FIXTURES.parent.parent, env={**os.environ, "DOCKER_HOST": tcp_engine},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    started = ""
    while "started" not in started and time.monotonic() < deadline:  # the step is running
        line = process.stderr.readline()
        if not line:
            break
        started += line
    assert "started" in started, started
    engine = subprocess.run(["pgrep", "-f", f"dockerd -H {tcp_engine}"], capture_output=True, text=True)
    for pid in engine.stdout.split():
        os.kill(int(pid), signal.SIGTERM)  # dockerd stops its containers and containerd
    stdout, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stderr
    # A stopping engine fails the running step with its own reason; dlint names the step and
    # its Dockerfile line, with the engine's words.
    (error,) = [line for line in stderr.splitlines() if line.startswith("dlint: ")]
    assert error.startswith(
        "dlint: error: build failed at step 2/2 (fixtures/build/slow/Dockerfile:3) RUN echo started && sleep 60: "
    ), stderr
    assert process.returncode == 1
