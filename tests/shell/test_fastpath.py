"""The fast path of shell analysis builds exactly the Script that tree-sitter would.

``dlint.shell.fastpath._parse_simple`` tokenizes simple command lists with one regex instead of running
tree-sitter and walking its tree (several times faster; the numbers are in its docstring). It
must not change a single finding, so it is held to the tree-sitter path field by field: every
command's words and assignments (text, value, offsets and span), operator, conditional,
nested, and the script's tolerant flag.

1. A hypothesis grammar of the subset the fast path accepts, where it must be taken and agree;
   and random soups of shell tokens, where whatever it takes must agree.
2. Every shell script of the fixtures and of a generated benchmark corpus, through both paths.
3. One case per reason to bail out: the fast path declines and parse_script's answer is still
   tree-sitter's.

The oracle is tree-sitter-bash as installed, quirks included: the grammar below steers clear
of the places where it is odd (each exclusion says why), and the fast path bails out there.
"""

from __future__ import annotations

import importlib.util
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dlint.shell import run as shell_run
from dlint.dockerfile import parse
from dlint.shell import fastpath, parse_script, script_of, treesitter
from dlint.shell.fastpath import _parse_simple
from dlint.shell.tolerant import _parse_tolerant
from dlint.shell.treesitter import _parse_tree_sitter
from dlint.source import Span

from tests.helpers import FIXTURES, ROOT


def locate(start: int, end: int) -> Span:
    # Distinct spans for distinct offsets, so that span equality checks the offsets too.
    return Span(start, end, start + 1, end + 1)


def word_fields(word):
    return (word.text, word.value, word._start, word._end, word._locate, word.span)


def fields(script):
    return (
        script.tolerant,
        [
            (c.operator, c.conditional, c.nested, [word_fields(w) for w in c.words],
             [word_fields(w) for w in c.assignments], [(o, word_fields(w)) for o, w in c.redirects],
             c.branch)
            for c in script.commands
        ],
        script.choices,
    )


def reference(text: str, where=locate, base=0):
    """What parse_script returned before the fast path: tree-sitter, else the tolerant tokenizer."""
    script = _parse_tree_sitter(text, where, base)
    return script if script is not None else _parse_tolerant(text, where, base)


def assert_same(text: str, where=locate, base=0) -> bool:
    """Both paths agree on ``text``; True if the fast path took it."""
    fast = _parse_simple(text, where, base)
    slow = reference(text, where, base)
    assert fields(parse_script(text, where, base)) == fields(slow), text
    if fast is None:
        return False
    assert fields(fast) == fields(slow), text
    return True


# ---------------------------------------------------------------------------------------------
# 1. The grammar of the subset

NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True)
EXPANSION = st.one_of(NAME.map(lambda n: "$" + n), NAME.map(lambda n: "${" + n + "}"))
PLAIN = st.text(
    st.sampled_from(list("abcXYZ019-_./:=+,@%*?~^") + ["é", "中", "😀", "\u00a0", "\u2028", "\u0085"]),
    min_size=1, max_size=6,
)
QUOTED_CHARS = list("ab $#(){}[]!`|&;<>*?~\\\t\n\r=-") + ["é", "\u2028"]
SINGLE = st.text(st.sampled_from(QUOTED_CHARS + ['"']), max_size=6).map(lambda s: "'" + s + "'")
DOUBLE = st.lists(
    st.one_of(
        st.text(st.sampled_from([c for c in QUOTED_CHARS if c not in "$`\\"] + ["'"]), min_size=1, max_size=5),
        EXPANSION,
    ),
    max_size=3,
).map(lambda parts: '"' + "".join(parts) + '"')
SPECIAL = st.sampled_from([
    "-f", "-eq", "-1", "-1a", "-f/x", "--opt=v", "0x1f", "12", "-", "--", "a=b", "a==b", "A+=1",
    "~", "~/x", "*", "/var/lib/apt/lists/*", "curl=7.88-1", "done", "fi", "then", "in", "esac",
    "if", "export", "unset", "local", "%", "@", "1", "2",
])
PIECE = st.one_of(PLAIN, SINGLE, DOUBLE, EXPANSION)


WORD = st.one_of(
    st.lists(PIECE, min_size=1, max_size=4).map("".join),
    SPECIAL,
).filter(lambda w: not w.startswith("="))

