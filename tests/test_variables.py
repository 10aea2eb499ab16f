"""ARG and ENV substitution (dlint/variables.py), the one used by the lint and by dlint build:
BuildKit's word processing and its scopes."""

from __future__ import annotations

import pytest

from dlint.dockerfile import parse
from dlint.image.run import resolve_image
from dlint.variables import Expanded, Variables, process_word, split_words


@pytest.mark.parametrize("word, value", [
    ('"a b"', "a b"),
    ("'$HOME'", "$HOME"),
    ('"$A"-$B-${A}', "1-two-1"),
    ("\\$A", "$A"),
    ('"\\"q\\" \\x"', '"q" \\x'),
    ("${A:-d}/${MISSING:-d}/${EMPTY:-d}/${EMPTY-d}", "1/d/d/"),
    ("${A:+set}/${MISSING:+set}/${EMPTY+set}", "set//set"),
    ("a$", "a$"),
])
def test_words_as_buildkit_processes_them(word, value):
    env = {"A": "1", "B": "two", "EMPTY": ""}
    assert process_word(word, "\\", env, closed=True) == Expanded(value, True)


@pytest.mark.parametrize("word, expected", [
    # Words with quotes but no $ or escape take a shorter way than the lexer: the same values.
    ('org.label="a value"', Expanded("org.label=a value", True)),
    ("'it\"s'", Expanded('it"s', True)),
    ('"it\'s"-\'x\'', Expanded("it's-x", True)),
    ("''\"\"", Expanded("", True)),
    ('a"b', Expanded('a"b', False)),  # never closed: BuildKit fails, dlint calls it unknown
    ("'a'b'", Expanded("'a'b'", False)),
])
def test_quotes_removed_from_words_without_variables(word, expected):
    assert process_word(word, "\\", {"A": "1"}) == expected
    assert process_word(word, "`") == expected


def test_unknown_values_are_kept_as_written_and_marked():
    env = {"ARG_WITHOUT_DEFAULT": None}
    assert process_word("$ARG_WITHOUT_DEFAULT/x", "\\", env) == Expanded("$ARG_WITHOUT_DEFAULT/x", False)
    # In a stage, a name dlint has not seen may come from the base image's ENV.
    assert process_word("${HOME:-/root}", "\\", {}) == Expanded("${HOME:-/root}", False)
    # Patterns are not evaluated.
    assert process_word("${A%.tar.gz}", "\\", {"A": "x.tar.gz"}) == Expanded("${A%.tar.gz}", False)
    assert process_word('"unterminated', "\\", {}) == Expanded('"unterminated', False)
    assert process_word("$$", "\\", {}, closed=True) == Expanded("$$", False)  # special parameters
    # Without an environment only quotes and escapes are removed.
    assert process_word("'a b'$X", "\\") == Expanded("a b$X", True)


def test_split_words_keeps_quoted_blanks():
    text = 'a "b c" d\\ e \'f g\'h'
    assert [text[s:e] for s, e in split_words(text)] == ["a", '"b c"', "d\\ e", "'f g'h"]
    assert [text[s:e] for s, e in split_words("x` y z", "`") for text in ["x` y z"]] == ["x` y", "z"]


DOCKERFILE = (
    "ARG REGISTRY=registry.example.com\n"
    "ARG TAG\n"
    "ARG BASE=${REGISTRY}/debian\n"
    "FROM ${BASE}:${TAG:-bookworm} AS base\n"
    "ARG REGISTRY\n"
    "ENV APP=/srv/app DATA=\"$APP/data\"\n"
    "ENV APP=/opt/app LOG=$APP/log\n"
    "ARG APP=/ignored\n"
    "COPY . $APP/ $DATA $LOG $REGISTRY $HOME\n"
    "ONBUILD COPY . $APP/\n"
    "FROM base\n"
    "COPY . $APP $REGISTRY\n"
)


def test_scopes_global_args_stage_args_and_env():
    df = parse(DOCKERFILE)
    copy = df.instructions[8]
    assert [df.expand(copy, w) for w in copy.words[1:]] == [
        Expanded("/opt/app/", True),  # ENV APP=/opt/app, and ENV wins over a later ARG APP
        Expanded("$DATA", False),  # one ENV's values see the variables before it: APP was unset
        Expanded("/srv/app/log", True),
        Expanded("registry.example.com", True),  # ARG REGISTRY takes the global default
        Expanded("$HOME", False),  # maybe the base image's ENV
    ]
    trigger = df.instructions[9].trigger
    assert df.expand(trigger, trigger.destination) == Expanded("/opt/app/", True)
    # A stage built FROM another inherits its ENV, not its ARGs.
    child = df.instructions[11]
    assert [df.expand(child, w) for w in child.words[1:]] == [
        Expanded("/opt/app", True), Expanded("$REGISTRY", False),
    ]


def test_from_sees_the_global_args():
    df = parse(DOCKERFILE)
    # TAG has no default: its value is unknown to the lint, so the base is not resolved.
    assert df.stages[0].base.has_variable
    assert df.stages[1].parent is df.stages[0]
    assert df.expand(df.instructions[3], "${BASE}") == Expanded("registry.example.com/debian", True)
    assert df.expand(df.instructions[3], "${TAG:-bookworm}") == Expanded("${TAG:-bookworm}", False)


def test_dlint_build_uses_the_same_substitution_with_its_build_args():
    df = parse(DOCKERFILE)
    raw = df.instructions[3].words[0].raw
    # dlint build knows every build argument: TAG not given is unset, so its default applies.
    assert resolve_image(raw, df, {}) == "registry.example.com/debian:bookworm"
    assert resolve_image(raw, df, {"TAG": "trixie", "REGISTRY": "mirror.local"}) == "mirror.local/debian:trixie"
    assert resolve_image("$UNDECLARED", df, {"UNDECLARED": "x"}) is None  # only declared ARGs count
    variables = Variables(df, {"TAG": "12"})
    assert variables.resolve_image(raw) == "registry.example.com/debian:12"


def test_platform_args_are_unknown():
    df = parse("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM alpine:${TARGETARCH}\n")
    assert not df.stages[0].base.has_variable
    assert df.stages[1].base.has_variable


@pytest.mark.parametrize("word, found", [
    ("$A/${B}", [("A", 0, 2, ""), ("B", 3, 7, "")]),
    ('"$C" \'$NOT\' \\$NOT', [("C", 1, 3, "")]),  # single quotes and an escape hide a variable
    ("${D:-$E}", [("D", 0, 8, ":-"), ("E", 5, 7, "")]),  # nested in a default
    ("${F:+x}${G#pre}${H%%suf}${I/a/b}", [("F", 0, 7, ":+"), ("G", 7, 15, "#"), ("H", 15, 24, "%"),
                                         ("I", 24, 32, "/")]),
    ("a$1$", [("1", 1, 3, "")]),
    ("${J", []),  # unbalanced: BuildKit refuses the word
    ("plain", []),
])
def test_references_as_buildkit_looks_them_up(word, found):
    from dlint.variables import references

    assert [tuple(r) for r in references(word)] == found
