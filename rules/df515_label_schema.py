from __future__ import annotations

from dlint.rule import Severity, Violation, rule
from dlint.startup import lazy_pattern

_SEMVER = lazy_pattern(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)
_RFC3339 = lazy_pattern(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")
_GIT_HASH = lazy_pattern(r"[0-9a-f]{7,40}|[0-9a-f]{64}")  # abbreviated (git's 7 digits or more), SHA-1 or SHA-256
_EMAIL = lazy_pattern(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
TYPES = ("text", "url", "rfc3339", "spdx", "hash", "semver", "email")


def _valid_url(value: str) -> bool:
    from urllib.parse import urlparse  # only for a schema with a url label (start-up cost)

    parts = urlparse(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and " " not in value


def _valid_rfc3339(value: str) -> bool:
    if not _RFC3339().fullmatch(value):
        return False
    from datetime import datetime  # only for a schema with an rfc3339 label (start-up cost)

    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def _valid_spdx(value: str) -> bool:
    from license_expression import get_spdx_licensing  # SPDX's license list, loaded only here

    return not get_spdx_licensing().validate(value).errors


_CHECKS = {
    "text": lambda value: True,
    "url": _valid_url,
    "rfc3339": _valid_rfc3339,
    "spdx": _valid_spdx,
    "hash": lambda value: bool(_GIT_HASH().fullmatch(value)),
    "semver": lambda value: bool(_SEMVER().fullmatch(value)),
    "email": lambda value: bool(_EMAIL().fullmatch(value)),
}
_WHAT = {
    "url": "a URL", "rfc3339": "an RFC 3339 time (2024-10-16T12:00:00Z)", "spdx": "an SPDX license expression",
    "hash": "a git commit hash (7 to 40 hex digits, or 64)", "semver": "a semantic version (1.2.3)", "email": "an e-mail address",
}


def _labels(stage):
    """(key, value, span of the key) of every LABEL in the stage."""
    for instruction in stage.instructions:
        if instruction.keyword == "LABEL":
            for assignment in instruction.assignments:
                yield assignment.name, assignment.value or "", assignment.span


@rule(
    "DF515",
    "label-schema",
    Severity.WARNING,
    "The image's labels do not follow the label schema of the configuration",
    options={"schema": {}, "strict": False},
)
def label_schema(context, options):
    """## What it does
    Checks the final image's labels (its stage and the stages it is built FROM) against the
    `schema` option, a table of label -> type, where the type is `text`, `url`, `rfc3339`,
    `spdx`, `hash` (a git commit hash, full or abbreviated to 7 digits or more), `semver`
    or `email`: a label of the schema that is missing, empty, or whose value is not of its
    type is flagged, and with `strict = true` so is a label the schema does not name. Values with a variable are not judged. With no
    schema (the default) nothing is checked. hadolint's DL3049–DL3056 and DL3058
    (`label-schema`, `strict-labels`).

    ```toml
    [tool.dlint.rules.DF515]
    schema = { "org.opencontainers.image.source" = "url", "org.opencontainers.image.licenses" = "spdx" }
    strict = false
    ```

    ## Why is this bad?
    Labels are what registries, scanners and people read to learn where an image comes from,
    which commit built it and under which license: a missing or malformed one breaks that
    chain for every image of the team, silently.

    ## Example
    With `schema = { "org.opencontainers.image.licenses" = "spdx" }` (an `# options:` line is
    how the documentation test sets it):
    ```dockerfile
    # options: {"schema": {"org.opencontainers.image.licenses": "spdx"}}
    FROM debian:bookworm-20241016
    LABEL org.opencontainers.image.licenses="MIT License"
    ```

    ## Use instead
    ```dockerfile
    # options: {"schema": {"org.opencontainers.image.licenses": "spdx"}}
    FROM debian:bookworm-20241016
    LABEL org.opencontainers.image.licenses="MIT"
    ```

    ## Fix
    None: the right values are yours.
    """
    schema = {str(key): str(kind).lower() for key, kind in dict(options.get("schema") or {}).items()}
    if not schema or not context.dockerfile.stages:
        return
    final = context.dockerfile.stages[-1]
    seen = set()
    for stage in final.chain:
        for key, value, span in _labels(stage):
            seen.add(key)
            kind = schema.get(key)
            if kind is None:
                if options.get("strict"):
                    yield Violation(span, f"label '{key}' is not in the label schema")
                continue
            if not value.strip():
                yield Violation(span, f"label '{key}' is empty")
            elif "$" not in value and kind in _CHECKS and not _CHECKS[kind](value):
                yield Violation(span, f"label '{key}' is '{value}', not {_WHAT.get(kind, kind)}")
    for key in schema:
        if key not in seen:
            yield Violation(final.from_instruction.keyword_span, f"label '{key}' of the label schema is missing")