# Before the command name (and in a declaration's arguments) tree-sitter's scanner looks for
# variable names, and fails on words such as a@ or aé: there the subset has plainer words.
NAME_PLAIN = st.text(st.sampled_from(list("abcXYZ019-_./")), min_size=1, max_size=6)
RESERVED = {"if", "then", "elif", "else", "fi", "for", "select", "in", "while", "until", "do",
            "done", "case", "esac", "function", "declare", "typeset", "export", "readonly",
            "local", "unset", "unsetenv"}
NAME_WORD = (
    st.lists(st.one_of(NAME_PLAIN, SINGLE, DOUBLE, EXPANSION), min_size=1, max_size=3)
    .map("".join)
    .filter(lambda w: w != "-")  # ``- A=1``: the - is lost
)
COMMAND_NAME = st.one_of(
    NAME_WORD, st.sampled_from(["-f", "--", "/usr/bin/env", "./configure", "0x1f", "12", "a.b-c_d"])
).filter(
    lambda w: re.match(r"[^'\"$]*", w).group() not in RESERVED
    and not re.match(r"[A-Za-z0-9_]+\+?=", w)
    and w != "-"
)
ASSIGNMENT = st.builds(
    lambda name, op, value: name + op + value,
    st.from_regex(r"[A-Za-z0-9_]{1,5}", fullmatch=True).filter(lambda n: n not in ("0", "_")),
    st.sampled_from(["=", "+="]),
    st.one_of(st.just(""), WORD),  # any word: values are lexed like arguments
)


def redirections(target):
    return st.builds(
        # ``>&-`` is a token of tree-sitter's own (``>&-f x`` is an error): a gap keeps it out.
        lambda fd, op, gap, word: fd + op + (" " if op[-1] == "&" and word[0] == "-" else gap) + word,
        st.sampled_from(["", "", "1", "2", "12"]),
        st.sampled_from([">", ">>", "<", ">&", "<&", "&>", "&>>", ">|"]),
        st.sampled_from(["", " "]),
        target,
    )


BLANK = st.sampled_from([" ", " ", "  ", "\t", " \\\n  ", " \\\n"])


@st.composite
def statements(draw):
    kind = draw(st.sampled_from(["command"] * 6 + ["assignments", "declaration"]))
    parts = []
    if kind == "declaration":
        parts.append(draw(st.sampled_from(sorted(fastpath._DECLARATIONS))))
        parts += draw(st.lists(st.one_of(NAME_WORD, ASSIGNMENT), max_size=3))
    else:
        parts += draw(st.lists(ASSIGNMENT, min_size=kind == "assignments", max_size=2))
        if kind == "command":
            if parts and draw(st.booleans()):
                parts.append(draw(st.sampled_from(["export", "local"])))  # A=1 export B: a command
            else:
                parts.append(draw(COMMAND_NAME))
            parts += draw(st.lists(WORD, max_size=4))
    if kind != "assignments":  # A=1 >f: a redirection before any command name is out of the subset
        # After the command name a redirection takes the rest of the words.
        target = NAME_WORD if kind == "declaration" else WORD
        for _ in range(draw(st.integers(0, 2))):
            redirection = draw(redirections(target))
            # ``x - 2>f``: tree-sitter loses the -, also with redirections between them
            # (``x - >f 2>g``): the last argument counts, not the last part.
            last_argument = next((p for p in reversed(parts) if not re.match(r"[0-9]*[<>&]", p)), "")
            if last_argument == "-" and kind == "command":
                redirection = redirection.lstrip("0123456789")
            parts.append(redirection)
            parts += draw(st.lists(target, max_size=2))
    text = parts[0]
    for index, part in enumerate(parts[1:], 1):
        # A redirection may be glued to the word before it, but not where digits would
        # touch it (``>&2>f``, ``a2>f``: odd in tree-sitter), nor to an empty value (``A=>f``).
        glued = re.match(r"[<>&]", part) and parts[index - 1][-1] not in "0123456789="
        text += "" if glued and draw(st.booleans()) else draw(BLANK)
        text += part
    return text, kind


