"""The Dockerfile model, including each place where dockerfile-parse's own line structure is
wrong (the reason dlint scans lines itself), and the places where BuildKit's own reading
decides: HEALTHCHECK and ONBUILD continuations, triggers, the arguments BuildKit refuses."""

from __future__ import annotations

import pytest

from dlint.dockerfile import DockerfileError, ImageRef, parse
from dlint.source import Span


def keywords(dockerfile):
    return [(i.keyword, i.line, i.end_line) for i in dockerfile.instructions]


def test_heredocs_are_bodies_not_instructions():
    # dockerfile-parse gap: no heredoc support, the body lines become dozens of instructions.
    df = parse(
        "FROM debian:bookworm\n"
        "RUN <<EOF\n"
        "apt-get update\n"
        "RUN not an instruction\n"
        "EOF\n"
        "COPY <<-A <<B /dest/\n"
        "\tfirst\n"
        "\tA\n"
        "second\n"
        "B\n"
        "USER nobody\n"
    )
    assert keywords(df) == [("FROM", 1, 1), ("RUN", 2, 5), ("COPY", 6, 10), ("USER", 11, 11)]
    run, copy = df.instructions[1], df.instructions[2]
    assert run.heredocs[0].body.text == "apt-get update\nRUN not an instruction\n"
    assert run.heredocs[0].marker == Span(2, 5, 2, 10)
    assert [(h.delimiter, h.strip_tabs, h.start_line, h.end_line) for h in copy.heredocs] == [
        ("A", True, 7, 8), ("B", False, 9, 10),
    ]
    assert copy.heredocs[0].body.text == "first\n"
    assert copy.heredocs[0].body.position(0) == (7, 2)  # the tab is stripped, columns stay true


def test_instruction_directly_after_heredoc_terminator():
    # hadolint 2.15 fails the whole file on this shape.
    df = parse("FROM scratch\nRUN <<EOT\necho hi\nEOT\nCOPY a /a\n")
    assert keywords(df) == [("FROM", 1, 1), ("RUN", 2, 4), ("COPY", 5, 5)]


def test_quoted_heredoc_delimiter_and_unterminated_heredoc():
    df = parse("FROM scratch\nRUN <<'EOF' cat\n$NOT_EXPANDED\n")
    run = df.instructions[1]
    assert run.heredocs[0].quoted and not run.heredocs[0].terminated
    assert run.unterminated and run.end_line == 3


def test_utf8_bom_is_not_part_of_the_first_keyword():
    # dockerfile-parse gap: the BOM stays glued to the first keyword.
    df = parse(b"\xef\xbb\xbfFROM debian:bookworm\n")
    assert df.instructions[0].keyword == "FROM"
    assert df.instructions[0].column == 1


def test_blank_and_comment_lines_inside_a_continuation():
    # dockerfile-parse gap: a blank line inside a continuation ends the instruction there.
    df = parse("FROM debian\nRUN echo a \\\n\n    # note\n    b\nUSER x\n")
    assert keywords(df) == [("FROM", 1, 1), ("RUN", 2, 5), ("USER", 6, 6)]
    assert df.instructions[1].args == "echo a     b"
    assert [(c.line, c.column, c.text) for c in df.comments] == [(4, 5, "note")]


def test_continuation_at_end_of_file_keeps_the_instruction():
    # dockerfile-parse gap: the last instruction is dropped.
    df = parse("FROM debian\nRUN echo a \\\n    b \\\n")
    assert keywords(df) == [("FROM", 1, 1), ("RUN", 2, 3)]
    assert df.instructions[1].unterminated


def test_escaped_escape_character_is_not_a_continuation():
    # dockerfile-parse gap: `\\` at the end of a line is taken as a continuation.
    df = parse("FROM debian\nRUN echo C:\\\\\nUSER x\n")
    assert keywords(df) == [("FROM", 1, 1), ("RUN", 2, 2), ("USER", 3, 3)]


