"""What rules see through the model: ONBUILD triggers linted as instructions, expanded names
in messages, the shell named as it is, and two whole files (fixtures/cases)."""

from __future__ import annotations

from dlint.checker import Settings, default_rules, lint
from dlint.dockerfile import parse
from dlint.fix import fix_text
from dlint.registry import lookup
from tests.helpers import FIXTURES

MINE = {"DF001", "DF201", "DF301", "DF302", "DF501", "DF502"}


def messages(text: str, *codes: str):
    rules = tuple(lookup(code) for code in codes)
    return [(f.code, f.line, f.column, f.message) for f in lint(parse(text), Settings(rules))]


def test_onbuild_triggers_get_the_findings_of_the_instructions_they_are():
    text = (FIXTURES / "cases" / "onbuild.Dockerfile").read_text()
    found = [(f.code, f.line, f.column) for f in lint(parse(text), Settings(default_rules()))]
    # The RUN trigger (line 6, inside the ONBUILD that starts on line 5) gets the per-RUN
    # package findings; the other triggers the findings of ADD and CMD.
    assert {("DF107", 6, 5), ("DF109", 6, 5), ("DF110", 6, 5)} <= set(found)
    assert [f for f in found if f[0] in MINE] == [("DF302", 7, 9), ("DF501", 10, 9)]


def test_a_modern_dockerfile_is_not_misread():
    path = FIXTURES / "cases" / "modern-trixie.Dockerfile"
    text = path.read_text()
    found = [(f.code, f.line) for f in lint(parse(text), Settings(default_rules()))]
    assert [f for f in found if f[0] in MINE] == []
    # --fix (the syntax and ADD rules) leaves the continued HEALTHCHECK and the quoted archive.
    result = fix_text(text, str(path), Settings(tuple(lookup(code) for code in sorted(MINE))))
    assert (result.text, result.applied, result.dropped) == (text, [], [])


def test_df201_names_the_expanded_reference():
    assert messages("ARG REGISTRY=registry.example.com:5000\nFROM ${REGISTRY}/ubuntu\nFROM debian:latest\n", "DF201") == [
        ("DF201", 2, 6, "base image '${REGISTRY}/ubuntu' (that is 'registry.example.com:5000/ubuntu') has no "
         "tag or digest: pin a version tag or a digest"),
        ("DF201", 3, 6, "base image 'debian:latest' is tagged `latest`: pin a version tag or a digest"),
    ]


def test_df501_says_invalid_json_and_names_the_shell():
    text = (
        "FROM debian:bookworm\n"
        "CMD [\"python3\", 'app.py']\n"
        "SHELL [\"/usr/bin/pwsh\", \"-Command\"]\n"
        "ENTRYPOINT ./start.ps1\n"
    )
    assert messages(text, "DF501") == [
        ("DF501", 2, 1, "invalid JSON in the exec form of CMD: it is run as a shell command under `/bin/sh -c`, "
         "which does not forward signals; write a JSON array of double-quoted strings [\"program\", \"arg\"]"),
        ("DF501", 4, 1, "ENTRYPOINT in shell form runs under `/usr/bin/pwsh -Command`, so CMD and the arguments "
         "of `docker run` are ignored and signals are not forwarded: use the exec form [\"program\", \"arg\"]"),
    ]


def test_df502_follows_the_stage_chain():
    text = "FROM debian:bookworm AS base\nUSER root:0\nFROM base AS app\nRUN id\nFROM app\n"
    assert messages(text, "DF502") == [
        ("DF502", 2, 1, "the image runs as root: add a USER with an unprivileged user at the end"),
    ]
    # A builder stage that is only copied from does not decide the image's user.
    assert messages("FROM debian:bookworm AS build\nUSER 0\nFROM debian:bookworm\nCOPY --from=build /a /a\n", "DF502") == []


def test_layer_rules_do_not_take_triggers_for_layers():
    # DF301 is about the layers of this stage: an ONBUILD COPY is not one of them.
    text = (
        "FROM debian:bookworm\n"
        "ONBUILD COPY . /app/\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )
    assert messages(text, "DF301") == []