SEPARATOR = st.sampled_from(["&&", "||", ";", "|", "|&", "&", "\n", " && ", " || ", " | ", "; ", " & "])
AFTER = st.sampled_from(["", "", " ", "\n", "\n\n  ", " \\\n  "])


@st.composite
def scripts(draw):
    text = draw(st.sampled_from(["", "", " ", "\n", "  \n\t"]))
    parts = draw(st.lists(statements(), min_size=1, max_size=5))
    pipes = 0
    for index, (statement, kind) in enumerate(parts):
        text += statement
        if index == len(parts) - 1:
            break
        separator = draw(SEPARATOR)
        if separator.strip() in ("|", "|&") and (kind != "command" or parts[index + 1][1] != "command"):
            # Assignments or a declaration in a pipeline: tree-sitter may join the next line.
            separator = " && "
        if separator == "\n" and kind == "assignments":
            separator = ";"  # ``A=1 B=2`` + newline + ``y`` is one command for tree-sitter
        if separator == "\n" and pipes > 1:
            separator = ";"  # ``a | b | c`` + newline + ``d && e``: tree-sitter joins c and d
        if separator.strip() in ("|", "|&"):
            pipes += 1  # counted over the whole and-or list
        elif separator.strip() not in ("&&", "||"):
            pipes = 0
        if separator[0] == "|" and text[-1] == "=":
            separator = " " + separator  # ``A=|b`` is an error
        text += separator
        if separator.strip() in ("&&", "||", "|", "|&", ";", "&"):
            text += draw(AFTER)
        elif separator == "\n":
            text += draw(st.sampled_from(["", "\n", "  "]))
    end = draw(st.sampled_from(["", "", ";", "&", "\n", " \n", " ; ", "\n\n"]))
    if "\n" in end and parts[-1][1] == "assignments":
        end = ""
    return text + end


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(scripts())
def test_the_fast_path_takes_the_subset_and_agrees_with_tree_sitter(text):
    assert _parse_simple(text, locate) is not None, f"fast path not taken for {text!r}"
    assert_same(text)


SOUP = [
    "a", "b1", "x.y/z", "0", "1", "2", "12", "-", "--x", "-1", "a2", "=", "==", "A=", "A=1", "A+=",
    "_=", "0=", "1A=", "export", "local", "unset", "done", "if", "in", "'q'", "''", '"q"', '""',
    '"$A"', '"${A}"', "$A", "${A}", "$", "${", "}", "{", "(", ")", "[", "]", "#", "\\", "\\\n",
    " ", " ", "  ", "\t", "\n", ";", ";;", "&", "&&", "|", "||", "|&", ">", ">>", "<", ">&", "<&",
    "&>", "&>>", ">|", "<<", "é", "@", "%", ":", "!", "`", "*", "~", "^", "\r", "+", ",", "?",
    "'a b'", '"a b"', "'$A'", "\x00", "\u00a0",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(SOUP), max_size=14).map("".join))
def test_whatever_the_fast_path_takes_agrees_with_tree_sitter(text):
    assert_same(text)


def test_one_script_with_every_construct():
    text = "A=1 B+=\"x $Y\" cmd -f 'a b'\"$C\"${D}é >/dev/null 2>&1 x && export E=1 \\\n || a | b |& c & d;\n e"
    script = _parse_simple(text, locate)
    assert script is not None
    assert [
        (c.operator, c.conditional, [w.value for w in c.words], [(o, t.value) for o, t in c.redirects], c.branch)
        for c in script.commands
    ] == [
        # The word after a redirection's target is an argument, as in bash.
        (None, False, ["cmd", "-f", None, "x"], [(">", "/dev/null"), (">&", "1")], ((0, 0),)),
        ("||", True, ["a"], [], ((0, 1),)),
        ("|", True, ["b"], [], ((0, 1),)),
        ("|&", True, ["c"], [], ((0, 1),)),
        ("&", False, ["d"], [], ()),
        (";", False, ["e"], [], ()),  # a newline after ; is a blank
    ]
    assert script.choices == {0: "or"}
    assert_same(text)


def test_words_keep_their_spans_lazy():
    calls = []

    def counting(start, end):
        calls.append((start, end))
        return locate(start, end)

    script = _parse_simple("apt-get install -y curl && rm -rf /x", counting)
    assert not calls
    assert script.commands[1].words[0].span == locate(27, 29)
    assert calls == [(27, 29)]


