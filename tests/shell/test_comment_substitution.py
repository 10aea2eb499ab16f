"""A command substitution that holds only a comment expands to nothing.

``cmd a `#a note` b`` is a common way to comment one line of a continued command: bash finds
the closing backtick first and the comment then ends at it. tree-sitter-bash reports a syntax
error there, and the tolerant tokenizer used to read the comment's words as arguments
(``apt-get install -y curl=1 `#a comment``` reported ``a`` as an unpinned package)."""

from __future__ import annotations

from dlint.dockerfile import parse
from dlint.registry import all_rules
from dlint.shell import script_of
from dlint.source import Span
from tests.helpers import findings_of


def commands(text: str):
    run = next(parse("FROM debian\n" + text).runs())
    return [[(w.value, w.span) for w in c.words] for c in script_of(run).commands]


def test_a_backtick_comment_between_arguments_is_no_word():
    assert commands("RUN apt-get install -y curl=7.88 `#the client` wget=1.21\n") == [[
        ("apt-get", Span(2, 5, 2, 12)),
        ("install", Span(2, 13, 2, 20)),
        ("-y", Span(2, 21, 2, 23)),
        ("curl=7.88", Span(2, 24, 2, 33)),
        ("wget=1.21", Span(2, 48, 2, 57)),
    ]]


def test_a_backtick_comment_before_a_continuation_keeps_the_rest_of_the_script():
    text = "RUN go get -d example.com/x `#and 6 other pkgs` &&\\\n    (cd /go/src && git reset --hard $REV)\n"
    assert [[value for value, _ in c] for c in commands(text)] == [
        ["go", "get", "-d", "example.com/x"],
        ["cd", "/go/src"],
        ["git", "reset", "--hard", None],
    ]


def test_a_dollar_paren_comment_closed_on_the_next_line_is_no_word():
    text = "RUN <<EOF\napt-get install -y curl=7.88 $(# the client\n) wget=1.21\nEOF\n"
    assert [[value for value, _ in c] for c in commands(text)] == [["apt-get", "install", "-y", "curl=7.88", "wget=1.21"]]


def test_backticks_in_quotes_or_inside_a_word_are_left_alone():
    assert [[value for value, _ in c] for c in commands("RUN echo '`#x`' y\n")] == [["echo", "`#x`", "y"]]
    assert [[value for value, _ in c] for c in commands("RUN echo a`#x` b\n")] == [["echo", None, "b"]]
    # A substitution that runs something is still read as one.
    assert [[value for value, _ in c] for c in commands("RUN echo `date` b\n")] == [["echo", None, "b"], ["date"]]


def test_no_unpinned_package_is_read_from_a_comment():
    df106 = [r for r in all_rules() if r.code == "DF106"]
    text = "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl=7.88 `#a comment` wget\n"
    assert findings_of(text, df106) == [("DF106", 2, 71)]
