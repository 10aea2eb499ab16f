from __future__ import annotations

from dlint.packages import INSTALL, runs_with_facts
from dlint.rule import Severity, Violation, rule


@rule(
    "DF104",
    "packages-unsorted",
    Severity.STYLE,
    "Packages of one install are not in ascending order",
)
def packages_unsorted(dockerfile, options):
    """## What it does
    Flags the first package of an install that comes before the package above it in plain
    string order. Variables (`$PKGS`), local `.deb` paths and options are skipped.

    ## Why is this bad?
    A sorted list makes duplicates visible next to each other, makes a diff of the list
    readable and gives every package one obvious place, so two people adding packages do not
    conflict. It costs nothing at build time.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            curl \\
            ca-certificates \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            ca-certificates \\
            curl \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    None yet: sorting must move whole lines with their comments; it will come with `--fix`.
    """
    for _stage, instruction, facts in runs_with_facts(dockerfile):
        for install in facts.calls_of(INSTALL):
            named = [p for p in install.packages if p.is_name]
            for previous, package in zip(named, named[1:]):
                if package.name < previous.name:
                    yield Violation(
                        package.word.span, f"'{package.name}' should come before '{previous.name}'"
                    )
                    break
