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
    # One finding per install, at its first unpinned package, naming them all: one list is one
    # decision (pin it or not), and a finding per package buried real findings (4,561 findings
    # for 816 installs over 2,027 public Dockerfiles).
    for _stage, _instruction, install in context.package_calls(INSTALL):
        unpinned = [
            p for p in install.packages if p.is_name and not p.version and p.name not in allowed
        ]
        if not unpinned:
            continue
        listed = list(dict.fromkeys(p.word.value for p in unpinned))  # once each, in order
        names = ", ".join(f"'{name}'" for name in listed[:_LISTED])
        if len(listed) > _LISTED:
            names += f" and {len(listed) - _LISTED} more"
        first = unpinned[0]
        if len(unpinned) == 1:
            if first.release:
                message = f"'{first.word.value}' pins a release, not a version (use {first.name}=<version>)"
            else:
                message = f"'{first.name}' is not pinned to a version (use {first.name}=<version>)"
        else:
            releases = " (a /release pins a suite, not a version)" if any(p.release for p in unpinned) else ""
            message = f"{len(listed)} packages are not pinned to a version: {names}{releases}"
        yield Violation(first.word.span, message)


_LISTED = 8  # packages named in the message; the rest are counted
