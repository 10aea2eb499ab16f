from __future__ import annotations

import re

from dlint.packages import APT, GO, INSTALL
from dlint.rule import Severity, rule, violation
from dlint.variables import assignments, references


@rule(
    "DF106",
    "unpinned-package",
    Severity.WARNING,
    "A package is installed without a version pin",
    options={"allowed-unpinned": [], "pin-policy": "exact"},
)
def unpinned_package(context, options):
    """## What it does
    Flags an install whose packages have no version, in each manager's syntax: apt and zypper
    `name=1.2`, apk `name=1.2.3-r0` (or `name~1.2`), dnf/yum/microdnf/tdnf `name-1.2.3` (a
    module, `dnf module install nodejs:20`, by its stream), pip and pipx `name==1.2`,
    npm/yarn/pnpm `name@1.2.3`, gem `name:1.2` or `-v 1.2`, `go install pkg@v1.2.3`
    (`@latest` and branches are not versions; also `go get pkg`, which takes the newest
    version, and `go run pkg@latest`), `cargo install name@1.2` or `--version`. A
    version-control source builds whatever its default branch holds that day unless it names
    a ref: pip's `git+https://host/repo.git@v1.2#egg=name` and npm's `git+ssh://…/repo.git#v1.2`
    are pinned (any ref counts), `git+https://host/repo.git` is not. One
    finding per install, at its first unpinned package, naming them all. Local files, URLs,
    requirement files (`pip install -r`) and variables are not judged; a version given by a
    variable (`curl="$CURL_VERSION"`, `"flask==${FLASK}"`) is a pin, unless the variable is set
    only in another stage (an ARG ends with its stage; an ENV reaches only the stages built
    FROM it): there it expands to nothing. Packages listed in the
    `allowed-unpinned` option are accepted.

    The `pin-policy` option chooses what counts as pinned:
    - `"exact"` (the default): one version; a range (`>=`, `~=`, `^1.2`, apk's `~1.2` aside)
      is not a pin;
    - `"bounds"`: a range is accepted too (`gunicorn>=22`, `serve@^14`);
    - `"base-digest"`: the system packages (apt, apk, dnf/yum/microdnf/tdnf, zypper) of a
      stage whose base image is pinned by digest (`FROM debian:bookworm@sha256:…`, or a stage
      built FROM such a stage) need no pin: the digest fixes the distribution release and its
      sources, and a new package version can come only from that release's own updates.
      Elsewhere exact pins are asked for, and language packages (pip, npm, gem, go, cargo)
      always are: their registries are not part of the base image. ONBUILD triggers are
      held to exact pins (they run on whatever image is built FROM this one).

    ## Why is this bad?
    An unpinned package installs whatever the index offers on the day the layer is built, so
    two builds of the same Dockerfile differ. Worse, the pin is also what busts the build
    cache: with a pin, raising the version changes the instruction and forces a rebuild; without
    one, a cached layer keeps the old version silently and a fresh machine gets a new one.
    A release pin (`name/bookworm-backports`) chooses a suite, not a version.

    Pins are not the whole answer, and they cost upkeep:
    - A Debian or Ubuntu mirror keeps only the newest version of a package in each suite (on
      Ubuntu, in each pocket): a point release or security update replaces it, and from then
      on the exact pin fails the build (`Version '…' for 'curl' was not found`). Plan to raise pins regularly (a bot can).
    - A pin covers only the named package: its dependencies still come at whatever version
      the index offers that day.
    - A reproducible build needs a frozen index as well: a snapshot mirror
      (`snapshot.debian.org`, `snapshot.ubuntu.com`; apt 2.7 and later, as in Debian trixie
      and Ubuntu 24.04, take `--snapshot ID` or `APT::Snapshot`) with a base image pinned by
      digest (DF201). With a snapshot, every package is frozen and pins become optional.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            ca-certificates \\
            curl \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            ca-certificates=20230311+deb12u1 \\
            curl=7.88.1-10+deb12u15 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    None: the right version depends on your base image's suite.
    """
    allowed = set(options.get("allowed-unpinned", ()))
    policy = str(options.get("pin-policy", "exact")).lower()
    bounds_pin = policy == "bounds"
    # One finding per install, at its first unpinned package, naming them all: one list is one
    # decision (pin it or not), and a finding per package buried real findings (4,561 findings
    # for 816 installs over 2,027 public Dockerfiles).
    go_runs = [site for site in context.package_calls(None) if site.call.manager is GO and site.call.verb_text == "run"]
    for stage, instruction, install in context.package_calls(INSTALL) + go_runs:
        manager = install.manager
        if policy == "base-digest" and manager.family == "os" and _base_pinned(stage, instruction):
            continue  # the distribution's release is fixed by the base image's digest
        if install.options and (
            install.has_option(manager.version_options) or install.has_option(manager.source_options)
        ):
            continue  # gem install x -v 1.2, cargo install --version 1.2 / --git URL
        if manager is GO and install.verb_text == "get" and _checked_out_later(context, stage, instruction, install):
            continue  # go get -d pkg && cd $GOPATH/src/pkg && git checkout v1.2: the version is chosen after
        unpinned = [
            p for p in (_go_packages(install) if manager is GO else install.packages)
            if (
                (p.kind == "name" and (not p.version or (p.bound and not bounds_pin)))
                or (p.kind == "vcs" and not p.version)  # git+https://…/repo.git with no @ref
                or (p.kind == "variable" and _unset_here(context, instruction, p.word.text))
            )
            and p.name not in allowed
        ]
        if not unpinned:
            continue
        # (List comprehensions, not generators: cheaper to run, once per unpinned install.)
        listed = list(dict.fromkeys([p.word.value or p.word.text for p in unpinned]))  # once each, in order
        names = ", ".join([f"'{name}'" for name in listed[:_LISTED]])
        if len(listed) > _LISTED:
            names += f" and {len(listed) - _LISTED} more"
        first = unpinned[0]
        if len(unpinned) == 1:
            use = manager.pin_hint.format(name=first.name)
            if first.kind == "variable":
                message = (
                    f"'{first.word.text}': {_unset_here(context, instruction, first.word.text)} is set in another "
                    "stage, not in this one (ARG and ENV end at the next FROM): it expands to nothing, no version is pinned"
                )
            elif first.kind == "vcs":
                ref = "@<tag or commit> before any #" if manager.family == "pip" else "#<tag or commit>"
                message = f"'{first.word.value}' builds the repository's default branch, not a fixed version (add {ref})"
            elif first.bound:
                message = f"'{first.word.value}' sets a range, not a version (use {use})"
            elif first.release and manager is APT:
                message = f"'{first.word.value}' pins a release, not a version (use {use})"
            elif first.release and manager.family in ("npm", "go"):
                message = f"'{first.word.value}' names a tag or branch, not a version (use {use})"
            else:
                message = f"'{first.name}' is not pinned to a version (use {use})"
        else:
            releases = (
                " (a /release pins a suite, not a version)" if manager is APT and any(p.release for p in unpinned) else ""
            )
            message = f"{len(listed)} packages are not pinned to a version: {names}{releases}"
        yield violation(first.word.span, message)


