"""DF304 with real build contexts on disk, through `dlint lint` as users run it: a context
with .git and no .dockerignore, a .dockerignore that forgets .git, `--context`, the
Dockerfile's own `<name>.dockerignore`, standard input."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def lint(cwd, *args, stdin=None):
    proc = subprocess.run(
        [sys.executable, "-m", "dlint", "lint", "--isolated", "--select", "DF304", "--format", "json", *args],
        cwd=cwd, capture_output=True, text=True, input=stdin, env={**os.environ, "NO_COLOR": "1"},
    )
    findings = json.loads(proc.stdout) if proc.stdout.strip() else []
    return proc.returncode, [(f["file"], f["line"], f["column"], f["message"]) for f in findings], proc.stderr


DOCKERFILE = "FROM debian:bookworm-20241016\nWORKDIR /app\nCOPY . .\nCOPY . /again/\n"


def test_a_repository_root_without_dockerignore(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    status, findings, _ = lint(tmp_path, "Dockerfile")
    assert status == 1
    assert findings == [(
        "Dockerfile", 3, 6,
        "the build context '.' has no .dockerignore: `COPY .` sends and copies all of it on every build, .git "
        "(the repository's history, which changes with every commit) and node_modules included, and any change "
        "in them re-runs this step and every step after it; add a .dockerignore excluding .git, node_modules",
    )]  # once per file, at the first whole-context COPY


def test_a_dockerignore_that_keeps_git(tmp_path):
    (tmp_path / ".git").write_text("gitdir: /elsewhere\n")  # a worktree's .git is a file
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / ".dockerignore").write_text("node_modules\n")
    _, findings, _ = lint(tmp_path, "Dockerfile")
    assert [(line, column) for _, line, column, _ in findings] == [(3, 6)]
    assert findings[0][3].startswith(".dockerignore does not exclude .git: `COPY .` sends the repository's history")
    for excluding in (".git\n", "**/.git\n", "*\n!src\n", ".*\n"):
        (tmp_path / ".dockerignore").write_text(excluding)
        assert lint(tmp_path, "Dockerfile")[:2] == (0, []), excluding


def test_no_git_and_nothing_an_image_does_not_need(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    assert lint(tmp_path, "Dockerfile")[:2] == (0, [])


def test_the_context_is_the_dockerfiles_folder_unless_given(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(DOCKERFILE)
    assert lint(tmp_path, "docker/Dockerfile")[:2] == (0, [])  # docker/ holds no .git
    _, findings, _ = lint(tmp_path, "--context", ".", "docker/Dockerfile")
    assert [(f, line) for f, line, _, _ in findings] == [("docker/Dockerfile", 3)]
    # the Dockerfile's own .dockerignore wins over the context's
    (tmp_path / "docker" / "Dockerfile.dockerignore").write_text(".git\n")
    assert lint(tmp_path, "--context", ".", "docker/Dockerfile")[:2] == (0, [])


def test_a_dockerignore_above_the_assumed_context_silences_it(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".dockerignore").write_text(".git\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "node_modules").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(DOCKERFILE)
    assert lint(tmp_path, "app/Dockerfile")[:2] == (0, [])  # builds probably run from the root
    _, findings, _ = lint(tmp_path, "--context", "app", "app/Dockerfile")
    assert [line for _, line, _, _ in findings] == [3]


def test_standard_input_needs_context(tmp_path):
    (tmp_path / ".git").mkdir()
    assert lint(tmp_path, "-", stdin=DOCKERFILE)[:2] == (0, [])
    _, findings, _ = lint(tmp_path, "--context", ".", "-", stdin=DOCKERFILE)
    assert [(f, line) for f, line, _, _ in findings] == [("-", 3)]


def test_a_context_that_is_not_a_folder(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    status, findings, stderr = lint(tmp_path, "--context", "missing", "Dockerfile")
    assert (status, findings, stderr) == (2, [], "dlint: error: --context: missing: not a directory\n")


def test_a_bad_dockerignore_is_left_to_the_build(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE + "COPY README.md /\n")
    (tmp_path / ".dockerignore").write_text("README.md\n[\n")
    assert lint(tmp_path, "Dockerfile")[:2] == (0, [])


def test_a_build_that_uses_git_keeps_its_history(tmp_path):
    """A stage that installs or runs git may read the copied .git on purpose (a version from
    `git describe`): .git is then not called waste, the other folders still are."""
    (tmp_path / ".git").mkdir()
    for build in ("RUN apk add --no-cache git make\nCOPY . .\nRUN make build\n",
                  "COPY . .\nRUN VERSION=$(git describe --tags) && echo $VERSION > /version\n"):
        (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nWORKDIR /src\n" + build)
        assert lint(tmp_path, "Dockerfile")[:2] == (0, []), build
        (tmp_path / ".dockerignore").write_text("node_modules\n")
        assert lint(tmp_path, "Dockerfile")[:2] == (0, []), build
        (tmp_path / ".dockerignore").unlink()
    (tmp_path / ".venv").mkdir()
    _, findings, _ = lint(tmp_path, "Dockerfile")
    assert [(line, message.split(": ")[0]) for _, line, _, message in findings] == [
        (3, "the build context '.' has no .dockerignore")]
    assert ".venv included" in findings[0][3] and ".git" not in findings[0][3]


def test_the_message_says_where_the_history_goes(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".dockerignore").write_text("*.log\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.13-alpine AS docs\nWORKDIR /docs\nCOPY . .\nRUN pip install mkdocs && mkdocs build\n"
        "FROM nginx:1.27-alpine\nCOPY --from=docs /docs/site /usr/share/nginx/html\n")
    _, findings, _ = lint(tmp_path, "Dockerfile")
    assert [message for _, _, _, message in findings] == [
        ".dockerignore does not exclude .git: `COPY .` sends the repository's history to the builder and copies it "
        "into its stage, and every commit re-runs this step and every step after it; add `.git` to .dockerignore"]


def test_once_per_file_at_the_first_copy_that_costs(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine:3.20 AS version\nRUN apk add --no-cache git\nCOPY . /src\n"  # reads .git: not flagged
        "FROM alpine:3.20\nCOPY . /app\nCOPY . /app2\n")
    _, findings, _ = lint(tmp_path, "Dockerfile")
    assert [(line, column) for _, line, column, _ in findings] == [(5, 6)]
