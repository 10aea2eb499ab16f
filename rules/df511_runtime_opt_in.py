"""Runtime rules some teams require and others do not: off by default, on with `select`."""

from __future__ import annotations

from dlint.rule import Severity, Violation, rule


@rule(
    "DF511",
    "missing-healthcheck",
    Severity.INFO,
    "The image has no HEALTHCHECK",
    enabled=False,
)
def missing_healthcheck(context, options):
    """## What it does
    Flags a Dockerfile whose final stage (and the stages it is built FROM) has no
    `HEALTHCHECK`. hadolint's DL3057. Off by default: turn it on with
    `extend-select = ["DF511"]`.

    ## Why is this bad?
    Without a health check, Docker and Swarm only know whether the process runs, not whether
    it serves: a hung server stays "up". Orchestrators with their own probes (Kubernetes)
    do not use it, which is why the rule is opt-in. Base images may define one that dlint
    cannot see.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    CMD ["python3", "-m", "http.server", "8000"]
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    HEALTHCHECK CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000')"]
    CMD ["python3", "-m", "http.server", "8000"]
    ```

    ## Fix
    None: what "healthy" means is the program's.
    """
    stages = context.dockerfile.stages
    if not stages:
        return
    final = stages[-1]
    if not any(i.keyword == "HEALTHCHECK" for stage in final.chain for i in stage.instructions):
        yield Violation(final.from_instruction.keyword_span, "the image has no HEALTHCHECK")


@rule(
    "DF512",
    "non-numeric-user",
    Severity.INFO,
    "USER names a user instead of a numeric UID",
    enabled=False,
    needs=("USER",),
)
def non_numeric_user(context, options):
    """## What it does
    Flags a `USER` given as a name (`USER app`) rather than a numeric UID (`USER 10001`, or
    `10001:10001`). `root` (DF502's concern) and Windows stages are not flagged. Off by default: turn it on with `extend-select = ["DF512"]`.

    ## Why is this bad?
    Kubernetes' `runAsNonRoot` can only verify a numeric user: with a name the pod is
    refused ("container has runAsNonRoot and image has non-numeric user"), because the name
    could map to UID 0 inside the image.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN useradd -u 10001 app
    USER app
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN useradd -u 10001 app
    USER 10001
    ```

    ## Fix
    None: the UID is in the image, not in the Dockerfile.
    """
    for stage in context.dockerfile.stages:
        for instruction in stage.instructions:
            if instruction.keyword != "USER":
                continue
            user = instruction.args.strip().split(":", 1)[0]
            if not instruction.is_posix_shell:
                continue  # Windows users (ContainerAdministrator) have no UIDs
            if user and not user.isdigit() and "$" not in user and user != "root":
                yield Violation(instruction.keyword_span, f"USER '{user}' is a name: use its numeric UID")


@rule(
    "DF514",
    "missing-user",
    Severity.INFO,
    "The image never sets a USER",
    enabled=False,
)
def missing_user(context, options):
    """## What it does
    Flags a Dockerfile whose final stage (with the stages it is built FROM) has no `USER`
    instruction (hadolint has no such rule). Off by default: turn it on with
    `extend-select = ["DF514"]`. Base images may set a user that dlint cannot see, which is
    why it is opt-in; DF502 flags an explicit `USER root`.

    ## Why is this bad?
    Without a `USER` the container runs as whatever the base image says, usually root: a
    compromised process is then root inside the container and one kernel bug away from root
    on the host.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    CMD ["sleep", "infinity"]
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    USER 65534
    CMD ["sleep", "infinity"]
    ```

    ## Fix
    None: which user the program needs is yours to decide.
    """
    stages = context.dockerfile.stages
    if not stages:
        return
    final = stages[-1]
    if final.base.is_scratch or not final.from_instruction.is_posix_shell:
        return  # scratch has no users; Windows containers use USER differently
    if not any(i.keyword == "USER" for stage in final.chain for i in stage.instructions):
        yield Violation(final.from_instruction.keyword_span, "the image sets no USER: it runs as the base image's user, usually root")
