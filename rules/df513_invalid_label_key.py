from __future__ import annotations

from dlint.rule import Severity, Violation, rule
from dlint.startup import lazy_pattern

_KEY = lazy_pattern(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")
_SEPARATORS = lazy_pattern(r"\.\.|--")
_RESERVED = ("com.docker.", "io.docker.", "org.dockerproject.")
# Keys that tools read as written: the run labels of `podman container runlabel` and
# `atomic run/install/uninstall`, and the legacy labels of Red Hat's RHEL 7 images (their
# build system and catalogue read `Name`, `Version`, `Release`, `BZComponent` …). Renaming
# them breaks those tools.
_RUN_LABELS = frozenset({"RUN", "INSTALL", "UNINSTALL"})
_RED_HAT_LEGACY = frozenset(
    "Name Version Release Architecture Vendor BZComponent Build_Host Authoritative_Registry".split()
)
# A Kubernetes-style qualified key (`openshift.io/expose-services`): the platform that
# defines it reads it as written.
_QUALIFIED = lazy_pattern(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?\.[a-z]{2,}/[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
_RED_HAT_BASE = lazy_pattern(r"rhel|centos|ubi\d|/ubi|fedora|redhat|openshift|rhscl|sclorg")


def _red_hat_stage(dockerfile, instruction) -> bool:
    stages = dockerfile.stages
    if not 0 <= instruction.stage_index < len(stages):
        return False
    return any(_RED_HAT_BASE().search(stage.base.name.lower()) for stage in stages[instruction.stage_index].chain)


@rule(
    "DF513",
    "invalid-label-key",
    Severity.STYLE,
    "A label key that is not lower-case dotted words, or in Docker's reserved namespaces",
    needs=("LABEL",),
)
def invalid_label_key(context, options):
    """## What it does
    Flags a `LABEL` key with characters other than lower-case letters, digits, `.` and `-`,
    one that does not start with a letter or end with a letter or digit, one with two
    periods or two hyphens in a row (`..`, `--`), or one in the namespaces Docker reserves
    (`com.docker.*`, `io.docker.*`, `org.dockerproject.*`). hadolint's DL3048.
    Keys with a variable are not judged, nor the keys tools read as written: Kubernetes-style
    qualified keys (`openshift.io/expose-services`), `RUN`,
    `INSTALL`, `UNINSTALL` (`podman container runlabel`, `atomic run`) and, on an image built
    from a RHEL, CentOS, UBI or Fedora base, the legacy labels of Red Hat's RHEL 7 images
    (`Name`, `Version`, `Release`, `Architecture`, `Vendor`, `BZComponent`, `Build_Host`,
    `Authoritative_Registry`).

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
    for instruction in context.instructions_of("LABEL"):
        for assignment in instruction.assignments:
            key_text = assignment.name
            if "$" in key_text or key_text in _RUN_LABELS or _QUALIFIED().fullmatch(key_text):
                continue
            if key_text in _RED_HAT_LEGACY and _red_hat_stage(context.dockerfile, instruction):
                continue
            if key_text.startswith(_RESERVED):
                problem = "is in a namespace Docker reserves"
            elif not _KEY().fullmatch(key_text):
                problem = "is not lower-case letters, digits, '.' and '-'"
            elif not key_text[0].isalpha():
                problem = "does not start with a letter"
            elif _SEPARATORS().search(key_text):
                problem = "has two periods or two hyphens in a row"
            else:
                continue
            yield Violation(
                assignment.span,
                f"label key '{key_text}' {problem}",
            )
