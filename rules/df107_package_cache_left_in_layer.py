from __future__ import annotations

import re

from dlint.layers import ABSENT, ARCHIVES, INDEX, KEEPS_ARCHIVES
from dlint.packages import APT, BUILD_DEP, BUNDLER, CARGO, CLEAN, GEM, GO, INSTALL, READS_INDEX, UPDATE, UPGRADE
from dlint.rule import Edit, Fix, Severity, Violation, rule
from dlint.source import Span
from dlint.startup import lazy_pattern


@rule(
    "DF107",
    "package-cache-left-in-layer",
    Severity.WARNING,
    "A package index or cache is left in the layer of the RUN that downloaded it",
    fixable=True,
)
def package_cache_left_in_layer(context, options):
    """## What it does
    Flags a `RUN` that updates the package index (`apt-get update`) but does not delete it later
    in the same `RUN` (`rm -rf /var/lib/apt/lists/*`, or `apt-get dist-clean` with apt 2.7 and
    later, as in Debian trixie), in a stage whose layers reach the final image. `apt-get clean`
    is not enough: it deletes the downloaded packages, not the index. A BuildKit cache mount on
    `/var/lib/apt` or `/var/lib/apt/lists` keeps the index out of the layer, so such a `RUN` is
    fine. Builder stages that are only copied from are not checked. Once a `RUN` of the stage
    removes `/etc/apt/apt.conf.d/docker-clean` (see below), `apt-get install` keeps every
    package it downloads in `/var/cache/apt/archives`: a `RUN` that leaves them (no cache mount
    on `/var/cache/apt`, no `apt-get clean`) is flagged too.

    Other managers leave their caches too, and the message names the exact fix: `apk add`
    without `--no-cache` (or `apk update`) leaves `/var/cache/apk` (`apk add --no-cache`);
    `dnf`/`yum`/`microdnf`/`tdnf` leave `/var/cache/dnf` or `/var/cache/yum` (`dnf clean all`;
    `clean packages` keeps the metadata); `zypper` leaves `/var/cache/zypp` (`zypper clean
    -a`); `pip` leaves `~/.cache/pip` (`pip install --no-cache-dir`, or `PIP_NO_CACHE_DIR` in
    the stage's environment or exported earlier in the RUN; `uv pip`: `--no-cache`/`UV_NO_CACHE`); `npm`, `yarn` and `pnpm`
    leave their caches (`npm cache clean --force`, `yarn cache clean`, `pnpm store prune`).
    Deleting the directory in the same RUN, or a cache mount covering it, is fine.

    Language toolchains keep caches no option turns off: `gem install` and `bundle install`
    keep every downloaded `.gem` in the gem directory's `cache/` (`rm -rf "$(gem env
    gemdir)"/cache`, or `vendor/bundle/ruby/*/cache` with a bundle path; a lone `gem install
    bundler`, a few hundred kB, is not flagged); `go build` and `go install` fill the build
    cache (`~/.cache/go-build`, Go 1.10 and later), `go install pkg@version` and `go mod
    download` the module cache (`$GOPATH/pkg/mod`): `go clean -cache -modcache`; `cargo
    install`, `build` and `fetch` fill `$CARGO_HOME/registry` (`rm -rf` it). A Go of unknown
    age (a distribution's package in a file that uses no modules) and `go get` (GOPATH mode
    predates both caches) are not judged, nor is a RUN that moves a cache itself (`export
    GOCACHE=…`). Documentation that `gem install` builds without `--no-document` is installed
    content, not a cache (and the official ruby images turn it off in their gemrc): not this
    rule's concern.

    ## Why is this bad?
    The index is tens of MB of files nobody needs at run time, and every layer is shipped
    and stored as built. Measured with `dlint build` on a local Debian bookworm image with
    compressed indexes, as in the official image (`fixtures/build/split` against
    `fixtures/build/onerun`): `apt-get update`, `apt-get install -y curl` and `rm -rf
    /var/lib/apt/lists/*` as three layers gave a 153.8 MB image, the same in one `RUN` 133.9
    MB; the 19.9 MB difference is exactly the index. Uncompressed indexes and more
    repositories make it several times larger.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```
    or, on Debian trixie and later (apt 2.7 and later):
    ```dockerfile
    FROM debian:trixie-slim
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.4.1-2 \\
        && apt-get dist-clean
    ```
    or, with BuildKit, cache mounts that keep apt's index and downloads out of the image and
    between builds:
    ```dockerfile
    RUN rm -f /etc/apt/apt.conf.d/docker-clean
    RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
        --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\
        apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1
    ```
    `sharing=locked` matters: apt needs its directories to itself, and two builds sharing the
    cache at the same time would otherwise break each other. The official Debian and Ubuntu
    images ship `/etc/apt/apt.conf.d/docker-clean`, which deletes downloaded packages after
    every install, so a cache mount on `/var/cache/apt` stays empty until that file is removed
    as above (the index under `/var/lib/apt/lists` is cached either way; the rest of
    `/var/lib/apt`, apt's record of automatically installed packages, belongs in the image).

    ## Fix
    `--fix` appends `&& rm -rf /var/lib/apt/lists/*` on a continued line at the end of the
    `RUN`, indented as the file indents (tabs stay tabs), and `apt-get clean &&` before it
    when `docker-clean` was removed so that apt keeps its downloaded packages too; it is safe.
    It is offered only for
    a shell-form `RUN` without heredocs that does not end in an operator, that installs
    after its update, that does not already remove the lists some other way (in one branch
    of an `if`, before the update, with `apt-get dist-clean`), and when no later `RUN` of the
    stage, or of a stage built `FROM` it, installs from this index without updating first:
    that `RUN` needs it (see DF101).
    """
    for stage, instruction, facts in context.runs:
        if not facts.calls:
            continue
        effects = context.effects(instruction)
        # ONBUILD triggers run in every image built FROM this one: they always reach one.
        if not effects.trigger and (stage is None or not stage.reaches_final):
            continue
        # Most RUNs call apt only: the other managers and the toolchains are looked for
        # when one is there (a generator made for nothing costs as much as the look).
        if any(c.manager is not APT for c in facts.calls):
            yield from _other_managers(context, instruction, facts)
            if any(c.manager in _TOOLCHAINS for c in facts.calls):
                yield from _toolchains(context, stage, instruction, facts)
        archives = _kept_archives(effects, facts)
        if not effects.leaves(INDEX):
            if archives is not None:
                yield Violation(
                    instruction.keyword_span,
                    f"`{_quote(archives.command)}` leaves the downloaded packages (/var/cache/apt/archives) in "
                    "this layer: /etc/apt/apt.conf.d/docker-clean, which deletes them, was removed; add "
                    "`apt-get clean` at the end of this RUN, or a cache mount on /var/cache/apt",
                )
            continue
        updates = [c for c in facts.calls if c.verb == UPDATE or c.updates_first]
        if not updates:
            continue
        update = updates[-1]
        manager = update.manager
        directory = manager.index_dirs[0]
        message = (
            f"`{_quote(update.command)}` leaves {directory} in this layer: "
            f"add `rm -rf {directory}/*` at the end of this RUN"
        )
        cleans = [c for c in facts.calls_of(CLEAN, manager) if c.verb_text not in manager.index_cleaners]
        if cleans:
            message += f" (`{_quote(cleans[0].command)}` removes only the downloaded packages)"
        elif archives is not None:
            message += " and `apt-get clean` (docker-clean was removed: the downloaded packages are kept too)"
        yield Violation(
            instruction.keyword_span,
            message,
            _append_cleanup(context, instruction, facts, update, directory, clean_archives=archives is not None),
        )


