from __future__ import annotations

from dlint.rule import Severity, Violation, rule


@rule(
    "DF506",
    "copy-sources-need-directory",
    Severity.ERROR,
    "COPY or ADD of several sources to a destination that does not end in `/`",
    needs=("COPY", "ADD"),
)
def copy_sources_need_directory(context, options):
    """## What it does
    Flags `COPY` and `ADD` with two or more sources whose destination does not end in `/`
    (`.` and `..` are directories too). hadolint's DL3021.

    ## Why is this bad?
    With several sources the destination must be a directory, and the builder only takes it
    as one when it ends in `/`: the build fails with "When using COPY with more than one
    source file, the destination must be a directory and end with a /".

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    COPY app.conf extra.conf /etc/app
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    COPY app.conf extra.conf /etc/app/
    ```

    ## Fix
    None yet: add the `/` by hand.
    """
    for instruction in context.instructions_of("COPY", "ADD"):
        if instruction.heredocs:
            continue
        if "{{" in instruction.args or "}}" in instruction.args:
            continue  # a template's `{{ name }}` placeholder, read as words, is not several sources
        sources, destination = instruction.sources, instruction.destination
        if destination is None or len(sources) < 2 or "$" in destination.raw:
            continue
        destination = destination.value
        if destination.endswith(("/", "\\")) or destination in (".", "..") or destination.endswith(("/.", "/..")):
            continue
        yield Violation(
            instruction.keyword_span,
            f"{instruction.keyword} of {len(sources)} sources to '{destination}': the destination must end "
            f"in / ('{destination}/')",
        )
