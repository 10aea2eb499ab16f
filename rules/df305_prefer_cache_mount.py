from __future__ import annotations

import re

from dlint.packages import APT, CLEAN, DNF, INSTALL, NPM, PIP, UPDATE, removes_directory
from dlint.rule import Edit, Fix, Severity, Violation, rule
from dlint.source import Span

# manager -> (cache mount targets, what else the cache needs to fill)
_MOUNTS: dict[str, tuple[tuple[str, ...], str]] = {
    "apt-get": (("/var/cache/apt", "/var/lib/apt/lists"),
                " (and `rm -f /etc/apt/apt.conf.d/docker-clean` first, or the downloads are deleted anyway)"),
    "apk": (("/var/cache/apk",), " (and `ln -s /var/cache/apk /etc/apk/cache`: apk keeps a cache only then)"),
    "dnf": (("/var/cache/dnf", "/var/cache/libdnf5"), " (with `--setopt=keepcache=True` to keep the packages too)"),
    "microdnf": (("/var/cache/yum",), ""),
    # yum is dnf on RHEL 8 and later (its cache is /var/cache/dnf there), yum 3 before.
    "yum": (("/var/cache/yum", "/var/cache/dnf"), " (with `--setopt=keepcache=1` to keep the packages too)"),
    "tdnf": (("/var/cache/tdnf",), ""),
    "zypper": (("/var/cache/zypp",), ""),
    "pip": (("/root/.cache/pip",), ""),
    "uv pip": (("/root/.cache/uv",), ""),
    "npm": (("/root/.npm",), ""),
    "yarn": (("/usr/local/share/.cache/yarn",), ""),
    "pnpm": (("/root/.local/share/pnpm/store",), ""),
}


@rule(
    "DF305",
    "prefer-cache-mount",
    Severity.INFO,
    "An install throws its download cache away where a BuildKit cache mount would keep it",
    enabled=False,
    fixable=True,
)
def prefer_cache_mount(context, options):
    """## What it does
    Flags a `RUN` whose install throws its package manager's cache away in the same `RUN`
    (`rm -rf /var/lib/apt/lists/*`, `apt-get clean`, `dnf clean all`, `npm cache clean`,
    `apk add --no-cache`, `pip install --no-cache-dir` …) and has no cache mount for it: a
    BuildKit cache mount keeps that cache out of the layer as well, and keeps it between
    builds. The message names the mounts to add. Off by default: turn it on with
    `extend-select = ["DF305"]` when your builds use BuildKit.

    ## Why is this bad?
    A deleted cache is downloaded again on every rebuild of the step: the package index
    (tens of MB for apt) and every package. With a cache mount the layer stays as small as
    with the deletion, and a rebuild reads the index and packages from the mount. apt needs
    `/var/cache/apt` and `/var/lib/apt/lists` with `sharing=locked` (not all of
    `/var/lib/apt`: its `extended_states`, apt's record of which packages were installed
    automatically, belongs in the image). The official Debian and Ubuntu images ship
    `/etc/apt/apt.conf.d/docker-clean`, which deletes the downloaded packages after each
    install: until it is removed (`RUN rm -f /etc/apt/apt.conf.d/docker-clean`) only the
    index is cached. apk keeps a cache only when `/etc/apk/cache` exists. dnf 5 (Fedora 41
    and later) keeps its cache in `/var/cache/libdnf5`.

    ## Example
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM debian:bookworm-20241016
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM debian:bookworm-20241016
    RUN rm -f /etc/apt/apt.conf.d/docker-clean
    RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
        --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\
        apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1
    ```

    ## Fix
    `--fix` adds the cache mounts after `RUN` (on lines of their own) and removes what threw
    the cache away: the `rm` of the cache or index (`&& rm -rf /var/lib/apt/lists/*`), the
    manager's clean command (`apt-get clean`, `dnf clean all`, `npm cache clean --force`),
    pip's `--no-cache-dir`. It is safe when the file already uses BuildKit syntax (a
    `# syntax=` or `# check=` directive, a heredoc, or a flag only BuildKit knows:
    `RUN --mount`, `--network`, `--security`, `COPY --link`, `--parents`, `--exclude`,
    `ADD --checksum`, `--keep-git-dir`); otherwise it is unsafe (`--unsafe-fixes`): the
    classic builder refuses `--mount`. It is offered for apt (the `RUN` must update the index
    itself: an empty mount hides the lists an earlier layer left), dnf, and pip and npm in a
    stage that runs as root on an official image (another user's cache is not under
    `/root`), and only where each deletion is a whole command joined by `&&` or `;` (or
    the option) and nothing else throws the cache away. It does not remove `docker-clean`:
    that file changes every later `apt-get` of the image, and of images built FROM it,
    whose layers would then keep their downloads; do it in a `RUN` of its own, as above.
    apk has no fix: without `--no-cache`, `apk add` needs an index it does not fetch by
    itself.
    """
    dockerfile = context.dockerfile
    for stage, instruction, facts in context.runs:
        installs = facts.calls_of(INSTALL)
        if not installs:
            continue
        for install in installs:
            manager = install.manager
            mounts = _MOUNTS.get(manager.name)
            if mounts is None:
                continue
            targets, note = mounts
            if any(facts.masks_home(target) for target in targets):
                break  # already mounted
            if not _discards(facts, install):
                continue
            flags = [f"--mount=type=cache,target={t}" + (",sharing=locked" if manager is APT else "") for t in targets]
            yield Violation(
                instruction.keyword_span,
                f"`{install.program.value} {install.verb_text}` throws its cache away in this RUN: "
                f"`RUN {' '.join(flags)}` keeps it out of the layer and between builds{note}",
                _fix(context, stage, instruction, facts, install, flags, _uses_buildkit(dockerfile)),
            )
            break