_WRITES = frozenset({INSTALL, UPGRADE, UPDATE})


def _kept_archives(effects, facts):
    """The apt-get install that leaves its downloaded packages in this RUN's layer, or None:
    only once /etc/apt/apt.conf.d/docker-clean was removed (earlier in the stage or the RUN),
    which otherwise deletes them after every install. `apt` itself deletes them unless told
    to keep them (APT::Keep-Downloaded-Packages)."""
    if not effects.leaves(ARCHIVES):
        return None
    return next((
        c for c in facts.calls
        if c.manager is APT and c.verb in (INSTALL, UPGRADE, BUILD_DEP) and not c.simulates
        and (c.program.value or "").rsplit("/", 1)[-1] != "apt"
        and KEEPS_ARCHIVES in effects.before(c.command).settings
    ), None)


def _other_managers(context, instruction, facts):
    """apk, dnf/yum/microdnf/tdnf, zypper, pip, uv, npm, yarn, pnpm: one finding per manager
    whose install leaves its cache in this RUN's layer."""
    seen = set()
    for call in facts.calls:
        manager = call.manager
        if manager is APT or not manager.cache_dirs or call.verb not in _WRITES or manager.name in seen:
            continue
        if call.verb == UPDATE and not manager.index_dirs:
            continue
        if call.verb == UPGRADE and manager.family != "os":
            continue
        if call.simulates or (call.options and call.has_option(manager.no_cache)):
            continue  # apk add --no-cache, pip install --no-cache-dir, uv pip install --no-cache
        if _no_cache_env(context, instruction, call):
            continue  # PIP_NO_CACHE_DIR / UV_NO_CACHE in the stage or on the command
        dirs = manager.cache_dirs
        # (Asked only of a RUN with mounts or deletions: each question rewrites the directory.)
        if facts.masked and any(facts.masks_home(d) for d in dirs):
            continue  # a cache or tmpfs mount keeps it out of the layer (and keeps it between builds)
        if facts.removals and any(facts.removes_home(d, call.index) for d in dirs):
            continue
        if any(
            later.index > call.index and later.verb == CLEAN and later.manager.cache_dirs == dirs
            and _empties(later)
            for later in facts.calls
        ):
            continue  # dnf clean all, npm cache clean --force, yarn cache clean, pip cache purge
        seen.add(manager.name)
        where = next((d for d in dirs if manager.name in d), dirs[0])
        hint = manager.clean_hint
        if call.verb == UPDATE and call.manager.no_cache:
            hint = f"drop `{call.program.value} update` and {hint}"  # apk add --no-cache fetches its own index
        yield Violation(
            instruction.keyword_span,
            f"`{_quote(call.command)}` leaves the {manager.name} cache ({where}) in this layer: {hint}",
        )


