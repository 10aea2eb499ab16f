from __future__ import annotations

from dlint.rule import Severity, Violation, rule


def _unseen(stage) -> bool:
    """Whether what the stage holds cannot be judged: it starts from scratch (only what was
    put in), from an image named by a variable, or is only an alias of an image (a FROM and
    nothing else)."""
    chain = stage.chain
    root = chain[0].base
    return root.is_scratch or any(s.base.has_variable for s in chain) or all(
        len(s.instructions) == 1 for s in chain
    )


@rule(
    "DF212",
    "copy-whole-filesystem",
    Severity.WARNING,
    "`COPY --from=stage / /` copies a whole filesystem",
    needs=("COPY",),
)
def copy_whole_filesystem(context, options):
    """## What it does
    Flags `COPY --from=stage / /`: the whole root filesystem of another stage copied over
    this one's. A stage built `FROM scratch` holds only what was put in it (the usual way to
    hand over a set of binaries), and an image named in `--from` cannot be seen: neither is
    flagged, nor is a stage that only names an image (`FROM tool:1.0 AS tool` and nothing
    else). hadolint's DL3067 flags them all.

    ## Why is this bad?
    Everything comes along: the other stage's package databases, caches, compilers and
    `/etc` overwrite this stage's own, so the result mixes two distributions' files (a
    broken `dpkg` status, the wrong `/etc/passwd`) and is as large as both. Copy the
    directories you need, or build `FROM` that stage.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016 AS build
    RUN mkdir -p /opt/app && echo built > /opt/app/out.txt
    FROM debian:bookworm-20241016
    COPY --from=build / /
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016 AS build
    RUN mkdir -p /opt/app && echo built > /opt/app/out.txt
    FROM debian:bookworm-20241016
    COPY --from=build /opt/app /opt/app
    ```

    ## Fix
    None: which directories you need is yours to say.
    """
    dockerfile = context.dockerfile
    by_name = {stage.name.lower(): stage for stage in dockerfile.stages if stage.name}
    for instruction in context.instructions_of("COPY"):
        if not instruction.flag("from") or instruction.heredocs:
            continue
        source_name = (instruction.flag("from")[0].value or "").strip("\"'")
        if source_name.isdigit() and int(source_name) < len(dockerfile.stages):
            source = dockerfile.stages[int(source_name)]
        else:
            source = by_name.get(source_name.lower())
        if source is None or _unseen(source):
            continue
        destination = instruction.destination
        if destination is not None and destination.value == "/" and any(s.value == "/" for s in instruction.sources):
            yield Violation(instruction.keyword_span, "this COPY copies the other stage's whole filesystem over this one")
