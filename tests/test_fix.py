"""--fix: the exact bytes of fixed Dockerfiles, the order of fixes, and safe writing."""

from __future__ import annotations

import os

import pytest

from dlint.checker import Settings, default_rules
from dlint.fix import NotFixable, fix_bytes, write_atomically
from tests.helpers import FIXTURES


def fixed(data: bytes) -> tuple[bytes, list[str]]:
    new, applied = fix_bytes(data, "Dockerfile", Settings(default_rules()))
    return new, [f.code for f in applied]


def test_founding_example_with_a_stray_backslash():
    # The structural fix comes first: afterwards nothing sorts `RUN`, `rm`, `-rf` as packages.
    data = (FIXTURES / "examples" / "cleanup-own-run-stray-backslash.Dockerfile").read_bytes()
    new, codes = fixed(data)
    assert codes == ["DF001", "DF107"]
    assert new == (
        b"# The same, with a stray trailing backslash: the cleanup RUN is swallowed by the install.\n"
        b"FROM debian:bookworm-20241016\n"
        b"RUN apt-get update \\\n"
        b"    && apt-get install -y --no-install-recommends \\\n"
        b"        ca-certificates=20230311 \\\n"
        b"        curl=7.88.1-10+deb12u8 \\\n"
        b"    && rm -rf /var/lib/apt/lists/*\n"
        b"RUN rm -rf /var/lib/apt/lists/*\n"
    )


def test_one_per_line_then_sorted():
    new, codes = fixed(
        b"FROM debian:bookworm\n"
        b"RUN apt-get update \\\n"
        b"    && apt-get install -y --no-install-recommends wget=1 curl=2 ca-certificates=3 \\\n"
        b"    && rm -rf /var/lib/apt/lists/*\n"
    )
    assert codes == ["DF103", "DF104"]
    assert new == (
        b"FROM debian:bookworm\n"
        b"RUN apt-get update \\\n"
        b"    && apt-get install -y --no-install-recommends \\\n"
        b"        ca-certificates=3 \\\n"
        b"        curl=2 \\\n"
        b"        wget=1 \\\n"
        b"    && rm -rf /var/lib/apt/lists/*\n"
    )


def test_sorting_keeps_variables_paths_and_continuations_in_place():
    new, codes = fixed(
        b"# escape=`\r\n"
        b"FROM debian:bookworm\r\n"
        b"RUN apt-get update && apt-get install -y --no-install-recommends `\r\n"
        b"        zlib1g=1 `\r\n"
        b"        $EXTRA `\r\n"
        b"        curl=2 `\r\n"
        b"    && rm -rf /var/lib/apt/lists/*\r\n"
    )
    assert codes == ["DF104"]
    assert new == (
        b"# escape=`\r\n"
        b"FROM debian:bookworm\r\n"
        b"RUN apt-get update && apt-get install -y --no-install-recommends `\r\n"
        b"        curl=2 `\r\n"
        b"        $EXTRA `\r\n"
        b"        zlib1g=1 `\r\n"
        b"    && rm -rf /var/lib/apt/lists/*\r\n"
    )


def test_a_comment_among_packages_blocks_sorting():
    data = (
        b"FROM debian:bookworm\n"
        b"RUN apt-get update && apt-get install -y --no-install-recommends \\\n"
        b"        # needed by the healthcheck\n"
        b"        wget=1 \\\n"
        b"        curl=2 \\\n"
        b"    && rm -rf /var/lib/apt/lists/*\n"
    )
    assert fixed(data) == (data, [])


def test_flags_and_apt_front_end():
    new, codes = fixed(
        b"FROM debian:bookworm\n"
        b"RUN apt update && apt install curl=1 && rm -rf /var/lib/apt/lists/*\n"
    )
    # DF110's fix and DF111's on `apt install` are unsafe (tests/test_apt_fixes.py): not applied.
    assert sorted(codes) == ["DF109", "DF111"]
    assert new == (
        b"FROM debian:bookworm\n"
        b"RUN apt-get update && apt install -y curl=1 "
        b"&& rm -rf /var/lib/apt/lists/*\n"
    )


def test_cleanup_is_not_appended_where_a_later_run_needs_the_index():
    data = b"FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl=1\n"
    assert fixed(data) == (data, [])


def test_bom_is_kept_and_invalid_utf8_is_refused():
    new, codes = fixed(b"\xef\xbb\xbfFROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl=1\n")
    assert codes == ["DF107"]
    assert new.startswith(b"\xef\xbb\xbfFROM") and new.endswith(b"curl=1 \\\n    && rm -rf /var/lib/apt/lists/*\n")
    with pytest.raises(NotFixable):
        fixed(b"FROM debian\nLABEL a=\xff\n")


def test_write_atomically_keeps_the_mode_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    write_atomically(str(path), b"new")
    assert path.read_bytes() == b"new"
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["Dockerfile"]


def test_add_becomes_copy_in_the_case_written():
    new, codes = fixed(b"FROM debian:bookworm\nADD a.conf /etc/a.conf\nadd b.conf /etc/b.conf\nADD c.tar.gz /\n")
    assert codes == ["DF302", "DF302"]
    assert new == b"FROM debian:bookworm\nCOPY a.conf /etc/a.conf\ncopy b.conf /etc/b.conf\nADD c.tar.gz /\n"
