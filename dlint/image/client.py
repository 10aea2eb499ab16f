"""Connecting to the engine ``DOCKER_HOST`` names (or the default socket), with errors that
say which address was tried and how to point dlint elsewhere."""

from __future__ import annotations

import os

from dlint.image.errors import BuildCommandError, EngineLost

DEFAULT_HOST = "unix:///var/run/docker.sock"
# Builds can run for many minutes without output on the stream (a long RUN).
BUILD_TIMEOUT = 3600


def engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_HOST


def _address_source() -> str:
    return "DOCKER_HOST" if os.environ.get("DOCKER_HOST") else "default socket, DOCKER_HOST unset"


def engine_lost(reason: str, step: str | None, container: str | None) -> EngineLost:
    """The build's stream broke off: the engine stopped without ending it (killed, crashed, its
    host lost). ``step`` is "2/2 (RUN …)" as the builder printed it; ``container`` the step's
    container (`` ---> Running in``), if it printed one."""
    during = f"during step {step}" if step else "during the build"
    if container:
        # The engine removes a build's containers itself (forcerm) when the build ends; a killed
        # engine never does, and dlint cannot reach it to do so.
        left = (
            f"The step's container {container} is probably left on that engine (a stopped "
            f"container once the engine restarts): when it answers again, remove it with "
            f"`docker rm -f {container}`"
        )
    else:
        left = "When it answers again, `docker ps -a` shows any container the build left behind"
    return EngineLost(
        f"lost the Docker engine at {engine_address()} ({_address_source()}) {during}: "
        f"the connection broke off ({reason}); the engine stopped or its host went away. {left}"
    )


def broken_stream_errors() -> tuple[type[BaseException], ...]:
    """What reading a build stream raises when the engine goes away mid-build. The SDK reads the
    stream with urllib3 directly, so a killed engine surfaces as urllib3's ProtocolError, which
    is neither a DockerException nor an OSError."""
    import http.client

    import docker
    import requests
    import urllib3

    return (urllib3.exceptions.HTTPError, requests.exceptions.RequestException, http.client.HTTPException,
            docker.errors.StreamParseError, OSError)


def first_line(error: BaseException) -> str:
    """An error's message for a one-line report: its first line, at most 200 characters."""
    first = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
    first = (first.splitlines() or [""])[0].strip()
    return (first or type(error).__name__)[:200]


def unreachable(error: BaseException) -> BuildCommandError:
    address = engine_address()
    source = _address_source()
    text = str(error)
    if "Connection refused" in text:
        reason = "connection refused"
    elif "No such file or directory" in text or "FileNotFoundError" in text:
        reason = "no such socket"
    elif "Permission denied" in text:
        reason = "permission denied (is your user allowed to use the socket?)"
    else:
        reason = first_line(error)
    return BuildCommandError(
        f"cannot reach a Docker engine at {address} ({source}): {reason}. "
        "Start one, or set DOCKER_HOST to a reachable engine, e.g. "
        "DOCKER_HOST=unix:///var/run/docker.sock or DOCKER_HOST=tcp://HOST:2375 or ssh://user@host"
    )


def connect():
    """A pinged low-level-capable ``docker.DockerClient`` (``client.api`` is the APIClient)."""
    try:
        import docker
    except ImportError as error:  # the dependency is declared; a broken install still gets a message
        raise BuildCommandError(f"the Docker SDK for Python is not installed ({error}): pip install docker")
    try:
        client = docker.from_env(timeout=BUILD_TIMEOUT)
        client.ping()
    except Exception as error:  # DockerException, requests' ConnectionError, bad URL …
        raise unreachable(error) from None
    return client