# Language toolchains (gem, bundle, go, cargo): no option keeps their caches out, so a cache
# is left unless the RUN deletes it, a mount covers it, or the stage never reaches the image.
# cache -> (label, where it is by default, the variable that moves it and the part below it,
#           words a deletion names when its path is a variable, the clean-up to advise)
_CACHES = {
    "go-build": ("build", ("~/.cache/go-build",), (("GOCACHE", ""),), ("gocache", "go-build"), "-cache"),
    "go-mod": ("module", ("/go/pkg/mod", "~/go/pkg/mod"), (("GOMODCACHE", ""), ("GOPATH", "/pkg/mod")),
               ("gomodcache", "gopath", "pkg/mod"), "-modcache"),
    "cargo": ("cargo registry", ("~/.cargo/registry", "/usr/local/cargo/registry"), (("CARGO_HOME", "/registry"),),
              ("cargo",), 'rm -rf "${CARGO_HOME:-$HOME/.cargo}/registry"'),
    "gem": ("gem cache", ("/usr/local/bundle/cache", "~/.gem", "~/.local/share/gem", "/var/lib/gems",
                          "/usr/local/lib/ruby/gems"),
            (("GEM_HOME", "/cache"), ("BUNDLE_PATH", "")), ("gem", "bundle"), 'rm -rf "$(gem env gemdir)"/cache'),
}
_TOOLCHAINS = (GEM, BUNDLER, GO, CARGO)
_OFFLINE = frozenset({"--offline", "--frozen", "--local"})  # cargo build --offline, bundle install --local
_ASSIGNED = lazy_pattern(r"^([A-Z_]+)=")
_GO_VERSION = lazy_pattern(r"^v?(\d+)\.(\d+)")


