"""Fixes of the package-manager rules: which are safe, which need --unsafe-fixes, and what
exactly they write; messages that quote commands as written."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dlint.checker import Settings, default_rules
from dlint.context import LintContext
from dlint.dockerfile import parse
from dlint.fix import fix_bytes
from dlint.registry import lookup
from tests.helpers import ROOT


def fixed(data: bytes, unsafe: bool = False) -> tuple[bytes, list[str]]:
    new, applied = fix_bytes(data, "Dockerfile", Settings(default_rules(), unsafe_fixes=unsafe))
    return new, sorted(f.code for f in applied)


RECOMMENDS = (
    b"FROM debian:bookworm\n"
    b"RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u14 && rm -rf /var/lib/apt/lists/*\n"
)


def test_no_install_recommends_is_added_only_with_unsafe_fixes():
    assert fixed(RECOMMENDS) == (RECOMMENDS, [])
    assert fixed(RECOMMENDS, unsafe=True) == (
        b"FROM debian:bookworm\n"
        b"RUN apt-get update && apt-get install --no-install-recommends -y curl=7.88.1-10+deb12u14 "
        b"&& rm -rf /var/lib/apt/lists/*\n",
        ["DF110"],
    )


def test_apt_to_apt_get_is_safe_only_where_both_behave_alike():
    data = (
        b"FROM debian:bookworm\n"
        b"RUN apt update && apt install -y --no-install-recommends curl=7.88.1-10+deb12u14 "
        b"&& apt purge -y wget && rm -rf /var/lib/apt/lists/*\n"
    )
    # apt's install deletes the downloaded .debs and its upgrade installs new packages:
    # apt-get does neither, so that rewrite waits for --unsafe-fixes.
    assert fixed(data) == (
        b"FROM debian:bookworm\n"
        b"RUN apt-get update && apt install -y --no-install-recommends curl=7.88.1-10+deb12u14 "
        b"&& apt-get purge -y wget && rm -rf /var/lib/apt/lists/*\n",
        ["DF111", "DF111"],
    )
    assert fixed(data, unsafe=True) == (
        b"FROM debian:bookworm\n"
        b"RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u14 "
        b"&& apt-get purge -y wget && rm -rf /var/lib/apt/lists/*\n",
        ["DF111", "DF111", "DF111"],
    )


@pytest.mark.parametrize("unsafe, expected", [(False, RECOMMENDS), (True, None)])
def test_the_command_line_applies_unsafe_fixes_only_when_asked(tmp_path, unsafe, expected):
    path = tmp_path / "Dockerfile"
    path.write_bytes(RECOMMENDS)
    args = ["lint", "--isolated", "--no-fail", "--select", "DF110", "--fix", str(path)]
    if unsafe:
        args.insert(-1, "--unsafe-fixes")
    subprocess.run([sys.executable, "-m", "dlint", *args], capture_output=True, cwd=ROOT, check=True)
    assert path.read_bytes() == (expected or RECOMMENDS.replace(b"install -y", b"install --no-install-recommends -y"))


def test_cleanup_follows_the_files_indentation():
    tabs = (
        b"FROM debian:bookworm\n"
        b"RUN set -eux; \\\n"
        b"\tapt-get update; \\\n"
        b"\tapt-get install -y --no-install-recommends curl=7.88.1-10+deb12u14\n"
    )
    assert fixed(tabs) == (
        b"FROM debian:bookworm\n"
        b"RUN set -eux; \\\n"
        b"\tapt-get update; \\\n"
        b"\tapt-get install -y --no-install-recommends curl=7.88.1-10+deb12u14 \\\n"
        b"\t&& rm -rf /var/lib/apt/lists/*\n",
        ["DF107"],
    )
    operators = (
        b"FROM debian:bookworm\n"
        b"  RUN apt-get update \\\n"
        b"      && apt-get install -y --no-install-recommends \\\n"
        b"          curl=7.88.1-10+deb12u14\n"
    )
    assert fixed(operators)[0] == operators.rstrip(b"\n") + b" \\\n      && rm -rf /var/lib/apt/lists/*\n"


@pytest.mark.parametrize("data", [
    # It cleans the lists another way already (in one arm of an if).
    b"FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl=1 \\\n"
    b"    && if [ -n \"$SLIM\" ]; then rm -rf /var/lib/apt/lists/*; fi\n",
    # A later RUN of the stage installs from this index.
    b"FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl=1\n"
    b"RUN apt-get install -y --no-install-recommends git=1 && rm -rf /var/lib/apt/lists/*\n",
    # ... or of a stage built FROM it.
    b"FROM debian:bookworm AS base\nRUN apt-get update && apt-get install -y --no-install-recommends curl=1\n"
    b"FROM base\nRUN apt-get install -y --no-install-recommends git=1 && rm -rf /var/lib/apt/lists/*\n",
])
def test_no_cleanup_fix_where_it_could_break_the_build_or_is_redundant(data):
    context = LintContext(parse(data))
    rule = lookup("DF107")
    violations = list(rule.check(context, rule.options))
    assert [v.span.line for v in violations] == [2]
    assert violations[0].fix is None


def test_cleanup_also_cleans_the_kept_downloads_once_docker_clean_is_gone():
    """With /etc/apt/apt.conf.d/docker-clean removed, apt-get keeps the .deb files it
    downloaded: the cleanup appended is `apt-get clean` and the lists, not the lists alone."""
    data = (
        b"FROM debian:bookworm-20241016\n"
        b"RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
        b"RUN apt-get update \\\n"
        b"    && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u14\n"
    )
    assert fixed(data) == (
        b"FROM debian:bookworm-20241016\n"
        b"RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
        b"RUN apt-get update \\\n"
        b"    && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u14 \\\n"
        b"    && apt-get clean && rm -rf /var/lib/apt/lists/*\n",
        ["DF107"],
    )
    # Fixed, the RUN leaves neither: DF107 has nothing left to say.
    settings = Settings([lookup("DF107")])
    from dlint.checker import lint

    assert lint(parse(fixed(data)[0], "Dockerfile"), settings) == []


def test_messages_quote_the_commands_as_written():
    context = LintContext(parse(
        b"FROM debian:bookworm\n"
        b"RUN apt-get -qq update && apt-get install -y --no-install-recommends curl=1\n"
        b"RUN rm -rf /var/lib/apt/lists/* /tmp/build\n"
    ))
    messages = {
        code: [v.message for v in lookup(code).check(context, lookup(code).options)] for code in ("DF107", "DF108")
    }
    assert messages == {
        "DF107": ["`apt-get -qq update` leaves /var/lib/apt/lists in this layer: add `rm -rf /var/lib/apt/lists/*` "
                  "at the end of this RUN"],
        "DF108": ["`rm -rf /var/lib/apt/lists/* /tmp/build` deletes the package index that the RUN at line 2 "
                  "left; that layer keeps the bytes, so the image does not shrink: delete it in that RUN"],
    }


def test_onbuild_triggers_reach_an_image():
    """With ONBUILD triggers among the RUNs (the model yields them), DF107 reports a trigger
    even in a stage that does not reach the final image."""
    dockerfile = parse(
        b"FROM debian:bookworm AS tools\n"
        b"ONBUILD RUN apt-get update && apt-get install -y --no-install-recommends curl=1\n"
        b"FROM debian:bookworm\n"
    )
    triggers = [run for run in dockerfile.runs() if run.line == 2]
    if not triggers:
        pytest.skip("this model does not yield ONBUILD triggers as RUNs yet")
    context = LintContext(dockerfile)
    rule = lookup("DF107")
    assert [v.span.line for v in rule.check(context, rule.options)] == [2]
