"""Shell analysis: commands, words with positions, operators, and the fallback tokenizer."""

from __future__ import annotations

from dlint.dockerfile import parse
from dlint.shell import parse_script, script_of
from dlint.source import Span


def run_commands(text: str):
    dockerfile = parse("FROM debian\n" + text)
    run = next(dockerfile.runs())
    return script_of(run)


def summary(script):
    return [(c.operator, c.conditional, c.nested, [w.value for w in c.words]) for c in script.commands]


def test_operators_and_conditions():
    script = run_commands(
        "RUN set -eux; apt-get update && apt-get install -y curl || true; "
        "if [ -f x ]; then echo $(cat x); fi | tee log\n"
    )
    assert summary(script) == [
        (None, False, False, ["set", "-eux"]),
        (";", False, False, ["apt-get", "update"]),
        ("&&", False, False, ["apt-get", "install", "-y", "curl"]),
        ("||", True, False, ["true"]),
        (None, True, False, ["echo", None]),
        (None, True, True, ["cat", "x"]),
        ("|", False, False, ["tee", "log"]),
    ]
    assert not script.tolerant


def test_words_have_exact_positions_across_continuations():
    script = run_commands("RUN apt-get install -y \\\n  # comment\n    curl \\\n    'wget'\n")
    words = script.commands[0].words
    assert [(w.value, w.span) for w in words] == [
        ("apt-get", Span(2, 5, 2, 12)),
        ("install", Span(2, 13, 2, 20)),
        ("-y", Span(2, 21, 2, 23)),
        ("curl", Span(4, 5, 4, 9)),
        ("wget", Span(5, 5, 5, 11)),
    ]


def test_assignments_are_kept_apart_and_variables_have_no_value():
    script = run_commands('RUN DEBIAN_FRONTEND=noninteractive apt-get install -y "$PKGS" a"b"c\n')
    command = script.commands[0]
    assert [w.text for w in command.assignments] == ["DEBIAN_FRONTEND=noninteractive"]
    assert [w.value for w in command.words] == ["apt-get", "install", "-y", None, "abc"]


def test_case_and_loops_are_conditional():
    script = run_commands(
        'RUN case "$(uname -m)" in x86_64) apt-get install -y a ;; *) echo no ;; esac; '
        "for p in a b; do echo $p; done\n"
    )
    assert [(c.conditional, c.words[0].value) for c in script.commands] == [
        (True, "uname"), (True, "apt-get"), (True, "echo"), (True, "echo"),
    ]


def test_non_ascii_text_keeps_character_columns():
    script = run_commands("RUN echo 'héllo wörld' && apt-get update\n")
    assert [(w.value, w.span.column) for c in script.commands for w in c.words] == [
        ("echo", 5), ("héllo wörld", 10), ("apt-get", 27), ("update", 35),
    ]


def test_unparsable_text_falls_back_to_the_tolerant_tokenizer():
    script = run_commands("RUN apt-get install -y curl && echo \"unterminated ; apt-get update\n")
    assert script.tolerant
    assert [w.value for w in script.commands[0].words] == ["apt-get", "install", "-y", "curl"]
    assert script.commands[0].words[3].span == Span(2, 24, 2, 28)


def test_deep_nesting_does_not_recurse():
    depth = 3000
    text = "echo " + "$(" * depth + "x" + ")" * depth
    script = parse_script(text, lambda s, e: Span(1, s + 1, 1, e + 1))
    assert script.commands[0].words[0].value == "echo"


def test_heredoc_bodies_are_scripts_only_when_a_shell_runs_them():
    dockerfile = parse(
        "FROM debian\nRUN <<EOF\napt-get update\nEOF\nRUN cat <<EOF > /f\napt-get update\nEOF\n"
        "RUN python3 <<EOF\nimport os\nEOF\nRUN bash -e <<EOF\nls\nEOF\n"
    )
    runs = list(dockerfile.runs())
    assert [[c.name for c in script_of(r).commands] for r in runs] == [
        ["apt-get"], ["cat"], ["python3"], ["bash", "ls"],
    ]


def test_exec_form_with_a_shell_string():
    dockerfile = parse('FROM debian\nRUN ["sh", "-ec", "apt-get update && rm -rf /x"]\nRUN ["ls", "-l"]\n')
    first, second = (script_of(r) for r in dockerfile.runs())
    assert [(c.words[0].value, c.words[0].span) for c in first.commands] == [
        ("apt-get", Span(2, 20, 2, 27)), ("rm", Span(2, 38, 2, 40)),
    ]
    assert [w.value for w in second.commands[0].words] == ["ls", "-l"]


