from __future__ import annotations

import re

from dlint.rule import Severity, Violation, rule

_KEY = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")
_RESERVED = ("com.docker.", "io.docker.", "org.dockerproject.")


@rule(
    "DF513",
    "invalid-label-key",
    Severity.STYLE,
    "A label key that is not lower-case dotted words, or in Docker's reserved namespaces",
)
def invalid_label_key(context, options):
    """## What it does
    Flags a `LABEL` key with characters other than lower-case letters, digits, `.` and `-`,
    one that does not start and end with a letter or digit, or one in the namespaces Docker
    reserves (`com.docker.*`, `io.docker.*`, `org.dockerproject.*`). hadolint's DL3048.
    Keys with a variable are not judged.

    ## Why is this bad?
    Docker's label guidelines ask for reverse-DNS keys in lower case; tools that query
    labels (`docker image ls --filter label=…`, registries, scanners) match them exactly, so
    `Version` and `version` are two different labels. Reserved namespaces are for Docker's
    own use.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    LABEL Version="1.0"
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    LABEL org.opencontainers.image.version="1.0"
    ```

    ## Fix
    None: renaming a label breaks whatever reads it.
    """
    for instruction in context.dockerfile.instructions:
        if instruction.keyword != "LABEL":
            continue
        for assignment in instruction.assignments:
            key_text = assignment.name
            if "$" in key_text:
                continue
            if key_text.startswith(_RESERVED):
                problem = "is in a namespace Docker reserves"
            elif not _KEY.fullmatch(key_text):
                problem = "is not lower-case letters, digits, '.' and '-'"
            else:
                continue
            yield Violation(
                assignment.span,
                f"label key '{key_text}' {problem}",
            )
