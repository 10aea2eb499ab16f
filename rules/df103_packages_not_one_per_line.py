from __future__ import annotations

from dlint.packages import INSTALL, runs_with_facts
from dlint.rule import Severity, Violation, rule


@rule(
    "DF103",
    "packages-not-one-per-line",
    Severity.STYLE,
    "Packages of one install are not each on their own line",
    options={"min-packages": 2},
)
def packages_not_one_per_line(dockerfile, options):
    """## What it does
    Flags an install that names two or more packages (see the `min-packages` option) when
    they are not each on a line of their own.

    ## Why is this bad?
    With one package per line, adding, removing or pinning a package is a one-line change:
    reviews show exactly what changed, merges do not conflict, and duplicates and ordering
    mistakes stand out. A long line of packages hides all of that.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates git \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            ca-certificates \\
            curl \\
            git \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    None yet: the rewrite has to keep comments between continued lines and the `escape`
    character, and will come with `--fix` for this rule.
    """
    minimum = int(options.get("min-packages", 2))
    for _stage, instruction, facts in runs_with_facts(dockerfile):
        if instruction.exec_form is not None:
            continue
        for install in facts.calls_of(INSTALL):
            packages = install.packages
            if len(packages) < minimum:
                continue
            words = install.command.words
            lines = [word.span.line for word in words]
            for package in packages:
                line = package.word.span.line
                if lines.count(line) > 1:
                    yield Violation(
                        packages[0].word.span,
                        f"{len(packages)} packages of this `{install.program.value} install` are not "
                        "each on their own line",
                    )
                    break
