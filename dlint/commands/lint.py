"""``dlint lint``: read Dockerfiles, run the rules, print findings.

Output: ``--format`` may be given several times and ``--output-file`` pairs with the formats
from the end: with formats F1…Fn and files O1…Om, the last m formats write to O1…Om in order
and the one format left over (if any) goes to standard output. So ``--format text --format
sarif --output-file dlint.sarif`` prints text and writes SARIF; ``--format sarif
--output-file dlint.sarif`` only writes the file.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from typing import List, NamedTuple, Optional

import click
import typer

from dlint.commands.common import fail


THRESHOLDS = ["error", "warning", "info", "style"]  # strings, not an Enum: start-up time


def _display_path(path: str) -> str:
    if path == "-":
        return path
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


_FORMATS_HELP = "text, json, sarif, github, gitlab, checkstyle, junit or gnu"


def lint(
    paths: List[str] = typer.Argument(None, help="Dockerfiles or directories (default: .); - reads stdin."),
    format: Optional[List[str]] = typer.Option(
        None, "--format", "-f", metavar="FORMAT",
        help=f"Output format: {_FORMATS_HELP}. Repeatable; pairs with --output-file from the end "
        "[default: DLINT_FORMAT, the config's format, else text].",
    ),
    output_file: Optional[List[str]] = typer.Option(
        None, "--output-file", "-o", metavar="PATH",
        help="Write a format to this file instead of standard output (repeatable; the last formats get the files).",
    ),
    failure_threshold: Optional[str] = typer.Option(
        None,
        "--failure-threshold",
        click_type=click.Choice(THRESHOLDS),
        help="Exit 1 when a finding is at or above this severity (default style: any finding fails).",
    ),
    no_fail: bool = typer.Option(False, "--no-fail", help="Exit 0 even when there are findings."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these rules (code, name or prefix)."),
    extend_select: Optional[List[str]] = typer.Option(
        None, "--extend-select", help="Add these rules to the selection (e.g. DF002, which is off by default)."
    ),
    ignore: Optional[List[str]] = typer.Option(
        None, "--ignore", help="Skip these rules (code, name or prefix); replaces the config's ignore."
    ),
    extend_ignore: Optional[List[str]] = typer.Option(
        None, "--extend-ignore", help="Skip these rules too, keeping the config's ignore."
    ),
    config: Optional[str] = typer.Option(
        None, "--config", metavar="PATH",
        help="Use this config file (.dlint.toml or pyproject.toml) for every file [env: DLINT_CONFIG].",
    ),
    isolated: bool = typer.Option(False, "--isolated", help="Ignore all config files (and DLINT_CONFIG)."),
    hadolint_config: Optional[str] = typer.Option(
        None, "--hadolint-config", metavar="PATH",
        help="Also read a .hadolint.yaml (ignored, override, failure-threshold) through `dlint rules --hadolint`.",
    ),
    statistics: bool = typer.Option(False, "--statistics", help="Text output: count findings per rule instead."),
    stdin_filename: str = typer.Option("-", "--stdin-filename", help="Name to report for standard input."),
    jobs: int = typer.Option(
        0, "--jobs", "-j", min=0, help="Processes for many files (0: one per CPU; 1: no extra processes)."
    ),
    fix: bool = typer.Option(False, "--fix", help="Apply the rules' fixes, rewriting the files atomically."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as a unified diff; change no file."),
    unsafe_fixes: bool = typer.Option(
        False, "--unsafe-fixes",
        help="With --fix or --diff, also apply fixes that may change what is installed or how the image runs.",
    ),
) -> None:
    """Lint Dockerfiles."""
    from dlint.config import ConfigError, Resolver, cli_layer, env_config_path, to_settings
    from dlint.discovery import NoDockerfiles
    from dlint.registry import UnknownRule, resolve
    from dlint.rule import Severity

    try:
        selectors = {
            "select": _split(select) if select else None,
            "extend_select": _split(extend_select or []),
            "ignore": _split(ignore) if ignore else None,
            "extend_ignore": _split(extend_ignore or []),
        }
        for values in selectors.values():
            for selector in values or []:
                resolve(selector)
        cli = cli_layer(
            **selectors,
            failure_threshold=failure_threshold,
            no_fail=True if no_fail else None,
        )
        config_path = None if isolated else (config or env_config_path())
        resolver = Resolver(config_path, isolated, hadolint_config, cli)
        outputs = _outputs(format, output_file, resolver.for_path("-"))
        files = _discover(paths or ["."], resolver)
        settings_of: dict[int, object] = {}  # one Settings per config, shared by its files
        tasks = []
        thresholds: dict[str, tuple[Severity, bool]] = {}
        for path in files:
            name = stdin_filename if path == "-" else _display_path(path)
            layer = resolver.for_path(stdin_filename if path == "-" else path)
            if id(layer) not in settings_of:
                settings_of[id(layer)] = to_settings(layer)
                settings_of[id(layer)].unsafe_fixes = unsafe_fixes
            tasks.append((path, name, settings_of[id(layer)]))
            thresholds[name] = (layer.failure_threshold or Severity.STYLE, bool(layer.no_fail))
        if fix and diff:
            raise ConfigError("--fix and --diff cannot be combined (--diff shows what --fix would do)")
        if fix and "-" in files:
            raise ConfigError("--fix cannot rewrite standard input (use --diff to see the fixes)")
    except (UnknownRule, NoDockerfiles, ConfigError) as error:
        raise fail(str(error))
    fix_mode = "fix" if fix else "diff" if diff else None
    # With text as the only output, each file is rendered where it was linted (see _Render).
    text_only = len(outputs) == 1 and outputs[0][0] == "text" and not statistics and fix_mode != "diff"
    render = None
    if text_only:
        color = outputs[0][1] is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        render = _Render(color, thresholds)
    tasks = [(*task, fix_mode, render) for task in tasks]
    for warning in resolver.warnings():
        typer.echo(f"dlint: warning: {warning}", err=True)

    findings = []
    sources: dict[str, list[str]] = {}
    failed = False
    patches = []
    rendered: list[str] = []  # text of each file, when rendered by the workers
    counts = [0, 0, False]  # findings, fixable, failing: all the summary and exit status need
    for result in _lint_all_tuned(tasks, jobs):
        name = result.name
        for error in result.errors:
            failed = True
            typer.echo(f"dlint: error: {error}", err=True)
        for warning in result.warnings:
            typer.echo(f"dlint: warning: {name}: {warning}", err=True)
        if result.fixed and fix_mode == "fix":
            typer.echo(f"dlint: {name}: fixed {result.fixed} problem{'s' if result.fixed != 1 else ''}", err=True)
        if result.patch:
            patches.append(result.patch)
        if result.text is not None:
            rendered.append(result.text)
            counts[0] += result.counts[0]
            counts[1] += result.counts[1]
            counts[2] = counts[2] or result.counts[2]
        elif result.lines is not None:
            sources[name] = result.lines
            findings.extend(result.findings)

    if fix_mode == "diff":  # the diff is the output; exit 1 when there is something to fix
        sys.stdout.write("".join(patches))
        raise typer.Exit(2 if failed else 1 if patches else 0)

    if render is not None:
        from dlint.report.text import summary

        destination = outputs[0][1]
        if not (destination is None and failed and not counts[0]):  # else the error said it all
            _emit(destination, "text", "".join(rendered) + summary(counts[0], counts[1]))
        raise typer.Exit(2 if failed else 1 if counts[2] else 0)

    for name, destination in outputs:
        if destination is None and name == "text" and failed and not findings:
            continue  # the error said it all; "All checks passed." would be wrong
        _write(name, destination, findings, sources, statistics)
    if failed:
        raise typer.Exit(2)
    raise typer.Exit(1 if any(_fails(f, thresholds) for f in findings) else 0)


def _fails(finding, thresholds) -> bool:
    """At or above its file's failure threshold (and the file's config does not say no-fail)."""
    threshold = thresholds.get(finding.file)
    return threshold is not None and not threshold[1] and finding.severity >= threshold[0]


class _Render(NamedTuple):
    """Text output made in the process that linted the file: sending back a few strings
    instead of finding objects (and every source line) was a third of the time of a parallel
    run over 1,000 files."""

    color: bool
    thresholds: dict

    def __call__(self, result: "FileResult") -> "FileResult":
        if result.lines is None:
            return result
        from dlint.report.text import render_file

        text = render_file(result.findings, result.lines, self.color)
        counts = (len(result.findings), sum(f.fixable for f in result.findings),
                  any(_fails(f, self.thresholds) for f in result.findings))
        return result._replace(lines=None, findings=[], text=text, counts=counts)


def _outputs(formats: list[str] | None, files: list[str] | None, cwd_config) -> list[tuple[str, str | None]]:
    """(format, output file or None for standard output) pairs; see the module docstring."""
    from dlint.config import ConfigError, env_formats
    from dlint.report import FORMATS

    chosen = [part.strip().lower() for value in formats for part in value.split(",") if part.strip()] if formats else None
    for name in chosen or []:
        if name not in FORMATS:
            raise ConfigError(f"--format: unknown format {name!r} (allowed: {', '.join(FORMATS)})")
    chosen = chosen or env_formats() or [cwd_config.format or "text"]
    files = list(files or [])
    if len(files) > len(chosen):
        raise ConfigError(
            f"--output-file: {len(files)} files for {len(chosen)} format(s) (give a --format for each --output-file)"
        )
    to_stdout = len(chosen) - len(files)
    if to_stdout > 1:
        raise ConfigError(
            f"--format: {to_stdout} formats would go to standard output (allowed: one; "
            "give an --output-file for each of the others)"
        )
    return [(name, None) for name in chosen[:to_stdout]] + list(zip(chosen[to_stdout:], files))


def _discover(paths: list[str], resolver) -> list[str]:
    """Files to lint; ``exclude`` globs drop files found in directories (a file named on the
    command line is always linted)."""
    from dlint.discovery import discover

    files = []
    for path in paths:
        if path != "-" and os.path.isdir(path):
            files.extend(f for f in discover([path]) if not resolver.for_path(f).is_excluded(f))
        else:
            files.append(path)
    return files


def _write(name: str, destination: str | None, findings, sources, statistics: bool) -> None:
    from dlint.report import renderer

    color = destination is None and name == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if name == "text" and statistics:
        from dlint.report.text import render_statistics

        output = render_statistics(findings, color)
    else:
        output = renderer(name)(findings, sources, color)
    _emit(destination, name, output)


def _emit(destination: str | None, name: str, output: str) -> None:
    if destination is None:
        sys.stdout.write(output)
        sys.stdout.flush()
        return
    try:
        with open(destination, "w", encoding="utf-8") as handle:
            handle.write(output)
    except OSError as error:
        raise fail(f"{destination}: cannot write the {name} output: {error.strerror or error}")


class FileResult(NamedTuple):
    name: str
    lines: list[str] | None  # None when the file could not be read at all
    findings: list
    warnings: list[str]
    errors: list[str]  # one line each: unreadable input, or what stops a build (exit 2)
    fixed: int = 0  # problems fixed (--fix) or fixable (--diff)
    patch: str = ""  # --diff
    text: str | None = None  # rendered text output (then ``lines`` and ``findings`` are dropped)
    counts: tuple = (0, 0, False)  # with ``text``: findings, fixable, any at the failure threshold


def _lint_one(path: str, name: str, settings, fix_mode: str | None = None, render=None) -> FileResult:
    """Read, parse and lint one file. With ``fix_mode`` "fix" the file is rewritten first and
    what remains is reported; with "diff" the fixes come back as a unified diff."""
    from dlint.dockerfile import DockerfileError, parse
    from dlint.checker import lint as run_rules

    fixed, patch = 0, ""
    try:
        data = _read_stdin() if path == "-" else _read(path)
        if not data.strip():
            raise DockerfileError("empty file; not a Dockerfile")
        dockerfile = parse(data, name)
        if fix_mode and not dockerfile.warnings and not dockerfile.problems:
            from dlint.fix import fix_bytes, unified_diff, write_atomically

            new, applied = fix_bytes(data, name, settings)
            fixed = len(applied)
            if applied and fix_mode == "fix":
                write_atomically(path, new)
                dockerfile = parse(new, name)
            elif applied:
                patch = unified_diff(data, new, name)
    except (OSError, DockerfileError) as error:
        return FileResult(name, None, [], [], [_describe(name, error)])
    errors = [f"{name}:{p.line}:{p.column}: {p.message}" for p in dockerfile.problems]
    result = FileResult(name, dockerfile.lines, run_rules(dockerfile, settings), dockerfile.warnings, errors, fixed, patch)
    return render(result) if render is not None else result


def _lint_all_tuned(tasks: list, jobs: int):
    """:func:`_lint_all` with the garbage collector tuned for it, and restored afterwards.

    Linting makes many small objects and few reference cycles: the collector's default rhythm
    (every 700 allocations) cost ~8 % of a 1,000-file run. Freezing what the imports made also
    keeps forked workers from touching (and so copying) those pages."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield from _lint_all(tasks, jobs)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


