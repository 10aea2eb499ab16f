"""Layer effects: what each RUN leaves in its layer, and what the next layer sees.

For every RUN the model follows the package manager's state through the RUN's commands:

- the package **index** (``/var/lib/apt/lists``) and the downloaded **archives**
  (``/var/cache/apt/archives``): present or not in the filesystem, written or not by this
  RUN's layer, and which earlier RUN's layer holds them. ``update`` (and ``install --update``)
  writes the index; installs fill the archives; ``rm``, ``find -delete``, ``apt-get clean``
  (archives only) and ``apt-get dist-clean`` (apt >= 2.7: the index too) remove them;
- the packages surely installed (``install`` adds, ``remove``/``purge`` take away,
  ``apt-mark auto`` + ``autoremove``/``--auto-remove`` take away what was marked);
- apt settings written to ``/etc/apt/apt.conf.d`` earlier in the stage (``Assume-Yes``,
  ``Install-Recommends``);
- mounts (``type=cache``, ``tmpfs``, ``bind``): what the RUN does under them never reaches
  the layer, and the next RUN sees what was there before.

Commands in exclusive branches (``if``/``elif``/``else``, ``case`` arms, ``a || b``) are
alternatives: each fact is PRESENT on every way through the RUN, ABSENT on none, or MAYBE.
Rules ask this model ("does this RUN's layer keep an index it wrote?", "is gcc installed when
this RUN starts?") instead of matching command text. ``dlint build`` gets the same facts from
:func:`effects_of`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from dlint.dockerfile import Dockerfile, Instruction
from dlint.packages import (
    APT, BUILD_DEP, CLEAN, INSTALL, MARK_AUTO, MARK_MANUAL, REMOVE, UPDATE, UPGRADE, Package, PackageCall,
    RunFacts, facts_of, removes_directory,
)
from dlint.shell import Command, Word
from dlint.startup import NamedTuple, lazy_pattern

_new = tuple.__new__  # _new(Moment, (…)): a NamedTuple without its Python-level __new__

ABSENT, PRESENT, MAYBE = 0, 1, 2
INDEX, ARCHIVES = "index", "archives"
KINDS = (INDEX, ARCHIVES)
DIRECTORIES = {INDEX: APT.index_dirs[0], ARCHIVES: APT.archive_dirs[0]}
ASSUME_YES, NO_RECOMMENDS = "assume-yes", "no-recommends"  # apt settings from apt.conf.d
# The official Debian and Ubuntu images' apt.conf.d/docker-clean deletes downloaded packages
# after every install; a RUN that removes it makes apt keep them (KEEPS_ARCHIVES from then on).
DOCKER_CLEAN, KEEPS_ARCHIVES = "/etc/apt/apt.conf.d/docker-clean", "keeps-archives"

_APT_CONF = ("/etc/apt/apt.conf.d/", "/etc/apt/apt.conf")
_SETTINGS = (
    (ASSUME_YES, lazy_pattern(r"Assume-Yes\"?\s*\"?(1|yes|true)\b", re.I)),
    (NO_RECOMMENDS, lazy_pattern(r"Install-Recommends\"?\s*\"?(0|no|false)\b", re.I)),
)
_WRITERS = frozenset({"echo", "printf"})


def _join(a: int, b: int) -> int:
    return a if a == b else MAYBE


class State:
    """What the filesystem holds at one point of a stage (one way through, or several joined)."""

    __slots__ = ("visible", "written", "holder", "fresh", "installed", "auto", "auto_all", "settings")

    def __init__(self) -> None:
        self.visible = {INDEX: ABSENT, ARCHIVES: ABSENT}  # kind -> in the filesystem
        self.written = {INDEX: ABSENT, ARCHIVES: ABSENT}  # kind -> the current RUN's layer holds some
        self.holder: dict[str, int] = {}  # kind -> line of the earlier RUN whose layer holds it
        self.fresh = ABSENT  # the index was updated in the current RUN
        self.installed: dict[str, Word] = {}  # surely installed: name -> the word that installed it
        self.auto: frozenset[str] = frozenset()  # marked automatically installed (apt-mark auto)
        self.auto_all = False  # apt-mark auto of a pattern or a variable: anything may be auto
        self.settings: frozenset[str] = frozenset()  # apt.conf.d settings written (ASSUME_YES …)

    def copy(self) -> "State":
        new = State.__new__(State)
        new.visible, new.written, new.holder = dict(self.visible), dict(self.written), dict(self.holder)
        new.fresh, new.installed, new.auto = self.fresh, self.installed, self.auto
        new.auto_all, new.settings = self.auto_all, self.settings
        return new

    def join(self, other: "State") -> "State":
        """Either way through: facts that differ become MAYBE; sure installs only if both."""
        new = self.copy()
        for kind in KINDS:
            new.visible[kind] = _join(self.visible[kind], other.visible[kind])
            new.written[kind] = _join(self.written[kind], other.written[kind])
            if kind not in new.holder and kind in other.holder:
                new.holder[kind] = other.holder[kind]
        new.fresh = _join(self.fresh, other.fresh)
        if self.installed is not other.installed:
            new.installed = {n: w for n, w in self.installed.items() if n in other.installed}
        new.auto = self.auto | other.auto
        new.auto_all = self.auto_all or other.auto_all
        new.settings = self.settings | other.settings
        return new

    def present(self, kind: str) -> bool:
        """Present on some way here (PRESENT or MAYBE)."""
        return self.visible[kind] != ABSENT


class Moment(NamedTuple):
    """What holds when a package call starts (what rules ask about)."""

    fresh: int  # the index was updated earlier in this RUN (ABSENT, PRESENT or MAYBE)
    installed: dict[str, Word]  # surely installed: name -> the word that installed it
    settings: frozenset[str]  # apt.conf.d settings written so far (ASSUME_YES …)


class Removal(NamedTuple):
    """A command of a RUN that deletes what an earlier layer holds (it saves nothing)."""

    command: Command
    kind: str  # INDEX or ARCHIVES
    word: Word | None  # the path removed, or None for a manager's clean verb
    line: int  # the earlier RUN whose layer keeps the files


class RunEffects:
    """What one RUN does to the stage's filesystem."""

    # (slots: one is made per RUN, and rules read its attributes often)
    __slots__ = ("instruction", "facts", "start", "end", "trigger", "removals", "_before")

    def __init__(self, instruction: Instruction, facts: RunFacts, start: State, trigger: bool) -> None:
        self.instruction = instruction
        self.facts = facts
        self.start = start  # what the RUN sees
        self.end = start  # what the next RUN sees
        self.trigger = trigger  # an ONBUILD trigger: runs in some later image, from a fresh state
        self.removals: list[Removal] = []  # deletions of what earlier layers hold (DF108)
        self._before: dict[int, Moment] = {}  # id(package call's command) -> what holds then

    def before(self, command: Command) -> Moment:
        """What holds when a package call ``command`` starts (every way to it joined)."""
        moment = self._before.get(id(command))
        if moment is None:  # not reached by the walk (a RUN with nothing to follow): what it starts with
            start = self.start
            moment = self._before[id(command)] = _new(Moment, (ABSENT, start.installed, start.settings))
        return moment

    def leaves(self, kind: str) -> bool:
        """Whether this RUN's layer keeps files of ``kind`` it wrote, on some way through."""
        return self.end is not self.start and self.end.written[kind] != ABSENT

    def masks(self, kind: str) -> bool:
        return self.facts.masks(DIRECTORIES[kind])

    @property
    def updates_index(self) -> bool:
        return any((c.verb == UPDATE or c.updates_first) and c.manager is APT for c in self.facts.calls)

    def settings_at(self, command: Command) -> frozenset[str]:
        return self.before(command).settings


