"""Spans and mapped text, and the scanner's shortcuts: each must give what the long way gives."""

from __future__ import annotations

import pickle

from hypothesis import given, strategies as st

from dlint.dockerfile import parse
from dlint.source import MappedText, Span


def test_span_is_a_value_with_named_fields():
    span = Span(2, 5, 3, 1)
    assert (span.line, span.column, span.end_line, span.end_column) == (2, 5, 3, 1)
    assert span == Span(line=2, column=5, end_line=3, end_column=1)
    assert hash(span) == hash(Span(2, 5, 3, 1))
    assert repr(span) == "Span(line=2, column=5, end_line=3, end_column=1)"
    assert pickle.loads(pickle.dumps(span)) == span
    assert Span.point(4, 7, 3) == Span(4, 7, 4, 10)
    assert Span.point(4, 7) == Span(4, 7, 4, 8)
    assert sorted([Span(2, 1, 2, 2), Span(1, 9, 1, 10), Span(1, 2, 5, 1)]) == [
        Span(1, 2, 5, 1), Span(1, 9, 1, 10), Span(2, 1, 2, 2),
    ]
    try:
        span.line = 1  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("a Span must be immutable")


def _long_way(text: MappedText, start: int, end: int) -> Span:
    # What span() meant before its shortcut for one-piece spans: two position look-ups.
    line, column = text.position(start)
    if end <= start:
        return Span(line, column, line, column)
    end_line, end_column = text.position(end - 1)
    return Span(line, column, end_line, end_column + 1)


pieces = st.lists(
    st.tuples(st.text(alphabet="ab ", max_size=6), st.integers(1, 50), st.integers(1, 80)), max_size=6
)


@given(pieces, st.integers(-3, 40), st.integers(-3, 40))
def test_span_agrees_with_position(parts, start, end):
    text = MappedText()
    for piece, line, column in parts:
        text.append(piece, line, column)
    assert text.span(start, end) == _long_way(text, start, end)


@given(pieces, st.integers(-3, 40), st.integers(-3, 40))
def test_text_made_at_once_is_the_text_appended(parts, start, end):
    # The scanner gathers the pieces of an instruction and makes its MappedText in one step.
    appended = MappedText()
    for piece, line, column in parts:
        appended.append(piece, line, column)
    kept = [(piece, (line, column)) for piece, line, column in parts if piece]
    if not kept:
        return
    made = MappedText.of([piece for piece, _ in kept], [origin for _, origin in kept])
    assert made.text == appended.text
    assert made.span(start, end) == appended.span(start, end)
    assert made.position(max(start, 0)) == appended.position(max(start, 0))
    assert made.slice(max(start, 0)).text == appended.slice(max(start, 0)).text


@given(st.text(alphabet="ab ", min_size=1, max_size=8), st.integers(1, 50), st.integers(1, 80),
       st.integers(-3, 12), st.integers(-3, 12))
def test_one_piece_text_is_the_text_appended(piece, line, column, start, end):
    # Most instructions are one line: the scanner makes their text with MappedText.one.
    appended = MappedText()
    appended.append(piece, line, column)
    made = MappedText.one(piece, line, column)
    assert isinstance(made, MappedText)
    assert made.text == appended.text and repr(made) == repr(appended)
    assert made.span(start, end) == appended.span(start, end)
    assert made.position(start) == appended.position(start)
    assert made.single_line_origin() == appended.single_line_origin() == (line, column)
    tail, appended_tail = made.slice(max(start, 0)), appended.slice(max(start, 0))
    assert tail.text == appended_tail.text
    assert tail.span(0, 2) == appended_tail.span(0, 2)


def test_span_of_empty_text():
    assert MappedText().span(0, 0) == Span(0, 0, 0, 0)
    assert MappedText().span(0, 3) == Span(0, 0, 0, 1)


def test_heredoc_search_only_where_there_is_a_marker():
    # "<<" in a flag is not a heredoc, and an exec form never opens one.
    df = parse('FROM scratch\nRUN --mount=id=a<<b echo hi\nRUN ["cat", "<<EOF"]\nEOF\n')
    assert [(i.keyword, i.line, i.end_line, len(i.heredocs)) for i in df.instructions] == [
        ("FROM", 1, 1, 0), ("RUN", 2, 2, 0), ("RUN", 3, 3, 0), ("EOF", 4, 4, 0),
    ]


def test_only_an_upper_case_keyword_at_a_blank_indent_is_swallowed():
    # BuildKit's rule, which the scanner checks cheaply before its regex.
    df = parse("FROM debian\nRUN a \\\nrun b\nRUN c \\\n\fRUN d\nRUN e \\\n\tCOPY f /f\n")
    assert [(i.keyword, i.line, i.swallowed) for i in df.instructions] == [
        ("FROM", 1, False), ("RUN", 2, False), ("RUN", 4, False), ("RUN", 6, False), ("COPY", 7, True),
    ]
    assert df.instructions[1].args == "a run b"


def test_global_args_are_read_only_for_an_image_that_uses_one():
    df = parse('ARG A="unclosed\nARG BASE=alpine:3\nFROM $BASE\nFROM debian\n')
    assert [s.base.raw for s in df.stages] == ["alpine:3", "debian"]
    assert not df.stages[0].base.has_variable


def test_exec_form_after_flags_and_blanks():
    df = parse('FROM scratch\nCMD   ["a", "b"]  \nRUN --network=none  [ "x" ]\nRUN [ not json\n')
    assert [i.exec_form for i in df.instructions[1:]] == [["a", "b"], ["x"], None]


def test_slice_keeps_each_piece_origin():
    from dlint.source import MappedText, Span

    text = MappedText()
    text.append("RUN make \\", 2, 9)
    text.append("  install", 3, 1)
    tail = text.slice(4)
    assert tail.text == "make \\  install"
    assert tail.position(0) == (2, 13)
    assert tail.span(8, 15) == Span(3, 3, 3, 10)
    assert text.slice(11).text == " install" and text.slice(11).position(1) == (3, 3)
    assert text.slice(100).text == ""


@given(st.text(alphabet="ab/:=-. \t\u00a0\u2003\x0b\x1c", max_size=30), st.booleans())
def test_plain_words_are_the_non_blank_runs(args, continued):
    # _words_of splits plain arguments with str.split() and finds each word after the one
    # before; the long way is a regex search for each run of non-blanks.
    import re

    second = "\\\n  && b" if continued else ""
    df = parse(f"FROM scratch\nCOPY {args}{second}\n")
    copy = df.instructions[1]
    text = copy.args
    assert [(w.raw, w.value, w.span) for w in copy.words] == [
        (m.group(), m.group(), copy.word_span(copy.args_offset + m.start(), copy.args_offset + m.end()))
        for m in re.finditer(r"\S+", text)
    ]
