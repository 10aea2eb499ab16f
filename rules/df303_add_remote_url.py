from __future__ import annotations

import re

from dlint.rule import Severity, Violation, rule
from dlint.startup import lazy_pattern

_REMOTE = lazy_pattern(r"(https?)://", re.IGNORECASE)
# `ADD https://api.github.com/repos/OWNER/REPO/git/refs/heads/main /.git-hashref`: a cache key
# that changes when the branch moves, so that the RUN after it fetches the new code. It is
# meant to change: a checksum would defeat it.
_CACHE_KEY = lazy_pattern(r"https?://api\.github\.com/repos/\S+?/(git/refs|commits|branches)/", re.IGNORECASE)


@rule(
    "DF303",
    "add-remote-url",
    Severity.WARNING,
    "ADD of a URL without --checksum",
    needs=("ADD",),
)
def add_remote_url(context, options):
    """## What it does
    Flags `ADD https://…` (or `http://`) without `--checksum=sha256:…`. Git sources
    (`ADD https://…/repo.git#ref`) pin by ref and are left alone, and so is the GitHub API
    URL of a branch or commit (`…/git/refs/heads/main`): added as a cache key that changes
    when the branch moves, it is meant to change.

    ## Why is this bad?
    The builder downloads the URL on every build to see whether it changed, and whatever the
    server sends ends up in the image unchecked: a moved `latest` link, a compromised mirror
    or a truncated download are all accepted and cached. With `--checksum` the download is
    verified, and a mismatch fails the build.

    ## Example
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM debian:bookworm-20241016
    ADD https://example.invalid/tool-1.2.tar.gz /tmp/tool.tar.gz
    ```

    ## Use instead
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM debian:bookworm-20241016
    ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.invalid/tool-1.2.tar.gz /tmp/tool.tar.gz
    ```

    ## Fix
    None: the checksum has to come from the publisher (or from a download you verified).
    """
    for instruction in context.instructions_of("ADD"):
        if instruction.flag("checksum"):
            continue
        for source in (word.value for word in instruction.sources):
            if _CACHE_KEY().match(source):
                continue
            if _REMOTE().match(source) and ".git" not in source.split("?")[0].rsplit("/", 1)[-1] and "#" not in source:
                yield Violation(
                    instruction.keyword_span,
                    f"ADD of {source} without --checksum: downloaded on every build and "
                    "not verified; add --checksum=sha256:…",
                )
                break
