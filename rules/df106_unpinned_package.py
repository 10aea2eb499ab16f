from __future__ import annotations

from dlint.packages import INSTALL
from dlint.rule import Severity, Violation, rule


@rule(
    "DF106",
    "unpinned-package",
    Severity.WARNING,
    "A package is installed without a version pin",
    options={"allowed-unpinned": []},
)
def unpinned_package(context, options):
    """## What it does
    Flags each package of an install that has no version (`name=version` for apt). Local
    `.deb` paths and variables are not judged. Packages listed in the `allowed-unpinned`
    option are accepted.

    ## Why is this bad?
    An unpinned package installs whatever the index offers on the day the layer is built, so
    two builds of the same Dockerfile differ. Worse, the pin is also what busts the build
    cache: with a pin, raising the version changes the instruction and forces a rebuild; without
    one, a cached layer keeps the old version silently and a fresh machine gets a new one.
    A release pin (`name/bookworm-backports`) chooses a suite, not a version.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    None: the right version depends on your base image's suite.
    """
    allowed = set(options.get("allowed-unpinned", ()))
    for _stage, _instruction, install in context.package_calls(INSTALL):
        for package in install.packages:
            if not package.is_name or package.version or package.name in allowed:
                continue
            if package.release:
                message = (
                    f"'{package.word.value}' pins a release, not a version "
                    f"(use {package.name}=<version>)"
                )
            else:
                message = f"'{package.name}' is not pinned to a version (use {package.name}=<version>)"
            yield Violation(package.word.span, message)
