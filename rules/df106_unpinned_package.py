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
    Flags an install whose packages have no version (`name=version` for apt): one finding per
    install, at its first unpinned package, naming them all. Local `.deb` paths and variables
    are not judged; a version given by a variable (`curl="$CURL_VERSION"`) is a pin. Packages
    listed in the `allowed-unpinned` option are accepted.

    ## Why is this bad?
    An unpinned package installs whatever the index offers on the day the layer is built, so
    two builds of the same Dockerfile differ. Worse, the pin is also what busts the build
    cache: with a pin, raising the version changes the instruction and forces a rebuild; without
    one, a cached layer keeps the old version silently and a fresh machine gets a new one.
    A release pin (`name/bookworm-backports`) chooses a suite, not a version.

    Pins are not the whole answer, and they cost upkeep:
    - A Debian or Ubuntu mirror keeps only the newest version of a package in each suite (on
      Ubuntu, in each pocket): a point release or security update replaces it, and from then
      on the exact pin fails the build (`Version '…' for 'curl' was not found`). Plan to raise pins regularly (a bot can).
    - A pin covers only the named package: its dependencies still come at whatever version
      the index offers that day.
    - A reproducible build needs a frozen index as well: a snapshot mirror
      (`snapshot.debian.org`, `snapshot.ubuntu.com`; apt 2.7 and later, as in Debian trixie
      and Ubuntu 24.04, take `--snapshot ID` or `APT::Snapshot`) with a base image pinned by
      digest (DF201). With a snapshot, every package is frozen and pins become optional.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            ca-certificates \\
            curl \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            ca-certificates=20230311+deb12u1 \\
            curl=7.88.1-10+deb12u15 \\
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
