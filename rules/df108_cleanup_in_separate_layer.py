from __future__ import annotations

import posixpath

from dlint.layers import INDEX
from dlint.packages import removes_directory
from dlint.rule import Severity, Violation, rule
from dlint.startup import lazy_pattern

_DOWNLOAD_OUTPUT = {"curl": ("-o", "--output"), "wget": ("-O", "--output-document")}
_GLOB_CHAR = lazy_pattern(r"[*?[]")


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
        instructions = [i for s in stage.chain for i in s.instructions]
        # Package indexes and caches are followed by the layer model (dlint.layers); other
        # files earlier instructions wrote are indexed here, only once a RUN deletes some
        # (then kept up to date as we go: one pass, not a rescan per RUN).
        earlier = None
        for position, instruction in enumerate(instructions):
            if instruction.keyword == "RUN" and instruction.stage_index == stage.index:
                violation = _model_violation(context, instruction)
                if violation is None:
                    paths = _deleted_paths(context.facts(instruction))
                    if paths:
                        if earlier is None:
                            earlier = _EarlierLayers(context)
                            for before in instructions[:position]:
                                earlier.add(before)
                        violation = _created_violation(instruction, paths, earlier)
                if violation:
                    yield violation
            if earlier is not None:
                earlier.add(instruction)


class _EarlierLayers:
    def __init__(self, context):
        self.context = context
        self.created = []  # (path, line) of files earlier instructions wrote
        self.under = {}  # each created path and each of its directories -> last line
        self.keywords = {}  # line -> keyword of the instruction that created something there

    def add(self, instruction):
        keyword = instruction.keyword
        if keyword == "RUN":
            if self.context.facts(instruction).programs.isdisjoint(_DOWNLOAD_OUTPUT):
                return  # most RUNs download nothing (known here, without making a generator)
        elif keyword not in ("COPY", "ADD"):  # the others create nothing
            return
        for path in _created_paths(self.context, instruction):
            self.keywords[instruction.line] = instruction.keyword
            self.created.append((path, instruction.line))
            while True:
                self.under[path] = instruction.line
                parent = posixpath.dirname(path)
                if parent == path:
                    break
                path = parent

    def created_under(self, pattern):
        """Line of the last instruction that created ``pattern`` or something below it."""
        if not _GLOB_CHAR().search(pattern):  # a plain path: one look-up
            return self.under.get(posixpath.normpath(pattern))
        # A glob: only worth matching when something was created in its fixed directory.
        fixed = posixpath.dirname(_GLOB_CHAR().split(pattern, maxsplit=1)[0]) or "/"
        if posixpath.normpath(fixed) not in self.under:
            return None
        for created, line in reversed(self.created):
            if _removes_path(pattern, created):
                return line
        return None


def _model_violation(context, instruction):
    effects = context.effects(instruction)
    if effects.removals:
        # The layer model: a removal (rm, find -delete, apt-get clean / dist-clean) of an index
        # or cache that an earlier layer still holds, when this RUN had not written it again.
        removal = next((r for r in effects.removals if r.kind == INDEX), effects.removals[0])
        if removal.kind == INDEX:
            message = (
                f"`{_quote(removal.command)}` deletes the package index that the RUN at line {removal.line} "
                "left; that layer keeps the bytes, so the image does not shrink: delete it in that RUN"
            )
        else:
            message = (
                f"`{_quote(removal.command)}` in a RUN of its own saves nothing: the packages the RUN at line "
                f"{removal.line} downloaded stay in its layer (official Debian and Ubuntu images delete them "
                "already): clean in that RUN"
            )
        return Violation(instruction.keyword_span, message)
    return None


_MODELLED = ("/var/lib/apt/", "/var/cache/apt/")  # what the layer model follows


def _deleted_paths(facts):
    """(removal, path) of what the RUN deletes that the layer model does not follow: absolute
    paths only (a relative one depends on the directory), not under a mount."""
    found = []
    masked = facts.masked  # seldom any: then no path needs normalizing
    for removal in facts.removals:
        for path in removal.paths:
            value = path.value
            if value and value.startswith("/") and not (value + "/").startswith(_MODELLED):
                if not masked or not facts.masks(posixpath.normpath(value)):
                    found.append((removal, path))
    return found


def _created_violation(instruction, paths, earlier):
    for removal, path in paths:
        line = earlier.created_under(path.value)
        if line:
            if earlier.keywords.get(line) in ("COPY", "ADD"):
                advice = "bring it in with `RUN --mount=type=bind` (or a build stage) instead of copying it"
            else:
                advice = "delete it in the instruction that creates it"
            return Violation(
                instruction.keyword_span,
                f"`{_quote(removal.command)}` deletes what line {line} created; that layer keeps "
                f"the bytes, so the image does not shrink: {advice}",
            )
    return None


def _quote(command, limit=72):
    """The command as written (shortened at a word when long)."""
    text = command.source
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _removes_path(pattern, created):
    return removes_directory(pattern, created) or posixpath.normpath(pattern) == created
