"""DF211 with its option: the allowed registries are globs over the registry host."""

from __future__ import annotations

from dlint.checker import Settings, lint
from dlint.dockerfile import parse
from dlint.registry import lookup

TEXT = """\
FROM debian:bookworm-20241016 AS base
FROM ghcr.io/acme/tool:1.0 AS tool
FROM registry.example.com/library/debian:bookworm-20241016
FROM mirror.corp.example:5000/debian:bookworm-20241016
FROM localhost/debian:bookworm-20241016
FROM base
FROM scratch
"""


def findings(allowed):
    rule = lookup("DF211")
    settings = Settings((rule,), options={"DF211": {"allowed-registries": allowed}})
    return [(f.line, f.column, f.message) for f in lint(parse(TEXT.encode()), settings)]


def test_images_from_other_registries_are_flagged_at_the_image():
    assert findings(["registry.example.com", "*.corp.example:5000"]) == [
        (1, 6, "'debian:bookworm-20241016' comes from docker.io, which is not an allowed registry "
               "(registry.example.com, *.corp.example:5000)"),
        (2, 6, "'ghcr.io/acme/tool:1.0' comes from ghcr.io, which is not an allowed registry "
               "(registry.example.com, *.corp.example:5000)"),
        (5, 6, "'localhost/debian:bookworm-20241016' comes from localhost, which is not an allowed registry "
               "(registry.example.com, *.corp.example:5000)"),
    ]


def test_docker_hub_is_docker_io_and_no_option_means_no_check():
    assert [line for line, _c, _m in findings(["docker.io", "ghcr.io", "registry.example.com", "*.corp.example:5000", "localhost"])] == []
    assert findings([]) == []
