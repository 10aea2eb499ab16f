from __future__ import annotations

from dlint.rule import Severity, rule


@rule(
    "DF002",
    "unused-ignore",
    Severity.WARNING,
    "An inline ignore that suppresses nothing",
    enabled=False,
)
def unused_ignore(context, options):
    """## What it does
    Flags the rules named in a `# dlint: ignore=…` (or `ignore-stage=`, `ignore-file=`, or
    a mapped `# hadolint ignore=…`) that suppressed no finding in this run, names that are
    not dlint rules, and pragmas that cannot apply (not above an instruction, `ignore-stage`
    not above a `FROM`). Rules that did not run are not judged. Off by default: turn it on
    with `extend-select = ["DF002"]` (or `--extend-select DF002`).

    ## Why is this bad?
    A stale ignore hides the next real problem on that line: after the package was pinned,
    `ignore=DF106` still silences the next unpinned package someone adds there. Ignores
    that suppress nothing are also noise that reviewers learn to skip.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    # dlint: ignore=DF106 -- pinned below
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    None yet: delete the reported names (or the whole comment) by hand.
    """
    # Not run with the rules: it needs their findings. dlint/checker.py's pragma pass reports
    # it after every other rule has run (as ruff does for unused `noqa`); this module holds its
    # metadata and documentation.
    return ()