# Below this many files, starting processes costs more than it saves.
_PARALLEL_MIN_FILES = 16


def _lint_all(tasks: list, jobs: int):
    """Results in the order of ``tasks``. Many files are shared out between this process and
    ``jobs - 1`` forked children, each linting one contiguous slice (so the output is the same
    as with ``--jobs 1``) and sending its results back through a pipe.

    Plain ``fork`` rather than ``multiprocessing.Pool``: importing the pool alone took 26 ms,
    a twentieth of a whole 1,000-file run on two cores, and the parent now lints a share
    instead of waiting. Settings hold rule functions, which do not pickle: children inherit
    them with the fork. A slice whose child cannot be forked is linted here, in its turn."""
    if jobs == 0:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    jobs = min(jobs, len(tasks))
    if jobs < 2 or len(tasks) < _PARALLEL_MIN_FILES or not hasattr(os, "fork") or any(t[0] == "-" for t in tasks):
        yield from (_lint_one(*task) for task in tasks)
        return
    slices = _balanced_slices(tasks, jobs)
    if signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN:  # inherited: children would not be waitable
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    plan: list[tuple[list, "_Child | None"]] = [(slices[0], None)]
    children: list[_Child] = []  # forked and not yet reaped
    try:
        for part in slices[1:]:
            try:
                child = _Child.fork(part, [c.pipe for c in children])
            except OSError:  # no more processes (limits): this process lints the slice
                child = None
            if child is not None:
                children.append(child)
            plan.append((part, child))
        for part, child in plan:
            if child is None:
                yield from (_lint_one(*task) for task in part)
            else:
                results = child.collect(part)
                children.remove(child)
                yield from results
    finally:
        _stop(children)


