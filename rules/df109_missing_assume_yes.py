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
            if _fixes_nothing(call, commands, context, instruction):
                continue  # `dpkg -i x.deb && apt-get -f install`: runs only when nothing is broken
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


def _fixes_nothing(call, commands, context, instruction) -> bool:
    """`apt-get -f install` naming no package prompts only for the dependencies a failed
    `dpkg -i` left broken; where it runs only when every command before it succeeded (after
    `&&`, under `set -e`, or first in its RUN when no earlier RUN let a failed `dpkg -i` pass
    with `||`), there is nothing to fix and nothing to ask."""
    if call.packages or call.from_stdin or not call.fixes_broken:
        return False
    if call.index == 0:  # (the earlier RUNs are looked at only here)
        return not _left_broken_before(context, instruction)
    if call.command.operator == "&&":
        return True
    return any(
        command.name == "set" and any(_sets_errexit(w.value or "") for w in command.words[1:])
        for command in commands[: call.index]
    )


def _left_broken_before(context, instruction) -> bool:
    """Whether an earlier RUN of the stage let a `dpkg -i` fail on (`dpkg -i x.deb || true`)."""
    for run in context.runs:
        if run.instruction.line >= instruction.line:
            break
        if run.stage is None or run.stage.index != instruction.stage_index:
            continue
        commands = run.facts.script.commands
        for index, command in enumerate(commands[:-1]):
            installs = command.name == "dpkg" and any((w.value or "") in ("-i", "--install") for w in command.words)
            if installs and commands[index + 1].operator == "||":
                return True
    return False


def _sets_errexit(option: str) -> bool:
    return option == "errexit" or (option.startswith("-") and not option.startswith("--") and "e" in option[1:])


_YES = {"zypper": "-n"}  # zypper's global --non-interactive (install also takes -y)


def _insert_after(span, text, description):
    if span.line != span.end_line:
        return None
    point = Span(span.end_line, span.end_column, span.end_line, span.end_column)
    return Fix(description, (Edit(point, text),))

