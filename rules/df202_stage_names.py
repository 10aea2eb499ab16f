"""Stage names: unique, not reserved, lower case (BuildKit's DuplicateStageName,
ReservedStageName and StageNameCasing checks)."""

from __future__ import annotations

from dlint.rule import Edit, Fix, Severity, Violation, rule

_RESERVED = frozenset({"scratch", "context"})


def _named_stages(context):
    """(stage, the name's word) for every FROM … AS name."""
    for stage in context.dockerfile.stages:
        words = stage.from_instruction.words
        if stage.name and len(words) == 3:
            yield stage, words[2]


@rule(
    "DF202",
    "duplicate-stage-name",
    Severity.ERROR,
    "Two stages have the same name",
)
def duplicate_stage_name(context, options):
    """## What it does
    Flags a `FROM … AS name` whose name an earlier stage already has. Names are compared
    without regard to case, as BuildKit does.

    ## Why is this bad?
    BuildKit refuses the file (`duplicate stage name`); older builders silently let
    `COPY --from=name` and `--target name` pick one of the two.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016 AS build
    RUN echo one > /one.txt
    FROM debian:bookworm-20241016 AS build
    COPY --from=build /one.txt /one.txt
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016 AS build
    RUN echo one > /one.txt
    FROM debian:bookworm-20241016 AS final
    COPY --from=build /one.txt /one.txt
    ```

    ## Fix
    None: renaming a stage means renaming its uses too.
    """
    seen: dict[str, int] = {}
    for stage, word in _named_stages(context):
        key = stage.name.lower()
        if key in seen:
            yield Violation(word.span, f"stage name '{stage.name}' is already used at line {seen[key]}")
        else:
            seen[key] = stage.from_instruction.line


@rule(
    "DF203",
    "reserved-stage-name",
    Severity.ERROR,
    "A stage is named `scratch` or `context`, words BuildKit reserves",
)
def reserved_stage_name(context, options):
    """## What it does
    Flags a stage named `scratch` or `context` (in any case; hadolint's DL3063 only in lower
    case).

    ## Why is this bad?
    `scratch` is the empty image and `context` names the build context in
    `COPY --from` and `RUN --mount=from=`: a stage of that name is refused by BuildKit
    (`scratch`) or makes those references ambiguous.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016 AS context
    RUN echo built > /out.txt
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016 AS build
    RUN echo built > /out.txt
    ```

    ## Fix
    None: renaming a stage means renaming its uses too.
    """
    for stage, word in _named_stages(context):
        if stage.name.lower() in _RESERVED:
            yield Violation(word.span, f"'{stage.name}' is reserved and cannot name a stage")


@rule(
    "DF204",
    "stage-name-casing",
    Severity.STYLE,
    "A stage name has upper-case letters",
    fixable=True,
)
def stage_name_casing(context, options):
    """## What it does
    Flags a stage name with upper-case letters (`FROM … AS Builder`).

    ## Why is this bad?
    Stage names are case-insensitive: `COPY --from=builder` finds `Builder`. Writing them
    in one case (lower, as image names are) keeps every reference to a stage spelled the same
    and searchable. `docker build` warns about it (`StageNameCasing`).

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016 AS Build
    RUN echo built > /out.txt
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016 AS build
    RUN echo built > /out.txt
    ```

    ## Fix
    `--fix` writes the name in lower case where it is defined. Safe: references match it
    without regard to case.
    """
    for stage, word in _named_stages(context):
        if stage.name != stage.name.lower():
            lowered = stage.name.lower()
            yield Violation(
                word.span,
                f"stage name '{stage.name}' should be lower case: '{lowered}'",
                Fix(f"rename to '{lowered}'", (Edit(word.span, lowered),)),
            )
