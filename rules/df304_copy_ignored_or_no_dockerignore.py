from __future__ import annotations

from dlint.packages import INSTALL
from dlint.rule import Severity, Violation, rule

# What a build context commonly holds that no image needs, each big or changing all the time:
# version-control history, dependency folders made on the host, caches. Without a
# .dockerignore, `COPY .` sends them and copies them, and any change in them re-runs the step.
_NOT_FOR_IMAGES = (
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
    ".pytest_cache", ".mypy_cache", ".ruff_cache", ".terraform", ".gradle", ".idea",
)
_WILDCARDS = frozenset("*?[")


@rule(
    "DF304",
    "copy-ignored-or-no-dockerignore",
    Severity.WARNING,
    "COPY/ADD of what the .dockerignore excludes, or `COPY .` of a context with .git and no .dockerignore excluding it",
    needs=("COPY", "ADD"),
)
def copy_ignored_or_no_dockerignore(context, options):
    """## What it does
    Reads the build context (`dlint lint --context DIR`, else the Dockerfile's folder) and the
    .dockerignore that applies to it, as BuildKit picks it: `<Dockerfile name>.dockerignore`
    next to the Dockerfile, else `.dockerignore` at the root of the context. Flags:

    - a `COPY`/`ADD` source that the .dockerignore excludes (BuildKit's `CopyIgnoredFile`):
      the file is not in the context, so the build fails with "not found" (a folder that an
      exception such as `!dir/keep` partly takes back is not flagged);
    - `COPY .`/`ADD .` (the whole context) when the context holds `.git` (or `.hg`, `.svn`)
      and the .dockerignore does not exclude it, unless the stage installs or runs `git` (the
      build may read the history on purpose: `git describe` for a version);
    - `COPY .`/`ADD .` when the context has no .dockerignore at all and holds something no
      image needs (`.git`, `node_modules`, `.venv`, `__pycache__`, tool caches): the
      message names them. A context without a .dockerignore that holds none of these is not
      flagged, nor one whose parent folders hold a .dockerignore (builds probably run from
      there: say so with `--context`).

    `COPY --from`, URLs, heredocs and sources with unknown variables are not context files
    and are not looked at. The whole-context cases are reported once per file, at the first
    `COPY .` they apply to.

    ## Why is this bad?
    Everything `COPY .` reads is sent to the builder on every build and keyed into the build
    cache. `.git` holds the repository's whole history (often more than the code itself) and
    changes with every commit, every `git fetch`, even `git status` refreshing its index: so
    each of them re-runs the `COPY .` and every step after it, and the history ends up in
    the image. A source the .dockerignore excludes is simply missing: the build fails.

    ## Example
    ```dockerignore
    *.md
    ```
    ```dockerfile
    FROM debian:bookworm-20241016
    COPY README.md /usr/share/doc/app/
    ```

    ## Use instead
    ```dockerignore
    *.md
    !README.md
    ```
    ```dockerfile
    FROM debian:bookworm-20241016
    COPY README.md /usr/share/doc/app/
    ```

    ## Fix
    None: what to exclude, or whether a source should be in the context, is the author's
    decision (for `.git`, add a line `.git` to the .dockerignore).
    """
    dockerfile = context.dockerfile
    copies = [i for i in context.instructions_of("COPY", "ADD") if not i.flag("from") and i.sources]
    if not copies:
        return
    build = context.build_context
    if build is None:
        return
    matcher = build.matcher
    if build.error is not None:
        return  # the build fails reading the .dockerignore; not this rule's to say
    whole_done = False
    for instruction in copies:
        for source in instruction.sources:
            if source.heredoc is not None:
                continue
            expanded = dockerfile.expand(instruction, source)
            if not expanded.known or not expanded.value:
                continue
            value = expanded.value
            if instruction.keyword == "ADD" and _is_remote(value):
                continue
            path = _clean(value)
            if path in (".", "*"):
                if matcher is not None and path == "." and matcher.excludes_everything() and not matcher.exclusions:
                    yield Violation(source.span, f"{instruction.keyword} {value} copies nothing: "
                                    f"{_name(build)} excludes every file of the context")
                elif not whole_done:
                    stage = dockerfile.stage_of(instruction)
                    message = _whole_context_cost(build, matcher, instruction.keyword, value, _uses_git(context, stage),
                                                  "the image" if stage is not None and stage.reaches_final else "its stage")
                    if message:  # once per file: the cause is the context, not each COPY
                        whole_done = True
                        yield Violation(source.span, message)
                continue
            if matcher is None:
                continue
            fixed = _fixed_part(path)
            if not fixed:
                continue
            pattern = matcher.deciding(fixed)
            if pattern is None or matcher.may_keep_below(fixed):
                continue
            what = f"{value!r}" if fixed == path else f"{value!r} (all of {fixed}/)"
            yield Violation(
                source.span,
                f"{instruction.keyword} source {what} is excluded by {_name(build)} (pattern {pattern.text!r}): "
                "it is not in the build context, so the build fails with \"not found\"; "
                "take it out of the .dockerignore (or add an exception `!…`) or do not copy it",
            )


