"""Package managers other than apt, through the rules: the pin policy option, the messages that
name each manager's exact fix, and cache mounts covering a manager's cache."""

from __future__ import annotations

from dlint.checker import Settings, lint
from dlint.dockerfile import parse
from dlint.registry import lookup

BOUNDS = (
    'FROM python:3.12-alpine\n'
    'RUN pip install --no-cache-dir "gunicorn>=22" "flask~=3.0" && apk add --no-cache "tzdata>=2024a" '
    '&& npm i -g serve@^14\n'
    'RUN pip install --no-cache-dir gunicorn\n'
)


def _findings(text: str, code: str, options=None):
    settings = Settings((lookup(code),), options=options or {})
    return [(f.code, f.line, f.column, f.message) for f in lint(parse(text.encode()), settings)]


def test_pin_policy_bounds_accepts_ranges():
    exact = _findings(BOUNDS, "DF106")
    assert [(line, column) for _c, line, column, _m in exact] == [(2, 32), (2, 82), (2, 110), (3, 32)]
    assert exact[0][3] == "2 packages are not pinned to a version: 'gunicorn>=22', 'flask~=3.0'"
    assert exact[2][3] == "'serve@^14' sets a range, not a version (use serve@<version>)"
    bounds = _findings(BOUNDS, "DF106", {"DF106": {"pin-policy": "bounds"}})
    assert [(line, column, message) for _c, line, column, message in bounds] == [
        (3, 32, "'gunicorn' is not pinned to a version (use gunicorn==<version>)")
    ]


def test_cache_messages_name_the_managers_fix():
    text = (
        "FROM fedora:40\n"
        "RUN dnf install -y tar-1.35 && apk add curl=8.9.1-r0 && pip install flask==3.0.3 && yarn add x@1.0.0\n"
        "RUN --mount=type=cache,target=/var/cache/dnf --mount=type=cache,target=/root/.cache \\\n"
        "    dnf install -y tar-1.35 && pip install flask==3.0.3\n"
    )
    assert [(line, message.split(": ", 1)[1]) for _c, line, _col, message in _findings(text, "DF107")] == [
        (2, "add `dnf clean all` at the end of this RUN"),
        (2, "use `apk add --no-cache`"),
        (2, "use `pip install --no-cache-dir`"),
        (2, "add `yarn cache clean` at the end of this RUN"),
    ]
