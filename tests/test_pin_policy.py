"""DF106's pin-policy option through the configuration file, as a user sets it: each value
changes the findings, and a value that is not a policy is a one-line error."""

from __future__ import annotations

import json

import pytest

from tests.test_config import dlint

DOCKERFILE = (
    "FROM debian:bookworm-20241016@sha256:e5ffcb5fc7ce19d6a5e4ae8b0fd3b5a6b1c2a0f3fd31a8ab0f2e5c4e3b1d0a9c\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"
    'RUN pip install --no-cache-dir "flask>=3"\n'
)


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "Dockerfile").write_text(DOCKERFILE)
    return root


def unpinned(repo, policy):
    if policy is not None:
        (repo / ".dlint.toml").write_text(f'[rules.unpinned-package]\npin-policy = "{policy}"\n')
    result = dlint("lint", "--select", "DF106", "--format", "json", "Dockerfile", cwd=repo)
    assert result.returncode in (0, 1), result.stderr
    return [(f["line"], f["column"], f["message"]) for f in json.loads(result.stdout)]


CURL = (2, 66, "'curl' is not pinned to a version (use curl=<version>)")
FLASK = (3, 32, "'flask>=3' sets a range, not a version (use flask==<version>)")


@pytest.mark.parametrize(
    "policy, expected",
    [
        (None, [CURL, FLASK]),
        ("exact", [CURL, FLASK]),
        ("bounds", [CURL]),
        # The digest fixes Debian's release: curl needs no pin; PyPI is not in the base image.
        ("base-digest", [FLASK]),
    ],
)
def test_each_policy(repo, policy, expected):
    assert unpinned(repo, policy) == expected


def test_an_unknown_policy_is_a_one_line_error(repo):
    (repo / ".dlint.toml").write_text('[rules.DF106]\npin-policy = "digest"\n')
    result = dlint("lint", "Dockerfile", cwd=repo)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "",
        "dlint: error: .dlint.toml: rules.DF106.pin-policy: unknown value 'digest' (allowed: exact, bounds, base-digest)\n",
    )
