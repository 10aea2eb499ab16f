"""Errors the build command turns into one-line messages and exit statuses (never tracebacks)."""

from __future__ import annotations


class BuildCommandError(Exception):
    """The run itself failed (engine unreachable, missing base image, bad option): exit 2."""

    exit_code = 2


class EngineLost(BuildCommandError):
    """The engine went away during the build (its connection broke off, e.g. dockerd was killed
    or its host was lost): exit 2, like an engine that cannot be reached at all."""

    exit_code = 2


class BuildFailed(BuildCommandError):
    """The Dockerfile did not build (a step failed): exit 1."""

    exit_code = 1


class ExtractError(BuildCommandError):
    """Extraction refused or failed after a successful build: exit 1."""

    exit_code = 1
