from __future__ import annotations

from dlint.packages import INSTALL
from dlint.rule import Severity, Violation, rule
from dlint.shell import Word


@rule(
    "DF105",
    "duplicate-package",
    Severity.WARNING,
    "A package is installed twice in one install or again in a later RUN of the stage",
)
def duplicate_package(context, options):
    """## What it does
    Flags a package named a second time in the same install, or installed again when it is
    surely installed already: by an earlier `RUN` of the same stage (or of a stage it is built
    `FROM`), or earlier in the same `RUN`. The finding points at the second occurrence. A
    package removed in between (`apt-get purge`, `remove`, or `apt-mark auto` followed by
    `--auto-remove`) is not installed any more; installs in exclusive branches (`if`/`else`,
    `case` arms, `a || b`) are alternatives, not repetitions; and an install that pins another
    version or release, or uses `--reinstall` or `-t`, changes the package on purpose.

    ## Why is this bad?
    A duplicate in one list is noise that hides real changes (and a pin on one copy but not
    the other is ambiguous). Installing the same package again in a later `RUN` runs the
    package manager once more for nothing and adds to the layer, and with an update in
    between it can leave two versions' files across layers.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            make=4.3-4.1 \\
            patch=2.7.6-7 \\
            make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            make=4.3-4.1 \\
            patch=2.7.6-7 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    None: which of the two copies to keep (and with which pin) is your call.
    """
    # (stage, manager) -> package -> its first word; the line is looked up only when reported.
    first_seen: dict[tuple[int, str], dict[str, Word]] = {}
    for stage, _instruction, install in context.package_calls(INSTALL):
        seen = first_seen.setdefault((stage.index if stage else -1, install.manager.name), {})
        in_this_install: set[str] = set()
        for package in install.packages:
            if not package.is_name:
                continue
            name = package.name
            if name in in_this_install:
                yield Violation(
                    package.word.span, f"'{name}' is named twice in this `{install.program.value} install`"
                )
            elif name in seen:
                yield Violation(
                    package.word.span, f"'{name}' is already installed at line {seen[name].span.line}"
                )
            in_this_install.add(name)
            seen.setdefault(name, package.word)
