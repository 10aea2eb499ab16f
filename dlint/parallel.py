"""Running a lint session over many files: shared out between this process and forked
workers, results in the order of the tasks (so the output is the same as with ``--jobs 1``).

Plain ``fork`` rather than ``multiprocessing.Pool``: the parent lints a share instead of
waiting, and settings hold rule functions, which do not pickle: workers inherit them with the
fork. Only results travel back, pickled, through a pipe. A slice whose worker cannot be
forked is linted here, in its turn. Why the numbers below are what they are (the measurements)
is in benchmarks/README.md.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Iterable, Iterator

# Below this many files, starting processes costs more than it saves.
PARALLEL_MIN_FILES = 16
# How much larger the parent's slice is (a share of one slice): a worker also pickles and sends
# its results. Finding objects with their files' lines (JSON, SARIF …) take a worker about
# 95 ms for 500 files; rendered text (``light_results``: 3 MB for 1,000 files) 4 ms, and then
# the parent was the one finishing last with the larger slice (by 10-57 ms of CPU in 5 runs
# of 1,000 files), while equal slices finish within the noise (see benchmarks/README.md).
_PARENT_EXTRA = 0.06


def run_all(tasks: list, work: Callable, jobs: int = 0, prepare: Callable[[list], None] | None = None,
            light_results: bool = False) -> Iterator:
    """``work(task)`` for every task, in order, on up to ``jobs`` processes (0: one per CPU).
    ``prepare(share)``, when given, runs first on each process's share of the tasks (work done
    for many tasks at once, such as one ShellCheck process for all their scripts).
    ``light_results``: what ``work`` returns is cheap to send (rendered text), so the
    parent's share is no larger than a worker's.

    The garbage collector is tuned for the run and restored afterwards: linting makes many
    small objects and few reference cycles, and freezing what the imports made keeps forked
    workers from touching (and so copying) those pages."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield from _run_all(tasks, work, jobs, prepare or _nothing, 0.0 if light_results else _PARENT_EXTRA)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _nothing(_share: list) -> None:
    return None


def _run_all(tasks: list, work: Callable, jobs: int, prepare: Callable[[list], None], extra: float) -> Iterator:
    jobs = min(jobs or cpu_count(), len(tasks))
    if jobs < 2 or len(tasks) < PARALLEL_MIN_FILES or not hasattr(os, "fork") or any(t[0] == "-" for t in tasks):
        prepare(tasks)
        yield from map(work, tasks)
        return
    slices = balanced_slices(tasks, jobs, extra)
    if signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN:  # inherited: children would not be waitable
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    plan: list[tuple[list, "_Child | None"]] = [(slices[0], None)]
    children: list[_Child] = []  # forked and not yet reaped
    try:
        for part in slices[1:]:
            try:
                inherited = [fd for c in children for fd in (c.pipe, c.spool) if fd is not None]
                child = _Child.fork(part, work, inherited, prepare)
            except OSError:  # no more processes (limits): this process runs the slice
                child = None
            if child is not None:
                children.append(child)
            plan.append((part, child))
        for part, child in plan:
            if child is None:
                prepare(part)
                yield from map(work, part)
            else:
                results = child.collect(part)
                children.remove(child)
                yield from results
    finally:
        _stop(children)


