"""--fix: the exact bytes of fixed Dockerfiles, the order of fixes, and safe writing."""

from __future__ import annotations

import os

import pytest

from dlint.checker import Settings, default_rules
from dlint.fix import NotFixable, fix_bytes, write_atomically
from tests.helpers import FIXTURES


def fixed(data: bytes, rules=None) -> tuple[bytes, list[str]]:
    new, applied = fix_bytes(data, "Dockerfile", Settings(rules or default_rules()))
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
    # DF302 alone: with every rule, DF010 would also make the lower-case `add` upper case.
    from dlint.registry import lookup

    data = b"FROM debian:bookworm\nADD a.conf /etc/a.conf\nadd b.conf /etc/b.conf\nADD c.tar.gz /\n"
    new, codes = fixed(data, (lookup("DF302"),))
    assert codes == ["DF302", "DF302"]
    assert new == b"FROM debian:bookworm\nCOPY a.conf /etc/a.conf\ncopy b.conf /etc/b.conf\nADD c.tar.gz /\n"


# --- Fixes never break a build: for every fixable rule, a case where its fix must not be applied


def fix_result(data: str, unsafe: bool = False):
    from dlint.fix import fix_text

    return fix_text(data, "Dockerfile", Settings(default_rules(), unsafe_fixes=unsafe))


def test_df001_continued_healthcheck_and_onbuild_are_left_alone():
    # Before the model read these as BuildKit does, DF001's fix turned the HEALTHCHECK into a
    # flags-only one (a build error) and its command into the image's CMD.
    data = (
        b"FROM debian:bookworm\n"
        b"HEALTHCHECK --interval=30s --timeout=3s \\\n"
        b"    CMD [\"curl\", \"-fsS\", \"http://localhost/\"]\n"
        b"ONBUILD \\\n"
        b"    COPY . /app/\n"
        b"CMD [\"server\"]\n"
    )
    assert fixed(data) == (data, [])


def test_df103_not_split_across_a_comment_line():
    data = (
        b"FROM debian:bookworm\n"
        b"RUN apt-get update && apt-get install -y --no-install-recommends a=1 b=2 \\\n"
        b"# the last one\n"
        b"    c=3 && rm -rf /var/lib/apt/lists/*\n"
    )
    assert fixed(data) == (data, [])


def test_df107_cleanup_is_not_appended_into_a_shell_comment():
    # Appended after `# fetch tools`, the cleanup would be part of the comment: nothing
    # changes, and each pass would append it again. The check finds the finding unresolved.
    text = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl=1 # fetch tools\n"
    result = fix_result(text)
    assert (result.text, result.applied) == (text, [])
    assert [(f.code, f.line) for f in result.dropped] == [("DF107", 2)]


@pytest.mark.parametrize("code, command", [
    ("DF109", '["apt-get", "install", "--no-install-recommends", "curl=1"]'),
    ("DF110", '["apt-get", "install", "-y", "curl=1"]'),
])
def test_df109_df110_options_are_not_typed_into_an_exec_form(code, command):
    # The option inserted bare into the JSON would make it a shell-form RUN. (DF110's fix is
    # unsafe, so it is only tried with --unsafe-fixes.)
    text = f"FROM debian:bookworm\nRUN {command}\n"
    result = fix_result(text, unsafe=True)
    assert result.text == text and result.applied == []
    assert [f.code for f in result.dropped] == [code]


def test_df111_not_in_an_exec_form():
    data = b'FROM debian:bookworm\nRUN ["apt", "install", "-y", "--no-install-recommends", "curl=1"]\n'
    assert fixed(data) == (data, [])


def test_df302_archives_images_and_urls_stay_add():
    data = (
        b"FROM debian:bookworm\n"
        b"ADD \"vendor.tar.gz\" /opt/vendor/\n"
        b"ADD rootfs.img /\n"
        b"ADD https://example.invalid/app.conf /etc/app.conf\n"
        b"ADD $CONFIG /etc/app.conf\n"
    )
    assert fixed(data) == (data, [])


