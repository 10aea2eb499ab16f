from __future__ import annotations

from dlint.packages import INSTALL
from dlint.rule import Edit, Fix, Severity, rule, violation


@rule(
    "DF104",
    "packages-unsorted",
    Severity.STYLE,
    "Packages of one install are not in ascending order",
    fixable=True,
)
def packages_unsorted(context, options):
    """## What it does
    Flags the first package of an install that comes before the package above it in plain
    string order. Variables (`$PKGS`), local `.deb` paths and options are skipped.

    ## Why is this bad?
    A sorted list makes duplicates visible next to each other, makes a diff of the list
    readable and gives every package one obvious place, so two people adding packages rarely
    conflict (they still do when they add neighbours). It costs nothing at build time.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            patch=2.7.6-7 \\
            make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            make=4.3-4.1 \\
            patch=2.7.6-7 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    `--fix` sorts the named packages in place: each package takes the place of another, so
    the layout, the continuations and the variables and paths between them stay where they
    are. When a comment stands among the package lines, it may describe one of them, so
    nothing is moved.
    """
    dockerfile = context.dockerfile
    for _stage, instruction, install in context.package_calls(INSTALL):
        named = [p for p in install.packages if p.kind == "name"]  # (is_name, without a call)
        for previous, package in zip(named, named[1:]):
            if package.name < previous.name:
                yield violation(
                    package.word.span,
                    f"'{package.name}' should come before '{previous.name}'",
                    _sort_fix(dockerfile, instruction, install, named),
                )
                break


def _sort_fix(dockerfile, instruction, install, named):
    """The fix, or None when none is offered; its edits are worked out only when read."""
    # On a RUN of one line (no heredoc) no comment or multi-line word can stand among the
    # packages: no position needs working out.
    if instruction.line != instruction.end_line or instruction.heredocs:
        # A comment from the install's line down may describe a package: then nothing moves.
        first, last = install.verb_word.span.line, named[-1].word.span.line
        for comment in dockerfile.comments:
            if first <= comment.line <= last:
                return None
        for package in named:
            span = package.word.span
            if span.line != span.end_line:
                return None

    def edits():
        ordered = sorted(named, key=lambda p: (p.name, p.word.text))
        return tuple(
            Edit(slot.word.span, package.word.text)
            for slot, package in zip(named, ordered)
            if slot.word.text != package.word.text
        )

    return Fix("sort the packages", edits)
