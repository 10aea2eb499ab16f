from __future__ import annotations

from dlint.layers import INDEX
from dlint.packages import APT, READS_INDEX, UPDATE, runs_script
from dlint.rule import Severity, Violation, rule


@rule(
    "DF101",
    "update-without-install",
    Severity.WARNING,
    "A package index update in a RUN that installs nothing after it",
)
def update_without_install(context, options):
    """## What it does
    Flags a `RUN` that updates the package index (`apt-get update`, `apk update`, `dnf`/`yum
    makecache`, `zypper refresh`) and then reads nothing from it in the same `RUN`: no
    `install`, `upgrade` (`dist-upgrade`, `full-upgrade`), `download`, `source` or `build-dep`
    after it. apk, dnf and zypper refresh an expired index by themselves, so for them the cost
    is the index left in the layer rather than a stale install.

    ## Why is this bad?
    The index update becomes a layer of its own, and the build cache keys that layer on the
    instruction text only. When you later change the install line, Docker reuses the cached
    index layer, however old, and installs from a stale index: versions that no longer exist
    on the mirror (`404 Not Found`) or that miss security fixes. The index also stays in its
    own layer (tens of MB) even if a later layer deletes it.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN apt-get update
    RUN apt-get install -y --no-install-recommends make=4.3-4.1
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN apt-get update \\
        && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    None: merging two RUNs changes what each layer contains, so it is left to you.
    """
    for _stage, instruction, facts in context.runs:
        updates = facts.calls_of(UPDATE)
        # Only an index that outlives the RUN can be reused stale (not after `apt-get
        # dist-clean` or `rm -rf /var/lib/apt/lists/*`, nor under a cache mount).
        if not updates:
            continue
        for update in updates:
            if not _leaves_index(context, instruction, facts, update):
                continue
            # Read by an install, upgrade, download, source or build-dep after it (not in an
            # exclusive branch), or by `install --update`, which updates by itself.
            used = any(
                call.index > update.index
                and call.manager is update.manager
                and call.verb in READS_INDEX
                and not call.command.excludes(update.command)
                for call in facts.calls
            ) or any(
                # A script run after the update (`bash /tmp/setup.sh`) may install from it.
                runs_script(command) and not command.excludes(update.command)
                for command in facts.script.commands[update.index + 1 :]
            )
            if not used:
                consequence = (
                    "a later install reuses this cached, possibly stale index" if update.manager is APT
                    else "its index stays in this layer for nothing"
                )
                yield Violation(
                    instruction.keyword_span,
                    f"`{update.command.source[:60]}` is not followed by an install in the same RUN: {consequence}",
                )
                break


def _leaves_index(context, instruction, facts, update):
    """Whether the index ``update`` writes outlives the RUN: apt's through the layer model,
    other managers' (``apk update``, ``dnf makecache``, ``zypper refresh``) unless a later
    command deletes their index directory or a mount covers it."""
    manager = update.manager
    if manager is APT:
        return context.effects(instruction).leaves(INDEX)
    return not any(
        facts.masks(directory) or facts.removes(directory, update.index) for directory in manager.index_dirs
    )
