from __future__ import annotations

from dlint.packages import INSTALL, UPDATE
from dlint.rule import Edit, Fix, Severity, Violation, rule
from dlint.source import Span


@rule(
    "DF107",
    "package-cache-left-in-layer",
    Severity.WARNING,
    "The package index is downloaded but not removed in the same RUN",
    fixable=True,
)
def package_cache_left_in_layer(context, options):
    """## What it does
    Flags a `RUN` that updates the package index (`apt-get update`) but does not delete it later
    in the same `RUN` (`rm -rf /var/lib/apt/lists/*`, or `apt-get dist-clean` with apt 2.7 and
    later, as in Debian trixie), in a stage whose layers reach the final image. `apt-get clean`
    is not enough: it deletes the downloaded packages, not the index. A BuildKit cache mount on
    `/var/lib/apt` or `/var/lib/apt/lists` keeps the index out of the layer, so such a `RUN` is
    fine. Builder stages that are only copied from are not checked.

    ## Why is this bad?
    The index is tens of MB of files nobody needs at run time, and every layer is shipped
    and stored as built. Measured with `dlint build` on a local Debian bookworm image with
    compressed indexes, as in the official image (`fixtures/build/split` against
    `fixtures/build/onerun`): `apt-get update`, `apt-get install -y curl` and `rm -rf
    /var/lib/apt/lists/*` as three layers gave a 153.8 MB image, the same in one `RUN` 133.9
    MB; the 19.9 MB difference is exactly the index. Uncompressed indexes and more
    repositories make it several times larger.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```
    or, on Debian trixie and later (apt 2.7 and later):
    ```dockerfile
    FROM debian:trixie-slim
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.4.1-2 \\
        && apt-get dist-clean
    ```
    or, with BuildKit, cache mounts that keep apt's index and downloads out of the image and
    between builds:
    ```dockerfile
    RUN rm -f /etc/apt/apt.conf.d/docker-clean
    RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
        --mount=type=cache,target=/var/lib/apt,sharing=locked \\
        apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1
    ```
    `sharing=locked` matters: apt needs its directories to itself, and two builds sharing the
    cache at the same time would otherwise break each other. The official Debian and Ubuntu
    images ship `/etc/apt/apt.conf.d/docker-clean`, which deletes downloaded packages after
    every install, so a cache mount on `/var/cache/apt` stays empty until that file is removed
    as above (the index under `/var/lib/apt` is cached either way).

    ## Fix
    `--fix` appends `&& rm -rf /var/lib/apt/lists/*` on a continued line at the end of the
    `RUN` (shell form, without heredocs, when the RUN does not end in an operator), but only
    when the RUN installs after its update: an index that a later RUN installs from is
    needed there (see DF101).
    """
    dockerfile = context.dockerfile
    for stage, instruction, facts in context.runs:
        if stage is None or not stage.reaches_final:
            continue
        updates = facts.calls_of(UPDATE)
        if not updates:
            continue
        manager = updates[-1].manager
        # Deleting an index that a later RUN still installs from would break the build.
        installs_after = any(c.index > updates[-1].index for c in facts.calls_of(INSTALL, manager))
        for directory in manager.index_dirs:
            if facts.mounts_cache(directory) or facts.removes(directory, after=updates[-1].index):
                continue
            yield Violation(
                instruction.keyword_span,
                f"`{updates[-1].program.value} update` leaves {directory} in this layer: "
                f"add `rm -rf {directory}/*` at the end of this RUN",
                _append_cleanup(dockerfile, instruction, directory) if installs_after else None,
            )
            break


def _append_cleanup(dockerfile, instruction, directory):
    if instruction.exec_form is not None or instruction.heredocs or instruction.unterminated:
        return None
    text = instruction.text.text.rstrip()
    if not text or text[-1] in ";&|" or text.endswith(dockerfile.escape):
        return None
    line, column = instruction.text.position(len(text) - 1)
    indent = " " * (instruction.column - 1) + "    "
    addition = f" {dockerfile.escape}\n{indent}&& rm -rf {directory}/*"
    return Fix(f"remove {directory} in the same RUN", (Edit(Span(line, column + 1, line, column + 1), addition),))
