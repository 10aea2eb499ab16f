from __future__ import annotations

from dlint.packages import APT, CLEAN, INSTALL
from dlint.rule import Severity, Violation, rule

# manager -> (cache mount targets, what else the cache needs to fill)
_MOUNTS: dict[str, tuple[tuple[str, ...], str]] = {
    "apt-get": (("/var/cache/apt", "/var/lib/apt"),
                " (and `rm -f /etc/apt/apt.conf.d/docker-clean` first, or the downloads are deleted anyway)"),
    "apk": (("/var/cache/apk",), " (and `ln -s /var/cache/apk /etc/apk/cache`: apk keeps a cache only then)"),
    "dnf": (("/var/cache/dnf",), " (with `--setopt=keepcache=True` to keep the packages too)"),
    "microdnf": (("/var/cache/yum",), ""),
    "yum": (("/var/cache/yum",), " (with `--setopt=keepcache=1` to keep the packages too)"),
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
    both `/var/cache/apt` and `/var/lib/apt` with `sharing=locked`, and the official Debian
    and Ubuntu images ship `/etc/apt/apt.conf.d/docker-clean`, which deletes the downloads
    after each install: remove it for the cache to fill. apk keeps a cache only when
    `/etc/apk/cache` exists.

    ## Example
    ```dockerfile
    FROM python:3.12-slim-bookworm
    RUN pip install --no-cache-dir flask==3.0.3
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim-bookworm
    RUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.0.3
    ```

    ## Fix
    None yet: adding the mounts needs BuildKit, and removing the deletion is only right
    together with them.
    """
    for _stage, instruction, facts in context.runs:
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
            mount_flags = " ".join(
                f"--mount=type=cache,target={t}" + (",sharing=locked" if manager is APT else "") for t in targets
            )
            yield Violation(
                instruction.keyword_span,
                f"`{install.program.value} {install.verb_text}` throws its cache away in this RUN: "
                f"`RUN {mount_flags}` keeps it out of the layer and between builds{note}",
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
