from __future__ import annotations

from dlint.packages import GO, INSTALL
from dlint.rule import Severity, Violation, rule

_WHOLE_CONTEXT = {".", "./", "*", "./*", "./."}


@rule(
    "DF301",
    "copy-context-before-install",
    Severity.WARNING,
    "The whole build context is copied before packages are installed",
    needs=("COPY", "ADD"),
)
def copy_context_before_install(context, options):
    """## What it does
    Flags a `COPY . …` or `ADD . …` (the whole build context) that comes before a `RUN`
    installing packages in the same stage, with any package manager (apt, apk, dnf, pip,
    npm, gem, go, cargo …). For an install that reads a manifest (`pip install -r`, `npm ci`,
    `npm install`, `bundle install`, `go mod download`) the message names the files to copy
    first (`requirements*.txt`, `package.json` and the lock file, `Gemfile` and
    `Gemfile.lock`, `go.mod` and `go.sum`). An install of the project itself (`pip install .`,
    `-e .`, `go install ./cmd/...`, `cargo install --path .`, a local `.deb`) needs the
    context and is not flagged.

    ## Why is this bad?
    The build cache keys a `COPY` on the content of every file it copies. With the whole
    context copied first, any change to any file, a README or a test, invalidates that layer
    and every layer after it, so the package install runs again on every build: minutes of
    downloads instead of a cache hit. Copy only the files the install needs (a lock file, a
    requirements file), install, then copy the rest. Measured with `dlint build` on a real
    engine (tests/image/test_copy_order_cache.py, an install of three seconds): after a change
    to one source file, the rebuild re-ran the install with the context copied first (3.35 s)
    and took it from the cache with the manifest copied first (0.18 s).

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    WORKDIR /src
    COPY . .
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    WORKDIR /src
    COPY . .
    ```

    ## Fix
    None: moving instructions changes what the install can see.
    """
    dockerfile = context.dockerfile
    for stage in dockerfile.stages:
        copied_at = None
        for instruction in stage.instructions:
            if copied_at is None and instruction.keyword in ("COPY", "ADD") and not instruction.flag("from"):
                if any(_whole_context(dockerfile, instruction, source) for source in instruction.sources):
                    copied_at = instruction
            elif copied_at is not None and instruction.keyword == "RUN":
                installs = [c for c in context.facts(instruction).calls if c.verb == INSTALL or _go_mod_download(c)]
                advice = next((a for a in map(_advice, installs) if a is not None), None)
                if advice is not None:
                    yield Violation(
                        copied_at.keyword_span,
                        f"the whole build context is copied before the install at line {instruction.line}: "
                        f"any file change re-runs it{advice}",
                    )
                    break


def _whole_context(dockerfile, instruction, source):
    """A source that is the whole build context (``.``, ``./``, ``*`` …), variables expanded."""
    if source.heredoc is not None:
        return False
    if not source.has_variable:
        return source.value in _WHOLE_CONTEXT
    expanded = dockerfile.expand(instruction, source)
    return expanded.known and expanded.value in _WHOLE_CONTEXT


_PROJECT_OPTIONS = frozenset({"-e", "--editable", "--path"})  # pip install -e ., cargo install --path
_MANIFESTS = {
    "pip": "requirements*.txt (or pyproject.toml and its lock file)",
    "npm": "package.json and the lock file",
    "gem": "Gemfile and Gemfile.lock",
    "go": "go.mod and go.sum",
}


def _go_mod_download(call):
    """`go mod download`: fetches what go.mod requires (an install of the dependencies)."""
    return call.manager is GO and call.verb_text == "mod" and bool(call.packages) and call.packages[0].word.value == "download"


def _advice(install):
    """What to say about an install after the whole context was copied (the end of the
    message), or None when the install needs the context: a local package (``./x.deb``,
    ``pip install .``, ``-e .``, ``go install ./cmd/...``, ``cargo install --path .``) is the
    project itself, and copying it first is right."""
    manager = install.manager
    if _go_mod_download(install):
        return f": copy {_MANIFESTS['go']} first, download, then copy the rest"
    if any(p.kind == "path" and (p.word.value or "").startswith((".", "/", "~")) for p in install.packages):
        return None
    if manager.family == "go" and any(p.kind == "path" for p in install.packages):
        return None
    if install.options and install.has_option(_PROJECT_OPTIONS):
        return None
    family = manager.family
    if family == "gem" and manager.name == "bundle" and not install.packages:
        return f": copy {_MANIFESTS['gem']} first, install, then copy the rest"
    if family == "pip" and install.options and install.has_option(frozenset({"-r", "--requirement"})):
        return f": copy {_MANIFESTS['pip']} first, install, then copy the rest"
    if family == "npm" and not install.packages:
        return f": copy {_MANIFESTS['npm']} first, install, then copy the rest"
    if not install.packages:
        return None  # `pip install` of nothing, `gem install` from a .gemspec …: not judged
    return ""
