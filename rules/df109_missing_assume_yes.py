from __future__ import annotations

from dlint.packages import INSTALL
from dlint.rule import Edit, Fix, Severity, Violation, rule
from dlint.source import Span


@rule(
    "DF109",
    "missing-assume-yes",
    Severity.ERROR,
    "A package install that would stop to ask for confirmation",
    fixable=True,
)
def missing_assume_yes(context, options):
    """## What it does
    Flags `apt-get install` without `-y` (`--yes`, `--assume-yes`, `-qq`, or
    `-o APT::Get::Assume-Yes=true`).

    ## Why is this bad?
    A build has no terminal to answer `Do you want to continue? [Y/n]`: apt reads end of
    input, answers no and aborts, so the build fails as soon as the install pulls in more
    than the named packages, which depends on the base image and the day.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install --no-install-recommends curl
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    ## Fix
    `--fix` adds `-y` after `install`.
    """
    for _stage, instruction, facts in context.runs:
        commands = facts.script.commands
        for install in facts.calls_of(INSTALL):
            if install.has_option(install.manager.assume_yes):
                continue
            if (install.config("APT::Get::Assume-Yes") or "").lower() in ("true", "yes", "1"):
                continue
            piped_yes = install.command.operator == "|" and install.index > 0 and (
                commands[install.index - 1].name == "yes"
            )
            if piped_yes:
                continue
            verb = install.verb_word.span
            yield Violation(
                instruction.keyword_span,
                f"`{install.program.value} install` without `-y` stops at the confirmation prompt "
                "and aborts the build",
                _insert_after(verb, " -y", "add -y"),
            )
            break


def _insert_after(span, text, description):
    if span.line != span.end_line:
        return None
    point = Span(span.end_line, span.end_column, span.end_line, span.end_column)
    return Fix(description, (Edit(point, text),))
