"""Connecting to the engine ``DOCKER_HOST`` names (or the default socket), with errors that
say which address was tried and how to point dlint elsewhere."""

from __future__ import annotations

import os

from dlint.build.errors import BuildCommandError

DEFAULT_HOST = "unix:///var/run/docker.sock"
# Builds can run for many minutes without output on the stream (a long RUN).
BUILD_TIMEOUT = 3600


def engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_HOST


def unreachable(error: object) -> BuildCommandError:
    address = engine_address()
    source = "DOCKER_HOST" if os.environ.get("DOCKER_HOST") else "default socket, DOCKER_HOST unset"
    text = str(error)
    if "Connection refused" in text:
        reason = "connection refused"
    elif "No such file or directory" in text or "FileNotFoundError" in text:
        reason = "no such socket"
    elif "Permission denied" in text:
        reason = "permission denied (is your user allowed to use the socket?)"
    else:
        reason = (text.splitlines()[0] if text else type(error).__name__)[:200]
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
