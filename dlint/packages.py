"""Package-manager calls in RUN instructions, for every manager the rules know.

A :class:`Manager` is data: its programs, which options take a value, which words are verbs
and what role each plays (``install``, ``update`` …), how a package pins a version, and which
directories hold its index and caches. Adding a manager is a new :class:`Manager` entry and,
when its package syntax differs, a small ``parse_package`` function; the rules stay as they are.

:func:`facts` gives, once per RUN: the shell commands, the package-manager calls (seen through
``sudo``, ``env``, ``VAR=x cmd``, ``xargs``, ``exec`` …), the paths removed, and the BuildKit
cache mounts.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Callable, NamedTuple

from dlint.dockerfile import Instruction
from dlint.shell import Command, Script, Word, script_of

# Roles a verb can play. FETCH and BUILD_DEP read the index without installing what they name
# (``download``, ``source``; ``build-dep`` installs a source package's build dependencies);
# MARK_AUTO and MARK_MANUAL are ``apt-mark auto`` / ``manual`` (what ``--auto-remove`` removes).
INSTALL, UPDATE, UPGRADE, REMOVE, CLEAN = "install", "update", "upgrade", "remove", "clean"
FETCH, BUILD_DEP, MARK_AUTO, MARK_MANUAL = "fetch", "build-dep", "mark-auto", "mark-manual"
# Roles that read the package index an update wrote (DF101: the update was used).
READS_INDEX = frozenset({INSTALL, UPGRADE, FETCH, BUILD_DEP})
# Roles that stop at apt's confirmation prompt without -y (DF109).
PROMPTS = frozenset({INSTALL, UPGRADE, REMOVE, BUILD_DEP})


class Package(NamedTuple):
    # A NamedTuple, not a frozen dataclass: one is made per package word of every install,
    # and a frozen dataclass's __init__ costs two to three times as much.
    word: Word
    kind: str  # "name", "path" (local file), "variable" (unknown until build), "pattern"
    name: str | None = None
    version: str | None = None  # name=version
    release: str | None = None  # name/release

    @property
    def is_name(self) -> bool:
        return self.kind == "name"


_APT_PATTERN = re.compile(r"[*?\[\]^$]")


def parse_apt_package(word: Word) -> Package:
    value = word.value
    if value is None:
        return Package(word, "variable")
    if value.startswith(("/", "./", "../", "~")) or value.endswith(".deb"):
        return Package(word, "path")
    if _APT_PATTERN.search(value):
        return Package(word, "pattern")
    name, _, version = value.partition("=")
    name, _, release = name.partition("/")
    return Package(word, "name", name, version or None, release or None)


@dataclass(frozen=True, eq=False)  # compared by identity: one object per manager
class Manager:
    name: str  # shown in messages
    programs: frozenset[str]
    verbs: dict[str, str]  # verb as written -> role
    options_with_value: frozenset[str]
    assume_yes: frozenset[str]  # options that answer prompts
    no_recommends: frozenset[str]  # options that skip recommended packages
    index_dirs: tuple[str, ...]  # the package index (``update`` writes it)
    cache_dirs: tuple[str, ...]  # downloaded packages and other caches
    parse_package: Callable[[Word], Package] = parse_apt_package
    interactive_programs: frozenset[str] = frozenset()  # front ends not meant for scripts
    archive_dirs: tuple[str, ...] = ()  # downloaded packages (``clean`` empties them)
    simulate: frozenset[str] = frozenset()  # options that only show what would happen
    quiet: tuple[str, str] | None = None  # (short, long) quiet options; level 2 answers prompts
    update_first: frozenset[str] = frozenset()  # options of install that update the index first
    auto_remove: frozenset[str] = frozenset()  # options that also remove unneeded packages
    index_cleaners: frozenset[str] = frozenset()  # verbs that delete the index (dist-clean)
    auto_remove_verbs: frozenset[str] = frozenset()  # verbs that remove unneeded packages
    config_true: dict[str, str] = field(default_factory=dict)  # -o KEY=true that means an option


_APT_VERBS = {
    "install": INSTALL, "reinstall": INSTALL,
    "update": UPDATE,
    "upgrade": UPGRADE, "dist-upgrade": UPGRADE, "full-upgrade": UPGRADE, "safe-upgrade": UPGRADE,
    "remove": REMOVE, "purge": REMOVE, "autoremove": REMOVE, "autopurge": REMOVE,
    # apt >= 2.7: distclean (alias dist-clean) also deletes the package lists.
    "clean": CLEAN, "autoclean": CLEAN, "auto-clean": CLEAN, "distclean": CLEAN, "dist-clean": CLEAN,
    "download": FETCH, "source": FETCH, "changelog": FETCH,
    "build-dep": BUILD_DEP,
    # apt-mark (aptitude spells them markauto / unmarkauto)
    "auto": MARK_AUTO, "markauto": MARK_AUTO, "manual": MARK_MANUAL, "unmarkauto": MARK_MANUAL,
}

APT = Manager(
    name="apt-get",
    programs=frozenset({"apt-get", "apt", "aptitude", "apt-mark"}),
    verbs=_APT_VERBS,
    options_with_value=frozenset(
        {"-o", "-c", "-t", "-a", "--option", "--config-file", "--target-release", "--default-release",
         "--host-architecture"}
    ),
    assume_yes=frozenset({"-y", "--yes", "--assume-yes", "--force-yes"}),
    no_recommends=frozenset({"--no-install-recommends", "--without-recommends", "-R"}),
    index_dirs=("/var/lib/apt/lists",),
    cache_dirs=("/var/cache/apt",),
    interactive_programs=frozenset({"apt"}),
    archive_dirs=("/var/cache/apt/archives",),
    simulate=frozenset({"-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act"}),
    quiet=("-q", "--quiet"),
    update_first=frozenset({"--update"}),
    auto_remove=frozenset({"--auto-remove", "--autoremove"}),
    index_cleaners=frozenset({"distclean", "dist-clean"}),
    auto_remove_verbs=frozenset({"autoremove", "autopurge"}),
    config_true={
        "apt::get::assume-yes": "assume-yes",
        "apt::get::simulate": "simulate",
        "apt::get::automaticremove": "auto-remove",
        "apt::install-recommends": "recommends",
    },
)
_FIX_BROKEN = frozenset({"-f", "--fix-broken"})
# apt.conf values that mean yes (apt's StringToBool).
_TRUE = frozenset({"1", "yes", "true", "with", "on", "enable"})
_FALSE = frozenset({"0", "no", "false", "without", "off", "disable"})

MANAGERS: tuple[Manager, ...] = (APT,)

# Where package managers leave indexes and caches in an image, for ``dlint build``'s leftovers:
# (label, path marker, rule that prevents it). Markers under /var/ are absolute; the others sit
# under any home directory (/root/.cache/pip/, /home/app/.npm/_cacache/). Only apt is linted
# so far (DF107); the others are measured now and get their rules with their managers.
LEFTOVER_LOCATIONS: tuple[tuple[str, str, str | None], ...] = (
    ("apt package index", APT.index_dirs[0] + "/", "DF107"),
    ("apt cache", APT.cache_dirs[0] + "/", "DF107"),
    ("apk cache", "/var/cache/apk/", None),
    ("dnf cache", "/var/cache/dnf/", None),
    ("yum cache", "/var/cache/yum/", None),
    ("pip cache", "/.cache/pip/", None),
    ("npm cache", "/.npm/_cacache/", None),
    ("yarn cache", "/.cache/yarn/", None),
    ("gem cache", "/.gem/specs/", None),
)
NOT_LEFTOVERS = ("/var/lib/apt/lists/lock",)  # apt's lock file: empty, and apt needs it
_BY_PROGRAM = {program: manager for manager in MANAGERS for program in manager.programs}


@dataclass
class PackageCall:
    manager: Manager
    command: Command
    index: int  # position of the command in the RUN
    program: Word  # the word naming the manager (``apt-get``)
    verb: str | None  # role, see INSTALL …
    verb_word: Word | None
    options: list[Word] = field(default_factory=list)
    option_values: list[str] = field(default_factory=list)  # e.g. the X=Y of -o X=Y
    packages: list[Package] = field(default_factory=list)
    from_stdin: bool = False  # run through xargs: more packages arrive on stdin

    def has_option(self, names: frozenset[str]) -> bool:
        if not self.options:
            return False
        found = self.__dict__.get("_names")
        if found is None:
            found = self.__dict__["_names"] = self._option_names()
        return not found.isdisjoint(names)

    def _option_names(self) -> frozenset[str]:
        """Every option as a name: ``--opt`` of ``--opt=x``, and each letter of a group of
        short options (``-yq`` is ``-y`` and ``-q``; not ``-q=2``, whose value is not letters)."""
        found = set()
        for option in self.options:
            value = option.value or ""
            found.add(value)
            name, equals, _ = value.partition("=")
            if equals:
                found.add(name)
            elif not value.startswith("--"):
                found.update("-" + letter for letter in value[1:])
        return frozenset(found)

    def config(self, key: str) -> str | None:
        """Value of ``-o key=value`` (case-insensitive key), if given."""
        for item in self.option_values:
            name, _, value = item.partition("=")
            if name.lower() == key.lower():
                return value
        return None

    def config_is(self, key: str, expected: bool) -> bool:
        """Whether ``-o key=…`` sets ``key`` to true (or false, as ``expected`` says)."""
        value = (self.config(key) or "").strip().strip("\"'").lower()
        return value in (_TRUE if expected else _FALSE)

    @property
    def verb_text(self) -> str | None:
        return self.verb_word.value if self.verb_word is not None else None

    @property
    def quiet_level(self) -> int:
        """``-q`` counts 1, ``-qq``/``-q -q``/``-q=2``/``--quiet --quiet`` 2 (and ``-o quiet=2``)."""
        if self.manager.quiet is None:
            return 0
        short, long = self.manager.quiet
        level = 0
        for option in self.options:
            value = option.value or ""
            name, equals, number = value.partition("=")
            if name in (short, long) and equals:
                level = int(number) if number.isdigit() else level + 1
            elif value == long:
                level += 1
            elif value.startswith("-") and not value.startswith("--"):
                level += value.count(short[1])
        configured = self.config("quiet")
        if configured and configured.strip().isdigit():
            level = max(level, int(configured.strip()))
        return level

    @property
    def simulates(self) -> bool:
        """Only shows what would happen (``-s``, ``--dry-run`` …): changes nothing, never prompts."""
        if not self.options:
            return False
        return self.has_option(self.manager.simulate) or self.config_is("APT::Get::Simulate", True)

    @property
    def assumes_yes(self) -> bool:
        """Answers apt's confirmation prompt by itself: ``-y`` in any spelling, quiet level 2
        (which implies ``-y``), ``-o APT::Get::Assume-Yes=true``, or a simulation."""
        return (
            self.has_option(self.manager.assume_yes)
            or self.quiet_level >= 2
            or self.config_is("APT::Get::Assume-Yes", True)
            or self.simulates
        )

    @property
    def does_nothing(self) -> bool:
        """`apt-get install` or `remove` naming no package (not `-f`, nothing from stdin, no
        auto-removal): it changes nothing and asks nothing."""
        if self.packages or self.from_stdin or self.verb not in (INSTALL, REMOVE):
            return False
        if self.removes_unneeded:
            return False
        return not self.has_option(_FIX_BROKEN)

    @property
    def updates_first(self) -> bool:
        """``apt-get install --update`` (apt 3) updates the index before it installs."""
        return bool(self.options) and self.verb in (INSTALL, UPGRADE) and self.has_option(self.manager.update_first)

    @property
    def removes_unneeded(self) -> bool:
        """Also removes the packages nothing needs any more (``autoremove``, ``--auto-remove``)."""
        if self.verb_text in self.manager.auto_remove_verbs:
            return True
        if not self.options:
            return False
        return (self.verb in (REMOVE, INSTALL) and self.has_option(self.manager.auto_remove)) or (
            self.config_is("APT::Get::AutomaticRemove", True)
        )


@dataclass(frozen=True)
class Removal:
    command: Command
    index: int
    paths: tuple[Word, ...]


@dataclass
class RunFacts:
    script: Script
    calls: list[PackageCall]
    removals: list[Removal]
    cache_mounts: list[str]  # targets of --mount=type=cache
    programs: frozenset[str] = frozenset()  # first word of each command, without its directory
    masked: tuple[str, ...] = ()  # targets of cache, tmpfs and bind mounts: kept out of the layer
    # Calls by role, grouped once: most rules ask every RUN for its installs or updates.
    _by_role: dict[str, tuple[PackageCall, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_role: dict[str, list[PackageCall]] = {}
        for call in self.calls:
            by_role.setdefault(call.verb, []).append(call)
        self._by_role = {role: tuple(calls) for role, calls in by_role.items()} if by_role else {}

    def calls_of(self, role: str, manager: Manager | None = None) -> tuple[PackageCall, ...]:
        """The calls playing ``role`` (INSTALL …), in order."""
        calls = self._by_role.get(role, ())
        if manager is None:
            return calls
        return tuple(c for c in calls if c.manager is manager)

    def removes(self, directory: str, after: int = -1) -> bool:
        """Whether a command after command number ``after`` deletes ``directory`` or its contents."""
        return any(
            removal.index > after and any(removes_directory(p.value, directory) for p in removal.paths)
            for removal in self.removals
        )

    def mounts_cache(self, directory: str) -> bool:
        return any(directory == t or directory.startswith(t.rstrip("/") + "/") for t in self.cache_mounts)

    def masks(self, directory: str) -> bool:
        """Whether a mount (cache, tmpfs, bind) covers ``directory``: what the RUN writes or
        deletes under it never reaches the layer, and the next RUN sees what was there before."""
        return any(directory == t or directory.startswith(t.rstrip("/") + "/") for t in self.masked)


# ---------------------------------------------------------------------------------------------
# Seeing through wrappers: sudo, env, xargs, exec …

_WRAPPERS: dict[str, frozenset[str]] = {
    # wrapper -> its options that take a value
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}),
    "xargs": frozenset({"-I", "-L", "-n", "-P", "-d", "-E", "-s", "-a", "--delimiter", "--max-args",
                        "--max-procs", "--arg-file", "--replace"}),
    "exec": frozenset({"-a"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "nohup": frozenset(), "time": frozenset(), "command": frozenset(), "builtin": frozenset(),
    "eatmydata": frozenset(), "fakeroot": frozenset(),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
}
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def _program(word: Word) -> str:
    return (word.value or "").rsplit("/", 1)[-1]


def unwrap(words: list[Word]) -> tuple[list[Word], bool]:
    """The argv that really runs, and whether it came through xargs (arguments from stdin)."""
    through_xargs = False
    index = 0
    while index < len(words):
        program = _program(words[index])
        if program not in _WRAPPERS:
            break
        with_value = _WRAPPERS[program]
        through_xargs = through_xargs or program == "xargs"
        index += 1
        if program == "timeout":  # its first operand is the duration
            while index < len(words) and (words[index].value or "").startswith("-"):
                index += 2 if words[index].value in with_value else 1
            index += 1
            continue
        while index < len(words):
            value = words[index].value or ""
            if value == "--":
                index += 1
                break
            if value.startswith("-") and len(value) > 1:
                index += 2 if value in with_value else 1
            elif program == "env" and _ASSIGNMENT.match(value):
                index += 1
            else:
                break
    return words[index:], through_xargs


def _package_call(manager: Manager, command: Command, index: int, argv: list[Word], stdin: bool) -> PackageCall:
    call = PackageCall(manager, command, index, argv[0], None, None, from_stdin=stdin)
    packages, parse_package = call.packages, manager.parse_package  # most words are packages
    position = 1
    while position < len(argv):
        word = argv[position]
        value = word.value
        if value is not None and value.startswith("-") and len(value) > 1:
            call.options.append(word)
            if value in manager.options_with_value and position + 1 < len(argv):
                call.option_values.append(argv[position + 1].value or "")
                position += 2
                continue
            if "=" in value and value.split("=", 1)[0] in manager.options_with_value:
                call.option_values.append(value.split("=", 1)[1])
            position += 1
            continue
        if call.verb_word is None:
            call.verb_word = word
            call.verb = manager.verbs.get(value or "")
        else:
            packages.append(parse_package(word))
        position += 1
    return call


_REMOVERS = frozenset({"rm", "find"})


def _removal(command: Command, index: int, program: str, argv: list[Word]) -> Removal | None:
    if program == "rm":
        paths, options_done = [], False
        for word in argv[1:]:
            if not options_done and word.value == "--":
                options_done = True
            elif not options_done and (word.value or "").startswith("-"):
                continue
            else:
                paths.append(word)
        return Removal(command, index, tuple(paths))
    if program == "find" and any(
        w.value == "-delete" or (w.value in ("-exec", "-execdir") and n + 1 < len(argv) and argv[n + 1].value == "rm")
        for n, w in enumerate(argv)
    ):
        # find DIR … -delete removes what lies below DIR.
        roots = [w for w in argv[1:] if not (w.value or "-").startswith(("-", "(", "!"))][:1]
        if roots:
            inside = Word(roots[0].text, (roots[0].value or "").rstrip("/") + "/*", roots[0].span)
            return Removal(command, index, (inside,))
    return None


_SLASHES = re.compile("/+")


@lru_cache(maxsize=4096)  # the same few cleanups recur in RUN after RUN, file after file
def removes_directory(pattern: str | None, directory: str) -> bool:
    """Whether ``rm`` of ``pattern`` deletes ``directory`` itself or everything in it."""
    if not pattern or not pattern.startswith("/"):
        return False  # a relative path (`cd /tmp && rm -rf *`) names what the RUN's directory holds
    path = (_SLASHES.sub("/", pattern) if "//" in pattern else pattern).rstrip("/") or "/"
    if path == directory or directory.startswith(path + "/"):  # the directory or a parent
        return True
    if not any(char in path for char in "*?["):  # not a glob: nothing more can match
        return False
    # A glob naming the directory (/var/lib/apt/*) or all that is in it (/var/lib/apt/lists/*).
    # Content globs are tried on a typical file name (``lists/*_*``, ``archives/*.deb``).
    if directory.endswith("/archives"):
        sample = directory + "/curl_7.88.1-10+deb12u8_amd64.deb"
    else:
        sample = directory + "/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4"
    return fnmatchcase(directory, path) or (path.endswith("*") and fnmatchcase(sample, path))


_MASKING_MOUNTS = frozenset({"cache", "tmpfs", "bind"})


def _mounts(instruction: Instruction) -> tuple[list[str], tuple[str, ...]]:
    """Targets of cache mounts, and of every mount that keeps its files out of the layer."""
    caches: list[str] = []
    masked: list[str] = []
    if not instruction.flags:
        return caches, ()
    for flag in instruction.flag("mount"):
        options = dict(
            part.partition("=")[::2] for part in (flag.value or "").split(",") if part
        )
        kind = options.get("type", "bind")  # BuildKit's default type
        target = options.get("target") or options.get("dst") or options.get("destination")
        if not target or kind not in _MASKING_MOUNTS:
            continue
        target = posixpath.normpath(target.strip("\"'"))
        masked.append(target)
        if kind == "cache":
            caches.append(target)
    return caches, tuple(masked)


def facts_of(instruction: Instruction) -> RunFacts:
    """Shell and package-manager facts of one RUN. Rules get them, computed once per file,
    from :class:`dlint.context.LintContext`."""
    script = script_of(instruction)
    calls: list[PackageCall] = []
    removals: list[Removal] = []
    programs: set[str] = set()
    for index, command in enumerate(script.commands):
        argv, stdin = command.words, False
        if not argv:
            continue
        program = _program(argv[0])
        programs.add(program)
        if program in _WRAPPERS:  # seldom: most commands run their first word
            argv, stdin = unwrap(argv)
            if not argv:
                continue
            program = _program(argv[0])
        manager = _BY_PROGRAM.get(program)
        if manager is not None:
            calls.append(_package_call(manager, command, index, argv, stdin))
        elif program in _REMOVERS:
            removal = _removal(command, index, program, argv)
            if removal is not None:
                removals.append(removal)
    caches, masked = _mounts(instruction)
    return RunFacts(script, calls, removals, caches, frozenset(programs), masked)


_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})
_SYSTEM_DIRS = ("/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/", "/usr/local/bin/")


def runs_script(command: Command) -> bool:
    """Whether the command runs a script whose commands dlint cannot see (``bash x.sh``,
    ``/tmp/setup.sh``, ``./install``, ``curl … | sh``, ``. ./env``): it may update the index
    or install packages itself."""
    words = command.words
    if not words:
        return False
    argv, _ = unwrap(words) if _program(words[0]) in _WRAPPERS else (words, False)
    if not argv:
        return False
    value = argv[0].value
    if value is None:
        return True  # $SCRIPT: unknown
    program = value.rsplit("/", 1)[-1]
    if program in _SHELLS:
        option = argv[1].value or "" if len(argv) > 1 else ""
        if option.startswith("-") and option.endswith("c"):
            # `sh -c '…'` is read as commands when its string is plain quoted text (see
            # dlint.shell.run); one with backslashes or expansions is not.
            string = argv[2] if len(argv) > 2 else None
            return string is None or string.value is None or "\\" in string.text or string.text[:1] not in "'\""
        rest = [w for w in argv[1:] if not (w.value or "").startswith("-")]
        return bool(rest) or command.operator == "|"  # `sh file`, `curl … | sh`
    if program in (".", "source"):
        return True
    if value.endswith(".sh"):
        return True
    return "/" in value and not value.startswith(_SYSTEM_DIRS)
