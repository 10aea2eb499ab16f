"""The lint context: what rules read, built once per file.

It holds the :class:`~dlint.dockerfile.Dockerfile` model and computes, lazily and in this one
place, what several rules need: every RUN with its stage and shell and package-manager facts,
the package-manager calls by role, and each RUN's layer effects (:mod:`dlint.layers`: what
it leaves in its layer and what the next layer sees). Rules never re-parse text and never keep caches of
their own; what they learn about a file they ask the context.
"""

from __future__ import annotations

from typing import NamedTuple

from dlint.dockerfile import Dockerfile, Instruction, Stage
from dlint.layers import RunEffects, effects_of
from dlint.packages import PackageCall, RunFacts, facts_of


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


class LintContext:
    def __init__(self, dockerfile: Dockerfile, build_context: str | None = None) -> None:
        self.dockerfile = dockerfile
        self._context_dir = build_context  # --context DIR (None: the Dockerfile's folder)
        self._build_context = None
        self._facts: dict[int, RunFacts] = {}  # id(instruction) -> facts
        self._runs: list[Run] | None = None
        self._calls: dict[str | None, list[PackageCallSite]] = {}
        self._effects: dict[int, RunEffects] | None = None

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
            dockerfile = self.dockerfile
            self._runs = [Run(dockerfile.stage_of(i), i, self.facts(i)) for i in dockerfile.runs()]
        return self._runs

    def package_calls(self, role: str | None) -> list[PackageCallSite]:
        """Every package-manager call playing ``role`` (INSTALL …), with its stage and RUN, in
        file order (shared: do not modify)."""
        calls = self._calls.get(role)
        if calls is None:
            calls = self._calls[role] = [
                PackageCallSite(run.stage, run.instruction, call)
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

            self._build_context = BuildContext.of(self.dockerfile.path, self._context_dir) or False
        return self._build_context or None
