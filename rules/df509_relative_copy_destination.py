from __future__ import annotations

from dlint.rule import Severity, Violation, rule
from dlint.startup import lazy_pattern

_ABSOLUTE = lazy_pattern(r"[/\\$]|[A-Za-z]:[/\\]")


@rule(
    "DF509",
    "relative-copy-destination",
    Severity.WARNING,
    "COPY or ADD to a relative path before any WORKDIR",
    needs=("COPY", "ADD"),
)
def relative_copy_destination(context, options):
    """## What it does
    Flags `COPY` and `ADD` with a relative destination (`app/`, `.`) when no `WORKDIR` of the
    stage (or of the stages it is built FROM) came before. hadolint's DL3045.

    ## Why is this bad?
    A relative destination is relative to the working directory, which is then the base
    image's: `/` for most, `/go` for golang, `/usr/local/tomcat` for tomcat. The files land
    wherever the base image points today, and somewhere else after it changes.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    COPY app.conf conf/
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    WORKDIR /srv/app
    COPY app.conf conf/
    ```

    ## Fix
    None: the directory you mean depends on the base image.
    """
    for stage in context.dockerfile.stages:
        has_workdir = any(i.keyword == "WORKDIR" for ancestor in stage.chain[:-1] for i in ancestor.instructions)
        for instruction in stage.instructions:
            if instruction.keyword == "WORKDIR":
                has_workdir = True
            if has_workdir or instruction.keyword not in ("COPY", "ADD") or instruction.heredocs:
                continue
            if "{{" in instruction.args or "}}" in instruction.args:
                continue  # a template's `{{ name }}` placeholder, read as words: no destination to judge
            destination = instruction.destination.value if instruction.destination is not None else None
            if destination and not _ABSOLUTE().match(destination):
                yield Violation(
                    instruction.keyword_span,
                    f"{instruction.keyword} to '{destination}' before any WORKDIR: it lands in the base image's "
                    "working directory; set WORKDIR or use an absolute path",
                )