_GIT_PACKAGES = frozenset(("git", "git-core", "git-all", "git-minimal"))


def _uses_git(context, stage) -> bool:
    """The stage (or one it is built FROM) installs or runs git: the build may read the copied
    .git on purpose (`git describe` for a version, an app showing its commit), so its
    history is not called waste."""
    if stage is None:
        return False
    chain = set(map(id, stage.chain))
    for run in context.runs:
        if run.stage is None or id(run.stage) not in chain:
            continue
        if "git" in run.facts.programs:
            return True
        if any(p.name in _GIT_PACKAGES for call in run.facts.calls_of(INSTALL) for p in call.packages):
            return True
    return False


def _whole_context_cost(build, matcher, keyword: str, value: str, git_used: bool, into: str) -> str | None:
    copy = f"`{keyword} {value}`"
    history = () if git_used else (".git", ".hg", ".svn")
    if matcher is not None:
        kept = [name for name in history if build.has(name) and not matcher.matches(name)]
        if not kept:
            return None
        listed = " and ".join(kept)
        return (f"{_name(build)} does not exclude {listed}: {copy} sends the repository's history to the builder "
                f"and copies it into {into}, and every commit re-runs this step and every step after it; "
                f"add `{kept[0]}` to {_name(build)}")
    if build.ignore_file_above() is not None:
        return None
    present = [name for name in _NOT_FOR_IMAGES if build.has(name) and (name in history or name not in (".git", ".hg", ".svn"))]
    if not present:
        return None
    from dlint.files import display_path

    where = display_path(build.root)
    named = [f"{name} (the repository's history, which changes with every commit)" if name == ".git" else name
             for name in present]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return (f"the build context {where!r} has no .dockerignore: {copy} sends and copies all of it on every build, "
            f"{listed} included, and any change in them re-runs this step and every step after it; "
            f"add a .dockerignore excluding {', '.join(present)}")


def _name(build) -> str:
    import os

    path = build.ignore_file
    return os.path.basename(path) if path else ".dockerignore"


def _is_remote(value: str) -> bool:
    lowered = value.lower()
    return "://" in lowered or lowered.startswith("git@")


def _clean(value: str) -> str:
    from dlint.dockerignore import clean

    path = clean(value.lstrip("/")) if value.strip("/") else "."
    return "." if path in ("", "./") else ("*" if path in ("*", "./*") else path)


def _fixed_part(path: str) -> str:
    """The folders before the first component with a wildcard (all of ``path`` without one)."""
    parts = path.split("/")
    fixed = []
    for part in parts:
        if any(char in _WILDCARDS for char in part):
            break
        fixed.append(part)
    return "/".join(fixed)
