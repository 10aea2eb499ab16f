"""The lint context: what rules read, built once per file.

It holds the :class:`~dlint.dockerfile.Dockerfile` model and computes, lazily and in this one
place, what several rules need: every RUN with its stage and shell and package-manager facts,
the package-manager calls by role, and each RUN's layer effects (:mod:`dlint.layers`: what
it leaves in its layer and what the next layer sees). Rules never re-parse text and never keep caches of
their own; what they learn about a file they ask the context.

It also indexes the file once for all the rules: instructions by keyword and, per program a
rule asks about, the commands of every RUN that run it. Some sixty rules run on each file; each
used to walk every instruction or every command to find the few it checks (see
benchmarks/README.md).
"""

from __future__ import annotations

from dlint.dockerfile import Dockerfile, Instruction, Stage
from dlint.layers import RunEffects, effects_of
from dlint.packages import PackageCall, RunFacts, facts_of
from dlint.shell import Command
from dlint.startup import NamedTuple


class Run(NamedTuple):
    """A RUN instruction with its stage (None before the first FROM) and its facts."""

    stage: Stage | None
    instruction: Instruction
    facts: RunFacts


class PackageCallSite(NamedTuple):
    """A package-manager call with the stage and RUN it is in."""

    stage: Stage | None
    instruction: Instruction
    call: PackageCall


_NONE: tuple = ()
_PRESENT = object()  # the key of every program the file's RUNs run, in LintContext._programs
_new_tuple = tuple.__new__


class LintContext:
    __slots__ = ("dockerfile", "_facts", "_runs", "_calls", "_effects", "_keywords", "_programs",
                 "_context_dir", "_build_context", "_file_system")

    def __init__(self, dockerfile: Dockerfile, build_context: str | None = None, file_system=None) -> None:
        self.dockerfile = dockerfile
        self._context_dir = build_context  # --context DIR (None: the Dockerfile's folder)
        self._file_system = file_system  # the run's memo of folders (dlint.file_system), or None
        self._build_context = None
        self._facts: dict[int, RunFacts] = {}  # id(instruction) -> facts
        self._runs: list[Run] | None = None
        self._calls: dict[str | None, list[PackageCallSite]] = {}
        self._effects: dict[int, RunEffects] | None = None
        self._keywords: dict | None = None  # keyword (or a tuple of them) -> instructions
        self._programs: dict | None = None  # program (or a tuple of them) -> (run, command)s

    @property
    def path(self) -> str:
        return self.dockerfile.path

    def facts(self, instruction: Instruction) -> RunFacts:
        """Shell and package-manager facts of one RUN, computed once."""
        key = id(instruction)
        result = self._facts.get(key)
        if result is None:
            result = self._facts[key] = facts_of(instruction)
        return result

    def effects(self, instruction: Instruction) -> RunEffects:
        """What a RUN leaves in its layer and what the next layer sees (computed for the whole
        file on the first question)."""
        if self._effects is None:
            self._effects = effects_of(self.dockerfile, self.facts)
        return self._effects[id(instruction)]

    @property
    def runs(self) -> list[Run]:
        """Every RUN with its stage and facts, in file order (shared: do not modify)."""
        if self._runs is None:
            # Made for every file: the stage looked up as Dockerfile.stage_of does, and each Run
            # made with tuple.__new__ (what Run(…) calls through a generated function).
            stages = self.dockerfile.stages
            count = len(stages)
            facts = self.facts
            self._runs = [
                _new_tuple(Run, (stages[i.stage_index] if 0 <= i.stage_index < count else None, i, facts(i)))
                for i in self.dockerfile.runs()
            ]
        return self._runs

    def package_calls(self, role: str | None) -> list[PackageCallSite]:
        """Every package-manager call playing ``role`` (INSTALL …), with its stage and RUN, in
        file order (shared: do not modify)."""
        calls = self._calls.get(role)
        if calls is None:
            calls = self._calls[role] = [
                _new_tuple(PackageCallSite, (run.stage, run.instruction, call))  # as in ``runs``
                for run in self.runs
                for call in run.facts.calls_of(role)
            ]
        return calls

    @property
    def build_context(self):
        """The folder the image is built from and its .dockerignore (a
        :class:`dlint.build_context.BuildContext`, read on first use), or None when there is
        none to look at (standard input without ``--context``)."""
        if self._build_context is None:
            from dlint.build_context import BuildContext

            self._build_context = BuildContext.of(self.dockerfile.path, self._context_dir,
                                                 self._file_system) or False
        return self._build_context or None

    @property
    def keywords(self) -> dict:
        """The index of ``instructions_of``: its keys include the keyword of every instruction of
        ``dockerfile.instructions`` (``keyword in context.keywords``; shared: do not modify)."""
        index = self._keywords
        if index is None:
            index = self._keywords = {}
            for instruction in self.dockerfile.instructions:
                found = index.get(instruction.keyword)
                if found is None:
                    index[instruction.keyword] = [instruction]
                else:
                    found.append(instruction)
        return index

    def instructions_of(self, *keywords: str) -> list[Instruction] | tuple:
        """The instructions with one of these keywords, in file order (``dockerfile.instructions``:
        ONBUILD triggers are not among them; shared: do not modify)."""
        index = self._keywords
        if index is None:
            index = self.keywords

        if len(keywords) == 1:
            return index.get(keywords[0], _NONE)
        found = index.get(keywords)
        if found is None:  # several keywords: merged in file order, then remembered
            present = [k for k in keywords if k in index]
            if len(present) < 2:
                found = index[present[0]] if present else _NONE
            else:
                found = [i for i in self.dockerfile.instructions if i.keyword in keywords]
            index[keywords] = found
        return found

    def commands_of(self, *programs: str) -> list[tuple[Run, Command]] | tuple:
        """Every command of every RUN (``runs``) whose first word names one of these programs
        (its last path component: ``/usr/bin/sudo`` is ``sudo``), with its RUN, in file order
        (shared: do not modify)."""
        index = self._programs
        if index is None:
            # Each RUN's facts hold the set of its programs (the same names); their union
            # answers the questions about programs the file never runs.
            present = frozenset().union(*[run.facts.programs for run in self.runs])
            index = self._programs = {_PRESENT: present}
        key = programs[0] if len(programs) == 1 else programs
        found = index.get(key)
        if found is None:
            # Gathered per question rather than indexed for every program: only the RUNs that
            # run one of them are looked at.
            found = []
            if not index[_PRESENT].isdisjoint(programs):
                for run in self.runs:
                    if run.facts.programs.isdisjoint(programs):
                        continue
                    for command in run.facts.script.commands:
                        words = command.words
                        if not words:
                            continue
                        # The name as written first: a path (``/usr/bin/sudo``) is split only
                        # when it has a slash (most commands are neither).
                        value = words[0].value
                        if value in programs or (value and "/" in value and value.rsplit("/", 1)[-1] in programs):
                            found.append((run, command))
            found = index[key] = found or _NONE
        return found