def _discards(facts, install):
    """Whether the install throws its cache away: a no-cache option, or a later command of the
    RUN that deletes the cache or index (rm, clean)."""
    manager = install.manager
    if install.options and install.has_option(manager.no_cache):
        return True
    directories = manager.index_dirs + manager.cache_dirs + manager.archive_dirs
    if any(facts.removes_home(d, install.index) for d in directories):
        return True
    return any(
        later.index > install.index and later.verb == CLEAN and later.manager.cache_dirs == manager.cache_dirs
        for later in facts.calls
    )


# ---------------------------------------------------------------------------------------------
# The fix

_FIXABLE = (APT, DNF, PIP, NPM)
_BUILDKIT_FLAGS = {
    "RUN": frozenset({"mount", "network", "security"}),
    "COPY": frozenset({"link", "parents", "exclude"}),
    "ADD": frozenset({"link", "parents", "exclude", "checksum", "keep-git-dir"}),
}
_OFFICIAL_PREFIXES = ("docker.io/library/", "index.docker.io/library/", "library/")


def _uses_buildkit(dockerfile):
    """Whether the file already needs BuildKit: a `# syntax=` or `# check=` directive, a
    heredoc, or a flag the classic builder does not know."""
    if dockerfile.directive("syntax") is not None or dockerfile.directive("check") is not None:
        return True
    for instruction in dockerfile.all_instructions():
        if instruction.heredocs:
            return True
        known = _BUILDKIT_FLAGS.get(instruction.keyword)
        if known and any(flag.name in known for flag in instruction.flags):
            return True
    return False


def _fix(context, stage, instruction, facts, install, flags, safe):
    """Add the mounts and drop what threw the cache away, when that is surely all of it and
    the result runs as before (see the docstring's Fix)."""
    manager = install.manager
    dockerfile = context.dockerfile
    if manager not in _FIXABLE or instruction.exec_form is not None or instruction.heredocs:
        return None
    if instruction.unterminated or instruction.is_trigger or facts.script.tolerant:
        return None
    if manager is APT and not any(
        c.manager is APT and (c.verb == UPDATE or c.updates_first) and c.index <= install.index
        and not c.command.conditional
        for c in facts.calls
    ):
        return None  # the mount would hide the index an earlier layer left
    if manager in (PIP, NPM) and not _root_on_official_image(context, stage, instruction, install):
        return None
    targets = [flag.split("target=", 1)[1].split(",", 1)[0] for flag in flags]
    commands = facts.script.commands
    edits = []
    for removal in facts.removals:
        touched = [_touches(p.value, targets) for p in removal.paths]
        if not any(touched):
            continue
        if removal.index <= install.index or not all(t == "inside" for t in touched):
            return None  # a deletion before the install, of a parent (busy mount) or of more
        edits.append(_drop_command(dockerfile, commands, removal.index))
    for later in facts.calls:
        if later.index > install.index and later.verb == CLEAN and later.manager.cache_dirs == manager.cache_dirs:
            edits.append(_drop_command(dockerfile, commands, later.index))
    if install.options and install.has_option(manager.no_cache):
        words = install.command.words
        for position, word in enumerate(words):
            if position and word.value in manager.no_cache and word.value.startswith("-"):
                edits.append(_drop_word(dockerfile, words[position - 1], word))
    if not edits or None in edits:
        return None
    insertion = _insert_mounts(dockerfile, instruction, flags)
    if insertion is None:
        return None
    name = "apt" if manager is APT else manager.name
    return Fix(f"add cache mounts for {name} and stop throwing its cache away", (insertion, *edits), safe=safe)