def test_invalid_utf8_is_replaced_with_a_warning():
    # dockerfile-parse gap: UnicodeDecodeError.
    df = parse(b"FROM debian\nLABEL x=\xff\xfe\n")
    assert keywords(df) == [("FROM", 1, 1), ("LABEL", 2, 2)]
    assert df.warnings == ["line 2: invalid UTF-8, undecodable bytes replaced with U+FFFD"]


def test_nul_bytes_mean_binary():
    with pytest.raises(DockerfileError) as error:
        parse(b"FROM debian\n\x00\x01")
    assert str(error.value) == "binary file (NUL byte); not a Dockerfile" and error.value.line == 2


def test_escape_directive_after_another_directive():
    # dockerfile-parse gap: `# escape=` is missed when `# syntax=` comes first.
    df = parse("# syntax=docker/dockerfile:1\n# escape=`\nFROM windows\nRUN dir `\n    c:\\\nUSER x\n")
    assert df.escape == "`"
    assert [(d.name, d.value, d.line) for d in df.directives] == [
        ("syntax", "docker/dockerfile:1", 1), ("escape", "`", 2),
    ]
    assert keywords(df) == [("FROM", 3, 3), ("RUN", 4, 5), ("USER", 6, 6)]


def test_directives_end_at_the_first_other_line():
    df = parse("# a comment\n# escape=`\nFROM x\n")
    assert df.directives == [] and df.escape == "\\"
    df = parse("\n# escape=`\nFROM x\n")
    assert df.directives == []
    df = parse("# check=skip=DF106\nFROM x\n")
    assert [(d.name, d.value) for d in df.directives] == [("check", "skip=DF106")]


def test_columns_crlf_and_lowercase_keywords():
    # dockerfile-parse gap: no columns at all.
    df = parse(b"from debian:bookworm as base\r\n  run  --mount=type=cache,target=/var/cache/apt apt-get update\r\n")
    run = df.instructions[1]
    assert (run.keyword, run.keyword_text, run.line, run.column) == ("RUN", "run", 2, 3)
    assert [(f.name, f.value, f.span) for f in run.flags] == [
        ("mount", "type=cache,target=/var/cache/apt", Span(2, 8, 2, 48)),
    ]
    assert run.args == "apt-get update"
    assert run.text.position(run.args_offset) == (2, 49)
    assert df.stages[0].name == "base"


def test_exec_form_and_shell_form():
    df = parse('FROM x\nCMD ["a", "b c"]\nCMD [not json\nENTRYPOINT ["ok"] trailing\n')
    assert [i.exec_form for i in df.instructions[1:]] == [["a", "b c"], None, None]


def test_swallowed_instruction_is_split_where_the_author_meant_it():
    df = parse("FROM debian\nRUN make \\\n    install \\\nRUN rm -rf /tmp/*\n")
    assert keywords(df) == [("FROM", 1, 1), ("RUN", 2, 3), ("RUN", 4, 4)]
    assert [i.swallowed for i in df.instructions] == [False, False, True]
    assert df.instructions[1].args == "make     install "


def test_stages_bases_and_what_reaches_the_final_image():
    df = parse(
        "ARG BASE=debian:bookworm\n"
        "FROM ${BASE} AS deps\n"
        "FROM deps AS build\n"
        "FROM --platform=linux/amd64 registry:5000/ns/tool@sha256:abc AS tool\n"
        "FROM build\n"
        "COPY --from=tool /tool /tool\n"
    )
    assert [(s.index, s.name, s.reaches_final) for s in df.stages] == [
        (0, "deps", True), (1, "build", True), (2, "tool", False), (3, None, True),
    ]
    assert df.stages[0].base == ImageRef("debian:bookworm", "debian", "bookworm", None, False)
    assert df.stages[1].parent is df.stages[0]
    assert df.stages[2].base.name == "registry:5000/ns/tool"
    assert df.stages[2].base.tag is None and df.stages[2].base.digest == "sha256:abc"
    assert [i.stage_index for i in df.instructions] == [-1, 0, 1, 2, 3, 3]


