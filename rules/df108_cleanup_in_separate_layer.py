from __future__ import annotations

import posixpath
import re

from dlint.packages import CLEAN, INSTALL, UPDATE, UPGRADE, removes_directory
from dlint.rule import Severity, Violation, rule

# What fills which directory: the index comes from update, package caches from installs.
_FILLS_INDEX = (UPDATE,)
_FILLS_CACHE = (INSTALL, UPGRADE)
_DOWNLOAD_OUTPUT = {"curl": ("-o", "--output"), "wget": ("-O", "--output-document")}
_GLOB_CHAR = re.compile(r"[*?[]")


def _created_paths(context, instruction):
    """Files an instruction is known to create: COPY/ADD destinations, curl/wget outputs."""
    if instruction.keyword in ("COPY", "ADD"):
        words = instruction.exec_form or instruction.args.split()
        if len(words) >= 2 and not instruction.heredocs:
            yield posixpath.normpath(words[-1])
        return
    if instruction.keyword != "RUN":
        return
    facts = context.facts(instruction)
    if facts.programs.isdisjoint(_DOWNLOAD_OUTPUT):  # most RUNs download nothing
        return
    for command in facts.script.commands:
        flags = _DOWNLOAD_OUTPUT.get((command.words[0].value or "").rsplit("/", 1)[-1])
        if not flags:
            continue
        values = [w.value for w in command.words]
        for flag, target in zip(values, values[1:]):
            if flag in flags and target:
                yield posixpath.normpath(target)


@rule(
    "DF108",
    "cleanup-in-separate-layer",
    Severity.WARNING,
    "A RUN deletes files that an earlier layer created, which saves nothing",
)
def cleanup_in_separate_layer(context, options):
    """## What it does
    Flags a `RUN` that deletes what an earlier layer of the same image created: package
    indexes and caches (`rm -rf /var/lib/apt/lists/*`, `apt-get clean`) after the install ran
    in an earlier `RUN`, or a file that an earlier `COPY`, `ADD` or `curl -o`/`wget -O`
    wrote. Only stages whose layers reach the final image are checked.

    ## Why is this bad?
    Layers are stacked, never rewritten: deleting a file in a later layer only hides it. The
    earlier layer still carries every byte, the image does not shrink, and one more (empty)
    layer is added. Measured with `dlint build` on a local Debian bookworm image
    (`fixtures/build/split`): the separate `rm -rf /var/lib/apt/lists/*` layer is 0 B, and the
    image stays 19.9 MB (the whole index) larger than the one that cleans up in the
    installing `RUN`. A file that a `COPY` brings in only to be run once cannot be deleted in
    its own layer; with BuildKit, a bind mount keeps it out of the image altogether.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1
    RUN rm -rf /var/lib/apt/lists/*
    ```
    ```dockerfile
    COPY install.sh /tmp/install.sh
    RUN sh /tmp/install.sh && rm /tmp/install.sh
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```
    ```dockerfile
    RUN --mount=type=bind,source=install.sh,target=/tmp/install.sh \\
        sh /tmp/install.sh
    ```

    ## Fix
    None: moving the cleanup means merging RUNs, which is left to you.
    """
    dockerfile = context.dockerfile
    for stage in dockerfile.stages:
        if not stage.reaches_final:
            continue
        # Stages this one is built FROM count as earlier layers too.
        chain = stage.chain
        # What earlier layers did, kept up to date as we go (one pass, not a rescan per RUN).
        earlier = _EarlierLayers(context)
        for instruction in (i for s in chain for i in s.instructions):
            if instruction.keyword == "RUN" and instruction.stage_index == stage.index:
                violation = _check_run(context.facts(instruction), instruction, earlier)
                if violation:
                    yield violation
            earlier.add(instruction)


class _EarlierLayers:
    def __init__(self, context):
        self.context = context
        self.filled = {}  # (manager name, verb) -> line of the last RUN that ran it
        self.managers = {}  # name -> Manager, for every manager an earlier RUN used
        self.created = []  # (path, line) of files earlier instructions wrote
        self.under = {}  # each created path and each of its directories -> last line

    def add(self, instruction):
        if instruction.keyword not in ("RUN", "COPY", "ADD"):  # the others create nothing
            return
        for path in _created_paths(self.context, instruction):
            self.created.append((path, instruction.line))
            while True:
                self.under[path] = instruction.line
                parent = posixpath.dirname(path)
                if parent == path:
                    break
                path = parent
        if instruction.keyword == "RUN":
            for call in self.context.facts(instruction).calls:
                self.managers[call.manager.name] = call.manager
                self.filled[(call.manager.name, call.verb)] = instruction.line

    def created_under(self, pattern):
        """Line of the last instruction that created ``pattern`` or something below it."""
        if not _GLOB_CHAR.search(pattern):  # a plain path: one look-up
            return self.under.get(posixpath.normpath(pattern))
        # A glob: only worth matching when something was created in its fixed directory.
        fixed = posixpath.dirname(_GLOB_CHAR.split(pattern, maxsplit=1)[0]) or "/"
        if posixpath.normpath(fixed) not in self.under:
            return None
        for created, line in reversed(self.created):
            if _removes_path(pattern, created):
                return line
        return None

    def filled_by(self, manager, roles):
        lines = [self.filled[(manager.name, r)] for r in roles if (manager.name, r) in self.filled]
        return max(lines) if lines else None


def _check_run(facts, instruction, earlier):
    for call in facts.calls_of(CLEAN):
        line = _filled_earlier(call.manager, _FILLS_CACHE, call.index, facts, earlier)
        if line:
            return Violation(
                instruction.keyword_span,
                f"`{call.program.value} {call.verb_word.value}` cleans a cache that the RUN at line "
                f"{line} filled; that layer keeps it, so the image does not shrink",
            )
    for removal in facts.removals:
        for path in removal.paths:
            for manager in earlier.managers.values():
                for directories, roles in ((manager.index_dirs, _FILLS_INDEX), (manager.cache_dirs, _FILLS_CACHE)):
                    if not any(removes_directory(path.value, d) for d in directories):
                        continue
                    line = _filled_earlier(manager, roles, removal.index, facts, earlier)
                    if line:
                        return _violation(instruction, path, line)
            if path.value:
                line = earlier.created_under(path.value)
                if line:
                    return _violation(instruction, path, line)
    return None


def _violation(instruction, path, line):
    return Violation(
        instruction.keyword_span,
        f"`rm {path.text}` deletes what line {line} created; that layer keeps the bytes, so the "
        "image does not shrink: delete it in the instruction that creates it",
    )


def _filled_earlier(manager, roles, index, facts, earlier):
    """The line of the earlier RUN whose ``roles`` calls filled the directory, unless this RUN
    fills it itself before command ``index``."""
    if any(c.manager is manager and c.verb in roles and c.index < index for c in facts.calls):
        return None
    return earlier.filled_by(manager, roles)


def _removes_path(pattern, created):
    return removes_directory(pattern, created) or posixpath.normpath(pattern) == created
