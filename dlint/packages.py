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
from fnmatch import fnmatchcase
from functools import lru_cache
from collections.abc import Callable

from dlint.dockerfile import Instruction
from dlint.shell import Command, Script, Word, script_of
from dlint.startup import NamedTuple, Record, lazy_pattern

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
    bound: str | None = None  # a range operator (>=, <, ~=, ^ …): a bound, not one version

    @property
    def is_name(self) -> bool:
        return self.kind == "name"


# The patterns are compiled on first use (lazy_pattern; call it): most files need few of them.
_APT_PATTERN = lazy_pattern(r"[*?\[\]^$]")

# The parsers below make their Package with ``_new(Package, (all six fields))``: it skips the
# Python-level ``__new__`` a NamedTuple call goes through (a third of the cost of making one),
# and they run for every package word of every install.
_new = tuple.__new__


def parse_apt_package(word: Word) -> Package:
    value = word.value
    if value is None:
        return _new(Package, (word, "variable", None, None, None, None))
    # (the first-character test only skips the startswith of most names)
    if (value[:1] in "/.~" and value.startswith(("/", "./", "../", "~"))) or value.endswith(".deb"):
        return _new(Package, (word, "path", None, None, None, None))
    if _APT_PATTERN().search(value):
        return _new(Package, (word, "pattern", None, None, None, None))
    if "=" not in value and "/" not in value:  # most are a bare name
        return _new(Package, (word, "name", value, None, None, None))
    name, _, version = value.partition("=")
    name, _, release = name.partition("/")
    return _new(Package, (word, "name", name, version or None, release or None, None))


_URLISH = ("http://", "https://", "git+", "git:", "file:", "ssh://", "github:", "git@")


_PATHISH = ("/", "~", ".") + _URLISH  # ("./" and "../" start with ".")


def _is_path(value: str) -> bool:
    return value.startswith(_PATHISH) or "://" in value


