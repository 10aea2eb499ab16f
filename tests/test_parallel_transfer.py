"""How a worker's results come back: through an unnamed spool file where Linux has one, else
through the pipe (the same results, in the same order)."""

import os

import pytest

from dlint.parallel import _spool, run_all


def _big(task):
    # About 300 KB a task: a worker's share (more than 1 MB) does not fit in the pipe at once.
    path, index = task
    return (index, str(index) * 100_000 + "é")


@pytest.mark.parametrize("tmpdir", ["spool", "missing"])
def test_worker_results_come_back_whole_and_in_order(tmp_path, monkeypatch, tmpdir):
    # "missing": no folder for the spool file, so the results go through the pipe.
    monkeypatch.setenv("TMPDIR", str(tmp_path if tmpdir == "spool" else tmp_path / "missing"))
    spool = _spool()
    if spool is not None:
        os.close(spool)
    elif tmpdir == "spool":
        pytest.skip("no O_TMPFILE here (not Linux, or a file system without it)")
    assert tmpdir == "spool" or spool is None
    tasks = [(f"/nonexistent/{index}", index) for index in range(20)]
    before = set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()
    assert list(run_all(tasks, _big, jobs=3)) == [_big(task) for task in tasks]
    assert os.listdir(tmp_path) == []  # the spool file never has a name
    if before:
        assert set(os.listdir("/proc/self/fd")) <= before | {str(fd) for fd in range(3)}  # no fd left open
