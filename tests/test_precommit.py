"""The pre-commit hook, run by the real `pre-commit` from PyPI against this checkout.

pre-commit clones the hook repository at ``rev``, so it sees committed files only: the test
uses this checkout at its HEAD. To try uncommitted work, commit it in a throwaway clone and
point ``DLINT_PRECOMMIT_REPO`` at that clone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"
BAD = "FROM debian:bookworm\nRUN apt-get update\n"
GOOD = (
    "FROM debian:bookworm\n"
    "RUN apt-get update \\\n"
    "    && apt-get install -y --no-install-recommends \\\n"
    "        ca-certificates=20230311 \\\n"
    "        curl=7.88.1-10+deb12u8 \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
)


def _hook(hook_id: str) -> dict:
    hooks = yaml.safe_load(HOOKS.read_text())
    return next(h for h in hooks if h["id"] == hook_id)


def test_hook_files_pattern_matches_every_dockerfile_name():
    from identify import identify

    from dlint.discovery import is_dockerfile_name

    hook = _hook("dlint")
    assert hook["language"] == "python" and hook["entry"] == "dlint lint"
    pattern = re.compile(hook["files"])
    names = ["Dockerfile", "Containerfile", "api.Dockerfile", "dockerfile", "api.dockerfile",
             "Dockerfile.dev", "containerfile", "docker/Dockerfile", "svc/web.dockerfile"]
    for name in names:
        assert pattern.search(name), name
        assert is_dockerfile_name(os.path.basename(name)), name  # the same names as `dlint lint DIR`
        assert "text" in set(hook["types"])  # every Dockerfile is text
    # identify alone would miss these two: that is why the hook has `files`.
    assert identify.tags_from_filename("dockerfile") == set()
    assert identify.tags_from_filename("api.dockerfile") == set()
    for name in ["notes.txt", "Dockerfile-old.bak", "dockerfiles/README.md", "mydockerfile"]:
        assert not pattern.search(name), name


def _git(*args, cwd):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout.strip()


def test_pre_commit_runs_the_hook(tmp_path):
    repo = Path(os.environ.get("DLINT_PRECOMMIT_REPO") or ROOT)
    rev = _git("rev-parse", "HEAD", cwd=repo)
    committed = subprocess.run(["git", "cat-file", "-e", f"{rev}:.pre-commit-hooks.yaml"], cwd=repo)
    if committed.returncode != 0:
        message = f".pre-commit-hooks.yaml is not committed at {rev[:12]} in {repo} (pre-commit uses HEAD)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message + "; commit it, or set DLINT_PRECOMMIT_REPO to a clone where it is")

    project = tmp_path / "project"
    project.mkdir()
    _git("init", "-q", cwd=project)
    (project / "api.dockerfile").write_text(BAD)  # lowercase: matched by the hook's `files`
    (project / "Containerfile").write_text(GOOD)
    (project / "README.md").write_text("not a Dockerfile\n")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: dlint\n"
    )
    _git("add", "-A", cwd=project)

    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    env.pop("DLINT_CONFIG", None)
    env.pop("DLINT_FORMAT", None)

    def pre_commit():
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
            cwd=project, capture_output=True, text=True, env=env, timeout=600,
        )

    failed = pre_commit()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "dlint" in failed.stdout and "Failed" in failed.stdout
    assert "api.dockerfile:2:1: warning: DF101 [update-without-install]" in failed.stdout
    assert "Containerfile:" not in failed.stdout  # the good file has nothing to report

    (project / "api.dockerfile").write_text(GOOD)
    _git("add", "-A", cwd=project)
    passed = pre_commit()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"^dlint\.+Passed$", passed.stdout, re.M), passed.stdout


def test_pre_commit_fix_hook_rewrites_the_file(tmp_path):
    repo = Path(os.environ.get("DLINT_PRECOMMIT_REPO") or ROOT)
    rev = _git("rev-parse", "HEAD", cwd=repo)
    hooks_at_rev = subprocess.run(["git", "show", f"{rev}:.pre-commit-hooks.yaml"], cwd=repo,
                                  capture_output=True, text=True).stdout
    if "id: dlint-fix" not in hooks_at_rev:
        message = f"the dlint-fix hook is not committed at {rev[:12]} in {repo} (pre-commit uses HEAD)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    project = tmp_path / "project"
    project.mkdir()
    _git("init", "-q", cwd=project)
    unsorted = GOOD.replace("        ca-certificates=20230311 \\\n        curl=7.88.1-10+deb12u8 \\\n",
                            "        curl=7.88.1-10+deb12u8 \\\n        ca-certificates=20230311 \\\n")
    (project / "Dockerfile").write_text(unsorted)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: dlint-fix\n"
    )
    _git("add", "-A", cwd=project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    run = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"]
    first = subprocess.run(run, cwd=project, capture_output=True, text=True, env=env, timeout=600)
    # pre-commit fails a hook that modified files, so the fix can be reviewed and staged.
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert (project / "Dockerfile").read_text() == GOOD
    _git("add", "-A", cwd=project)
    second = subprocess.run(run, cwd=project, capture_output=True, text=True, env=env, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr


def test_hooks_file_points_to_documentation_that_exists():
    """Every file the hooks file names exists, and the README section it names is there."""
    text = HOOKS.read_text()
    for path in re.findall(r"\b[\w./-]+\.md\b", text):
        assert (ROOT / path).is_file(), path
    assert '"pre-commit"' in text
    assert re.search(r"^### pre-commit$", (ROOT / "README.md").read_text(), re.M)


def test_readme_local_hook_snippet_matches_the_shipped_hook():
    """The README's copy-paste `repo: local` hook is the shipped hook, installed from PyPI."""
    readme = (ROOT / "README.md").read_text()
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "repo: local" in b)
    (hook,) = yaml.safe_load(block)["repos"][0]["hooks"]
    shipped = _hook("dlint")
    assert {k: hook[k] for k in ("id", "entry", "language", "files", "types")} == {
        k: shipped[k] for k in ("id", "entry", "language", "files", "types")
    }
    import dlint

    assert hook["additional_dependencies"] == [f"dlint-docker=={dlint.__version__}"]