def test_parse_script_does_not_run_tree_sitter_for_simple_text(monkeypatch):
    def fail(text, where, base=0):
        raise AssertionError("tree-sitter ran")

    monkeypatch.setattr(treesitter, "_parse_tree_sitter", fail)
    script = parse_script("apt-get update && apt-get install -y curl", locate)
    assert [c.name for c in script.commands] == ["apt-get", "apt-get"]


# ---------------------------------------------------------------------------------------------
# 2. Real scripts


def shell_texts(dockerfile_text: str, monkeypatch) -> list[tuple[str, object, int]]:
    """Every (text, locate, base) script_of hands to parse_script: RUNs, sh -c strings,
    heredocs."""
    seen = []
    original = shell_run.parse_script

    def recording(text, where, base=0):
        seen.append((text, where, base))
        return original(text, where, base)

    with monkeypatch.context() as patch:
        patch.setattr(shell_run, "parse_script", recording)
        for run in parse(dockerfile_text.encode("utf-8", "surrogateescape")).runs():
            script_of(run)
    return seen


def fixture_files():
    files = set(FIXTURES.rglob("*.Dockerfile")) | set(FIXTURES.rglob("Dockerfile"))
    return sorted(path for path in files if path.is_file())


def test_every_fixture_script_agrees(monkeypatch):
    taken = total = 0
    for path in fixture_files():
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        for script_text, where, base in shell_texts(text, monkeypatch):
            total += 1
            taken += assert_same(script_text, where, base)
    assert total > 50 and taken > total // 2, (taken, total)


def test_every_script_of_a_generated_corpus_agrees(monkeypatch):
    spec = importlib.util.spec_from_file_location("dlint_bench_corpus", ROOT / "benchmarks" / "corpus.py")
    if spec is None or not (ROOT / "benchmarks" / "corpus.py").exists():
        pytest.skip("benchmarks/corpus.py is not there")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    rng = random.Random(5)
    taken = total = 0
    for _ in range(200):
        for script_text, where, base in shell_texts(corpus.dockerfile(rng), monkeypatch):
            total += 1
            taken += assert_same(script_text, where, base)
    assert taken > total * 0.8, (taken, total)


# ---------------------------------------------------------------------------------------------
# 3. Bail-outs: one per reason

BAIL_OUTS = {
    "command substitution": "echo $(date) && ls",
    "backticks": "echo `date`",
    "subshell": "(cd /x && make)",
    "group": "{ a; b; }",
    "brace expansion": "mkdir -p /a/{b,c}",
    "parameter operator": "echo ${A:-x}",
    "special parameter": "echo $1 $@",
    "bare dollar": "echo $ x",
    "dollar in double quotes": 'echo "a$"',
    "ANSI-C string": "echo $'a\\n'",
    "translated string": 'echo $"a"',
    "if": "if true; then a; fi",
    "for": "for x in a b; do echo $x; done",
    "while": "while true; do a; done",
    "case": "case $A in a) b ;; esac",
    "function": "function f { a; }",
    "negation": "! grep -q x f",
    "test brackets": "[ -f x ] && rm x",
    "double brackets": "[[ -f x ]] && rm x",
    "reserved word glued to a quote": 'export"A" x',
    "reserved word as a command": "done",
    "heredoc": "cat <<EOF\nx\nEOF",
    "herestring": "cat <<< x",
    "comment": "apt-get update # refresh",
    "hash in a word": "echo a#b",
    "escape": "echo a\\ b",
    "escape in double quotes": 'echo "a\\"b"',
    "continuation inside a word": "ab\\\ncd",
    "case terminator outside a case": "a;;b",
    "leading operator": "&& a",
    "two operators": "a && && b",
    "operator after a newline": "a\n&& b",
    "trailing operator": "a &&",
    "redirection without a target": "a > && b",
    "redirection at the end": "a >",
    "redirection before the command": ">f cmd x",
    "digits after a redirection target": "cmd 2>&1>f x",
    "read-write redirection": "cmd <> f",
    "test operator argument": "cmd == x",
    "assignment of =": "A==1 cmd",
    "assignment to _": "_=1 cmd",
    "assignment to 0": "0= cmd",
    "unterminated single quote": "echo 'abc",
    "unterminated double quote": 'echo "abc',
    "carriage return": "a\r\nb",
    "NUL": "echo a\x00b",
    "lone surrogate": "echo a\udc80b",
    "lone surrogate in single quotes": "echo 'a\udc80'",
    "lone surrogate in double quotes": 'echo "\ud800b"',
}