# ---------------------------------------------------------------------------------------------
# What each command does


def _operations(facts: RunFacts) -> dict[int, list[tuple]]:
    """id(command) -> its operations, in order (an empty list for a package call that changes
    nothing the model follows). Empty for most RUNs. An install's operation holds the prefix
    of its packages' keys (see installed_key) and the call's packages, read by _apply."""
    ops: dict[int, list[tuple]] = {}
    for call in facts.calls:
        verb, command = call.verb, call.command
        key = id(command)
        these = ops.get(key)
        if these is None:
            these = ops[key] = []  # rules ask what holds when a package call starts
        if verb is None:
            continue
        # (p.kind == "name" is Package.is_name, inlined in these loops over every package)
        if call.manager is not APT:  # other managers: what is installed and removed (DF105)
            if verb == INSTALL:
                these.append(("install", _key_prefix(call), call.packages))
            elif verb == REMOVE:
                unknown = call.from_stdin or any(p.kind != "name" for p in call.packages)
                prefix = call.manager.name + ":"
                names = {prefix + p.name for p in call.packages if p.kind == "name"}
                these.append(("remove", names, unknown))
            continue
        options = call.options  # most calls have a few options: the checks below need them
        if options and call.simulates:
            continue
        if verb == UPDATE or (options and call.updates_first):
            these.append(("update",))
        if verb == INSTALL or verb == UPGRADE or verb == BUILD_DEP:
            these.append(("fill", ARCHIVES))
            if verb == INSTALL:
                these.append(("install", "", call.packages))
        elif verb == REMOVE:
            # Names from a variable, a pattern or stdin (`xargs apt-get purge`): anything may go.
            unknown = call.from_stdin or any(p.kind != "name" for p in call.packages)
            these.append(("remove", {p.name for p in call.packages if p.kind == "name"}, unknown))
        elif verb == CLEAN:
            these.append(("clean", ARCHIVES, None, command))
            if call.verb_text in call.manager.index_cleaners:
                these.append(("clean", INDEX, None, command))
        elif verb == MARK_AUTO:
            names = {p.name for p in call.packages if p.kind == "name"}
            these.append(("mark", names, call.from_stdin or len(names) < len(call.packages)))
        elif verb == MARK_MANUAL:
            these.append(("manual", {p.name for p in call.packages if p.kind == "name"}))
        if (options or verb == REMOVE) and call.removes_unneeded:
            these.append(("autoremove",))
    for removal in facts.removals:
        for path in removal.paths:
            removed = _removes(path.value)
            if removed:
                ops.setdefault(id(removal.command), []).extend(
                    ("clean", kind, path, removal.command) if kind in KINDS else ("setting", kind) for kind in removed
                )
    if facts.writers:  # settings are written by echo, printf (and tee)
        commands = facts.script.commands
        for index in facts.writers:
            command = commands[index]
            for setting in _settings_written(commands, index, command):
                ops.setdefault(id(command), []).append(("setting", setting))
    return ops