def _toolchains(context, stage, instruction, facts):
    """gem and bundle (the downloaded .gem files), go (the build and module caches) and cargo
    (the crate registry): one finding per toolchain whose cache this RUN leaves in its layer."""
    left = {}  # cache -> the first call that leaves it
    for call in facts.calls:
        if call.manager not in _TOOLCHAINS or call.verb_word is None:
            continue
        if call.options and call.has_option(_OFFLINE):
            continue
        for cache in _caches_of(context, stage, instruction, call):
            if cache not in left and not _kept_out(context, instruction, facts, call, cache):
                left[cache] = call
    go = [cache for cache in ("go-build", "go-mod") if cache in left]
    if go:
        kinds = " and ".join(_CACHES[cache][0] for cache in go)
        where = ", ".join(_where(context, instruction, cache) for cache in go)
        flags = " ".join(_CACHES[cache][4] for cache in go)
        yield Violation(
            instruction.keyword_span,
            f"`{_quote(min((left[c] for c in go), key=lambda c: c.index).command)}` leaves the go {kinds} cache{'s' if len(go) > 1 else ''} ({where}) "
            f"in this layer: add `go clean {flags}` at the end of this RUN, or build in a stage the "
            "final image only copies from",
        )
    for cache in ("cargo", "gem"):
        if cache in left:
            label, hint = _CACHES[cache][0], _CACHES[cache][4]
            yield Violation(
                instruction.keyword_span,
                f"`{_quote(left[cache].command)}` leaves the {label} ({_where(context, instruction, cache)}) "
                f"in this layer: add `{hint}` at the end of this RUN",
            )


def _caches_of(context, stage, instruction, call):
    """The caches a call fills: `go build` and `go install` the build cache (Go 1.10 and
    later), `go install pkg@version` and `go mod download` the module cache; `cargo install`,
    `build` and `fetch` the registry; `gem install` and `bundle install` the gem cache.
    (`go get` is not judged: in GOPATH mode it predates both caches, and in module mode,
    Go 1.17 and later, it installs nothing.)"""
    manager, verb = call.manager, call.verb_text
    if manager is GO:
        caches = []
        if verb in ("build", "install") and _go_has_build_cache(context, stage, instruction):
            caches.append("go-build")
        remote = verb == "install" and any(p.kind == "name" for p in call.packages)  # pkg@version
        if remote or (verb == "mod" and call.packages and call.packages[0].word.value == "download"):
            caches.append("go-mod")
        return caches
    if manager is CARGO:
        return ["cargo"] if verb in ("install", "build", "fetch") else []
    if manager is GEM and call.verb == INSTALL:
        # A lone bundler is a few hundred kB (the official ruby images leave its .gem too).
        names = any(p.kind == "name" and p.name != "bundler" for p in call.packages)
        return ["gem"] if names or call.has_option(frozenset({"-g", "--file"})) else []
    if manager is BUNDLER and call.verb == INSTALL:
        return ["gem"]
    return []


def _go_has_build_cache(context, stage, instruction):
    """Go keeps a build cache since 1.10 (2018). Known from the official `golang` image's tag,
    a GOLANG_VERSION or GO_VERSION of the stage, or a file that uses Go modules (`go mod`,
    `go install pkg@version`, a copied go.mod: Go 1.11 and later). A Go of unknown age (a
    distribution's package, `golang:latest` in a file written for GOPATH mode) is not judged."""
    if stage is None:
        return False
    root = stage.chain[0].base
    if not root.has_variable and root.name.lower() in _GOLANG_IMAGES:
        match = _GO_VERSION().match(root.tag or "")
        if match:
            return (int(match.group(1)), int(match.group(2))) >= (1, 10)
    scope = context.dockerfile.variables.before(instruction)
    for name in ("GOLANG_VERSION", "GO_VERSION"):
        match = _GO_VERSION().match(scope.get(name) or "")
        if match:
            return (int(match.group(1)), int(match.group(2))) >= (1, 10)
    for run in context.runs:
        for call in run.facts.calls:
            if call.manager is GO and (
                call.verb_text == "mod" or (call.verb_text == "install" and any(p.kind == "name" for p in call.packages))
            ):
                return True
    return any(
        (source.value or "").rsplit("/", 1)[-1] in ("go.mod", "go.sum")
        for other in context.dockerfile.instructions
        if other.keyword in ("COPY", "ADD")
        for source in other.sources
    )


