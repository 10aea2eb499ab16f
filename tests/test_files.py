"""How paths are shown in findings (dlint.files.display_path)."""

import os

import pytest

from dlint.files import display_path


@pytest.mark.parametrize(
    "given, shown",
    [
        ("{cwd}/a/Dockerfile", "a/Dockerfile"),  # below the current directory: relative
        ("{cwd}/a//b/../Dockerfile", "a/Dockerfile"),  # normalised, as relpath does
        ("{cwd}", "."),
        ("a/Dockerfile", "a/Dockerfile"),
        ("./a/Dockerfile", "a/Dockerfile"),
        ("../elsewhere/Dockerfile", "../elsewhere/Dockerfile"),  # above it: as given
        ("{cwd}x/Dockerfile", "{cwd}x/Dockerfile"),  # a sibling whose name starts alike
        ("/outside/Dockerfile", "/outside/Dockerfile"),
        ("-", "-"),  # standard input
    ],
)
def test_display_path_is_relative_below_the_current_directory(tmp_path, monkeypatch, given, shown):
    cwd = tmp_path / "work"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    given, shown = given.format(cwd=cwd), shown.format(cwd=cwd)
    assert display_path(given) == shown
    assert display_path(given, os.getcwd()) == shown  # the current directory given by the caller


def test_display_path_in_the_root_directory(monkeypatch):
    monkeypatch.chdir("/")
    assert display_path("/etc/Dockerfile") == "etc/Dockerfile"