def test_windows_runs_have_no_shell_commands():
    dockerfile = parse('FROM debian\nSHELL ["cmd", "/S", "/C"]\nRUN apt-get update\n')
    assert script_of(next(dockerfile.runs())).commands == []


def test_commands_inside_sh_c_strings_run_in_the_same_layer():
    script = run_commands("RUN sh -c 'apt-get update && apt-get install -y curl' && bash -ec \"rm -rf /x\"\n")
    assert [(c.name, c.words[0].span) for c in script.commands] == [
        ("sh", Span(2, 5, 2, 7)),
        ("apt-get", Span(2, 12, 2, 19)),
        ("apt-get", Span(2, 30, 2, 37)),
        ("bash", Span(2, 58, 2, 62)),
        ("rm", Span(2, 68, 2, 70)),
    ]


def branches(script):
    return [(" ".join(w.text for w in c.words), c.branch) for c in script.commands]


def test_exclusive_branches_are_labelled():
    script = run_commands(
        "RUN if [ -f a ]; then apt-get install -y x; elif test -f b; then apk add x; "
        "else dnf install -y x; fi; case \"$ARCH\" in amd64) echo a ;; *) echo b ;; esac; "
        "for p in a b; do echo $p; done\n"
    )
    assert branches(script) == [
        ("apt-get install -y x", ((0, 0),)),  # (`[ … ]` tests are not commands in the model)
        ("test -f b", ((0, 1),)),  # an elif's condition belongs to its arm
        ("apk add x", ((0, 1),)),
        ("dnf install -y x", ((0, 2),)),
        ("echo a", ((1, 0),)),
        ("echo b", ((1, 1),)),
        ("echo $p", ((2, 0),)),
    ]
    assert script.choices == {0: "else", 1: "case", 2: "maybe"}
    assert script.exhaustive == {0: 3, 1: 2}  # an else; a `*)` arm
    apt, condition, apk, dnf, echo_a, echo_b, _ = script.commands
    assert apt.excludes(apk) and apt.excludes(condition) and apk.excludes(dnf) and echo_a.excludes(echo_b)
    assert not condition.excludes(apk) and not apt.excludes(echo_a)


def test_or_lists_are_choices_in_both_readers():
    # Simple enough for the fast path, and the same through tree-sitter (the `if` forces it).
    for text in ("a && b || c || d && e\n", "a && b || c || d && e; if x; then y; fi\n"):
        script = parse_script(text, lambda s, e: Span(1, s + 1, 1, e + 1))
        assert branches(script)[:5] == [
            ("a", ((0, 0), (1, 0))), ("b", ((0, 0), (1, 0))), ("c", ((0, 0), (1, 1))), ("d", ((0, 1),)),
            ("e", ()),
        ]
        assert script.choices[0] == script.choices[1] == "or"


def test_words_after_a_redirection_are_arguments_as_in_bash():
    script = run_commands("RUN xargs -r < /tmp/pkgs apt-get install -y && echo 'x' > /etc/f y 2>&1\n")
    assert [([w.value for w in c.words], [(o, t.value) for o, t in c.redirects]) for c in script.commands] == [
        (["xargs", "-r", "apt-get", "install", "-y"], [("<", "/tmp/pkgs")]),
        (["echo", "x", "y"], [(">", "/etc/f"), (">&", "1")]),
    ]
    # tree-sitter puts a redirection after a list around the list; bash gives it to the last command.
    script = run_commands("RUN if true; then :; fi; a && printf 'b' > /etc/g c\n")
    assert [([w.value for w in c.words], [(o, t.value) for o, t in c.redirects]) for c in script.commands][-2:] == [
        (["a"], []), (["printf", "b", "c"], [(">", "/etc/g")]),
    ]


def test_a_pipe_into_a_compound_command_reaches_its_first_command():
    for text, first in (
        ("RUN curl -fsSL x | while read -r l; do echo $l; done\n", "read"),
        ("RUN curl -fsSL x | { read -r l; echo $l; }\n", "read"),
        ("RUN curl -fsSL x | ( cd /tmp && tar -x )\n", "cd"),
    ):
        commands = run_commands(text).commands
        assert (commands[1].name, commands[1].operator) == (first, "|"), text