_GOLANG_IMAGES = frozenset({"golang", "library/golang", "docker.io/library/golang", "index.docker.io/library/golang"})


def _where(context, instruction, cache):
    """Where the cache is, as the stage's ENV says or by default (for the message)."""
    _, defaults, variables, _, _ = _CACHES[cache]
    scope = context.dockerfile.variables.before(instruction)
    for name, below in variables:
        value = scope.get(name)
        if value and value.startswith("/"):
            return value.split(":", 1)[0] + below
    if cache == "gem":
        return "the gem directory's cache/"
    return {"go-mod": "$GOPATH/pkg/mod", "cargo": "$CARGO_HOME/registry"}.get(cache, defaults[0])


def _kept_out(context, instruction, facts, call, cache):
    """Whether the cache stays out of this RUN's layer: a mount covers it, a later command
    deletes it (`go clean -cache`, `rm -rf` of it or a parent, or of a path naming the variable
    that locates it: `rm -rf "$GOPATH"`), `GOCACHE=off`, or its place is set to something
    dlint does not follow (a variable set in the RUN itself, an unknown ENV): not judged."""
    _, defaults, variables, words, _ = _CACHES[cache]
    names = {name for name, _ in variables}
    dirs = list(defaults)
    scope = context.dockerfile.variables.before(instruction)
    for name, below in variables:
        if name in scope:
            value = scope[name]
            if value is None or not value.startswith("/") or "$" in value:
                return True  # GOCACHE=off, or a place dlint cannot follow
            dirs.append(value.split(":", 1)[0] + below)
    if cache == "gem" and call.manager is GEM:
        install_dir = call.command.option_value("-i", "--install-dir")
        if install_dir is not None:
            dirs.append(install_dir.rstrip("/") + "/cache")  # gem install -i DIR: DIR/cache
    for command in facts.script.commands:
        for word in command.assignments + command.words:
            match = _ASSIGNED().match(word.text)
            if match and match.group(1) in names:
                return True  # export GOPATH="$(mktemp -d)", GOCACHE=/tmp/c go build …: not followed
    if any("$" in target for target in facts.masked) or any(facts.masks_home(d) for d in dirs):
        return True
    if any(facts.removes_home(d, call.index) for d in dirs):
        return True
    for removal in facts.removals:
        if removal.index > call.index:
            for path in removal.paths:
                text = path.text.lower()
                if any(w in text for w in words) and ("$" in text or (cache == "gem" and "cache" in text)):
                    return True  # rm -rf "$GOPATH", $(go env GOCACHE), vendor/bundle/ruby/*/cache
    if cache.startswith("go-"):
        option = _CACHES[cache][4]
        return any(
            later.index > call.index and later.manager is GO and later.verb_text == "clean"
            and any(o.value == option for o in later.options)
            for later in facts.calls
        )
    return False


def _empties(call):
    words = call.manager.clean_words
    return "*" in words or any(p.word.value in words for p in call.packages)


def _no_cache_env(context, instruction, call):
    names = call.manager.no_cache_env
    if not names:
        return False
    command = call.command
    source = " ".join(w.text for w in command.assignments) + " " + command.source
    if any(name + "=" in source for name in names):
        return True  # PIP_NO_CACHE_DIR=1 pip install …, env PIP_NO_CACHE_DIR=1 …
    scope = context.dockerfile.variables.before(instruction)
    return any(name in scope for name in names) or _exported_before(instruction, call, names)


