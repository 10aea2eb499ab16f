from __future__ import annotations

from dlint.layers import ASSUME_YES
from dlint.packages import APT, PROMPTS
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
    Flags an `apt-get` command that may stop at apt's confirmation prompt because it has no
    `-y`: `install`, `upgrade` (`dist-upgrade`, `full-upgrade`), `remove`, `purge`,
    `autoremove` and `build-dep`. `-y` may be spelled `--yes`, `--assume-yes` or
    `-o APT::Get::Assume-Yes=true`, or come from an `apt.conf.d` file written earlier in the
    stage; quiet level 2 (`-qq`, `-q -q`, `-q=2`) implies it, and a simulation (`-s`,
    `--simulate`, `--dry-run`) never asks. The same holds for `dnf`, `yum` and `tdnf`
    (`install`, `upgrade`/`update`, `remove` without `-y`/`--assumeyes`) and `zypper` (without
    `-n`/`--non-interactive`, or `install -y`). apk, pip, npm and microdnf 3 never ask.

    ## Why is this bad?
    A build has no terminal to answer `Do you want to continue? [Y/n]`: apt reads end of
    input, answers no and aborts, so the build fails as soon as the command does more than
    exactly what was named (another package to pull in, to upgrade or to remove), which
    depends on the base image and the day.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    `--fix` adds `-y` after the verb (`install`, `upgrade`, `remove` …).
    """
    for _stage, instruction, facts in context.runs:
        commands = facts.script.commands
        for call in facts.calls:
            if call.verb not in PROMPTS or not call.manager.prompts or call.assumes_yes:
                continue  # -y in any spelling, -qq, -o APT::Get::Assume-Yes=true, -s
            if call.does_nothing:
                continue  # `apt-get install` naming no package
            piped_yes = call.command.operator == "|" and call.index > 0 and (
                commands[call.index - 1].name == "yes"
            )
            if piped_yes:
                continue
            if call.manager is APT and ASSUME_YES in context.effects(instruction).settings_at(call.command):
                continue  # an apt.conf.d file written earlier in the stage says Assume-Yes
            verb = call.verb_word.span
            yield Violation(
                instruction.keyword_span,
                f"`{call.program.value} {call.verb_text}` without `{_YES.get(call.manager.name, '-y')}` stops at "
                "the confirmation prompt and aborts the build",
                _insert_after(verb, " -y", "add -y"),
            )
            break


_YES = {"zypper": "-n"}  # zypper's global --non-interactive (install also takes -y)


def _insert_after(span, text, description):
    if span.line != span.end_line:
        return None
    point = Span(span.end_line, span.end_column, span.end_line, span.end_column)
    return Fix(description, (Edit(point, text),))