# A version-control source: pip's ``git+https://host/repo.git@REF#egg=NAME`` (also hg+, svn+,
# bzr+), npm's ``git+ssh://git@host:repo.git#REF`` and ``git://host/repo.git#REF``. Without a
# REF it builds whatever the default branch holds that day: unpinned. Local ones (git+file:)
# are paths.
_VCS = lazy_pattern(r"(?i)^(?:(?:git|hg|svn|bzr)\+(?!file:)[a-z]+://|git://)")
_EGG = lazy_pattern(r"(?:^|&)egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


def _vcs_package(word: Word, value: str, ref_mark: str) -> Package:
    """A version-control source as a package: kind "vcs", its name (``#egg=NAME``, else the
    repository's), and its REF as the version (``@REF`` for pip, ``#REF`` for npm)."""
    url, _, fragment = value.partition("#")
    host, _, path = url.split("://", 1)[1].partition("/")  # [user@]host[:port] / path
    if ref_mark == "@":
        path, _, ref = path.partition("@")
        egg = _EGG().search(fragment)
        name = egg.group(1).lower().replace("_", "-") if egg else None
    else:
        ref, name = fragment, None
    if name is None:
        repository = (path or host).rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        name = repository[:-4] if repository.endswith(".git") else repository
    return Package(word, "vcs", name, ref or None)


_APK_VERSION = lazy_pattern(r"^(?P<name>[^=<>~]+?)(?P<op>[<>]=?|=|~)(?P<version>.*)$")


def parse_apk_package(word: Word) -> Package:
    """apk: ``name``, ``name=1.2.3-r0`` (exact), ``name~1.2`` (fuzzy: that version series),
    ``name>=1.2``, ``name<2`` (bounds), ``name@testing`` (a tagged repository), ``.apk`` files."""
    value = word.value
    if value is None:
        return _new(Package, (word, "variable", None, None, None, None))
    if value.startswith(_PATHISH) or "://" in value or value.endswith(".apk"):  # (_is_path inlined)
        return _new(Package, (word, "path", None, None, None, None))
    if "*" in value:
        return _new(Package, (word, "pattern", None, None, None, None))
    name, _, tag = value.partition("@")
    # A version needs one of = < > ~: most names have none and skip the pattern.
    match = _APK_VERSION().match(name) if ("=" in name or "<" in name or ">" in name or "~" in name) else None
    if match is None:
        return _new(Package, (word, "name", name, None, tag or None, None))
    op, version = match.group("op"), match.group("version")
    return _new(Package, (word, "name", match.group("name"), version, tag or None, None if op in ("=", "~") else op))


_RPM_PART = lazy_pattern(r"\d[\w.+~^:]*$")  # a version or release part: starts with a digit


# A module spec NAME:STREAM[:VERSION[:CONTEXT]][/PROFILE] (a NEVRA's epoch follows a -version
# part instead: name-2:1.0-1).
_RPM_MODULE = lazy_pattern(r"^([A-Za-z0-9_.+]+(?:-(?!\d)[A-Za-z0-9_.+]+)*):([^:/]*)(?:[:/].*)?$")


def parse_rpm_package(word: Word) -> Package:
    """dnf, yum, microdnf, tdnf: ``name``, ``name-1.2.3[-release]`` (NEVRA), ``@group``, ``.rpm``
    files and URLs, globs. A name whose own parts hold digits (``java-17-openjdk``) reads as
    pinned only when it ends in digits (``devtoolset-4``): a missed finding rather than a
    wrong one; ``devtoolset-4-gcc`` and ``java-1.8.0-openjdk-devel`` are names."""
    value = word.value
    if value is None:
        return _new(Package, (word, "variable", None, None, None, None))
    if value.startswith(_PATHISH) or "://" in value or value.endswith(".rpm"):  # (_is_path inlined)
        return _new(Package, (word, "path", None, None, None, None))
    if "*" in value or "?" in value or "[" in value or value.startswith("@"):
        return _new(Package, (word, "pattern", None, None, None, None))
    if " " in value:  # 'name >= 1.2' as one word
        name, _, rest = value.partition(" ")
        return _new(Package, (word, "name", name, rest.strip(), None, "="))
    module = _RPM_MODULE().match(value) if ":" in value else None  # (the pattern needs a colon)
    if module:  # `dnf module install nodejs:18/common`: the stream (18) is the module's version line
        return _new(Package, (word, "name", module.group(1), module.group(2) or None, None, None))
    # name-version or name-version-release: the last one or two parts start with digits. (The
    # digit test only skips the pattern for most names.)
    head, dash, last = value.rpartition("-")
    if dash and last[:1].isdecimal() and _RPM_PART().match(last):
        before, dash, part = head.rpartition("-")
        if dash and part[:1].isdecimal() and _RPM_PART().match(part):
            return _new(Package, (word, "name", before, part + "-" + last, None, None))
        return _new(Package, (word, "name", head, last, None, None))
    return _new(Package, (word, "name", value, None, None, None))


_ZYPPER_VERSION = lazy_pattern(r"^(?P<name>[^=<>]+?)(?P<op>[<>]=?|=)(?P<version>.*)$")


def parse_zypper_package(word: Word) -> Package:
    """zypper: ``name``, ``name=1.2.3`` (exact), ``name>=1.2`` (bound), ``.rpm``, ``pattern:x``."""
    value = word.value
    if value is None:
        return Package(word, "variable")
    if _is_path(value) or value.endswith(".rpm"):
        return Package(word, "path")
    if any(c in value for c in "*?[") or ":" in value:  # pattern:lamp_server, patch:…
        return Package(word, "pattern")
    match = _ZYPPER_VERSION().match(value)
    if match is None:
        return Package(word, "name", value)
    op = match.group("op")
    return Package(word, "name", match.group("name"), match.group("version"), None, None if op == "=" else op)


_PIP_SPEC = lazy_pattern(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?P<spec>[=<>!~@].*)?$")


def parse_pip_package(word: Word) -> Package:
    """pip: ``name``, ``name==1.2`` / ``===`` (exact), ``name>=1.2``, ``~=``, ``!=``, ``<`` (bounds),
    ``name @ URL``, ``name[extra]``; wheels, archives, paths and URLs are not judged."""
    value = word.value
    if value is None:
        return Package(word, "variable")
    if _VCS().match(value):
        return _vcs_package(word, value, "@")
    head, at, url = value.partition("@")
    if at and _VCS().match(url.strip()) and _PIP_SPEC().match(head.strip()):  # name @ git+https://…
        name = _PIP_SPEC().match(head.strip()).group("name").lower().replace("_", "-")
        return _vcs_package(word, url.strip(), "@")._replace(name=name)
    if _is_path(value) or value.endswith((".whl", ".tar.gz", ".zip", ".tgz")) or "/" in value:
        return Package(word, "path")
    match = _PIP_SPEC().match(value.split(";", 1)[0].strip())
    if match is None:
        return Package(word, "pattern")
    name, spec = match.group("name"), match.group("spec")
    if not spec:
        return Package(word, "name", name.lower().replace("_", "-"))
    spec = spec.strip()
    key = name.lower().replace("_", "-")
    if spec.startswith("@"):
        return Package(word, "path", key)  # name @ https://…: a direct reference
    if spec.startswith("===") or (spec.startswith("==") and "*" not in spec and "," not in spec):
        return Package(word, "name", key, spec.lstrip("="))
    return Package(word, "name", key, spec, None, spec[:2].rstrip("0123456789. "))


_NPM_EXACT = lazy_pattern(r"^v?\d+\.\d+\.\d+\S*$")


def parse_npm_package(word: Word) -> Package:
    """npm, yarn, pnpm: ``name``, ``@scope/name``, ``name@1.2.3`` (exact), ``name@^1.2`` (range),
    ``name@latest`` (a tag: unpinned); paths, tarballs, git and GitHub references are not judged."""
    value = word.value
    if value is None:
        return Package(word, "variable")
    if _VCS().match(value):
        return _vcs_package(word, value, "#")
    if _is_path(value) or value.endswith((".tgz", ".tar.gz", ".tar")):
        return Package(word, "path")
    scope = ""
    rest = value
    if value.startswith("@"):
        scope, _, rest = value[1:].partition("/")
        if not rest:
            return Package(word, "pattern")
        scope = "@" + scope + "/"
    if "/" in rest or ":" in rest:  # user/repo (GitHub), npm:alias
        return Package(word, "path")
    name, at, version = rest.partition("@")
    name = scope + name
    if not at or not version:
        return Package(word, "name", name)
    if _NPM_EXACT().match(version):
        return Package(word, "name", name, version)
    if version[:1] in "^~<>=*" or version[:1].isdigit() or "x" in version.split(".")[1:]:
        return Package(word, "name", name, version, None, version[:1])
    return Package(word, "name", name, None, version)  # a dist-tag: latest, next, lts


def parse_gem_package(word: Word) -> Package:
    """gem: ``name``, ``name:1.2`` (``gem install name:version``); ``.gem`` files not judged."""
    value = word.value
    if value is None:
        return Package(word, "variable")
    if _is_path(value) or value.endswith(".gem"):
        return Package(word, "path")
    name, _, version = value.partition(":")
    return Package(word, "name", name, version or None)


_GO_PINNED = lazy_pattern(r"^(v\d|\d+\.\d+|[0-9a-f]{7,40}$)")  # v1.2.3, a release tag 2024.1.1, a commit


_GO_PATTERNS = frozenset({"all", "std", "cmd", "tool"})  # go's package patterns, not modules


def parse_go_package(word: Word) -> Package:
    """go install, go get: ``pkg@v1.2.3`` or ``@<commit>`` (pinned), ``pkg@latest``, ``@master``
    (not); ``pkg`` with no version (kind "path", its name kept): ``go install`` installs what
    the current module requires (not judged), ``go get`` the newest version (unpinned)."""
    value = word.value
    if value is None:
        return Package(word, "variable")
    if value in _GO_PATTERNS:
        return Package(word, "pattern")
    if _is_path(value):
        return Package(word, "path")
    if "@" not in value:
        return Package(word, "path", value)
    name, _, version = value.rpartition("@")
    if "$" in version:
        return Package(word, "variable")
    if _GO_PINNED().match(version):
        return Package(word, "name", name, version)
    return Package(word, "name", name, None, version)  # latest, master, a branch


def parse_cargo_package(word: Word) -> Package:
    """cargo install: ``crate``, ``crate@1.2.3`` (pinned; ``--version`` pins too)."""
    value = word.value
    if value is None:
        return Package(word, "variable")
    if _is_path(value):
        return Package(word, "path")
    name, _, version = value.partition("@")
    return Package(word, "name", name, version or None)


class Manager:
    """One package manager, made once (``Manager(name=…, …)``, keyword arguments only) and
    never modified; compared by identity. A plain class, not a dataclass (see
    dlint/startup.py): ``__init__`` reads the fields and their defaults from the annotated
    lines below."""

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
    config_true: dict[str, str] = {}  # -o KEY=true that means an option
    # What the rules need to know beyond apt's shape:
    needs_update: bool = False  # installs read only the index an `update` wrote (apt); others fetch it
    prompts: bool = False  # install and remove ask for confirmation without assume-yes (DF109)
    no_cache: frozenset[str] = frozenset()  # options that keep the cache out (--no-cache, --no-cache-dir)
    no_cache_env: tuple[str, ...] = ()  # environment variables that do the same (PIP_NO_CACHE_DIR)
    clean_hint: str = ""  # the exact fix DF107 names (`apk add --no-cache`, `dnf clean all`)
    weak_deps_key: str = ""  # --setopt KEY=False turns off weak dependencies (dnf)
    pin_hint: str = "{name}=<version>"  # how a pin is written, for messages
    recommends_hint: str = ""  # the option DF110 names
    family: str = ""  # "os" for system managers, else the language (pip, npm …)
    version_options: frozenset[str] = frozenset()  # options that pin every package (gem -v)
    source_options: frozenset[str] = frozenset()  # options that take packages from elsewhere (cargo --git)
    group_options: frozenset[str] = frozenset()  # apk --virtual NAME: the packages form a group
    skip_words: frozenset[str] = frozenset()  # words before the verb (`yarn global add`)
    clean_words: frozenset[str] = frozenset()  # after a clean verb, the words that empty the cache

    def __init__(self, **values: object) -> None:
        fields = Manager.__annotations__
        unknown = values.keys() - fields.keys()
        if unknown:
            raise TypeError(f"Manager() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
        for name in fields:
            if name in values:
                value = values[name]
            elif name in Manager.__dict__:
                value = Manager.__dict__[name]  # not getattr: a function default must not bind
                if type(value) is dict:
                    value = {}  # each its own, as with a dataclass's default_factory
            else:
                raise TypeError(f"Manager() missing required keyword argument: {name!r}")
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Manager is not modified ({self.name}.{name})")

    def __repr__(self) -> str:
        return "Manager(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in Manager.__annotations__) + ")"


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
    needs_update=True,
    prompts=True,
    recommends_hint="--no-install-recommends",
    family="os",
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
APK = Manager(
    name="apk",
    programs=frozenset({"apk"}),
    verbs={"add": INSTALL, "del": REMOVE, "update": UPDATE, "upgrade": UPGRADE, "cache": CLEAN},
    options_with_value=frozenset({"-X", "--repository", "-t", "--virtual", "-p", "--root", "--arch",
                                  "--keys-dir", "--repositories-file", "--cache-dir", "--cache-max-age"}),
    assume_yes=frozenset(),
    no_recommends=frozenset(),
    index_dirs=("/var/cache/apk",),
    cache_dirs=("/var/cache/apk", "/etc/apk/cache"),
    parse_package=parse_apk_package,
    update_first=frozenset({"-U", "--update-cache", "--update"}),
    no_cache=frozenset({"--no-cache", "--no-network"}),  # --no-network fetches nothing to keep
    clean_hint="use `apk add --no-cache`",
    pin_hint="{name}=<version>",
    family="os",
    group_options=frozenset({"-t", "--virtual"}),
    clean_words=frozenset({"clean", "purge"}),
)
_RPM_VERBS = {
    "install": INSTALL, "groupinstall": INSTALL, "reinstall": INSTALL, "localinstall": INSTALL,
    "in": INSTALL, "rei": INSTALL,
    "upgrade": UPGRADE, "update": UPGRADE, "distro-sync": UPGRADE, "upgrade-minimal": UPGRADE, "up": UPGRADE,
    "up-min": UPGRADE,
    "update-minimal": UPGRADE, "groupupdate": UPGRADE,
    "remove": REMOVE, "erase": REMOVE, "autoremove": REMOVE, "groupremove": REMOVE,
    "makecache": UPDATE, "check-update": UPDATE,
    "clean": CLEAN,
}
_RPM_OPTIONS = frozenset({"--setopt", "--enablerepo", "--disablerepo", "--repo", "--repoid", "--releasever",
                          "--installroot", "-x", "--exclude", "-c", "--config", "--forcearch", "--downloaddir",
                          "--destdir", "--repofrompath", "-d", "--debuglevel", "-e", "--errorlevel",
                          "--color", "--rpmverbosity", "--advisory", "--security-severity"})


def _rpm(name: str, programs: set[str], weak_deps: bool = True, prompts: bool = True) -> Manager:
    return Manager(
        name=name,
        programs=frozenset(programs),
        verbs=_RPM_VERBS,
        options_with_value=_RPM_OPTIONS,
        assume_yes=frozenset({"-y", "--assumeyes"}),
        no_recommends=frozenset(),
        index_dirs=("/var/cache/dnf", "/var/cache/yum", "/var/cache/tdnf", "/var/cache/libdnf5"),
        cache_dirs=("/var/cache/dnf", "/var/cache/yum", "/var/cache/tdnf", "/var/cache/libdnf5"),
        parse_package=parse_rpm_package,
        prompts=prompts,
        clean_hint=f"add `{name} clean all` at the end of this RUN",
        pin_hint="{name}-<version>",
        # yum before RHEL 8 and tdnf install no weak dependencies; on RHEL 8 and later yum is dnf,
        # but a Dockerfile does not say which: only dnf and microdnf are held to it.
        weak_deps_key="install_weak_deps" if weak_deps else "",
        recommends_hint="--setopt=install_weak_deps=False" if weak_deps else "",
        family="os",
        clean_words=frozenset({"all"}),
        skip_words=frozenset({"module"}),  # `dnf module install nodejs:18`
    )


DNF = _rpm("dnf", {"dnf", "dnf5", "dnf-3"})
YUM = _rpm("yum", {"yum"}, weak_deps=False)
# microdnf (3.x, the C one of UBI and Oracle Linux slim images) installs without asking: the
# official openjdk images run `microdnf install` without -y. (dnf5 answers to microdnf on
# Fedora 40 and later, but a Dockerfile does not say which it gets.)
MICRODNF = _rpm("microdnf", {"microdnf"}, prompts=False)
TDNF = _rpm("tdnf", {"tdnf"}, weak_deps=False)
ZYPPER = Manager(
    name="zypper",
    programs=frozenset({"zypper"}),
    verbs={"install": INSTALL, "in": INSTALL, "remove": REMOVE, "rm": REMOVE, "refresh": UPDATE, "ref": UPDATE,
           "update": UPGRADE, "up": UPGRADE, "dist-upgrade": UPGRADE, "dup": UPGRADE, "patch": UPGRADE,
           "clean": CLEAN, "cc": CLEAN},
    options_with_value=frozenset({"-r", "--repo", "--from", "-t", "--type", "-R", "--root", "-D", "--reposd-dir",
                                  "-C", "--cache-dir", "-c", "--config", "--installroot", "--raw-cache-dir",
                                  "--solv-cache-dir", "--pkg-cache-dir"}),
    assume_yes=frozenset({"-n", "--non-interactive", "-y", "--no-confirm"}),
    no_recommends=frozenset({"--no-recommends"}),
    index_dirs=("/var/cache/zypp",),
    cache_dirs=("/var/cache/zypp",),
    parse_package=parse_zypper_package,
    prompts=True,
    clean_hint="add `zypper clean -a` at the end of this RUN",
    pin_hint="{name}=<version>",
    recommends_hint="--no-recommends",
    family="os",
    clean_words=frozenset({"*"}),
)
_PIP_OPTIONS = frozenset({
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url",
    "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--trusted-host", "--src", "--upgrade-strategy",
    "--platform", "--python-version", "--implementation", "--abi", "--only-binary", "--no-binary",
    "--progress-bar", "--log", "--proxy", "--retries", "--timeout", "--cert", "--client-cert", "--cache-dir",
    "-C", "--config-settings", "--global-option", "--install-option", "--report", "--exists-action", "--python",
    "--index-strategy", "--extra-index", "-p", "--prerelease", "--resolution", "--keyring-provider",
    "--group", "--target-platform", "--link-mode", "--torch-backend", "--build-constraint", "-b",
    "--override", "--overrides", "--allow-external", "--allow-unverified", "--download-cache",
    "--root-user-action",
})
# A constraints file (pip install -c constraints.txt pkg) gives the versions of the packages.
_PIP_CONSTRAINTS = frozenset({"-c", "--constraint"})
PIP = Manager(
    name="pip",
    programs=frozenset({"pip", "pip2", "pip3"} | {f"pip3.{minor}" for minor in range(6, 15)}),
    verbs={"install": INSTALL, "uninstall": REMOVE, "cache": CLEAN},
    options_with_value=_PIP_OPTIONS,
    assume_yes=frozenset({"-y", "--yes"}),
    no_recommends=frozenset(),
    index_dirs=(),
    cache_dirs=("~/.cache/pip",),
    parse_package=parse_pip_package,
    # pip takes any unambiguous prefix of a long option: --no-cache is --no-cache-dir.
    no_cache=frozenset({"--no-cache-dir", "--no-cache", "--no-cache-d", "--no-cache-di"}),
    no_cache_env=("PIP_NO_CACHE_DIR",),
    clean_hint="use `pip install --no-cache-dir`",
    pin_hint="{name}==<version>",
    family="pip",
    version_options=_PIP_CONSTRAINTS,
    clean_words=frozenset({"purge"}),
)
PIPX = Manager(
    name="pipx",
    programs=frozenset({"pipx"}),
    verbs={"install": INSTALL, "uninstall": REMOVE},
    options_with_value=frozenset({"--python", "--pip-args", "--index-url", "-i", "--suffix", "--spec",
                                  "--preinstall", "--backend"}),
    assume_yes=frozenset(),
    no_recommends=frozenset(),
    index_dirs=(),
    cache_dirs=(),  # pip runs inside pipx's shared venv: not judged
    parse_package=parse_pip_package,
    pin_hint="{name}==<version>",
    family="pip",
    source_options=frozenset({"--spec"}),  # pipx install --spec git+https://…@v1 tool
)
UV_PIP = Manager(
    name="uv pip",
    programs=frozenset(),  # `uv pip …`: found by facts_of
    verbs={"install": INSTALL, "uninstall": REMOVE, "sync": INSTALL},
    options_with_value=_PIP_OPTIONS,
    assume_yes=frozenset(),
    no_recommends=frozenset(),
    index_dirs=(),
    cache_dirs=("~/.cache/uv",),
    parse_package=parse_pip_package,
    no_cache=frozenset({"--no-cache", "-n"}),
    no_cache_env=("UV_NO_CACHE",),
    clean_hint="use `uv pip install --no-cache`",
    pin_hint="{name}==<version>",
    family="pip",
    version_options=_PIP_CONSTRAINTS,
)
_NPM_OPTIONS = frozenset({"--prefix", "--registry", "--cache", "--loglevel", "-w", "--workspace", "--omit",
                          "--include", "--tag", "--save-prefix", "--userconfig", "--globalconfig",
                          "--network-timeout", "--cache-folder", "--modules-folder", "--mutex", "--cwd",
                          "--store-dir", "--filter", "-C", "--dir", "--install-links", "--fetch-retries",
                          "--fetch-timeout", "--maxsockets", "--scope", "--auth-type", "--node-options",
                          "--script-shell", "--shell", "--userconfig"})
NPM = Manager(
    name="npm",
    programs=frozenset({"npm"}),
    verbs={"install": INSTALL, "i": INSTALL, "add": INSTALL, "ci": INSTALL, "isntall": INSTALL,
           "uninstall": REMOVE, "remove": REMOVE, "rm": REMOVE, "un": REMOVE, "cache": CLEAN},
    options_with_value=_NPM_OPTIONS,
    assume_yes=frozenset(),
    no_recommends=frozenset(),
    index_dirs=(),
    cache_dirs=("~/.npm",),
    parse_package=parse_npm_package,
    clean_hint="add `npm cache clean --force` at the end of this RUN",
    pin_hint="{name}@<version>",
    family="npm",
    clean_words=frozenset({"clean", "clear"}),  # npm before 5: `npm cache clear`
)
YARN = Manager(
    name="yarn",
    programs=frozenset({"yarn", "yarnpkg"}),
    verbs={"add": INSTALL, "install": INSTALL, "remove": REMOVE, "cache": CLEAN},
    options_with_value=_NPM_OPTIONS,
    assume_yes=frozenset(),
    no_recommends=frozenset(),
    index_dirs=(),
    cache_dirs=("~/.cache/yarn", "/usr/local/share/.cache/yarn", "~/.yarn/berry/cache"),
    parse_package=parse_npm_package,
    clean_hint="add `yarn cache clean` at the end of this RUN",
    pin_hint="{name}@<version>",
    family="npm",
    skip_words=frozenset({"global"}),
    clean_words=frozenset({"clean"}),
)
PNPM = Manager(
    name="pnpm",
    programs=frozenset({"pnpm"}),
    verbs={"add": INSTALL, "install": INSTALL, "i": INSTALL, "remove": REMOVE, "rm": REMOVE, "store": CLEAN},
    options_with_value=_NPM_OPTIONS,
    assume_yes=frozenset(),
    no_recommends=frozenset(),
    index_dirs=(),
    cache_dirs=("~/.local/share/pnpm/store", "~/.cache/pnpm", "/pnpm/store"),
    parse_package=parse_npm_package,
    clean_hint="add `pnpm store prune` at the end of this RUN",
    pin_hint="{name}@<version>",
    family="npm",
    clean_words=frozenset({"prune"}),
)
GEM = Manager(
    name="gem",
    programs=frozenset({"gem"}),
    verbs={"install": INSTALL, "i": INSTALL, "uninstall": REMOVE},
    options_with_value=frozenset({"-v", "--version", "-i", "--install-dir", "-n", "--bindir", "-s", "--source",
                                  "--platform", "-P", "--trust-policy", "--build-root", "--target-rbconfig",
                                  "-g", "--file", "--without", "--with"}),
    assume_yes=frozenset(),
    no_recommends=frozenset(),
    index_dirs=(),
    cache_dirs=(),
    parse_package=parse_gem_package,
    pin_hint="{name}:<version>",
    family="gem",
    version_options=frozenset({"-v", "--version"}),
)
BUNDLER = Manager(
    name="bundle",
    programs=frozenset({"bundle", "bundler"}),
    verbs={"install": INSTALL},
    options_with_value=frozenset({"--gemfile", "--jobs", "-j", "--path", "--retry", "--without", "--with",
                                  "--binstubs", "--standalone", "--shebang", "--trust-policy"}),
    assume_yes=frozenset(),
    no_recommends=frozenset(),
    index_dirs=(),
    cache_dirs=(),
    parse_package=parse_gem_package,
    family="gem",
)
GO = Manager(
    name="go",
    programs=frozenset({"go"}),
    verbs={"install": INSTALL, "get": INSTALL},  # (`go run pkg@version` runs one: DF106 reads it)
    options_with_value=frozenset({"-C", "-p", "-o", "-tags", "-ldflags", "-gcflags", "-asmflags", "-mod",
                                  "-modfile", "-overlay", "-pkgdir", "-toolexec", "-buildmode", "-compiler",
                                  "-pgo", "-installsuffix"}),
    assume_yes=frozenset(),
    no_recommends=frozenset(),
    index_dirs=(),
    cache_dirs=(),
    parse_package=parse_go_package,
    pin_hint="{name}@<version>",
    family="go",
)
CARGO = Manager(
    name="cargo",
    programs=frozenset({"cargo"}),
    verbs={"install": INSTALL},
    options_with_value=frozenset({"--version", "--vers", "--git", "--branch", "--tag", "--rev", "--path", "--root",
                                  "--target", "--features", "-F", "--profile", "-j", "--jobs", "--index",
                                  "--registry", "--bin", "--example", "--target-dir", "--config", "-Z",
                                  "--color"}),
    assume_yes=frozenset(),
    no_recommends=frozenset(),
    index_dirs=(),
    cache_dirs=(),
    parse_package=parse_cargo_package,
    pin_hint="{name}@<version>",
    family="cargo",
    version_options=frozenset({"--version", "--vers"}),
    source_options=frozenset({"--git", "--path"}),
)
_FIX_BROKEN = frozenset({"-f", "--fix-broken"})
# apt.conf values that mean yes (apt's StringToBool).
_TRUE = frozenset({"1", "yes", "true", "with", "on", "enable"})
_FALSE = frozenset({"0", "no", "false", "without", "off", "disable"})

MANAGERS: tuple[Manager, ...] = (APT, APK, DNF, YUM, MICRODNF, TDNF, ZYPPER, PIP, UV_PIP, NPM, YARN, PNPM, GEM, BUNDLER,
                                 GO, CARGO, PIPX)

# Where package managers leave indexes and caches in an image, for ``dlint build``'s leftovers:
# (label, path marker, rule that prevents it). Markers under /var/ are absolute; the others sit
# under any home directory (/root/.cache/pip/, /home/app/.npm/_cacache/). DF107 now lints them
# too (dlint/image keeps its own labels: the image engineer links them).
LEFTOVER_LOCATIONS: tuple[tuple[str, str, str | None], ...] = (
    ("apt package index", APT.index_dirs[0] + "/", "DF107"),
    ("apt cache", APT.cache_dirs[0] + "/", "DF107"),
    ("apk cache", "/var/cache/apk/", "DF107"),
    ("dnf cache", "/var/cache/dnf/", "DF107"),
    ("yum cache", "/var/cache/yum/", "DF107"),
    ("zypper cache", "/var/cache/zypp/", "DF107"),
    ("pip cache", "/.cache/pip/", "DF107"),
    ("npm cache", "/.npm/_cacache/", "DF107"),
    ("yarn cache", "/.cache/yarn/", "DF107"),
    ("gem cache", "/.gem/specs/", None),  # gem's spec cache: DF107 judges the .gem files only
    ("go build cache", "/.cache/go-build/", "DF107"),
    ("go module cache", "/go/pkg/mod/", "DF107"),  # GOPATH /go, as the official golang image sets it
    ("cargo registry", "/cargo/registry/", "DF107"),  # CARGO_HOME /usr/local/cargo (official rust image)
    ("cargo registry", "/.cargo/registry/", "DF107"),  # the default CARGO_HOME, ~/.cargo
)
NOT_LEFTOVERS = ("/var/lib/apt/lists/lock",)  # apt's lock file: empty, and apt needs it
_BY_PROGRAM = {program: manager for manager in MANAGERS for program in manager.programs}


class _memo:
    """A property computed on first use and then kept in the instance's ``__dict__``: a
    non-data descriptor, so later reads find the value there without calling anything. (Rules
    ask the same call for ``simulates`` … several times; ``functools.cached_property`` takes a
    lock on each first use in Python 3.11.) Only for objects not modified once made."""

    def __init__(self, function: Callable) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __get__(self, instance: object, owner: type | None = None) -> object:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


class _flag:
    """A flag of a :class:`PackageCall`: the first read works out every flag of the call
    (``_work_out`` keeps them in the instance's ``__dict__``, where later reads find them)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> object:
        if instance is None:
            return self
        instance._work_out()
        return instance.__dict__[self.name]


class PackageCall(Record):
    # A plain class, not a dataclass: see dlint/startup.py. Not modified once facts_of made it:
    # the option names and the flags below (simulates …) are worked out once, on first use.
    _fields = ("manager", "command", "index", "program", "verb", "verb_word", "options", "option_values", "packages",
               "from_stdin")

    def __init__(
        self,
        manager: Manager,
        command: Command,
        index: int,  # position of the command in the RUN
        program: Word,  # the word naming the manager (``apt-get``)
        verb: str | None,  # role, see INSTALL …
        verb_word: Word | None,
        options: list[Word] | None = None,  # None: a new empty list (also below)
        option_values: list[str] | None = None,  # e.g. the X=Y of -o X=Y
        packages: list[Package] | None = None,
        from_stdin: bool = False,  # run through xargs: more packages arrive on stdin
    ) -> None:
        self.manager = manager
        self.command = command
        self.index = index
        self.program = program
        self.verb = verb
        self.verb_word = verb_word
        self.options = [] if options is None else options
        self.option_values = [] if option_values is None else option_values
        self.packages = [] if packages is None else packages
        self.from_stdin = from_stdin
        # (not a field: the verb as written, which rules read often)
        self.verb_text: str | None = verb_word.value if verb_word is not None else None

    def has_option(self, names: frozenset[str]) -> bool:
        if not self.options:
            return False
        return not self._option_names.isdisjoint(names)

    @_memo
    def _option_names(self) -> frozenset[str]:
        """Every option as a name: ``--opt`` of ``--opt=x``, and each letter of a group of
        short options (``-yq`` is ``-y`` and ``-q``; not ``-q=2``, whose value is not letters)."""
        found = set()
        for option in self.options:
            value = option.value or ""
            found.add(value)
            if "=" in value:
                found.add(value.partition("=")[0])
            elif len(value) > 2 and not value.startswith("--"):  # (-y is its own one letter)
                found.update(["-" + letter for letter in value[1:]])
        return frozenset(found)

    def config(self, key: str) -> str | None:
        """Value of ``-o key=value`` (case-insensitive key), if given."""
        key = key.lower()
        for item in self.option_values:
            name, _, value = item.partition("=")
            if name.lower() == key:
                return value
        return None

    def config_is(self, key: str, expected: bool) -> bool:
        """Whether ``-o key=…`` sets ``key`` to true (or false, as ``expected`` says)."""
        if not self.option_values:  # most calls
            return False
        value = (self.config(key) or "").strip().strip("\"'").lower()
        return value in (_TRUE if expected else _FALSE)

    # The flags below are worked out all at once (_work_out) on the first question about any
    # of them: the layer model and the rules ask most of them of every call, and one
    # descriptor call costs less than one per flag.
    simulates: bool = _flag()  # only shows what would happen (-s, --dry-run …): changes nothing, never prompts
    # Answers apt's confirmation prompt by itself: -y in any spelling, quiet level 2 (which
    # implies -y), -o APT::Get::Assume-Yes=true, or a simulation.
    assumes_yes: bool = _flag()
    # `apt-get install` or `remove` naming no package (not -f, nothing from stdin, no
    # auto-removal): it changes nothing and asks nothing.
    does_nothing: bool = _flag()
    fixes_broken: bool = _flag()  # apt-get -f install: also installs what broken dependencies need
    updates_first: bool = _flag()  # apt-get install --update (apt 3) updates the index before it installs
    removes_unneeded: bool = _flag()  # also removes the packages nothing needs any more (autoremove, --auto-remove)

    def _work_out(self) -> None:
        manager, verb, options = self.manager, self.verb, self.options
        removes = self.verb_text in manager.auto_remove_verbs
        if not options:  # (then no option values either): most flags are off
            simulates, assumes_yes, fixes_broken, updates_first = False, False, False, False
        else:
            names = self._option_names  # (has_option, inlined)
            configured = bool(self.option_values)  # (-o KEY=VALUE: config_is has something to read)
            simulates = not names.isdisjoint(manager.simulate) or (
                configured and self.config_is("APT::Get::Simulate", True)
            )
            assumes_yes = (
                not names.isdisjoint(manager.assume_yes)
                or self.quiet_level >= 2
                or (configured and self.config_is("APT::Get::Assume-Yes", True))
                or simulates
            )
            fixes_broken = manager is APT and not names.isdisjoint(_FIX_BROKEN)
            updates_first = verb in (INSTALL, UPGRADE) and not names.isdisjoint(manager.update_first)
            removes = removes or (verb in (REMOVE, INSTALL) and not names.isdisjoint(manager.auto_remove)) or (
                configured and self.config_is("APT::Get::AutomaticRemove", True)
            )
        # (`npm install`, `pip install -r x` name no package and install many)
        does_nothing = (
            not self.packages and not self.from_stdin and verb in (INSTALL, REMOVE) and manager is APT
            and not removes and not fixes_broken
        )
        self.simulates, self.assumes_yes, self.does_nothing = simulates, assumes_yes, does_nothing
        self.fixes_broken, self.updates_first, self.removes_unneeded = fixes_broken, updates_first, removes

    @_memo
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


class Removal(NamedTuple):
    command: Command
    index: int
    paths: tuple[Word, ...]


class RunFacts(Record):
    _fields = ("script", "calls", "removals", "cache_mounts", "programs", "masked")

    def __init__(
        self,
        script: Script,
        calls: list[PackageCall],
        removals: list[Removal],
        cache_mounts: list[str],  # targets of --mount=type=cache
        programs: frozenset[str] = frozenset(),  # first word of each command, without its directory
        masked: tuple[str, ...] = (),  # targets of cache, tmpfs and bind mounts: kept out of the layer
        writers: tuple[int, ...] | None = None,  # see below; None: worked out from the script
    ) -> None:
        self.script = script
        self.calls = calls
        self.removals = removals
        self.cache_mounts = cache_mounts
        self.programs = programs
        self.masked = masked
        # Calls by role, grouped once (not a field): most rules ask every RUN for its installs
        # or updates.
        by_role: dict[str, tuple[PackageCall, ...]] = {}
        for call in calls:  # (a RUN has few calls: tuples grow by one)
            by_role[call.verb] = by_role.get(call.verb, ()) + (call,)
        self._by_role = by_role
        # Positions of the commands that may write a file with its words (echo or printf with a
        # redirect, tee), not a field: the layer model reads apt settings there. facts_of notes
        # them while it looks at each command anyway.
        if writers is None:
            writers = tuple(
                index for index, command in enumerate(script.commands)
                if command.words and _may_write(_program(command.words[0]), command)
            )
        self.writers = writers

    def calls_of(self, role: str, manager: Manager | None = None) -> tuple[PackageCall, ...]:
        """The calls playing ``role`` (INSTALL …), in order."""
        calls = self._by_role.get(role, ())
        if manager is None or not calls:
            return calls
        return tuple(c for c in calls if c.manager is manager)

    def removes(self, directory: str, after: int = -1) -> bool:
        """Whether a command after command number ``after`` deletes ``directory`` or its contents."""
        if not self.removals:  # (most RUNs: no generator made)
            return False
        return any(
            removal.index > after and any(removes_directory(p.value, directory) for p in removal.paths)
            for removal in self.removals
        )

    def removes_home(self, directory: str, after: int = -1) -> bool:
        """:meth:`removes` for a directory that may sit in a home (``~/.cache/pip``): ``rm -rf
        ~/.cache``, ``$HOME/.cache/pip``, ``/root/.cache/*`` and ``/home/app/.cache`` all count."""
        if not self.removals:
            return False
        target = _homed(directory)
        return any(
            removal.index > after and any(removes_directory(_homed(p.value or p.text), target) for p in removal.paths)
            for removal in self.removals
        )

    def masks_home(self, directory: str) -> bool:
        """:meth:`masks` for a directory that may sit in a home (a mount on /root/.cache)."""
        if not self.masked:
            return False
        target = _homed(directory)
        return any(
            target == t or target.startswith(t.rstrip("/") + "/") for t in map(_homed, self.masked)
        )

    def mounts_cache(self, directory: str) -> bool:
        if not self.cache_mounts:
            return False
        return any(directory == t or directory.startswith(t.rstrip("/") + "/") for t in self.cache_mounts)

    def masks(self, directory: str) -> bool:
        """Whether a mount (cache, tmpfs, bind) covers ``directory``: what the RUN writes or
        deletes under it never reaches the layer, and the next RUN sees what was there before."""
        if not self.masked:
            return False
        return any(directory == t or directory.startswith(t.rstrip("/") + "/") for t in self.masked)


_HOME = lazy_pattern(r"^(~|\$\{?HOME\}?|/root|/home/[^/]+)(?=/|$)")


def _homed(path: str) -> str:
    """A path with its home directory spelled /HOME (``~``, ``$HOME``, ``/root``, ``/home/x``)."""
    if not path:
        return path
    path = path.strip("\"'")
    if not path.startswith(("~", "$", "/root", "/home/")):  # what _HOME can match: most paths skip it
        return path
    return _HOME().sub("/HOME", path, count=1)


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
_ASSIGNMENT = lazy_pattern(r"[A-Za-z_][A-Za-z0-9_]*=")


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
            elif program == "env" and _ASSIGNMENT().match(value):
                index += 1
            else:
                break
    return words[index:], through_xargs


def _package_call(manager: Manager, command: Command, index: int, argv: list[Word], stdin: bool) -> PackageCall:
    options: list[Word] = []
    option_values: list[str] = []
    packages: list[Package] = []  # most words are packages
    verb_word = verb = None
    with_value, parse_package = manager.options_with_value, manager.parse_package
    words = iter(argv)
    next(words)  # the program
    for word in words:  # (an iterator: an option's value is taken with next())
        value = word.value
        # (value[:1] == "-", not startswith: a method call costs more in this loop over every word)
        if value is not None and value[:1] == "-" and len(value) > 1:
            if value == "--" and manager.family == "gem":
                break  # gem install x -- --with-opt: the rest is for the extension's build
            options.append(word)
            if value in with_value:
                following = next(words, None)
                if following is not None:
                    option_values.append(following.value or "")
            elif "=" in value:
                name, _, given = value.partition("=")
                if name in with_value:
                    option_values.append(given)
            continue
        if verb_word is None:
            if value in manager.skip_words:  # `yarn global add`
                continue
            verb_word = word
            verb = manager.verbs.get(value or "")
        else:
            packages.append(parse_package(word))
    return PackageCall(manager, command, index, argv[0], verb, verb_word, options, option_values, packages, stdin)


_PYTHON = lazy_pattern(r"python[0-9.]*$")


def _indirect(program: str, argv: list[Word]) -> tuple[Manager | None, list[Word]]:
    """``python -m pip install …`` and ``uv pip install …``: the call starts at ``pip``."""
    if program == "uv" and argv[1].value == "pip":
        return UV_PIP, argv[1:]
    if _PYTHON().match(program):
        for position in range(1, min(len(argv) - 1, 4)):
            value = argv[position].value or ""
            if value == "-m" and argv[position + 1].value in ("pip", "pip3"):
                return PIP, argv[position + 1 :]
            if value == "-mpip":
                return PIP, argv[position:]
            if not value.startswith("-"):
                break
    return None, argv


_REMOVERS = frozenset({"rm", "find"})


def _removal(command: Command, index: int, program: str, argv: list[Word]) -> Removal | None:
    if program == "rm":
        paths, options_done = [], False
        for word in argv[1:]:
            if not options_done:
                value = word.value
                if value == "--":
                    options_done = True
                    continue
                if value is not None and value.startswith("-"):
                    continue
            paths.append(word)
        return _new(Removal, (command, index, tuple(paths)))
    if program == "find" and _find_deletes([w.value for w in argv]):
        # find DIR … -delete removes what lies below DIR.
        root = next((w for w in argv[1:] if not (w.value or "-").startswith(("-", "(", "!"))), None)
        if root is not None:
            value = (root.value or "").rstrip("/") + "/*"
            if root._span is None and hasattr(root, "_locate"):  # located where the root is, when asked
                inside = Word.located(root.text, value, root._locate, root._start, root._end)
            else:
                inside = Word(root.text, value, root.span)
            return _new(Removal, (command, index, (inside,)))
    return None


def _find_deletes(values: list[str | None]) -> bool:
    """Whether a find deletes what it finds: ``-delete``, ``-exec rm …``, ``-execdir rm …``."""
    if "-delete" in values:
        return True
    return any(values[n + 1] == "rm" for n in range(len(values) - 1) if values[n] in ("-exec", "-execdir"))


_SLASHES = lazy_pattern("/+")


@lru_cache(maxsize=4096)  # the same few cleanups recur in RUN after RUN, file after file
def removes_directory(pattern: str | None, directory: str) -> bool:
    """Whether ``rm`` of ``pattern`` deletes ``directory`` itself or everything in it."""
    if not pattern or not pattern.startswith("/"):
        return False  # a relative path (`cd /tmp && rm -rf *`) names what the RUN's directory holds
    path = (_SLASHES().sub("/", pattern) if "//" in pattern else pattern).rstrip("/") or "/"
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
    if not instruction.flags:  # most RUNs
        return [], ()
    caches: list[str] = []
    masked: list[str] = []
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


# program -> its Manager, or _WRAPPER (sudo …), _REMOVER (rm, find) or _INDIRECT (uv; python*
# is matched by its start): facts_of's first look at a command.
_WRAPPER, _REMOVER, _INDIRECT, _WRITER = object(), object(), object(), object()
_WRITERS_WITH_REDIRECT = frozenset({"echo", "printf"})
_DISPATCH: dict[str, object] = {
    **dict.fromkeys(_REMOVERS, _REMOVER), **dict.fromkeys(_WRAPPERS, _WRAPPER), "uv": _INDIRECT,
    "echo": _WRITER, "printf": _WRITER, "tee": _WRITER, **_BY_PROGRAM,
}


def _may_write(program: str, command: Command) -> bool:
    return (program in _WRITERS_WITH_REDIRECT and bool(command.redirects)) or program == "tee"


def facts_of(instruction: Instruction) -> RunFacts:
    """Shell and package-manager facts of one RUN. Rules get them, computed once per file,
    from :class:`dlint.context.LintContext`."""
    script = script_of(instruction)
    calls: list[PackageCall] = []
    removals: list[Removal] = []
    programs: set[str] = set()
    writers: list[int] = []
    for index, command in enumerate(script.commands):
        argv = command.words
        if not argv:
            continue
        program = argv[0].value or ""
        if "/" in program:  # (_program inlined: most commands are a bare name)
            program = program.rsplit("/", 1)[-1]
        programs.add(program)
        # One look-up tells most commands apart: neither a manager, a wrapper nor a remover.
        manager = _DISPATCH.get(program)
        if manager is None and program[:6] != "python":  # (not startswith: slower in this loop)
            continue
        if manager is _WRITER:
            if _may_write(program, command):
                writers.append(index)
            continue
        if manager is _REMOVER:
            removal = _removal(command, index, program, argv)
            if removal is not None:
                removals.append(removal)
            continue
        stdin = False
        if manager is _WRAPPER:  # seldom: most commands run their first word
            argv, stdin = unwrap(argv)
            if not argv:
                continue
            program = _program(argv[0])
            manager = _BY_PROGRAM.get(program)
        elif manager is _INDIRECT:
            manager = None
        if manager is None and len(argv) > 2:
            manager, argv = _indirect(program, argv)
        if manager is not None:
            calls.append(_package_call(manager, command, index, argv, stdin))
        elif program in _REMOVERS:  # through a wrapper
            removal = _removal(command, index, program, argv)
            if removal is not None:
                removals.append(removal)
    caches, masked = _mounts(instruction) if instruction.flags else ([], ())  # (most RUNs: no flags)
    return RunFacts(script, calls, removals, caches, frozenset(programs), masked, tuple(writers) if writers else ())


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
