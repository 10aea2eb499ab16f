from __future__ import annotations

from dlint.rule import Severity, Violation, rule

_ROOT = frozenset({"root", "0"})


@rule(
    "DF502",
    "runs-as-root",
    Severity.INFO,
    "The image's last USER is root",
)
def runs_as_root(context, options):
    """## What it does
    Flags the last `USER` of the final stage (following `FROM <stage>` chains) when it is
    root: `root` or `0`, with or without a group (`USER root:0`, `USER 0:1000`: the group does
    not change who the process is). Images without any `USER` are not flagged: many base
    images set one, and dlint cannot see them.

    ## Why is this bad?
    A process that runs as root in the container is root on the files it can reach and one
    kernel bug away from root on the host. Switching to root to install packages is fine;
    switch back to an unprivileged user before the image ends. That user must exist in the
    image (create it with `useradd`, or use one the base image has, such as `node` or
    `nobody`), or be a numeric UID (`USER 10001:10001`), which needs no entry in
    `/etc/passwd`.

    ## Example
    ```dockerfile
    USER root
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    USER root
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/* \\
        && useradd --create-home --uid 10001 app
    USER app
    ```

    ## Fix
    None: which user the program needs is yours to decide.
    """
    dockerfile = context.dockerfile
    if not dockerfile.stages:
        return
    # The final stage and the stages it is built FROM: their USER carries over.
    users = [i for stage in dockerfile.stages[-1].chain for i in stage.instructions if i.keyword == "USER"]
    if not users:
        return
    last = users[-1]
    words = last.words
    if not words:
        return
    user = dockerfile.expand(last, words[0])
    if user.known and user.value.partition(":")[0] in _ROOT:
        yield Violation(last.keyword_span, "the image runs as root: add a USER with an unprivileged user at the end")