@lru_cache(maxsize=1024)  # a pure function of one path; the same few cleanups recur
def _removes(path: str | None) -> tuple[str, ...]:
    """What ``rm`` of ``path`` deletes that the model follows, in order: INDEX, ARCHIVES (as
    :func:`removes_directory` says), and KEEPS_ARCHIVES when it deletes docker-clean."""
    found = tuple(kind for kind in KINDS if removes_directory(path, DIRECTORIES[kind]))
    return found + (KEEPS_ARCHIVES,) if removes_directory(path, DOCKER_CLEAN) else found


def _key_prefix(call: PackageCall) -> str:
    """What :func:`installed_key` puts before a package's name for ``call``."""
    manager = call.manager
    if manager is APT:
        return ""
    if manager.group_options and call.options:
        for option, value in zip_group(call):
            return f"{manager.name}:{value}/"
    return manager.name + ":"


def installed_key(call: PackageCall, package: Package, group: bool = True) -> str:
    """The key of an installed package in :attr:`State.installed`: apt's packages by name, other
    managers' as ``manager:name`` (pip's ``requests`` is not apt's), apk's in a ``--virtual``
    group as ``apk:group/name`` (``apk del group`` removes them)."""
    if call.manager is APT:
        return package.name
    if group:
        return f"{_key_prefix(call)}{package.name}"
    return f"{call.manager.name}:{package.name}"


def zip_group(call: PackageCall):
    """(option, group name) of an apk ``--virtual NAME`` / ``-t NAME`` option."""
    words = call.command.words
    group_options = call.manager.group_options  # (looked up once: this runs per apk call with options)
    for index in range(len(words) - 1):
        value = words[index].value
        if not value:
            continue
        if value in group_options:
            yield value, words[index + 1].value or "?"
        elif value.startswith("--virtual="):
            yield value, value.split("=", 1)[1]


