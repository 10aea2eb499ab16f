"""dlint.file_system.FileSystem answers as os.path does, from one listing per folder."""

from __future__ import annotations

import os

from dlint.build_context import BuildContext
from dlint.file_system import FileSystem


def _folder(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM busybox\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "README.md").write_text("x\n")
    os.symlink(tmp_path / "README.md", tmp_path / "link-to-file")
    os.symlink(tmp_path / "node_modules", tmp_path / "link-to-folder")
    os.symlink(tmp_path / "missing", tmp_path / "broken-link")
    return tmp_path


NAMES = ("Dockerfile", ".git", "node_modules", "README.md", "link-to-file", "link-to-folder", "broken-link",
         "absent", ".dockerignore", "readme.md", "Dockerfile.dockerignore", "")


def test_answers_as_os_path_before_and_after_the_folder_is_listed(tmp_path):
    folder = _folder(tmp_path)
    fs = FileSystem()
    for _ in range(3):  # the first questions are asked one by one, the later ones of a listing
        for name in NAMES:
            path = os.path.join(str(folder), name)
            assert fs.isfile(path) == os.path.isfile(path), name
            assert fs.lexists(path) == os.path.lexists(path), name
            assert fs.isdir(path) == os.path.isdir(path), name
    assert fs.isdir(str(folder)) and not fs.isdir(str(folder / "absent"))


def test_lexists_in_and_build_context_has_answer_as_os_path(tmp_path):
    folder = _folder(tmp_path)
    fs = FileSystem()
    for root in (str(folder), str(folder) + "/"):
        context = BuildContext(root, None, True, fs)
        for _ in range(3):  # before and after the folder is listed
            for name in NAMES + ("node_modules/x", "link-to-folder/"):
                path = os.path.join(root, name)
                assert context.has(name) == os.path.lexists(path), (root, name)
                if "/" not in name:
                    assert fs.lexists_in(str(folder), name) == os.path.lexists(path), name


def test_a_name_only_a_case_insensitive_file_system_could_find_is_asked_of_it(tmp_path):
    (tmp_path / "GIT").mkdir()
    fs = FileSystem()
    for _ in range(5):
        assert fs.lexists(str(tmp_path / "git")) == os.path.lexists(str(tmp_path / "git"))
        assert fs.lexists(str(tmp_path / "GIT"))


def test_ignore_file_above_stops_at_the_repository_root(tmp_path):
    (tmp_path / "outer" / "repo" / "app" / "svc").mkdir(parents=True)
    (tmp_path / "outer" / ".dockerignore").write_text("*\n")  # outside the repository
    (tmp_path / "outer" / "repo" / ".git").mkdir()
    fs = FileSystem()
    svc = str(tmp_path / "outer" / "repo" / "app" / "svc")
    assert fs.ignore_file_above(svc) is None
    (tmp_path / "outer" / "repo" / ".dockerignore").write_text(".git\n")
    assert FileSystem().ignore_file_above(svc) == str(tmp_path / "outer" / "repo" / ".dockerignore")
    assert FileSystem().ignore_file_above(str(tmp_path / "outer" / "repo")) is None  # the root itself


def test_build_contexts_of_one_run_share_the_listing(tmp_path):
    folder = _folder(tmp_path)
    (folder / "other.Dockerfile").write_text("FROM busybox\n")
    (folder / "other.Dockerfile.dockerignore").write_text("node_modules\n")
    fs = FileSystem()
    first = BuildContext.of(str(folder / "Dockerfile"), None, fs)
    second = BuildContext.of(str(folder / "other.Dockerfile"), None, fs)
    assert first.root == second.root == str(folder)
    assert first.ignore_file is None
    assert second.ignore_file == str(folder / "other.Dockerfile.dockerignore")
    assert [name for name in (".git", ".hg", "node_modules", "venv") if first.has(name)] == [".git", "node_modules"]
    assert BuildContext.of(str(folder / "absent"), None, fs) is None
    assert BuildContext.of(str(folder / "absent"), str(folder), fs).root == str(folder)
    assert BuildContext.of("-", None, fs) is None