def _root_on_official_image(context, stage, instruction, install):
    """pip and npm keep their caches under the user's home: the mount serves only root's.
    Known when the stage's chain starts from an official image (they run as root) and no
    USER, sudo -u or cache variable says otherwise."""
    if stage is None or install.command.name in ("sudo", "su", "runuser", "gosu", "su-exec"):
        return False
    root = stage.chain[0].base
    name = root.name.lower()
    for prefix in _OFFICIAL_PREFIXES:
        name = name.removeprefix(prefix)
    if root.has_variable or "/" in name or root.is_scratch:
        return False
    for part in stage.chain:
        for other in part.instructions:
            if other.keyword == "USER" and other.line < instruction.line:
                user = (other.words[0].value if other.words else "").split(":", 1)[0]
                if user not in ("root", "0"):
                    return False
    scope = context.dockerfile.variables.before(instruction)
    return not any(variable in scope for variable in _CACHE_VARIABLES)


_CACHE_VARIABLES = ("HOME", "XDG_CACHE_HOME", "PIP_CACHE_DIR", "npm_config_cache", "NPM_CONFIG_CACHE")


def _touches(path, targets):
    """"inside" when an rm path lies in a mount target (or is one), "parent" when it deletes
    one from above (`rm -rf /var/lib/apt`: a mount point cannot be removed), else None."""
    if not path or not path.startswith("/"):
        return None
    path = path.rstrip("/") or "/"
    if any(path == t or path.startswith(t + "/") for t in targets):
        return "inside"
    if any(removes_directory(path, t) for t in targets):
        return "parent"
    return None


def _text(dockerfile, start, end):
    """The source text from (line, column) to (line, column), end exclusive."""
    (line, column), (end_line, end_column) = start, end
    lines = dockerfile.lines
    if line == end_line:
        return lines[line - 1][column - 1 : end_column - 1]
    middle = lines[line : end_line - 1]
    return "\n".join([lines[line - 1][column - 1 :], *middle, lines[end_line - 1][: end_column - 1]])


def _gap(escape):
    blank = rf"(?:[ \t]|{re.escape(escape)}[ \t]*\n)*"
    return re.compile(rf"^{blank}(?:&&|;){blank}$"), re.compile(rf"^{blank}$")


def _end(command):
    """Where a command's text ends: its last word or redirection target."""
    ends = [(w.span.end_line, w.span.end_column) for w in command.words]
    ends += [(t.span.end_line, t.span.end_column) for _op, t in command.redirects]
    return max(ends)


def _drop_command(dockerfile, commands, index):
    """The edit that removes command ``index`` with the operator before it, when it is a
    plain command joined by `&&` or `;` between two such (else None)."""
    command = commands[index]
    if index == 0 or command.operator not in ("&&", ";") or command.conditional or command.nested:
        return None
    if command.branch or command.redirects or command.assignments:
        return None
    following = commands[index + 1] if index + 1 < len(commands) else None
    if following is not None and following.operator not in ("&&", ";"):
        return None  # `rm … || true`: dropping it would change what the `||` guards
    previous = commands[index - 1]
    if previous.nested or not previous.words:
        return None
    start = _end(previous)
    first = command.words[0].span
    operator, _ = _gap(dockerfile.escape)
    if not operator.match(_text(dockerfile, start, (first.line, first.column))):
        return None  # a `fi`, `)` or comment in between: not a plain list
    end = _end(command)
    return Edit(Span(start[0], start[1], end[0], end[1]), "")


def _drop_word(dockerfile, previous, word):
    """The edit that removes an option word with the blank before it."""
    start = (previous.span.end_line, previous.span.end_column)
    _, blank = _gap(dockerfile.escape)
    if not blank.match(_text(dockerfile, start, (word.span.line, word.span.column))):
        return None
    return Edit(Span(start[0], start[1], word.span.end_line, word.span.end_column), "")


def _insert_mounts(dockerfile, instruction, flags):
    """The edit that puts the mounts after `RUN`, one per line, the command on the next."""
    line = instruction.line
    text = dockerfile.lines[line - 1]
    after = instruction.column - 1 + len(instruction.keyword_text)
    rest = text[after:]
    blank = len(rest) - len(rest.lstrip(" \t"))
    if not blank or not rest.strip() or rest.strip() == dockerfile.escape:
        return None
    continued = [other for other in dockerfile.lines[line : instruction.end_line] if other.strip()]
    indent = continued[0][: len(continued[0]) - len(continued[0].lstrip(" \t"))] if continued else ""
    if not indent:  # as the file indents its continuation lines, else four blanks
        indent = text[: instruction.column - 1] + "    "
    joined = f" {dockerfile.escape}\n{indent}".join(flags)
    replacement = f" {joined} {dockerfile.escape}\n{indent}"
    return Edit(Span(line, after + 1, line, after + blank + 1), replacement)