def test_unresolved_build_argument_in_from():
    df = parse("ARG BASE\nFROM $BASE\n")
    assert df.stages[0].base.has_variable


def test_windows_shells_are_not_posix():
    df = parse(
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir\n"
        "FROM debian\nRUN ls\nSHELL [\"powershell\", \"-Command\"]\nRUN Get-ChildItem\n"
        "SHELL [\"/bin/bash\", \"-c\"]\nRUN ls\n"
    )
    runs = [i for i in df.instructions if i.keyword == "RUN"]
    assert [r.is_posix_shell for r in runs] == [False, True, False, True]


def test_raw_text_keeps_the_source_lines():
    df = parse("FROM x\nRUN a \\\n  # c\n  b\n")
    assert df.instructions[1].raw == "RUN a \\\n  # c\n  b"


def test_problems_that_stop_a_build():
    df = parse("FROM x\nRUN apt-get install -y curl\n    wget\nFOO bar\n")
    assert [(p.line, p.column, p.message) for p in df.problems] == [
        (3, 5, "unknown instruction 'wget' (a missing `\\` at the end of line 2?)"),
        (4, 1, "unknown instruction 'FOO'"),
    ]
    df = parse("ARG A\nRUN x\n")
    assert [(p.line, p.message) for p in df.problems] == [(1, "no FROM instruction: nothing to build")]
    df = parse("LABEL a=b\nFROM x\n")
    assert [(p.line, p.message) for p in df.problems] == [(1, "LABEL before the first FROM")]
    # BuildKit builds a file that ends inside a line continuation: no problem.
    df = parse("FROM x\nRUN a \\\n")
    assert df.problems == [] and df.instructions[1].unterminated
    df = parse("FROM x\nRUN <<EOF\necho\n")
    assert [(p.line, p.column, p.message) for p in df.problems] == [
        (2, 5, "heredoc <<EOF is never closed: no line 'EOF' before the end of the file"),
    ]
    assert [p.message for p in parse("# just a comment\n").problems] == ["no FROM instruction: nothing to build"]
    assert parse("ARG BASE=x\nFROM $BASE\n").problems == []


# --- Syntax exactly as BuildKit reads it ------------------------------------------------------


def test_healthcheck_flags_then_cmd_on_the_next_line_is_one_instruction():
    df = parse(
        "FROM debian\n"
        "HEALTHCHECK --interval=30s --timeout=3s \\\n"
        "    CMD curl -f http://localhost/ || exit 1\n"
        "HEALTHCHECK \\\n  --retries=3 \\\n  CMD [\"/check\"]\n"
        "USER app\n"
    )
    assert keywords(df) == [("FROM", 1, 1), ("HEALTHCHECK", 2, 3), ("HEALTHCHECK", 4, 6), ("USER", 7, 7)]
    assert [i.swallowed for i in df.instructions] == [False] * 4
    assert df.instructions[1].args == "CMD curl -f http://localhost/ || exit 1"
    assert [(f.name, f.value) for f in df.instructions[2].flags] == [("retries", "3")]
    assert df.problems == []


def test_a_complete_healthcheck_still_swallows_the_next_instruction():
    df = parse("FROM debian\nHEALTHCHECK CMD curl -f http://localhost/ \\\nCMD [\"server\"]\n")
    assert keywords(df) == [("FROM", 1, 1), ("HEALTHCHECK", 2, 2), ("CMD", 3, 3)]
    assert df.instructions[2].swallowed
    # Only CMD may follow a flags-only HEALTHCHECK: BuildKit would read `RUN` as its type.
    df = parse("FROM debian\nHEALTHCHECK --interval=30s \\\nRUN echo no command\n")
    assert keywords(df) == [("FROM", 1, 1), ("HEALTHCHECK", 2, 2), ("RUN", 3, 3)]
    assert df.instructions[2].swallowed
    assert [(p.line, p.message) for p in df.problems] == [(2, "HEALTHCHECK requires at least one argument")]


