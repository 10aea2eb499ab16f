from __future__ import annotations

from dlint.rule import Severity, Violation, rule


@rule(
    "DF401",
    "pipe-without-pipefail",
    Severity.WARNING,
    "A pipe in RUN hides the failure of the commands before its last",
)
def pipe_without_pipefail(context, options):
    """## What it does
    Flags a `RUN` with a pipe (`a | b`, except from `yes`, `echo` or `printf`) when neither the `SHELL` nor an earlier `set -o
    pipefail` in the same `RUN` makes the pipe fail when its first command fails.

    ## Why is this bad?
    A pipe's status is that of its last command. `curl -fsSL URL | tar -xz` succeeds when the
    download fails and `tar` reads nothing, so the build goes on with a broken layer, and
    the cache then keeps it.

    ## Example
    ```dockerfile
    RUN curl -fsSL https://example.invalid/tool.tgz | tar -xz -C /opt
    ```

    ## Use instead
    ```dockerfile
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://example.invalid/tool.tgz | tar -xz -C /opt
    ```

    ## Fix
    None: the right shell (bash has pipefail, older dash does not) depends on the image.
    """
    for _stage, instruction, facts in context.runs:
        if "|" not in instruction.raw:
            continue  # no pipe anywhere in its source (heredoc bodies included): nothing to ask
        if "pipefail" in " ".join(instruction.shell):
            continue
        protected = False
        last = {False: None, True: None}  # the last command outside and inside $(…)
        commands = facts.script.commands
        for index, command in enumerate(commands):
            words = command.words
            if words and words[0].value == "set" and any("pipefail" in (w.value or "") for w in words[1:]):
                protected = True
            # Also a pipe into a compound command (`| while …`, `| { …; }`, `| ( … )`): its
            # first command carries the pipe.
            previous = last[command.nested]
            if command.operator in ("|", "|&") and not protected and previous is not None:
                # `yes | …` and `echo … | …` cannot fail in a way worth a pipefail (and `yes` would
                # trip it: it dies of SIGPIPE when the reader is done).
                if previous.name not in ("yes", "echo", "printf") and not _handled(commands, index):
                    yield Violation(
                        instruction.keyword_span,
                        f"a pipe without `set -o pipefail` hides a failure of `{_quote(previous)}` "
                        "(a pipe's status is that of its last command)",
                    )
                    break
            last[command.nested] = command


def _quote(command, limit=48):
    text = command.source
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _handled(commands, index):
    """Whether the pipe's failure is handled anyway: the pipeline is followed by `|| …`."""
    nested = commands[index].nested
    for command in commands[index + 1 :]:
        if command.nested != nested:
            continue
        if command.operator in ("|", "|&"):
            continue
        return command.operator == "||"
    return False
