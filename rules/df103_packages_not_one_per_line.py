from __future__ import annotations

from collections import Counter

from dlint.packages import INSTALL, runs_with_facts
from dlint.rule import Edit, Fix, Severity, Violation, rule
from dlint.source import Span


@rule(
    "DF103",
    "packages-not-one-per-line",
    Severity.STYLE,
    "Packages of one install are not each on their own line",
    options={"min-packages": 2},
    fixable=True,
)
def packages_not_one_per_line(dockerfile, options):
    """## What it does
    Flags an install that names two or more packages (see the `min-packages` option) when
    they are not each on a line of their own.

    ## Why is this bad?
    With one package per line, adding, removing or pinning a package is a one-line change:
    reviews show exactly what changed, merges do not conflict, and duplicates and ordering
    mistakes stand out. A long line of packages hides all of that.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates git \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            ca-certificates \\
            curl \\
            git \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    `--fix` puts each package on its own continued line, indented one level deeper than the
    line of the install, with the file's escape character. It leaves the install alone when
    a comment or an option stands among the packages.
    """
    minimum = int(options.get("min-packages", 2))
    for _stage, instruction, facts in runs_with_facts(dockerfile):
        if instruction.exec_form is not None:
            continue
        for install in facts.calls_of(INSTALL):
            packages = install.packages
            if len(packages) < minimum:
                continue
            words_per_line = Counter(word.span.line for word in install.command.words)
            for package in packages:
                if words_per_line[package.word.span.line] > 1:
                    yield Violation(
                        packages[0].word.span,
                        f"{len(packages)} packages of this `{install.program.value} install` are not "
                        "each on their own line",
                        _one_per_line_fix(dockerfile, install),
                    )
                    break


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _one_per_line_fix(dockerfile, install):
    packages, words = install.packages, install.command.words
    first, last = packages[0].word, packages[-1].word
    start = words.index(first)
    if words[start : start + len(packages)] != [p.word for p in packages]:
        return None  # an option stands among the packages
    if any(first.span.line <= c.line <= last.span.end_line for c in dockerfile.comments):
        return None
    if any(p.word.span.line != p.word.span.end_line for p in packages):
        return None
    lines = dockerfile.lines
    first_line = lines[first.span.line - 1]
    starts_its_line = not first_line[: first.span.column - 1].strip()
    if starts_its_line:
        indent, lead = _indent(first_line), ""
    else:
        indent = _indent(lines[install.verb_word.span.line - 1]) + "    "
        lead = dockerfile.escape + "\n" + indent
    separator = " " + dockerfile.escape + "\n" + indent
    replacement = lead + separator.join(p.word.text for p in packages)
    span = Span(first.span.line, first.span.column, last.span.end_line, last.span.end_column)
    return Fix("put each package on its own line", (Edit(span, replacement),))
