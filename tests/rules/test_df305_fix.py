"""DF305's fix: the cache mounts added after RUN and the deletion removed, exactly; safe only
in a file that already needs BuildKit; not offered where it could change what the RUN does."""

from __future__ import annotations

import pytest

from dlint.checker import Settings, default_rules, lint
from dlint.dockerfile import parse
from dlint.fix import fix_bytes
from dlint.registry import lookup

DF305 = lookup("DF305")


def fixed(data: bytes, unsafe: bool = False, rules=(DF305,)) -> tuple[bytes, list[str]]:
    new, applied = fix_bytes(data, "Dockerfile", Settings(tuple(rules), unsafe_fixes=unsafe))
    return new, sorted(f.code for f in applied)


def findings(data: bytes):
    return [(f.line, f.column, f.fix) for f in lint(parse(data), Settings((DF305,)))]


APT = (
    b"# syntax=docker/dockerfile:1\n"
    b"FROM debian:bookworm-20241016\n"
    b"RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\\n"
    b"    && apt-get clean \\\n"
    b"    && rm -rf /var/lib/apt/lists/*\n"
)
APT_FIXED = (
    b"# syntax=docker/dockerfile:1\n"
    b"FROM debian:bookworm-20241016\n"
    b"RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
    b"    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\\n"
    b"    apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1\n"
)


def test_apt_mounts_added_and_deletions_removed_in_a_buildkit_file():
    assert fixed(APT) == (APT_FIXED, ["DF305"])
    # With the default rules too: nothing else objects to the result (DF107 sees the mount).
    assert fixed(APT, rules=(*default_rules(), DF305)) == (APT_FIXED, ["DF305"])
    assert findings(APT_FIXED) == []


def test_without_buildkit_syntax_the_fix_is_unsafe():
    data = APT.split(b"\n", 1)[1]  # no `# syntax=` line
    [(line, column, fix)] = findings(data)
    assert (line, column, fix.safe) == (2, 1, False)
    assert fixed(data) == (data, [])
    assert fixed(data, unsafe=True) == (APT_FIXED.split(b"\n", 1)[1], ["DF305"])


@pytest.mark.parametrize(
    "feature",
    [
        b"# check=skip=JSONArgsRecommended\n",
        b"FROM alpine:3.20 AS tools\nCOPY --link tool /tool\n",
        b"FROM alpine:3.20 AS tools\nRUN --mount=type=bind,source=x,target=/x cat /x\n",
        b"FROM alpine:3.20 AS tools\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.org/x /x\n",
        b"FROM alpine:3.20 AS tools\nRUN <<EOF\necho hi\nEOF\n",
    ],
    ids=["check-directive", "copy-link", "run-mount", "add-checksum", "heredoc"],
)
def test_other_buildkit_features_make_it_safe(feature):
    data = feature + APT.split(b"\n", 1)[1]
    assert [fix.safe for _l, _c, fix in findings(data)] == [True]


def test_set_e_list_with_tabs_and_semicolons():
    data = (
        b"# syntax=docker/dockerfile:1\n"
        b"FROM debian:bookworm-20241016\n"
        b"RUN set -eux; \\\n"
        b"\tapt-get update; \\\n"
        b"\tapt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8; \\\n"
        b"\trm -rf /var/lib/apt/lists/*; \\\n"
        b"\tcurl --version\n"
    )
    assert fixed(data) == (
        b"# syntax=docker/dockerfile:1\n"
        b"FROM debian:bookworm-20241016\n"
        b"RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
        b"\t--mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\\n"
        b"\tset -eux; \\\n"
        b"\tapt-get update; \\\n"
        b"\tapt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8; \\\n"
        b"\tcurl --version\n",
        ["DF305"],
    )


def test_dnf_pip_and_npm():
    data = (
        b"# syntax=docker/dockerfile:1\n"
        b"FROM fedora:40 AS rpm\n"
        b"RUN dnf install -y make-4.4.1 && dnf clean all\n"
        b"FROM python:3.12-slim AS py\n"
        b"RUN pip install --no-cache-dir flask==3.0.3\n"
        b"FROM node:22-bookworm-slim\n"
        b"RUN npm ci && npm cache clean --force\n"
    )
    assert fixed(data) == (
        b"# syntax=docker/dockerfile:1\n"
        b"FROM fedora:40 AS rpm\n"
        b"RUN --mount=type=cache,target=/var/cache/dnf \\\n"
        b"    --mount=type=cache,target=/var/cache/libdnf5 \\\n"
        b"    dnf install -y make-4.4.1\n"
        b"FROM python:3.12-slim AS py\n"
        b"RUN --mount=type=cache,target=/root/.cache/pip \\\n"
        b"    pip install flask==3.0.3\n"
        b"FROM node:22-bookworm-slim\n"
        b"RUN --mount=type=cache,target=/root/.npm \\\n"
        b"    npm ci\n",
        ["DF305", "DF305", "DF305"],
    )


