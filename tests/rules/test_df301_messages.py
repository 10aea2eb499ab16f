"""DF301's message names the manifest to copy first, per manager."""

from __future__ import annotations

import pytest

from dlint.checker import Settings, lint
from dlint.dockerfile import parse
from dlint.registry import lookup


def messages(text: str):
    return [(f.line, f.message) for f in lint(parse(text.encode()), Settings((lookup("DF301"),)))]


@pytest.mark.parametrize(
    "base, install, advice",
    [
        ("python:3.12-slim", "pip install --no-cache-dir -r requirements.txt",
         ": copy requirements*.txt (or pyproject.toml and its lock file) first, install, then copy the rest"),
        ("node:22", "npm ci", ": copy package.json and the lock file first, install, then copy the rest"),
        ("ruby:3.3", "bundle install", ": copy Gemfile and Gemfile.lock first, install, then copy the rest"),
        ("golang:1.22", "go mod download", ": copy go.mod and go.sum first, download, then copy the rest"),
        # An install naming its packages reads no manifest: nothing to copy first, move it up.
        ("alpine:3.20", "apk add --no-cache make=4.4.1-r2", ""),
    ],
)
def test_the_manifest_to_copy_first(base, install, advice):
    text = f"FROM {base}\nWORKDIR /src\nCOPY . .\nRUN {install}\n"
    assert messages(text) == [
        (3, f"the whole build context is copied before the install at line 4: any file change re-runs it{advice}")
    ]
