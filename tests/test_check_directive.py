"""BuildKit's `# check=` directive: skip=…, skip=all, error=true, unknown names."""

from __future__ import annotations

from dlint import check_directive
from dlint.checker import Settings, lint
from dlint.dockerfile import parse
from dlint.registry import all_rules
from dlint.rule import Severity

BODY = (
    "FROM debian:bookworm-20241016 as Build\n"
    "MAINTAINER Jane Doe\n"
    "CMD echo hello\n"
)


def findings(text: str):
    dockerfile = parse(text.encode())
    directive = check_directive.read(dockerfile)
    result = check_directive.apply(lint(dockerfile, Settings(tuple(r for r in all_rules() if r.enabled))), directive)
    return [(f.code, f.line, f.severity.label) for f in result], directive


def test_without_the_directive_every_check_reports():
    result, directive = findings(BODY)
    assert directive is None
    assert result == [
        ("DF011", 1, "style"), ("DF204", 1, "style"), ("DF505", 2, "style"), ("DF501", 3, "warning"),
    ]


def test_skip_names_buildkit_checks_case_insensitively():
    result, directive = findings("# check=skip=StageNameCasing,jsonargsrecommended\n" + BODY)
    assert result == [("DF011", 2, "style"), ("DF505", 3, "style")]
    assert directive.unknown == ()


def test_skip_all_turns_off_the_buildkit_checks_only():
    result, _ = findings("# check=skip=all\n" + BODY + "RUN apt-get install -y curl\n")
    assert [code for code, _line, _sev in result] == ["DF102", "DF110", "DF106"]


def test_error_true_raises_buildkit_checks_to_errors():
    result, _ = findings("# check=error=true;skip=FromAsCasing\n" + BODY)
    assert result == [("DF204", 2, "error"), ("DF505", 3, "error"), ("DF501", 4, "error")]


def test_unknown_names_and_keys_are_kept_for_reporting():
    _result, directive = findings("# check=skip=NoSuchCheck,InvalidBaseImagePlatform;colour=blue;error=maybe\n" + BODY)
    assert directive.unknown == ("NoSuchCheck",)
    assert directive.problems == ("unknown key 'colour'", "error=maybe is neither true nor false")
    assert directive.skip == frozenset()  # InvalidBaseImagePlatform is a BuildKit check dlint does not cover


def test_check_skip_above_an_instruction_or_a_from():
    """`# check=skip=…` directly above an instruction skips those checks for it alone; above a
    FROM, for that stage; `all` is every check dlint covers; text after the names is a reason.
    An unknown name is DF002's, worded for BuildKit."""
    text = (
        "FROM debian:bookworm-20241016 AS build\n"
        "# check=skip=JSONArgsRecommended,NoSuchCheck -- this one runs a shell on purpose\n"
        "CMD echo hi\n"
        "CMD echo again\n"
        "# check=skip=StageNameCasing a reason after a blank\n"
        "FROM debian:bookworm-20241016 AS Final\n"
        "# check=skip=all\n"
        "MAINTAINER Jane Doe\n"
        "MAINTAINER John Doe\n"
    )
    rules = tuple(r for r in all_rules() if r.enabled or r.code == "DF002")
    found = [(f.code, f.line, f.column, f.message) for f in lint(parse(text.encode()), Settings(rules))]
    assert [(code, line, column) for code, line, column, _ in found] == [
        ("DF002", 2, 34), ("DF013", 3, 1), ("DF501", 4, 1), ("DF505", 9, 1),
    ]
    assert found[0][3] == "'NoSuchCheck' is not a BuildKit check (see `dlint rules --buildkit`)"