BAIL_OUTS.update({
    # Where tree-sitter-bash 0.25 is odd (an error, or another reading than bash's) and the
    # fast path does not copy it.
    "empty value before a pipe (an error)": "A=|y",
    "digits right before a redirection": "cmd a2>f",
    "negative file descriptor": "cmd -1>f",
    "file descriptor 0 (read as a word)": "cmd 0>f",
    "closing a file descriptor": "cmd >&-f x",
    "a dash before a file descriptor (lost)": "cmd - 2>f",
    "a dash as the command (lost)": "- A=1",
    "@ before the command name (an error)": "a@ x",
    "non-ASCII before the command name (an error)": "aé x",
    "an option that looks like an assignment": "--opt=v x",
    "continuation at the end (an error)": "x \\\n",
    "continuation at the start of a line (joins the lines)": "x\n\\\ny",
    "continuation before an empty line (an error)": "x; \\\n\ny",
    "assignments then a newline (joins the lines)": "A=1 B=2\ny",
    "assignments in a pipeline": "x | A=1",
    "declaration in a pipeline (joins the lines)": "x|x|export A\ny >f",
    "newline after two pipes (joins the lines)": "a | b | c\nd && e",
})

# And where it is odd in ways the fast path copies.
COPIED = {
    "words after a redirection's target are targets too": "cmd > f x y && z",
    "a redirection wraps the whole and-or list before a pipe": "a || b > f | c",
    "an empty assignment before the command name": "A= cmd x",
    "declarations are not commands": "export A=1 && unset B; local C; d",
    "after an assignment a declaration keyword is a command": "A=1 export B",
    "digits right before < or > are a file descriptor": "cmd x 12>f 2>&1",
    "1&> is the word 1 and a redirection": "cmd 1&>f",
}


@pytest.mark.parametrize("text", list(COPIED.values()), ids=list(COPIED))
def test_tree_sitter_quirks_the_fast_path_copies(text):
    assert _parse_simple(text, locate) is not None
    assert assert_same(text)


@pytest.mark.parametrize("text", list(BAIL_OUTS.values()), ids=list(BAIL_OUTS))
def test_outside_the_subset_the_fast_path_declines(text, monkeypatch):
    assert _parse_simple(text, locate) is None
    calls = []
    original = treesitter._parse_tree_sitter

    def spy(text, where, base=0):
        calls.append(text)
        return original(text, where, base)

    monkeypatch.setattr(treesitter, "_parse_tree_sitter", spy)
    assert fields(parse_script(text, locate)) == fields(reference(text))
    assert calls == [text]


@pytest.mark.parametrize("text, words, assignments", [
    ("curl -o /x https://x/$A/$B.tgz", ["curl", "-o", "/x", "https://x/$A/$B.tgz"], []),
    ("x$A/$B.c y", ["x$A/$B.c", "y"], []),
    ("A=https://x/$V/$B.tgz apt-get install -y x", ["apt-get", "install", "-y", "x"], ["A=https://x/$V/$B.tgz"]),
    # Once the cut tail is joined back, what follows is still before the command name.
    ("A=x$B/$C.d B= 1=2 make", ["make"], ["A=x$B/$C.d", "B=", "1=2"]),
])
def test_words_tree_sitter_cuts_in_two_are_one_word(text, words, assignments):
    """tree-sitter-bash 0.25 cuts ``…/$A/$B.tgz`` before ``B``: the walk joins pieces that touch
    (bash splits words on blanks and operators only), so an assignment's tail is not taken for
    the command name. Both paths give bash's words."""
    for script in (_parse_tree_sitter(text, locate), _parse_simple(text, locate)):
        (command,) = script.commands
        assert [w.text for w in command.words] == words
        assert [a.text for a in command.assignments] == assignments
        assert all(w.value is None for w in command.words if "$" in w.text)
    assert_same(text)
    assert_same(text, locate, 7)  # offsets past a base, as a RUN's words (after ``RUN``)
