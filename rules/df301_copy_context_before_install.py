from __future__ import annotations

from dlint.packages import INSTALL
from dlint.rule import Severity, Violation, rule

_WHOLE_CONTEXT = {".", "./", "*", "./*", "./."}


@rule(
    "DF301",
    "copy-context-before-install",
    Severity.WARNING,
    "The whole build context is copied before packages are installed",
)
def copy_context_before_install(context, options):
    """## What it does
    Flags a `COPY . …` or `ADD . …` (the whole build context) that comes before a `RUN`
    installing packages in the same stage.

    ## Why is this bad?
    The build cache keys a `COPY` on the content of every file it copies. With the whole
    context copied first, any change to any file, a README or a test, invalidates that layer
    and every layer after it, so the package install runs again on every build: minutes of
    downloads instead of a cache hit. Copy only the files the install needs (a lock file, a
    requirements file), install, then copy the rest.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    WORKDIR /src
    COPY . .
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    WORKDIR /src
    COPY . .
    ```

    ## Fix
    None: moving instructions changes what the install can see.
    """
    dockerfile = context.dockerfile
    for stage in dockerfile.stages:
        copied_at = None
        for instruction in stage.instructions:
            if copied_at is None and instruction.keyword in ("COPY", "ADD") and not instruction.flag("from"):
                if any(_whole_context(dockerfile, instruction, source) for source in instruction.sources):
                    copied_at = instruction
            elif copied_at is not None and instruction.keyword == "RUN":
                install = next(iter(context.facts(instruction).calls_of(INSTALL)), None)
                if install is not None:
                    yield Violation(
                        copied_at.keyword_span,
                        f"the whole build context is copied before the install at line {instruction.line}: "
                        "any file change re-runs it",
                    )
                    break


def _whole_context(dockerfile, instruction, source):
    """A source that is the whole build context (``.``, ``./``, ``*`` …), variables expanded."""
    if source.heredoc is not None:
        return False
    if not source.has_variable:
        return source.value in _WHOLE_CONTEXT
    expanded = dockerfile.expand(instruction, source)
    return expanded.known and expanded.value in _WHOLE_CONTEXT
