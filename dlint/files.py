"""Paths as users see them, and writing files so that readers never see half of one."""

from __future__ import annotations

import os


def display_path(path: str, cwd: str | None = None) -> str:
    """How a path is shown in findings and messages: relative to the current directory when
    it is below it, else as given; ``-`` (standard input) as is. ``cwd``: the current
    directory, when the caller already has it (a run over many files asks the system once)."""
    if path == "-":
        return path
    # What os.path.relpath says, without its second abspath and list work per file: the
    # lint of a 1,000-file tree names every file before the work is shared out.
    cwd = cwd or os.getcwd()
    absolute = os.path.abspath(path) if os.path.isabs(path) else os.path.normpath(os.path.join(cwd, path))
    if absolute == cwd:
        return "."
    if cwd == "/":
        return absolute[1:]
    if absolute.startswith(cwd) and absolute[len(cwd)] == "/":
        return absolute[len(cwd) + 1 :]
    return path


def write_atomically(path: str, data: bytes, mode: int | None = None, durable: bool = True) -> None:
    """Replace (or create) ``path`` with ``data`` in one step: a temporary file in the same
    directory, then a rename. Readers see the old or the new file, never half of one, and a
    failure leaves the original untouched and no temporary file behind. ``mode``: the new
    file's permission bits (default: those of the file replaced, else the umask's);
    ``durable``: flush it to disk before the rename (a cache can skip that)."""
    import signal
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = None
    # Ctrl-C (or a supervisor's SIGTERM) between creating the temporary file and renaming or
    # removing it would leave it behind: both wait until the file is in place or gone.
    masked = hasattr(signal, "pthread_sigmask")
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}) if masked else None
    try:
        handle, temporary = tempfile.mkstemp(prefix=".dlint-", dir=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                if durable:
                    out.flush()
                    os.fsync(out.fileno())
            if mode is not None:
                os.chmod(temporary, mode)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, path)
        except BaseException:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
            raise
    finally:
        if masked:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