def test_onbuild_continued_onto_its_trigger_is_one_instruction():
    df = parse("FROM debian\nONBUILD \\\n    RUN make install\nONBUILD HEALTHCHECK --interval=5s \\\n  CMD [\"/hc\"]\n")
    assert keywords(df) == [("FROM", 1, 1), ("ONBUILD", 2, 3), ("ONBUILD", 4, 5)]
    first, second = df.instructions[1].trigger, df.instructions[2].trigger
    assert (first.keyword, first.line, first.column, first.args) == ("RUN", 3, 5, "make install")
    assert (second.keyword, second.args, [f.name for f in second.flags]) == ("HEALTHCHECK", 'CMD ["/hc"]', ["interval"])
    assert df.problems == []


def test_onbuild_triggers_are_instructions_with_their_own_spans():
    df = parse(
        "FROM debian AS base\n"
        "ONBUILD RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt\n"
        "ONBUILD COPY --chown=app [\"a b\", \"/app/\"]\n"
        "onbuild run <<EOF\n"
        "make\n"
        "EOF\n"
        "RUN ls\n"
    )
    run, copy, heredoc = (i.trigger for i in df.instructions[1:4])
    assert run.trigger_of is df.instructions[1] and run.is_trigger
    assert (run.keyword, run.keyword_text, run.line, run.column, run.end_line) == ("RUN", "RUN", 2, 9, 2)
    assert [(f.name, f.value, f.span) for f in run.flags] == [
        ("mount", "type=cache,target=/root/.cache", Span(2, 13, 2, 51)),
    ]
    assert run.args == "pip install -r requirements.txt"
    assert run.text.position(run.args_offset) == (2, 52)
    assert copy.exec_form == ["a b", "/app/"]
    assert [(s.value, s.span) for s in copy.sources] == [("a b", Span(3, 27, 3, 32))]
    assert heredoc.keyword_text == "run" and heredoc.heredocs[0].body.text == "make\n"
    assert df.instructions[3].end_line == 6 and keywords(df)[-1] == ("RUN", 7, 7)
    # runs() yields the RUN triggers too; all_instructions() puts each trigger after its ONBUILD.
    assert [(i.line, i.is_trigger) for i in df.runs()] == [(2, True), (4, True), (7, False)]
    assert [i.keyword for i in df.all_instructions()] == [
        "FROM", "ONBUILD", "RUN", "ONBUILD", "COPY", "ONBUILD", "RUN", "RUN",
    ]
    # Triggers are not layers of this stage.
    assert [i.keyword for i in df.stages[0].instructions] == ["FROM", "ONBUILD", "ONBUILD", "ONBUILD", "RUN"]
    assert run.stage_index == 0 and df.stage_of(run) is df.stages[0]