def _settings_written(commands: list[Command], index: int, command: Command) -> Iterable[str]:
    """apt settings that ``echo '…' > /etc/apt/apt.conf.d/x`` (or ``… | tee x``) writes."""
    name = command.name
    if name in _WRITERS:
        if not any(target.value and target.value.startswith(_APT_CONF) for op, target in command.redirects
                   if op.startswith(">")):
            return ()
        text = " ".join(w.text for w in command.words[1:])
    elif name == "tee" and command.operator == "|" and index > 0 and commands[index - 1].name in _WRITERS:
        if not any((w.value or "").startswith(_APT_CONF) for w in command.words[1:]):
            return ()
        text = " ".join(w.text for w in commands[index - 1].words[1:])
    else:
        return ()
    return settings_in(text)


def settings_in(text: str) -> list[str]:
    """The settings an apt.conf text turns on."""
    return [setting for setting, pattern in _SETTINGS if pattern().search(text)]


def _apply(state: State, operations: list[tuple], effects: RunEffects, line: int) -> State:
    facts = effects.facts
    masked = facts.masked  # (most RUNs mount nothing: facts.masks is not called)
    for operation in operations:
        what = operation[0]
        if what == "update":
            state.fresh = PRESENT
            if not masked or not facts.masks(DIRECTORIES[INDEX]):
                state.visible[INDEX] = state.written[INDEX] = PRESENT
        elif what == "fill":
            if not masked or not facts.masks(DIRECTORIES[ARCHIVES]):
                state.visible[ARCHIVES] = state.written[ARCHIVES] = PRESENT
        elif what == "clean":
            kind, word = operation[1], operation[2]
            if masked and facts.masks(DIRECTORIES[kind]):
                continue
            holder = state.holder.get(kind)
            if holder is not None and state.written[kind] == ABSENT and state.visible[kind] != ABSENT:
                effects.removals.append(Removal(operation[3], kind, word, holder))
            state.visible[kind] = state.written[kind] = ABSENT
        elif what == "install":
            prefix, packages = operation[1], operation[2]
            installed = dict(state.installed)
            # (a Package unpacked rather than read by field names: this runs for every package)
            if prefix:
                for word, kind, name, _, _, _ in packages:
                    if kind == "name":  # (Package.is_name, inlined)
                        installed.setdefault(prefix + name, word)
            else:  # apt's: by name
                for word, kind, name, _, _, _ in packages:
                    if kind == "name":
                        installed.setdefault(name, word)
            state.installed = installed
            if state.auto:
                state.auto = state.auto - {prefix + p.name for p in packages if p.kind == "name"}
        elif what == "remove":
            if operation[2]:
                state.installed = {}
            elif operation[1]:
                gone = operation[1]
                # apk del NAME also removes the packages of an `apk add --virtual NAME` group.
                groups = tuple(n + "/" for n in gone if n.startswith("apk:"))
                state.installed = {
                    n: w for n, w in state.installed.items()
                    if n not in gone and not (groups and n.startswith(groups))
                }
        elif what == "mark":
            state.auto = state.auto | operation[1]
            state.auto_all = state.auto_all or operation[2]
        elif what == "manual":
            state.auto = state.auto - operation[1]
        elif what == "autoremove":
            if state.auto_all:
                state.installed = {}
            elif state.auto:
                state.installed = {n: w for n, w in state.installed.items() if n not in state.auto}
        elif what == "setting":
            state.settings = state.settings | {operation[1]}
    return state


# ---------------------------------------------------------------------------------------------
# Following the commands of a RUN, branch by branch


class _Choice(NamedTuple):
    kind: str
    arms: list[list]  # each arm: a list of Command or _Choice, in order
    exhaustive: bool  # exactly one arm runs (every arm has commands)