_LISTED = 8  # packages named in the message; the rest are counted


def _go_packages(install):
    """The packages a go call fetches: `go run` the first word only (the rest are the
    program's arguments); `go get` also those without a version (it takes the newest), but
    not `pkg@none` (that removes a requirement)."""
    if install.verb_text == "run":
        return install.packages[:1]
    if install.verb_text == "get":
        return [
            p._replace(kind="name") if p.kind == "path" and p.name else p
            for p in install.packages if p.release != "none"
        ]
    return install.packages


def _unset_here(context, instruction, text):
    """The variable of a version (`git-core-${version}`) that is not set where the RUN runs
    but is set by an ARG or ENV of another stage, or None. BuildKit's scopes end at FROM, so
    it expands to nothing. A variable the file sets nowhere may come from the base image, and
    one the RUN assigns itself is set: neither is judged."""
    found = [r for r in references(text, context.dockerfile.escape) if r.operator == ""]
    if not found:
        return None
    scope = context.dockerfile.variables.before(instruction)
    owner = instruction.trigger_of or instruction
    escape = context.dockerfile.escape
    for reference in found:
        name = reference.name
        if name in scope or re.search(rf"(?<![\w$]){re.escape(name)}=", owner.text.text):
            return None
        if not any(
            other.keyword in ("ARG", "ENV") and other.stage_index >= 0 and other.stage_index != owner.stage_index
            and any(assigned == name for assigned, _ in assignments(other.args, escape, other.keyword))
            for other in context.dockerfile.instructions
        ):
            return None
    return "${" + found[0].name + "}"


_GIT_PINS = frozenset({"checkout", "reset", "switch"})


def _checked_out_later(context, stage, instruction, install):
    """Whether a `git checkout`, `reset` or `switch` follows the call, in its RUN or a later
    RUN of its stage: in GOPATH mode `go get` clones the repository and the file then checks
    out the version it builds (`git checkout "$CONSUL_VERSION"`)."""
    for run in context.runs:
        if run.stage is not stage or run.instruction.line < instruction.line:
            continue
        same = run.instruction is instruction
        for index, command in enumerate(run.facts.script.commands):
            if same and index <= install.index:
                continue
            words = command.words
            if words and words[0].value == "git" and any(w.value in _GIT_PINS for w in words[1:4]):
                return True
    return False


def _base_pinned(stage, instruction):
    """Whether the stage's base image (the root of its chain of stages) is pinned by digest.
    An ONBUILD trigger runs on some later image: never."""
    if stage is None or instruction.trigger_of is not None:
        return False
    digest = stage.chain[0].base.digest
    return bool(digest) and "$" not in digest
