from __future__ import annotations

import re

from dlint.rule import Edit, Fix, Severity, Violation, rule

_ARCHIVE = re.compile(r"\.(tar|tar\.\w+|tgz|tbz2?|txz|tzst)$", re.I)
_REMOTE = re.compile(r"^(https?|git)://|^git@|\.git(#.*)?$", re.I)


@rule(
    "DF302",
    "add-instead-of-copy",
    Severity.WARNING,
    "ADD is used for plain local files; COPY says what it does",
    fixable=True,
)
def add_instead_of_copy(context, options):
    """## What it does
    Flags `ADD` whose sources are all local files or directories that `ADD` would only copy.
    Sources that `ADD` may unpack or fetch are not flagged: a name of a tar archive or a
    compressed file (`.tar`, `.tar.gz`, `.tgz`, `.xz` …), a file-system image (`rootfs.img`),
    a URL, a Git source, or a variable whose value is unknown.

    ## Why is this bad?
    `ADD` does more than copy: it unpacks local tar archives and fetches URLs and Git
    repositories. It decides whether to unpack a local file by its content, not its name: a
    tar archive called `tool.bin` is unpacked too, and an empty `x.tar.gz` is copied as it
    is. When none of that is meant, `COPY` says what it does, and a file that later becomes an
    archive is not silently unpacked into the image.

    ## Example
    ```dockerfile
    ADD app.conf /etc/app.conf
    ```

    ## Use instead
    ```dockerfile
    COPY app.conf /etc/app.conf
    ```

    ## Fix
    `--fix` replaces the keyword `ADD` with `COPY` (same case as written).
    """
    dockerfile = context.dockerfile
    for instruction in dockerfile.instructions:
        if instruction.keyword != "ADD" or instruction.heredocs:
            continue
        sources = (instruction.exec_form or instruction.args.split())[:-1]
        if not sources or any(_ARCHIVE.search(s) or _REMOTE.search(s) or "$" in s for s in sources):
            continue
        replacement = "COPY" if instruction.keyword_text.isupper() else "copy"
        yield Violation(
            instruction.keyword_span,
            "use COPY for local files: ADD also unpacks archives and fetches URLs",
            Fix("use COPY", (Edit(instruction.keyword_span, replacement),)),
        )