HEAD = b"# syntax=docker/dockerfile:1\nFROM debian:bookworm-20241016\n"


@pytest.mark.parametrize(
    "run",
    [
        # The index comes from an earlier layer: an empty mount would hide it.
        b"RUN apt-get install -y --no-install-recommends make=4.3-4.1 && rm -rf /var/lib/apt/lists/*\n",
        # The rm deletes something else too.
        b"RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 "
        b"&& rm -rf /var/lib/apt/lists/* /tmp/build\n",
        # A parent of a mount point: rm would fail on the busy mount.
        b"RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 && rm -rf /var/lib/apt\n",
        # Guarded by `|| true`: dropping the rm would change what the `||` guards.
        b"RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 "
        b"&& rm -rf /var/lib/apt/lists/* || true\n",
        # A redirection on the rm.
        b"RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 "
        b"&& rm -rf /var/lib/apt/lists/* 2>/dev/null\n",
        # After a compound command: `fi` is no word of any command.
        b"RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 "
        b"&& if [ -d /opt ]; then echo opt; fi && rm -rf /var/lib/apt/lists/*\n",
        # The deletion comes first.
        b"RUN rm -rf /var/lib/apt/lists/* && apt-get update "
        b"&& apt-get install -y --no-install-recommends make=4.3-4.1 && apt-get clean\n",
        # An exec form.
        b'RUN ["sh", "-c", "apt-get update && apt-get install -y make=4.3-4.1 && rm -rf /var/lib/apt/lists/*"]\n',
    ],
    ids=["no-update", "more-paths", "parent", "or-true", "redirect", "after-fi", "rm-first", "exec-form"],
)
def test_apt_cases_that_keep_the_finding_without_a_fix(run):
    data = HEAD + run
    found = findings(data)
    assert [(line, column) for line, column, _fix in found] == [(3, 1)]
    assert found[0][2] is None
    assert fixed(data, unsafe=True) == (data, [])


@pytest.mark.parametrize(
    "data",
    [
        # Another user's cache is not under /root.
        b"FROM python:3.12-slim\nUSER app\nRUN pip install --no-cache-dir flask==3.0.3\n",
        # An image of another publisher may run as another user.
        b"FROM quay.io/jupyter/base-notebook:2024-07-08\nRUN pip install --no-cache-dir flask==3.0.3\n",
        b"FROM python:3.12-slim\nRUN sudo -u app pip install --no-cache-dir flask==3.0.3\n",
        b"FROM python:3.12-slim\nENV PIP_CACHE_DIR=/cache/pip\nRUN pip install --no-cache-dir flask==3.0.3\n",
        # apk add without --no-cache needs an index it does not fetch.
        b"FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r0\n",
    ],
    ids=["user", "other-publisher", "sudo-u", "pip-cache-dir", "apk"],
)
def test_other_managers_that_keep_the_finding_without_a_fix(data):
    data = b"# syntax=docker/dockerfile:1\n" + data
    found = findings(data)
    assert [line for line, _column, _fix in found] == [data.count(b"\n")]
    assert found[0][2] is None
    assert fixed(data, unsafe=True) == (data, [])


@pytest.mark.parametrize(
    "after, accepted",
    [
        (b"RUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.0.3\n", True),
        # Any other flag still changes what the RUN does: a fix may not add it.
        (b"RUN --mount=type=bind,source=.,target=/src pip install flask==3.0.3\n", False),
        (b"RUN --network=none pip install flask==3.0.3\n", False),
        (b"RUN --mount=type=cache,target=/root/.cache/pip [\"pip\", \"install\", \"flask==3.0.3\"]\n", False),
    ],
    ids=["cache-mount", "bind-mount", "network", "exec-form"],
)
def test_the_fix_guard_lets_a_fix_add_cache_mounts_only(after, accepted):
    from dlint.fix import _same_sequence

    before = parse(b"FROM python:3.12-slim\nRUN pip install flask==3.0.3\n")
    result = parse(b"FROM python:3.12-slim\n" + after)
    assert _same_sequence(before, result, [range(2, 3)]) is accepted
