"""Property tests: whatever text arrives, parsing, every rule, every output format and the
fixer run without an exception escaping.

Inputs: random Dockerfile-shaped text built from the tokens that matter to the parser
(continuations, escape directives, heredocs, comments, quotes, ``$(…)``, JSON arrays), the
realistic seed Dockerfiles below mutated (lines deleted, duplicated, swapped, cut short,
tokens inserted), random bytes, and random shell text. Bounded in time: a few hundred
examples each, no deadline (CI machines are noisy). ``benchmarks/fuzz.py`` runs the same
properties much longer.

The only exception allowed out of :func:`dlint.dockerfile.parse` is ``DockerfileError`` (the
input is not text at all), and out of the fixer ``NotFixable`` (invalid UTF-8 is never
rewritten).
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings, strategies as st

from dlint.dockerfile import DockerfileError, parse
from dlint.checker import Settings, lint
from dlint.fix import NotFixable, fix_bytes
from dlint.packages import facts_of as facts
from dlint.registry import all_rules
from dlint.report import FORMATS, renderer
from dlint.shell import parse_script, script_of
from dlint.source import Span

SETTINGS = Settings(all_rules())  # every rule, including those off by default

SEEDS = [
    # apt, one package per line, cleanup in the same RUN
    """FROM debian:bookworm-slim
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \\
    && apt-get install -y --no-install-recommends \\
        ca-certificates=20230311 \\
        curl \\
        # needed for the healthcheck
        git \\
    && rm -rf /var/lib/apt/lists/*
COPY . /app
WORKDIR /app
USER app
CMD ["./run.sh"]
""",
    # the founding mistake: a continuation that swallows the next instruction, split layers
    """FROM ubuntu:22.04
RUN apt-get update
RUN apt-get install -y python3 python3-pip curl curl \\
RUN rm -rf /var/lib/apt/lists/*
RUN apt-get clean
""",
    # multi-stage, ARG before FROM, COPY --from, apk, pip, npm
    """ARG BASE=python:3.12-alpine
FROM node:20-alpine AS web
WORKDIR /web
COPY package.json package-lock.json ./
RUN npm ci && npm cache clean --force
COPY . .
RUN npm run build

FROM ${BASE} AS build
RUN apk add --no-cache build-base=0.5-r3 libffi-dev
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM ${BASE}
COPY --from=build /usr/local /usr/local
COPY --from=web /web/dist /srv/www
HEALTHCHECK CMD wget -q -O- http://localhost:8080/health || exit 1
ENTRYPOINT ["python", "-m", "app"]
""",
    # heredocs (BuildKit), a cache mount, pipes, pragmas
    """# syntax=docker/dockerfile:1
FROM debian:bookworm
# dlint: ignore=DF106 -- pinned by the snapshot mirror
RUN --mount=type=cache,target=/var/cache/apt <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends jq
rm -rf /var/lib/apt/lists/*
EOF
RUN <<-"SCRIPT" bash
	curl -fsSL https://example.invalid/install.sh | sh
	echo "$(uname -m)" > /arch
	SCRIPT
COPY <<EOF /etc/app.conf
listen = 0.0.0.0
EOF
# hadolint ignore=DL3008
RUN apt-get install -y curl
""",
    # escape directive with a backtick, Windows shell, exec forms
    """# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
RUN Invoke-WebRequest -Uri https://example.invalid/x.zip -OutFile x.zip; `
    Expand-Archive x.zip -DestinationPath C:\\x
CMD ["C:\\\\x\\\\app.exe"]
""",
    # dnf/yum, sudo and env wrappers, xargs, conditionals, subshells
    """FROM fedora:40
RUN dnf -y update && dnf install -y gcc make && dnf clean all
FROM debian:12 AS tools
RUN set -eux; \\
    if [ "$(dpkg --print-architecture)" = amd64 ]; then \\
        sudo -E env DEBIAN_FRONTEND=noninteractive apt-get install -y gcc-multilib; \\
    fi; \\
    (cd /tmp && apt-get download hello) || true; \\
    grep -v '^#' /pkgs.txt | xargs apt-get install -y; \\
    apt-get update && apt-get install -y `cat /more.txt` "$EXTRA" ${OTHER:-vim} 'nano=7.2-1'
ONBUILD RUN apt-get update && apt-get install -y make
RUN ["sh", "-c", "apt-get update && apt-get install -y tini"]
""",
    # odd but legal: lower-case keywords, blank lines inside a continuation, CRLF, BOM
    "\ufefffrom debian:12\r\nrun apt-get update && \\\r\n\r\n    apt-get install -y \\\r\n  curl\r\nlabel a=b\r\n",
]

# Tokens that steer the scanner and the shell parser.
TOKENS = [
    "FROM", "RUN", "COPY", "ADD", "ARG", "ENV", "SHELL", "ONBUILD", "CMD", "ENTRYPOINT", "LABEL", "USER",
    "HEALTHCHECK", "WORKDIR", "EXPOSE", "from", "FOO", "debian:12", "scratch", "AS", "build", "--from=build",
    "--mount=type=cache,target=/var/cache/apt", "--chown=1:1", "apt-get", "apt", "install", "update", "-y",
    "--no-install-recommends", "rm", "-rf", "/var/lib/apt/lists/*", "curl=7.1", "curl", "&&", "||", ";", "|",
    "&", "\\", "`", "# escape=`", "# escape=\\", "# syntax=docker/dockerfile:1", "# dlint: ignore=DF106",
    "# dlint: ignore-file=DF1", "# hadolint ignore=DL3008", "#", "<<EOF", "<<-EOF", "<<'EOF'", "EOF", "\tEOF",
    "$(", ")", "(", "${A:-b}", "$A", '"', "'", "[", "]", '["sh", "-c", "apt-get update"]', '["a",', "\\\n",
    "sudo", "env", "xargs", "A=b", "if", "then", "fi", "case", "esac", "in", "do", "done", "for", "while",
    "{", "}", "=", "\t", " ", "  ", "\r", "\ufeff", "é", "\u2028", "\\\\", "--", "-", "--jobs",
]

text_lines = st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join)
random_dockerfiles = st.lists(text_lines, max_size=25).map("\n".join)


@st.composite
def mutated_seeds(draw) -> str:
    lines = draw(st.sampled_from(SEEDS)).split("\n")
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "cut", "truncate", "splice"]))
        if not lines:
            lines = [""]
        index = draw(st.integers(0, len(lines) - 1))
        if kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, lines[index])
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif kind == "insert":
            lines.insert(index, draw(text_lines))
        elif kind == "cut":  # cut a line at some character
            line = lines[index]
            lines[index] = line[: draw(st.integers(0, len(line)))]
        elif kind == "truncate":
            lines = lines[: index + 1]
        else:  # insert a token inside a line
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.sampled_from(TOKENS)) + line[at:]
    return "\n".join(lines)


def check_everything(data: bytes | str) -> None:
    """Parse, all rules, shell facts of every RUN, every output format, the fixer."""
    try:
        dockerfile = parse(data, "Dockerfile")
    except DockerfileError:
        assert isinstance(data, bytes) and b"\x00" in data
        return
    for instruction in dockerfile.instructions:
        assert 1 <= instruction.line <= instruction.end_line <= max(len(dockerfile.lines), 1)
        if instruction.keyword == "RUN":
            script_of(instruction)
            facts(instruction)
    findings = lint(dockerfile, SETTINGS)
    for finding in findings:
        assert 1 <= finding.span.line <= max(len(dockerfile.lines), 1), finding
        assert finding.span.column >= 1, finding
    sources = {"Dockerfile": dockerfile.lines}
    for name in FORMATS:
        out = renderer(name)(findings, sources, False)
        assert isinstance(out, str)
        if name in ("json", "sarif", "gitlab"):
            json.loads(out)
    renderer("text")(findings, sources, True)
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    try:
        fixed, _ = fix_bytes(raw, "Dockerfile", SETTINGS)
    except NotFixable:
        return
    except DockerfileError:  # a str with NUL parses (the CLI only ever passes bytes)
        assert b"\x00" in raw
        return
    parse(fixed, "Dockerfile")


BOUNDED = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@BOUNDED
@given(random_dockerfiles)
def test_random_dockerfiles(text):
    check_everything(text)


@BOUNDED
@given(mutated_seeds())
def test_mutated_seed_dockerfiles(text):
    check_everything(text)
    check_everything(text.encode("utf-8"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes(data):
    check_everything(data)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_random_unicode(text):
    check_everything("FROM debian:12\nRUN " + text)
    check_everything(text)


shell_text = st.lists(
    st.one_of(st.sampled_from(TOKENS), st.text(alphabet="$(){}[]<>|&;'\"`\\ \n\t#=*?!~abc-", max_size=6)),
    max_size=30,
).map(" ".join)


@BOUNDED
@given(shell_text)
def test_random_shell_text(text):
    def locate(start: int, end: int) -> Span:
        assert 0 <= start <= end <= len(text)
        return Span(1, start + 1, 1, end + 1)

    script = parse_script(text, locate)
    for command in script.commands:
        assert command.words
    # The same text as a RUN (with continuations) and as the script of an exec form.
    check_everything("FROM debian:12\nRUN " + text.replace("\n", " \\\n"))
    check_everything("FROM debian:12\nRUN " + json.dumps(["sh", "-c", text]))
