from __future__ import annotations

import re

from dlint.packages import INSTALL
from dlint.rule import Severity, Violation, rule
from dlint.startup import lazy_pattern

# Names of values that change on every build (or every commit).
_VOLATILE = lazy_pattern(
    r"(?:^|_)(?:BUILD_?(?:DATE|TIME|TIMESTAMP|NUMBER|NUM|ID)|CACHE_?BUST(?:ER)?|GIT_?(?:SHA|COMMIT|HASH|REV(?:ISION)?)"
    r"|COMMIT_?(?:SHA|ID|HASH)|VCS_?REF|SOURCE_?COMMIT|CI_?(?:PIPELINE_ID|JOB_ID|COMMIT_SHA)|GITHUB_SHA|REVISION)$",
    re.IGNORECASE,
)


def _volatile(instruction):
    """What the instruction sets that takes a new value on every build: every such ARG (its
    value comes from --build-arg), an ENV only when its value comes from a variable (a
    constant written in the file changes only with the file)."""
    return [
        assignment for assignment in instruction.assignments
        if _VOLATILE().search(assignment.name)
        and (instruction.keyword == "ARG" or "$" in (assignment.value or ""))
    ]


@rule(
    "DF306",
    "volatile-value-before-install",
    Severity.WARNING,
    "An ARG or ENV that changes on every build comes before a package install",
)
def volatile_value_before_install(context, options):
    """## What it does
    Flags an `ARG` or `ENV` whose name says it changes on every build or commit
    (`BUILD_DATE`, `BUILD_NUMBER`, `GIT_SHA`, `VCS_REF`, `CACHEBUST` …) when a `RUN` of the
    same stage installs packages after it. An `ENV` is flagged only when its value comes from
    a variable: a constant written in the file changes only with the file.

    ## Why is this bad?
    Build arguments and environment variables in scope are part of every later `RUN`'s
    cache key: when `--build-arg BUILD_DATE=$(date)` changes, every `RUN` after the `ARG`
    misses the cache, and the package install (minutes of downloads) runs again on every
    build, although it never reads the value. Declared after the expensive steps, right
    before its first use, the value busts only what needs it.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    ARG GIT_SHA
    RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \\
        && rm -rf /var/lib/apt/lists/*
    LABEL org.opencontainers.image.revision=$GIT_SHA
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \\
        && rm -rf /var/lib/apt/lists/*
    ARG GIT_SHA
    LABEL org.opencontainers.image.revision=$GIT_SHA
    ```

    ## Fix
    None: moving the instruction is safe only when nothing in between uses the value.
    """
    installs = context.package_calls(INSTALL)
    if not installs:
        return
    for stage in context.dockerfile.stages:
        stage_installs = [site for site in installs if site.stage is stage]
        if not stage_installs:
            continue
        last_install = stage_installs[-1].instruction.line
        for instruction in stage.instructions:
            if instruction.keyword not in ("ARG", "ENV") or instruction.line > last_install:
                continue
            for assignment in _volatile(instruction):
                name = assignment.name
                install = next(s for s in stage_installs if s.instruction.line > instruction.line)
                yield Violation(
                    assignment.span,
                    f"{instruction.keyword} {name} changes on every build and comes before the install at line "
                    f"{install.instruction.line}: every RUN after it misses the cache; declare it after the install",
                )