class _Child:
    """A forked worker running one slice, the read end of the pipe its results come by, and
    the spool file they are written to when there is one (see _spool)."""

    def __init__(self, pid: int, pipe: int, spool: int | None) -> None:
        self.pid, self.pipe, self.spool = pid, pipe, spool

    @classmethod
    def fork(cls, part: list, work: Callable, inherited_fds: list[int], prepare: Callable[[list], None]) -> "_Child":
        import pickle

        read_end, write_end = os.pipe()
        _widen(write_end)
        spool = _spool()
        try:
            pid = os.fork()
        except OSError:
            for fd in (read_end, write_end, spool):
                if fd is not None:
                    os.close(fd)
            raise
        if pid == 0:  # the child: work, send, and leave without running the parent's exit code
            status = 0
            try:
                # Earlier children's pipes (and spool files): holding their read ends open here
                # would keep those children from noticing that the parent stopped reading.
                for fd in [read_end, *inherited_fds]:
                    os.close(fd)
                try:
                    prepare(part)
                    payload = pickle.dumps([work(task) for task in part], pickle.HIGHEST_PROTOCOL)
                except BaseException as error:  # reported by the parent, as a one-line error
                    payload = pickle.dumps(f"{type(error).__name__}: {error}")
                if spool is not None and _write_spool(spool, payload):
                    payload = _IN_SPOOL
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(write_end)
        return cls(pid, read_end, spool)

    def collect(self, part: list) -> list:
        """Its results, once it has sent them all and exited. When reading fails (Ctrl-C),
        the child is left to :func:`_stop`."""
        import pickle

        with os.fdopen(self.pipe, "rb", closefd=False) as handle:
            data = handle.read()
        os.close(self.pipe)
        self.pipe = -1
        _reap(self.pid)
        if data == _IN_SPOOL:
            os.lseek(self.spool, 0, os.SEEK_SET)  # the worker's writes moved the shared offset
            with os.fdopen(self.spool, "rb", closefd=False) as handle:
                data = handle.read()
        self.close_spool()
        results = pickle.loads(data) if data else "the worker process died"
        if isinstance(results, str):  # the child failed: this is a bug in dlint, not in the files
            raise RuntimeError(f"a worker process failed on {part[0][1]} … {part[-1][1]}: {results}")
        return results

    def close_spool(self) -> None:
        if self.spool is not None:
            os.close(self.spool)
            self.spool = None


# What a worker sends through the pipe when its results are in the spool file (a pickle
# starts with b"\x80", so it is never taken for one).
_IN_SPOOL = b"in the spool file"


def _spool() -> int | None:
    """An unnamed temporary file (Linux's O_TMPFILE: gone once closed) for a worker's results,
    or None (then they go through the pipe). A worker writes its results when done, while the
    parent may still be linting; through the pipe the parent then read the 3 MB of a worker's
    rendered text in 1 MB rounds, each waiting for the worker to wake and write the next
    (6.5 ms on the benchmark corpus); from the file, in about 1 ms."""
    if not hasattr(os, "O_TMPFILE"):
        return None
    try:
        return os.open(os.environ.get("TMPDIR") or "/tmp", os.O_TMPFILE | os.O_RDWR, 0o600)
    except OSError:  # no such folder, not writable, a file system without O_TMPFILE
        return None


def _write_spool(spool: int, payload: bytes) -> bool:
    """In the worker: the results into the spool file; False when that fails (a full disk),
    and then they go through the pipe."""
    try:
        with os.fdopen(spool, "wb") as out:
            out.write(payload)
    except OSError:
        return False
    return True


def _widen(pipe: int) -> None:
    """Let the pipe hold 1 MB (Linux; elsewhere it stays as it is). A worker writes all its
    results when done, and through the default 64 KB the 3 MB of text of 500 files took
    48 rounds of the parent reading and the worker waking to write the next part: about 9 ms
    of the parent waiting on the benchmark corpus."""
    import fcntl

    try:
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (AttributeError, OSError):  # not Linux, or above /proc/sys/fs/pipe-max-size
        pass


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
        child.close_spool()
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


def balanced_slices(tasks: Iterable, count: int, extra: float = _PARENT_EXTRA) -> list[list]:
    """Up to ``count`` contiguous, non-empty slices of about equal bytes to read (lint time
    follows size; a task's first item is its path), the first (this process's) larger by
    ``extra`` of a slice."""
    tasks = list(tasks)
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
        if filled >= total * (len(slices) + 1 + extra) / (count + extra) and len(slices) < count - 1:
            slices.append(current)
            current = []
    slices.append(current)
    return [part for part in slices if part]