def _exported_before(instruction, call, names):
    """Whether the RUN exports one of ``names`` before the call (`export PIP_NO_CACHE_DIR=1 &&
    pip install …`): the later commands of the shell inherit it. The shell model yields no
    command for a declaration, so the RUN's text is searched for one."""
    text = instruction.text.text
    if "export" not in text:
        return False
    where = (call.command.span.line, call.command.span.column)
    for name in names:
        for match in re.finditer(_EXPORT.format(name=re.escape(name)), text):
            if instruction.text.position(match.start(1)) < where:
                return True
    return False


# `export [-options] [NAME[=value] …] NAME=`, as its own command (at the start, or after an
# operator or a blank).
_EXPORT = r"(?:^|[\s;&|(])(export)\s+(?:-\w+\s+)*(?:[A-Za-z_]\w*(?:=\S*)?\s+)*{name}="


def _append_cleanup(context, instruction, facts, update, directory, clean_archives=False):
    """Append the cleanup, when that cannot break the build: only when the RUN reads the index
    after its update, cleans it no other way, and no later RUN of the stage (or of a stage
    built FROM it) installs from this index without updating first. ``clean_archives``: apt
    also keeps its downloaded packages here (docker-clean was removed), so `apt-get clean`
    comes first."""
    dockerfile = context.dockerfile
    if instruction.exec_form is not None or instruction.heredocs or instruction.unterminated:
        return None
    if not any(
        c.index > update.index and c.verb in READS_INDEX and not c.command.excludes(update.command)
        for c in facts.calls
    ):
        return None  # the index is left for a later RUN (DF101 says so)
    if facts.removals and any(
        directory in (p.value or "") or "/var/lib/apt" == (p.value or "").rstrip("/*")
        for r in facts.removals for p in r.paths
    ):
        return None  # it already removes the index another way (on some branch, or before)
    if any(c.verb_text in c.manager.index_cleaners for c in facts.calls):
        return None
    if _read_later(context, instruction):
        return None
    text = instruction.text.text.rstrip()
    if not text or text[-1] in ";&|" or text.endswith(dockerfile.escape):
        return None

    def edits():  # worked out when read (--fix, --diff, JSON, SARIF)
        line, column = instruction.text.position(len(text) - 1)
        cleanup = f"apt-get clean && rm -rf {directory}/*" if clean_archives else f"rm -rf {directory}/*"
        addition = f" {dockerfile.escape}\n{_indent(dockerfile, instruction, line)}&& {cleanup}"
        return (Edit(Span(line, column + 1, line, column + 1), addition),)

    if clean_archives:
        return Fix(f"remove the downloaded packages and {directory} in the same RUN", edits)
    return Fix(f"remove {directory} in the same RUN", edits)


def _read_later(context, instruction):
    """Whether a later RUN of the stage, or of a stage built FROM it, reads the package index
    without updating it first: it needs the index this RUN leaves."""
    dockerfile = context.dockerfile
    stage = dockerfile.stage_of(instruction)
    if stage is None:
        return False
    for run in context.runs:
        if run.instruction.line <= instruction.line or run.stage is None:
            continue
        if stage not in run.stage.chain:
            continue
        effects = context.effects(run.instruction)
        if any(
            c.verb in READS_INDEX and not c.updates_first and effects.before(c.command).fresh == ABSENT
            for c in run.facts.calls
        ):
            return True
    return False


def _indent(dockerfile, instruction, last_line):
    """The indentation of the appended line, as the file indents: that of the RUN's lines that
    start with an operator, else one level deeper than the RUN, in tabs when its lines use tabs."""
    lines = dockerfile.lines[instruction.line - 1 : last_line]
    lead = lambda text: text[: len(text) - len(text.lstrip(" \t"))]
    continued = [text for text in lines[1:] if text.strip()]
    operators = [text for text in continued if text.lstrip(" \t").startswith(("&&", "||", ";"))]
    if operators:
        return lead(operators[-1])
    uses_tabs = any(text.startswith("\t") for text in (continued or dockerfile.lines))
    return lead(lines[0]) + ("\t" if uses_tabs else "    ")


def _quote(command, limit=60):
    """The command as written (shortened at a word when long: `install --update` lists packages)."""
    text = command.source
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"
