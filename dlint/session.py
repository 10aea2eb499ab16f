"""A lint session: the one pipeline every front end runs (``dlint lint``, ``dlint build``).

For each source: read it (a file or standard input, size-limited) → the settings for its path
(configuration files, ``--config``, the command line) → parse → the lint context → the
selected rules → the pragma pass (suppressions, then DF002 for the unused ones) → fixes
(``--fix`` rewrites the file, ``--diff`` makes a patch) → a :class:`FileResult`.

:class:`Session` holds what is shared by the files of one run (the configuration resolver,
one :class:`~dlint.checker.Settings` per configuration, failure thresholds) and turns paths
into :class:`Task` s; :func:`lint_file` runs one task and depends on nothing else, so that
:mod:`dlint.parallel` can run tasks in forked workers. Commands only parse options and print.
"""

from __future__ import annotations

import os
import sys
from dlint.files import display_path
from dlint.startup import NamedTuple

# Real Dockerfiles are well under 100 KB. Far past that the input is not a Dockerfile (and
# could take minutes to lint), so it is refused, without reading it all.
MAX_BYTES = 4 * 1024 * 1024


class LintOptions(NamedTuple):
    """What a command line says about linting (None or empty: not given)."""

    select: list[str] | None = None
    extend_select: list[str] = []
    ignore: list[str] | None = None
    extend_ignore: list[str] = []
    config: str | None = None  # --config PATH (else DLINT_CONFIG, unless isolated)
    isolated: bool = False
    hadolint_config: str | None = None
    failure_threshold: str | None = None
    no_fail: bool = False
    unsafe_fixes: bool = False
    context: str | None = None  # --context DIR: the build context of every Dockerfile


class Task(NamedTuple):
    """One source to lint: its path (``-``: standard input), the name findings carry, and the
    settings of its configuration (shared by the files of that configuration)."""

    path: str
    name: str
    settings: object  # dlint.checker.Settings


class FileResult(NamedTuple):
    name: str
    lines: list[str] | None  # None when the file could not be read at all
    findings: list
    warnings: list[str]
    errors: list[str]  # one line each: unreadable input, or what stops a build (exit 2)
    fixed: int = 0  # problems fixed (--fix) or fixable (--diff)
    patch: str = ""  # --diff
    text: str | None = None  # rendered text output (then ``lines`` and ``findings`` are dropped)
    counts: tuple = (0, 0, 0, False)  # with ``text``: findings, safe and unsafe fixes, any failing


class SessionError(Exception):
    """The run cannot start (unknown rule, bad configuration, no Dockerfiles); ``str()`` is the
    one-line message for users (exit status 2)."""