def test_onbuild_problems_as_buildkit_reports_them():
    df = parse("FROM debian\nONBUILD\nONBUILD ONBUILD RUN x\nONBUILD FROM x\nONBUILD maintainer me\n")
    assert [(p.line, p.column, p.message) for p in df.problems] == [
        (2, 1, "ONBUILD requires at least one argument"),
        (3, 9, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
        (4, 9, "FROM isn't allowed as an ONBUILD trigger"),
        (5, 9, "MAINTAINER isn't allowed as an ONBUILD trigger"),
    ]


def test_a_file_ending_inside_a_continuation_builds():
    df = parse("FROM debian\nRUN apt-get update && \\\n")
    assert df.problems == []
    assert keywords(df) == [("FROM", 1, 1), ("RUN", 2, 2)] and df.instructions[1].unterminated
    # An unclosed heredoc is different: BuildKit stops ("unterminated heredoc").
    assert [p.message for p in parse("FROM debian\nONBUILD RUN <<EOF\nmake\n").problems] == [
        "heredoc <<EOF is never closed: no line 'EOF' before the end of the file",
    ]


@pytest.mark.parametrize("line, message", [
    ("FROM", "FROM requires either one or three arguments (`FROM image [AS name]`), not 0"),
    ("FROM debian AS", "FROM requires either one or three arguments (`FROM image [AS name]`), not 2"),
    ("FROM debian base", "FROM requires either one or three arguments (`FROM image [AS name]`), not 2"),
    ("FROM debian FOR base", "FROM requires either one or three arguments (`FROM image [AS name]`), not 3"),
    ("FROM debian AS base extra", "FROM requires either one or three arguments (`FROM image [AS name]`), not 4"),
    ("FROM debian AS 1st", "invalid name for build stage: '1st', name can't start with a number or contain symbols"),
])
def test_from_takes_one_or_three_arguments(line, message):
    assert [p.message for p in parse(line + "\n").problems] == [message]


@pytest.mark.parametrize("line", [
    "FROM debian", "FROM --platform=$BUILDPLATFORM debian:12 AS Build-1.x", "from debian as base",
])
def test_from_lines_buildkit_accepts(line):
    assert parse(line + "\n").problems == []


@pytest.mark.parametrize("line, message", [
    ("COPY app.py", "COPY requires at least two arguments, but only one was provided. Destination could not be determined"),
    ("ADD <<EOF\nx\nEOF", "ADD requires at least two arguments, but only one was provided. Destination could not be determined"),
    ("USER", "USER requires exactly one argument"),
    ("WORKDIR   ", "WORKDIR requires exactly one argument"),
    ("EXPOSE", "EXPOSE requires at least one argument"),
    ("ENV PATH", "ENV must have two arguments"),
    ("HEALTHCHECK --interval=5s", "HEALTHCHECK requires at least one argument"),
    ("HEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD"),
    ("HEALTHCHECK NONE now", "HEALTHCHECK NONE takes no arguments"),
    ("HEALTHCHECK CONNECT tcp", 'Unknown type "CONNECT" in HEALTHCHECK (try CMD)'),
    ("SHELL /bin/bash -c", "SHELL requires the arguments to be in JSON form"),
    ('CMD ["server", 8080]', "the exec form must be a JSON array of strings"),
])
def test_arguments_buildkit_refuses(line, message):
    df = parse("FROM debian\n" + line + "\n")
    assert [(p.line, p.message) for p in df.problems] == [(2, message)]


@pytest.mark.parametrize("line", [
    "COPY <<EOF /etc/motd\nhi\nEOF", "ENV PATH /opt/bin:$PATH", "ENV A=", "HEALTHCHECK NONE",
    "CMD", 'CMD ["a", \'b\']', "EXPOSE 80/tcp", "USER app:app", 'SHELL ["pwsh", "-c"]', "RUN",
])
def test_arguments_buildkit_accepts(line):
    assert parse("FROM debian\n" + line + "\n").problems == []


def test_a_template_is_one_error_and_nothing_to_lint():
    df = parse(
        "FROM {{ base_image }}\n"
        "{% if with_tools %}\n"
        "RUN apt-get install -y {{ packages | join(' ') }}\n"
        "{% endif %}\n"
    )
    assert [(p.line, p.column, p.message) for p in df.problems] == [
        (1, 6, "looks like a template, not a Dockerfile (placeholder `{{ base_image }}`): lint the Dockerfile it generates"),
    ]
    assert df.template and df.instructions == [] and df.stages == []
    df = parse("FROM debian:%%DEBIAN_TAG%%\nRUN apt-get update\n")
    assert [(p.line, p.column) for p in df.problems] == [(1, 13)] and df.template


def test_placeholders_in_an_ordinary_dockerfile_are_text():
    df = parse(
        "FROM debian:12\n"
        "RUN docker inspect --format '{{.Id}}' app > /id\n"
        "LABEL org.example.template=\"{{ name }}\"\n"
        "HEALTHCHECK CMD test \"$(docker inspect -f '{{.State.Health}}' x)\"\n"
    )
    assert not df.template and df.problems == [] and len(df.instructions) == 4


# --- Words: COPY/ADD sources and destination -----------------------------------------------------


def test_copy_and_add_sources_and_destination_without_quotes():
    df = parse(
        "FROM debian\n"
        "COPY --from=build --chown=app \"my file\" 'other' /dest/\n"
        "ADD [\"vendor.tar.gz\", \"/opt/vendor dir/\"]\n"
        "COPY <<one <<-two /etc/\nx\none\n\ty\n\ttwo\n"
        "COPY a\\ b c\\\"d $DEST\n"
    )
    shell, json_form, heredocs, escaped = df.instructions[1:]
    assert [(s.raw, s.value, s.span) for s in shell.sources] == [
        ('"my file"', "my file", Span(2, 31, 2, 40)), ("'other'", "other", Span(2, 41, 2, 48)),
    ]
    assert (shell.destination.value, shell.flag("from")[0].value) == ("/dest/", "build")
    assert [s.value for s in json_form.sources] == ["vendor.tar.gz"]
    assert (json_form.destination.value, json_form.destination.span) == ("/opt/vendor dir/", Span(3, 23, 3, 41))
    assert [(s.value, s.heredoc.delimiter) for s in heredocs.sources] == [("<<one", "one"), ("<<-two", "two")]
    assert heredocs.destination.value == "/etc/" and heredocs.destination.heredoc is None
    assert [s.value for s in escaped.sources] == ["a b", 'c"d']
    assert escaped.destination.raw == "$DEST" and escaped.destination.has_variable
    assert df.instructions[0].sources == [] and df.instructions[0].destination is None


def test_words_with_the_backtick_escape():
    df = parse("# escape=`\nFROM windows\nCOPY a` b C:\\app\\\n")
    assert [(w.raw, w.value) for w in df.instructions[1].words] == [("a` b", "a b"), ("C:\\app\\", "C:\\app\\")]


def test_the_model_has_no_reference_cycles():
    # A linted model is freed as soon as it is dropped: with a cycle, every file of a large
    # run stayed in memory until a full collection (17 % more CPU over 3,700 files).
    import gc
    import weakref

    gc.disable()
    try:
        df = parse("ARG TAG=12\nFROM debian:$TAG AS base\nENV APP=/app\nONBUILD COPY . $APP/\nCOPY . $APP/\n")
        assert df.expand(df.instructions[4], df.instructions[4].destination).value == "/app/"
        assert df.instructions[3].trigger.trigger_of is df.instructions[3]
        ref = weakref.ref(df)
        del df
        assert ref() is None
    finally:
        gc.enable()


def test_keyword_glued_to_the_continuation_and_a_lone_continuation_line():
    # BuildKit joins the lines before it reads the keyword: `RUN\` + the command is a RUN, and a
    # line holding only `\` continues into the next instruction.
    df = parse("FROM debian\nRUN\\\n  wget -O /tmp/a.zip https://example.invalid/a.zip &&\\\n  unzip /tmp/a.zip\n\\\nUSER app\n")
    assert [(i.keyword, i.keyword_text, i.line, i.end_line) for i in df.instructions] == [
        ("FROM", "FROM", 1, 1), ("RUN", "RUN", 2, 4), ("USER", "USER", 6, 6),
    ]
    assert df.instructions[1].args == "wget -O /tmp/a.zip https://example.invalid/a.zip &&  unzip /tmp/a.zip"
    assert df.problems == []
    assert [i.keyword for i in parse("# escape=`\nFROM x\nRUN`\n  dir\n").instructions] == ["FROM", "RUN"]
