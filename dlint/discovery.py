"""Which files to lint: named files always; in directories, files named like Dockerfiles."""

from __future__ import annotations

import fnmatch
import os
import re

# Matched case-insensitively against the file name.
DOCKERFILE_PATTERNS = ("dockerfile", "containerfile", "*.dockerfile", "dockerfile.*", "containerfile.*")
_SKIPPED_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}


_DOCKERFILE_NAME = re.compile("|".join(fnmatch.translate(pattern) for pattern in DOCKERFILE_PATTERNS))


def is_dockerfile_name(name: str) -> bool:
    return _DOCKERFILE_NAME.match(name.lower()) is not None


class NoDockerfiles(Exception):
    pass


def discover(paths: list[str]) -> list[str]:
    """Files to lint, in a stable order. ``-`` stands for standard input. A named path that
    does not exist is returned as is: reading it reports the error with the file's name."""
    found: list[str] = []
    for path in paths:
        if path != "-" and os.path.isdir(path):
            in_dir = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
                in_dir.extend(os.path.join(root, f) for f in sorted(files) if is_dockerfile_name(f))
            if not in_dir:
                raise NoDockerfiles(f"{path}: no Dockerfiles found in this directory")
            found.extend(in_dir)
        else:
            found.append(path)
    return found