def _tree(commands: list[Command], depth: int, choices: dict[int, str], exhaustive: dict[int, int]) -> list:
    items: list = []
    position = 0
    while position < len(commands):
        command = commands[position]
        if len(command.branch) <= depth:
            items.append(command)
            position += 1
            continue
        choice = command.branch[depth][0]
        arms: dict[int, list[Command]] = {}
        while (
            position < len(commands)
            and len(commands[position].branch) > depth
            and commands[position].branch[depth][0] == choice
        ):
            arms.setdefault(commands[position].branch[depth][1], []).append(commands[position])
            position += 1
        kind = choices.get(choice, "if")
        if kind == "or":
            arms_list = [_tree(arms.get(n, []), depth + 1, choices, exhaustive) for n in (0, 1)]
        else:
            arms_list = [_tree(arms[arm], depth + 1, choices, exhaustive) for arm in sorted(arms)]
        items.append(_Choice(kind, arms_list, exhaustive.get(choice) == len(arms)))
    return items


def _walk(items: list, state: State, ops: dict[int, list[tuple]], effects: RunEffects, line: int) -> State:
    for item in items:
        if isinstance(item, _Choice):
            if item.kind == "or":
                # ``a || b``: a runs; b only when a failed (then what a installed is not sure).
                first = _walk(item.arms[0], state.copy(), ops, effects, line)
                second_start = first.copy()
                second_start.installed = state.installed
                second = _walk(item.arms[1], second_start, ops, effects, line)
                state = first.join(second)
            else:
                # One arm, or none (loop bodies: zero or more times; no else: maybe none).
                result = None if item.exhaustive else state
                for arm in item.arms:
                    after = _walk(arm, state.copy(), ops, effects, line)
                    result = after if result is None else result.join(after)
                state = result
            continue
        operations = ops.get(id(item))
        if operations is None:
            continue
        effects._before[id(item)] = _new(Moment, (state.fresh, state.installed, state.settings))
        if operations:
            state = _apply(state, operations, effects, line)  # in place: arms work on copies
    return state


def _run(instruction: Instruction, facts: RunFacts, start: State, trigger: bool) -> RunEffects:
    effects = RunEffects(instruction, facts, start, trigger)
    if not facts.calls and not facts.removals and not facts.writers:
        return effects  # nothing _operations would find
    ops = _operations(facts)
    if not any(ops.values()):
        return effects  # most RUNs: nothing the model follows; the state goes on unchanged
    # start.copy(), with nothing written by this RUN yet and the index not updated in it
    state = State.__new__(State)
    state.visible, state.written, state.holder = dict(start.visible), {INDEX: ABSENT, ARCHIVES: ABSENT}, dict(start.holder)
    state.fresh, state.installed, state.auto = ABSENT, start.installed, start.auto
    state.auto_all, state.settings = start.auto_all, start.settings
    commands = facts.script.commands
    if facts.script.choices:
        end = _walk(_tree(commands, 0, facts.script.choices, facts.script.exhaustive), state, ops, effects,
                    instruction.line)
    else:  # (most RUNs: one way through, _walk without its branches)
        before = effects._before
        for command in commands:
            operations = ops.get(id(command))
            if operations is not None:
                before[id(command)] = _new(Moment, (state.fresh, state.installed, state.settings))
                if operations:
                    state = _apply(state, operations, effects, instruction.line)
        end = state
    for kind in KINDS:
        if end.written[kind] != ABSENT:
            end.holder[kind] = instruction.line
        elif end.visible[kind] == ABSENT:
            end.holder.pop(kind, None)
    end.fresh = ABSENT  # updated in this RUN: not in the next
    effects.end = end
    return effects


# ---------------------------------------------------------------------------------------------
# A whole Dockerfile


def is_trigger(instruction: Instruction) -> bool:
    """An ONBUILD trigger (it runs when a later image is built FROM this one)."""
    marker = getattr(instruction, "is_trigger", None)  # the model's, where it has triggers
    if isinstance(marker, bool):
        return marker
    return instruction.raw[:64].lstrip()[:7].upper() == "ONBUILD" and instruction.keyword != "ONBUILD"


def _copied_settings(instruction: Instruction) -> list[str]:
    """apt settings a ``COPY <<EOF /etc/apt/apt.conf.d/x`` heredoc writes."""
    if not instruction.heredocs:
        return []
    words = instruction.args.split()
    if not words or not words[-1].startswith(_APT_CONF):
        return []
    return [s for heredoc in instruction.heredocs for s in settings_in(heredoc.body.text)]


