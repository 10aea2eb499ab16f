from __future__ import annotations

from dlint.rule import Edit, Fix, Severity, Violation, rule


@rule(
    "DF505",
    "maintainer-deprecated",
    Severity.STYLE,
    "MAINTAINER is deprecated; a label says who maintains the image",
    fixable=True,
    needs=("MAINTAINER",),
)
def maintainer_deprecated(context, options):
    """## What it does
    Flags `MAINTAINER`. BuildKit's `MaintainerDeprecated` check; hadolint's DL4000.

    ## Why is this bad?
    `MAINTAINER` has been deprecated since Docker 1.13: it sets the image's legacy `Author`
    field, which tools that read labels (registries, scanners, `docker inspect` users) do
    not look at. The OCI label `org.opencontainers.image.authors` is the standard place.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    MAINTAINER Jane Doe <jane@example.com>
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    ```

    ## Fix
    `--fix --unsafe-fixes` replaces the instruction with that label. Unsafe: the image's
    `Author` field is no longer set, and something may read it.
    """
    for instruction in context.instructions_of("MAINTAINER"):
        author = instruction.args.strip()
        fix = None
        if author and instruction.line == instruction.end_line:
            # MAINTAINER takes its text as written; LABEL expands variables: escape `$` too.
            quoted = author.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
            keyword = "LABEL" if instruction.keyword_text.isupper() else "label"
            line = context.dockerfile.lines[instruction.line - 1]
            span = instruction.keyword_span._replace(end_column=len(line.rstrip()) + 1)
            fix = Fix(
                "use the org.opencontainers.image.authors label",
                (Edit(span, f'{keyword} org.opencontainers.image.authors="{quoted}"'),),
                safe=False,
            )
        yield Violation(
            instruction.keyword_span,
            "MAINTAINER is deprecated: use `LABEL org.opencontainers.image.authors=…`",
            fix,
        )