def split_values(values: list[str] | None) -> list[str]:
    """Repeatable options that also take comma-separated lists: ``--ignore DF1,DF2``."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


class Session:
    """Settings for every path of one run, each configuration file read once."""

    def __init__(self, options: LintOptions = LintOptions()) -> None:
        from dlint.config import ConfigError, Resolver, cli_layer, env_config_path
        from dlint.registry import UnknownRule, resolve

        self.options = options
        try:
            for selector in [*(options.select or []), *options.extend_select, *(options.ignore or []),
                             *options.extend_ignore]:
                resolve(selector)
            cli = cli_layer(
                select=options.select,
                extend_select=options.extend_select,
                ignore=options.ignore,
                extend_ignore=options.extend_ignore,
                failure_threshold=options.failure_threshold,
                no_fail=True if options.no_fail else None,
            )
            config_path = None if options.isolated else (options.config or env_config_path())
            self.resolver = Resolver(config_path, options.isolated, options.hadolint_config, cli)
        except (UnknownRule, ConfigError) as error:
            raise SessionError(str(error)) from None
        self._settings: dict[int, object] = {}  # id(config) -> Settings
        self._thresholds: dict[str, tuple] = {}  # shown name -> (Severity, no-fail)

    def config_for(self, path: str):
        """The merged configuration for a path (``-``: the current directory's)."""
        from dlint.config import ConfigError

        try:
            return self.resolver.for_path(path)
        except ConfigError as error:
            raise SessionError(str(error)) from None

    def task(self, path: str, name: str | None = None, config=None) -> Task:
        """A task for one source; ``name`` is what findings call it (default: its display path);
        ``config``: its configuration, when the caller has looked it up already."""
        from dlint.config import to_settings
        from dlint.rule import Severity

        name = name or display_path(path)
        if config is None:
            config = self.config_for(name if path == "-" else path)
        settings = self._settings.get(id(config))
        if settings is None:
            settings = self._settings[id(config)] = to_settings(config)
            settings.unsafe_fixes = self.options.unsafe_fixes
            settings.build_context = self.options.context
        self._thresholds[name] = (config.failure_threshold or Severity.STYLE, bool(config.no_fail))
        return Task(path, name, settings)

    def plan(self, paths: list[str], stdin_filename: str = "-") -> list[Task]:
        """Tasks for the paths of a command line: files as named (always linted), directories
        searched for Dockerfiles less the configuration's ``exclude``, ``-`` for stdin."""
        tasks = []
        for path in paths:
            if path != "-" and os.path.isdir(path):
                from dlint.discovery import NoDockerfiles, discover

                listings: dict[str, frozenset[str]] = {}
                try:
                    found = discover([path], listings)
                except NoDockerfiles as error:
                    raise SessionError(str(error)) from None
                # What the walk saw spares the configuration lookup a stat per folder and name.
                self.resolver.listed.update((os.path.abspath(folder), names) for folder, names in listings.items())
                cwd = os.getcwd()
                for found_path in found:
                    config = self.config_for(found_path)
                    if not config.is_excluded(found_path):
                        tasks.append(self.task(found_path, display_path(found_path, cwd), config))
            else:
                tasks.append(self.task(path, stdin_filename if path == "-" else None))
        return tasks

    def format_for_cwd(self) -> str | None:
        return self.config_for("-").format

    def fails(self, finding) -> bool:
        """At or above its file's failure threshold (and its configuration does not say no-fail)."""
        threshold = self._thresholds.get(finding.file)
        return threshold is not None and not threshold[1] and finding.severity >= threshold[0]

    def warnings(self) -> list[str]:
        """Warnings of the configuration files read (each once), and ShellCheck asked for
        without a binary to run."""
        warnings = self.resolver.warnings()
        if any(_runs_shellcheck(s) for s in self._settings.values()):
            from dlint.shellcheck import find_binary

            if find_binary() is None:
                warnings.append("ShellCheck (SC) is selected but no shellcheck binary was found, so SC checks are off: "
                                "pip install 'dlint-docker[shellcheck]', or set DLINT_SHELLCHECK")
        return warnings


def _runs_shellcheck(settings) -> bool:
    return any(rule.code == "SC" for rule in settings.rules)


def prepare(tasks: list[Task]) -> None:
    """Work done for many tasks at once, before they are linted one by one: ShellCheck runs
    once for the scripts of all the files that select it (see dlint.shellcheck.prefetch)."""
    chosen = [task for task in tasks if task.path != "-" and _runs_shellcheck(task.settings)]
    if not chosen:
        return
    from dlint.dockerfile import DockerfileError, parse
    from dlint.shellcheck import prefetch

    dockerfiles = []
    for task in chosen:
        try:
            dockerfiles.append(parse(read_file(task.path), task.name))
        except (OSError, DockerfileError):
            continue  # lint_file reports it
    prefetch(dockerfiles)


def lint_file(task: Task, fix_mode: str | None = None) -> FileResult:
    """Read, parse and lint one source. With ``fix_mode`` "fix" the file is rewritten first
    and what remains is reported; with "diff" the fixes come back as a unified diff."""
    from dlint.dockerfile import DockerfileError, parse

    path, name, settings = task
    fixed, patch = 0, ""
    try:
        data = read_stdin() if path == "-" else read_file(path)
        if not data.strip():
            raise DockerfileError("empty file; not a Dockerfile")
        dockerfile = parse(data, name)
        if fix_mode and not dockerfile.warnings and not dockerfile.problems:
            from dlint.files import write_atomically
            from dlint.fix import fix_bytes, unified_diff

            new, applied = fix_bytes(data, name, settings)
            fixed = len(applied)
            if applied and fix_mode == "fix":
                write_atomically(path, new)
                dockerfile = parse(new, name)
            elif applied:
                patch = unified_diff(data, new, name)
    except (OSError, DockerfileError) as error:
        return FileResult(name, None, [], [], [describe_error(name, error)])
    return FileResult(name, dockerfile.lines, lint_dockerfile(dockerfile, settings), dockerfile.warnings,
                      problems_of(dockerfile), fixed, patch)


def lint_dockerfile(dockerfile, settings) -> list:
    """The findings of one parsed Dockerfile (for a front end that already has the model)."""
    from dlint.checker import lint

    return lint(dockerfile, settings)


def problems_of(dockerfile) -> list[str]:
    """What stops the file from building at all, one line each (``FILE:LINE:COL: …``)."""
    return [f"{dockerfile.path}:{p.line}:{p.column}: {p.message}" for p in dockerfile.problems]


def read_file(path: str) -> bytes:
    # A bare descriptor, not open(): the buffered file object costs as much as the reading
    # (21 -> 10 ms for the 1,000 files of the benchmark corpus).
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        # Asked for its size plus one byte: asking every file for MAX_BYTES + 1 made Python
        # allocate (and give back) 4 MB per file, about 4 % of a lint of the benchmark corpus.
        # A size of 0 (a pipe, /proc), a short read or a file that grew since (more than its
        # size came) reads on until the end or past the limit.
        size = os.fstat(fd).st_size
        data = os.read(fd, size + 1 if 0 < size <= MAX_BYTES else MAX_BYTES + 1)
        if len(data) != size or size == 0:
            data = _read_on(fd, data)
        if len(data) > MAX_BYTES:
            size = os.fstat(fd).st_size
            _too_large(f"{size / 1024 / 1024:.1f} MB" if size > MAX_BYTES else f"more than {MAX_BYTES >> 20} MB")
        return data
    finally:
        os.close(fd)


def _read_on(fd: int, data: bytes) -> bytes:
    """The rest of a file after ``data``, up to one byte past MAX_BYTES (os.read returns what
    one read gives: less than asked from a pipe, nothing at the end)."""
    parts = [data]
    total = len(data)
    while total <= MAX_BYTES:
        more = os.read(fd, MAX_BYTES + 1 - total)
        if not more:
            break
        parts.append(more)
        total += len(more)
    return b"".join(parts)


def read_stdin() -> bytes:
    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        _too_large(f"more than {MAX_BYTES >> 20} MB")
    return data


def _too_large(size: str) -> None:
    from dlint.dockerfile import DockerfileError

    raise DockerfileError(f"{size}: too large for a Dockerfile (dlint reads up to {MAX_BYTES >> 20} MB)")


def describe_error(name: str, error: Exception) -> str:
    """One line for a source that could not be read or parsed at all."""
    from dlint.dockerfile import DockerfileError

    if isinstance(error, DockerfileError):
        where = f"{name}:{error.line}" if error.line else name
        return f"{where}: {error}"
    if isinstance(error, FileNotFoundError):
        return f"{name}: no such file or directory"
    if isinstance(error, PermissionError):
        return f"{name}: permission denied"
    if isinstance(error, IsADirectoryError):
        return f"{name}: is a directory"
    return f"{name}: {getattr(error, 'strerror', None) or error}"
