"""How version-control sources and go's package words are read (DF106 judges them)."""

from __future__ import annotations

import pytest

from dlint.packages import parse_go_package, parse_npm_package, parse_pip_package, parse_rpm_package
from dlint.shell import Word
from dlint.source import Span


def _read(parse, value):
    package = parse(Word(value, value, Span(1, 1, 1, 1 + len(value))))
    return package.kind, package.name, package.version


@pytest.mark.parametrize("value, expected", [
    ("git+https://example.org/acme/widgets.git#egg=widgets", ("vcs", "widgets", None)),
    ("git+https://example.org/acme/widgets.git@v2.1.0#egg=Widgets_X", ("vcs", "widgets-x", "v2.1.0")),
    # The user of an ssh URL is no ref; the repository names the package without #egg.
    ("git+ssh://git@example.org/acme/widgets.git", ("vcs", "widgets", None)),
    ("git+git://example.org/acme/widgets.git@3f2a9c1", ("vcs", "widgets", "3f2a9c1")),
    ("hg+https://example.org/acme/widgets@default", ("vcs", "widgets", "default")),
    # PEP 508 direct references: the @ before the URL is no ref either.
    ("widgets @ git+ssh://git@example.org/acme/widgets.git", ("vcs", "widgets", None)),
    ("widgets[cli] @ git+https://example.org/acme/w.git@v2", ("vcs", "widgets", "v2")),
    ("widgets @ https://example.org/widgets-2.1.tar.gz", ("path", None, None)),
    ("git+file:///src/widgets", ("path", None, None)),
])
def test_pip_version_control_sources(value, expected):
    assert _read(parse_pip_package, value) == expected


@pytest.mark.parametrize("value, expected", [
    ("git+ssh://git@example.org:acme/widgets.git", ("vcs", "widgets", None)),
    ("git+https://user@example.org/acme/widgets#v1.0.27", ("vcs", "widgets", "v1.0.27")),
    ("git://example.org/acme/widgets.git#semver:^5.0", ("vcs", "widgets", "semver:^5.0")),
    ("acme/widgets", ("path", None, None)),  # a GitHub shorthand: not judged
])
def test_npm_version_control_sources(value, expected):
    assert _read(parse_npm_package, value) == expected


@pytest.mark.parametrize("value, expected", [
    ("example.org/acme/lint@v1.8.0", ("name", "example.org/acme/lint", "v1.8.0")),
    ("example.org/acme/lint@latest", ("name", "example.org/acme/lint", None)),
    # No version: go install takes go.mod's, go get the newest; the name is kept for go get.
    ("example.org/acme/lint", ("path", "example.org/acme/lint", None)),
    ("./cmd/server", ("path", None, None)),
    ("all", ("pattern", None, None)),
])
def test_go_package_words(value, expected):
    assert _read(parse_go_package, value) == expected


@pytest.mark.parametrize("value, expected", [
    ("nodejs", ("name", "nodejs", None)),
    ("nodejs:20", ("name", "nodejs", "20")),
    ("nodejs:20/common", ("name", "nodejs", "20")),
    ("nodejs:20:9040020240101:rhel9", ("name", "nodejs", "20")),
    # An epoch follows a version part: still a package's NEVRA, not a module.
    ("httpd-2:2.4.62-1.el9", ("name", "httpd", "2:2.4.62-1.el9")),
])
def test_rpm_module_specs(value, expected):
    assert _read(parse_rpm_package, value) == expected