def test_df302_a_file_that_may_be_an_archive_is_only_an_unsafe_fix():
    text = "FROM debian:bookworm\nADD bin/server /usr/local/bin/\nONBUILD ADD app.conf /etc/\n"
    assert fix_result(text).text == "FROM debian:bookworm\nADD bin/server /usr/local/bin/\nONBUILD COPY app.conf /etc/\n"
    unsafe = fix_result(text, unsafe=True)
    assert unsafe.text == "FROM debian:bookworm\nCOPY bin/server /usr/local/bin/\nONBUILD COPY app.conf /etc/\n"
    assert [f.code for f in unsafe.applied] == ["DF302", "DF302"]


def test_onbuild_triggers_are_fixed_inside_their_line():
    # `apt update` -> `apt-get update` is safe; `apt install` -> `apt-get install` is not (apt
    # deletes downloaded .debs, apt-get keeps them), so --fix alone leaves it.
    data = (
        b"FROM debian:bookworm\n"
        b"ONBUILD RUN apt update && apt install -y --no-install-recommends curl=1 && rm -rf /var/lib/apt/lists/*\n"
    )
    new, codes = fixed(data)
    assert new == (
        b"FROM debian:bookworm\n"
        b"ONBUILD RUN apt-get update && apt install -y --no-install-recommends curl=1 && rm -rf /var/lib/apt/lists/*\n"
    )
    assert codes == ["DF111"]


def test_a_fix_whose_result_has_a_new_problem_is_dropped():
    """The check itself, with a rule written for the test whose fix empties a HEALTHCHECK
    (what DF001's fix used to do): the result would not build, so it is not applied."""
    from dlint.rule import Edit, Fix, Severity, Violation, rule
    from dlint.source import Span
    from dlint.fix import fix_text

    @rule("DF999", "drops-healthcheck-command", Severity.STYLE, "test only", fixable=True)
    def drops_command(context, options):
        for instruction in context.dockerfile.instructions:
            if instruction.keyword == "HEALTHCHECK":
                end = instruction.text.position(len(instruction.text.text))
                start = instruction.text.position(instruction.args_offset)
                yield Violation(instruction.keyword_span, "x", Fix("x", (Edit(Span(*start, *end), ""),)))

    text = "FROM debian:bookworm\nHEALTHCHECK --interval=5s CMD [\"/hc\"]\n"
    result = fix_text(text, "Dockerfile", Settings((drops_command,)))
    assert result.text == text and result.applied == [] and [f.code for f in result.dropped] == ["DF999"]


def test_a_fix_that_changes_another_instruction_is_dropped():
    """A fix may rewrite its own instruction, not the sequence: a test rule that deletes the
    escape character ending a RUN, whose next line then becomes an instruction of its own."""
    from dlint.rule import Edit, Fix, Severity, Violation, rule
    from dlint.source import Span
    from dlint.fix import fix_text

    @rule("DF998", "joins-lines", Severity.STYLE, "test only", fixable=True)
    def splits(context, options):
        for instruction in context.dockerfile.instructions:
            if instruction.keyword == "RUN" and instruction.end_line > instruction.line:
                line = context.dockerfile.lines[instruction.line - 1]
                column = line.rindex("\\") + 1
                edit = Edit(Span(instruction.line, column, instruction.line, column + 1), "")
                yield Violation(instruction.keyword_span, "x", Fix("x", (edit,)))

    text = "FROM debian:bookworm\nRUN echo a \\\n  && echo b\nUSER app\n"
    result = fix_text(text, "Dockerfile", Settings((splits,)))
    assert result.text == text and [f.code for f in result.dropped] == ["DF998"]


def test_a_fix_that_does_not_resolve_its_finding_is_not_applied_again_and_again():
    # Options after the packages: before the check, DF103's fix left `-y` beside the last
    # package, the finding stayed, and every one of the 20 passes rewrote the RUN again.
    text = (
        "FROM ubuntu:22.04\n"
        "RUN apt-get update && apt-get install libcap2-bin=1 mumble-server=2 -y --no-install-recommends \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )
    result = fix_result(text)
    assert len(result.applied) <= 2
    assert fix_result(result.text).applied == []