def effects_of(dockerfile: Dockerfile, facts=None) -> dict[int, RunEffects]:
    """id(RUN instruction) -> its effects, for every RUN (ONBUILD triggers included: each from
    a fresh state, as they run in an image this file does not describe). ``facts``:
    instruction -> RunFacts (the lint context passes its cached ones)."""
    facts = facts or facts_of
    effects: dict[int, RunEffects] = {}
    ends: dict[int, State] = {}
    onbuild = False
    for stage in dockerfile.stages:
        parent = stage.parent
        state = ends[parent.index].copy() if parent is not None and parent.index in ends else State()
        for instruction in stage.instructions:
            keyword = instruction.keyword
            if keyword == "RUN":  # (ONBUILD triggers are not among a stage's instructions)
                run = _run(instruction, facts(instruction), state, False)
                effects[id(instruction)] = run
                state = run.end
            elif keyword == "COPY":
                if instruction.heredocs:
                    settings = _copied_settings(instruction)
                    if settings:
                        state = state.copy()
                        state.settings = state.settings | set(settings)
            elif keyword == "ONBUILD":
                onbuild = True
        ends[stage.index] = state
    # What the walk above did not reach: ONBUILD triggers, and a RUN before the first FROM (in
    # no stage). Most files have neither: the second pass over every RUN is skipped.
    if not onbuild:
        first = dockerfile.stages[0].instructions[0] if dockerfile.stages else None
        for instruction in dockerfile.instructions:
            if instruction is first:
                return effects
            if instruction.keyword == "RUN" or instruction.trigger is not None:
                break
        else:
            return effects
    # ONBUILD triggers run one after the other in the later build: each starts where the
    # trigger before it (of the same stage) ended.
    after_triggers: dict[int, State] = {}
    for instruction in dockerfile.runs():
        if id(instruction) not in effects:
            trigger = is_trigger(instruction)
            start = after_triggers.get(instruction.stage_index, State()) if trigger else State()
            run = _run(instruction, facts(instruction), start, trigger)
            effects[id(instruction)] = run
            if trigger:
                after_triggers[instruction.stage_index] = run.end
    return effects


class Leftovers(NamedTuple):
    """What one RUN leaves, for ``dlint build``'s waste and cache reports."""

    line: int
    keeps: tuple[str, ...]  # kinds (INDEX, ARCHIVES) this RUN's layer keeps, on some way through
    masked: tuple[str, ...]  # kinds a mount (cache, tmpfs, bind) kept out of its layer
    deletes: tuple[tuple[str, int], ...]  # (kind, line): it deletes what an earlier layer keeps
    updates_index: bool  # it writes a fresh package index (update, install --update)
    reads_stale_index: bool  # it installs from an index it did not update itself

    @property
    def rules(self) -> tuple[str, ...]:
        """The lint rules that explain these leftovers."""
        found = []
        if INDEX in self.keeps:
            found.append("DF107")
        if self.deletes:
            found.append("DF108")
        if self.reads_stale_index:
            found.append("DF102")
        return tuple(found)


def leftovers(dockerfile: Dockerfile) -> dict[int, Leftovers]:
    """RUN line -> what it leaves (ONBUILD triggers left out: they are not part of this build).
    For ``dlint build``: a leftover under /var/lib/apt/lists in the layer of line N is
    explained when ``leftovers(dockerfile)[N].keeps`` has INDEX."""
    found: dict[int, Leftovers] = {}
    for run in effects_of(dockerfile).values():
        if run.trigger:
            continue
        calls = run.facts.calls
        found[run.instruction.line] = Leftovers(
            line=run.instruction.line,
            keeps=tuple(kind for kind in KINDS if run.leaves(kind)),
            masked=tuple(kind for kind in KINDS if run.masks(kind)),
            deletes=tuple(dict.fromkeys((r.kind, r.line) for r in run.removals)),
            updates_index=run.updates_index,
            reads_stale_index=any(
                c.manager is APT and c.verb in (INSTALL, UPGRADE, BUILD_DEP) and not c.updates_first
                and not c.simulates
                and run.before(c.command).fresh == ABSENT
                for c in calls
            ),
        )
    return found