class _Child:
    """A forked worker linting one slice, and the read end of the pipe its results come by."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe = pid, pipe

    @classmethod
    def fork(cls, part: list, inherited_pipes: list[int]) -> "_Child":
        import pickle

        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: lint, send, and leave without running the parent's exit code
            status = 0
            try:
                # Earlier children's pipes: holding their read ends open here would keep those
                # children from noticing that the parent stopped reading.
                for fd in [read_end, *inherited_pipes]:
                    os.close(fd)
                try:
                    payload = pickle.dumps([_lint_one(*task) for task in part], pickle.HIGHEST_PROTOCOL)
                except BaseException as error:  # reported by the parent, as a one-line error
                    payload = pickle.dumps(f"{type(error).__name__}: {error}")
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(write_end)
        return cls(pid, read_end)

    def collect(self, part: list) -> list:
        """Its results, once it has sent them all and exited. When reading fails (Ctrl-C),
        the child is left to :func:`_stop`."""
        import pickle

        with os.fdopen(self.pipe, "rb", closefd=False) as handle:
            data = handle.read()
        os.close(self.pipe)
        self.pipe = -1
        _reap(self.pid)
        results = pickle.loads(data) if data else "the worker process died"
        if isinstance(results, str):  # the child failed: this is a bug in dlint, not in the files
            raise RuntimeError(f"a worker process failed on {part[0][1]} … {part[-1][1]}: {results}")
        return results


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:  # already reaped (SIGCHLD ignored by whoever started us)
        pass


def _stop(children: list[_Child]) -> None:
    """Interrupted or failed: stop every child still running, and reap it. Ctrl-C first, so
    that one rewriting a file (--fix) removes its temporary file; then, after a grace period,
    for good."""
    import time

    for child in children:
        if child.pipe >= 0:
            os.close(child.pipe)  # a child writing its results gets a broken pipe
        try:
            os.kill(child.pid, signal.SIGINT)
        except OSError:
            pass
    deadline = time.monotonic() + 2
    for child in children:
        while True:
            try:
                done, _ = os.waitpid(child.pid, os.WNOHANG)
            except ChildProcessError:
                break
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(child.pid, signal.SIGKILL)
                _reap(child.pid)
                break
            time.sleep(0.01)


_PARENT_EXTRA = 0.06


def _balanced_slices(tasks: list, count: int) -> list[list]:
    """Up to ``count`` contiguous, non-empty slices of about equal bytes to read (lint time
    follows size). The first, this process's, is 6 % larger: a child also pickles and sends
    its results, which made it finish ~30 ms after the parent on the 1,000-file corpus."""
    sizes = []
    for task in tasks:
        try:
            sizes.append(os.stat(task[0]).st_size + 512)  # + a fixed cost per file
        except OSError:
            sizes.append(512)
    total, slices, current, filled = sum(sizes), [], [], 0
    for task, size in zip(tasks, sizes):
        current.append(task)
        filled += size
        if filled >= total * (len(slices) + 1 + _PARENT_EXTRA) / (count + _PARENT_EXTRA) and len(slices) < count - 1:
            slices.append(current)
            current = []
    slices.append(current)
    return [part for part in slices if part]


def _split(values: list[str]) -> list[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


# Real Dockerfiles are well under 100 KB. Far past that the input is not a Dockerfile (and
# could take minutes to lint), so it is refused, without reading it all.
MAX_BYTES = 4 * 1024 * 1024


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            size = os.fstat(handle.fileno()).st_size
            _too_large(f"{size / 1024 / 1024:.1f} MB" if size > MAX_BYTES else f"more than {MAX_BYTES >> 20} MB")
        return data


def _read_stdin() -> bytes:
    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        _too_large(f"more than {MAX_BYTES >> 20} MB")
    return data


def _too_large(size: str) -> None:
    from dlint.dockerfile import DockerfileError

    raise DockerfileError(f"{size}: too large for a Dockerfile (dlint reads up to {MAX_BYTES >> 20} MB)")


def _describe(name: str, error: Exception) -> str:
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


