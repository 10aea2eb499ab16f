""".dockerignore as BuildKit reads it (dlint/dockerignore.py): moby/patternmatcher's
patterns and ``MatchesOrParentMatches``, the file format of ``ignorefile.ReadAll``, and which
file applies. The cases follow Docker's documentation of the file, written as our own."""

from __future__ import annotations

import pytest

from dlint.dockerignore import BadPattern, Matcher, clean, ignore_file, read_patterns


def excluded(patterns: str, path: str) -> bool:
    return Matcher.read(patterns.encode()).matches(path)


@pytest.mark.parametrize("path, expected", [
    ("somedir/temporary.txt", True),  # */temp*: one folder down
    ("somedir/temp", True),
    ("temporary.txt", False),  # not at the root
    ("somedir/subdir/temporary.txt", True),  # */*/temp*: two folders down
    ("a/b/c/temp.txt", False),  # three folders down: neither
    ("tempa", True),  # temp?: one character
    ("temp", False),
    ("tempab", False),
    ("somedir/tempa", True),  # */temp* as well
])
def test_the_documented_example(path, expected):
    assert excluded("# comment\n*/temp*\n*/*/temp*\ntemp?\n", path) is expected


@pytest.mark.parametrize("patterns, path, expected", [
    ("**/*.go", "main.go", True),  # ** also matches no folder at all
    ("**/*.go", "cmd/app/main.go", True),
    ("**/*.go", "main.gox", False),
    ("**/vendor", "vendor", True),
    ("**/vendor", "a/b/vendor/x.go", True),  # a parent folder matches
    ("build/**", "build/x/y", True),
    ("build/**", "build", False),  # only what is below it
    ("**", "anything/at/all", True),
    ("*", "a/b", True),  # the parent `a` matches
    ("*.md\n!README.md", "README.md", False),  # an exception takes it back
    ("*.md\n!README.md", "docs/x.md", False),  # `*` does not cross `/`
    ("*.md\n!README*.md\nREADME-secret.md", "README-secret.md", True),  # the last line decides
    ("*.md\n!README*.md\nREADME-secret.md", "README-public.md", False),
    ("*.md\nREADME-secret.md\n!README*.md", "README-secret.md", False),
    ("/build/", "build/app.jar", True),  # a leading and a trailing / change nothing
    ("./dist//x/../y", "dist/y", True),  # patterns are cleaned as paths
    ("logs\n!logs/keep", "logs/keep", False),
    ("logs\n!logs/keep", "logs/other", True),
    ("file[0-9].txt", "file7.txt", True),
    ("file[0-9].txt", "filex.txt", False),
    ("a\\*b", "a*b", True),  # an escaped wildcard is literal
    ("a\\*b", "axxb", False),
    ("dir.name", "dirxname", False),  # `.` is not a regular-expression dot
    ("a+b", "a+b", True),
    ("  spaced  ", "spaced", True),  # lines are trimmed
    (" # not a comment", "# not a comment", True),  # only a # in the first column starts one
    ("\ufeff.git", ".git", True),  # a BOM is dropped
])
def test_patterns(patterns, path, expected):
    assert excluded(patterns, path) is expected


def test_the_file_format():
    data = "\ufeff# comment\n\n  /abs/path/  \n! spaced/exception\n*.tmp\n".encode()
    assert read_patterns(data) == ["abs/path", "!spaced/exception", "*.tmp"]


@pytest.mark.parametrize("path, cleaned", [
    ("a//b/./c/", "a/b/c"), ("a/../b", "b"), ("../a", "../a"), ("/a/../..", "/"), ("", "."), ("./", "."),
])
def test_paths_are_cleaned_as_go_does(path, cleaned):
    assert clean(path) == cleaned


def test_the_deciding_pattern_and_exceptions_below_a_folder():
    matcher = Matcher.read(b"docs\n!docs/manual.md\n*.log\n")
    assert matcher.deciding("x/app.log") is None  # `*.log` is for the root only
    assert matcher.deciding("app.log").text == "*.log"
    assert matcher.deciding("docs").text == "docs"
    assert matcher.may_keep_below("docs")  # docs/manual.md comes back
    assert not matcher.may_keep_below("app.log")
    assert matcher.exclusions


def test_bad_patterns_are_refused():
    with pytest.raises(BadPattern):
        Matcher.read(b"!\n")
    with pytest.raises(BadPattern):
        Matcher.read(b"file[.txt\n")


def test_the_dockerfiles_own_ignore_file_comes_first(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    assert ignore_file(str(tmp_path / "Dockerfile"), str(tmp_path)) is None
    (tmp_path / ".dockerignore").write_text("a\n")
    assert ignore_file(str(tmp_path / "Dockerfile"), str(tmp_path)) == str(tmp_path / ".dockerignore")
    (tmp_path / "Dockerfile.dockerignore").write_text("b\n")
    assert ignore_file(str(tmp_path / "Dockerfile"), str(tmp_path)) == str(tmp_path / "Dockerfile.dockerignore")
