from __future__ import annotations

from operator import is_

from dlint.packages import INSTALL
from dlint.rule import Edit, Fix, Severity, rule, violation
from dlint.source import Span


@rule(
    "DF103",
    "packages-not-one-per-line",
    Severity.STYLE,
    "Packages of one install are not each on their own line",
    options={"min-packages": 2},
    fixable=True,
)
def packages_not_one_per_line(context, options):
    """## What it does
    Flags an install that names two or more packages (see the `min-packages` option) when
    they are not each on a line of their own.

    ## Why is this bad?
    With one package per line, adding, removing or pinning a package is a one-line change:
    reviews show exactly what changed, duplicates and ordering mistakes stand out, and merge
    conflicts become rarer (two changes to the same or neighbouring lines still conflict). A
    long line of packages hides all of that.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 patch=2.7.6-7 unzip=6.0-28 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            make=4.3-4.1 \\
            patch=2.7.6-7 \\
            unzip=6.0-28 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    `--fix` puts each package on its own continued line, indented one level deeper than the
    line of the install, with the file's escape character. It leaves the install alone when
    a comment or an option stands among the packages.
    """
    dockerfile = context.dockerfile
    minimum = int(options.get("min-packages", 2))
    for _stage, instruction, install in context.package_calls(INSTALL):
        packages = install.packages
        if len(packages) < minimum or instruction.exec_form is not None or not packages:
            continue
        positions = _positions(install)
        if positions is None:
            continue
        # A RUN on one line (no heredoc): every word is on that line, and no comment or
        # multi-line word can stand among the packages; no position needs working out.
        one_line = instruction.line == instruction.end_line and not instruction.heredocs
        if one_line or _shares_a_line(install.command.words, positions):
            yield violation(
                packages[0].word.span,
                f"{len(packages)} packages of this `{install.program.value} {install.verb_text}` are not "
                "each on their own line",
                _one_per_line_fix(dockerfile, install, one_line, positions),
            )


def _positions(install):
    """The index of each package's word among its command's words (the same objects, in
    order). Found by identity, the scan done in C: comparing words with == would work out the
    position of every word."""
    words = install.command.words
    start = len(words) - len(install.packages)
    # Most installs end with their packages: then they are the last words (checked by identity,
    # in C), with no search.
    if start > 0 and all(map(is_, words[start:], [package.word for package in install.packages])):
        return range(start, len(words))
    ids = [id(word) for word in words]
    positions = []
    index = 0
    try:
        for package in install.packages:
            index = ids.index(id(package.word), index)
            positions.append(index)
    except ValueError:  # not among them (never seen): not judged
        return None
    return positions


def _shares_a_line(words, positions):
    """Whether a package stands on a line with another word of its command.

    A command's words come in source order, so their lines never decrease: a package shares
    a line with some word exactly when it shares one with a word next to it. Only those
    lines are looked up (a word's position is worked out on demand, and is not free)."""
    last = len(words) - 1
    for index in positions:
        line = words[index].span.line
        if (index > 0 and words[index - 1].span.line == line) or (
            index < last and words[index + 1].span.line == line
        ):
            return True
    return False


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _one_per_line_fix(dockerfile, install, one_line, positions):
    """The fix, or None when none is offered; its edit is worked out only when read."""
    packages = install.packages
    first = packages[0].word
    if positions[-1] - positions[0] != len(positions) - 1:
        return None  # an option stands among the packages
    if not one_line:
        spans = [p.word.span for p in packages]
        for span in spans:
            if span.line != span.end_line:
                return None
        top, bottom = spans[0].line, spans[-1].end_line
        for comment in dockerfile.comments:
            if top <= comment.line <= bottom:
                return None

    def edits():
        first_span, last_span = first.span, packages[-1].word.span
        lines = dockerfile.lines
        first_line = lines[first_span.line - 1]
        if not first_line[: first_span.column - 1].strip():  # the first package starts its line
            indent, lead = _indent(first_line), ""
        else:
            indent = _indent(lines[install.verb_word.span.line - 1]) + "    "
            lead = dockerfile.escape + "\n" + indent
        separator = " " + dockerfile.escape + "\n" + indent
        replacement = lead + separator.join(p.word.text for p in packages)
        span = Span(first_span.line, first_span.column, last_span.end_line, last_span.end_column)
        return (Edit(span, replacement),)

    return Fix("put each package on its own line", edits)
