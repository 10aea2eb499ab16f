"""The lint session as a front end uses it (dlint lint, dlint build, later an editor server):
settings per path from the configuration, one source in, one result out."""

from __future__ import annotations

import pytest

from dlint.parallel import balanced_slices, run_all
from dlint.session import LintOptions, Session, SessionError, lint_file

BAD = "FROM debian\nRUN apt-get update\n"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc").mkdir()
    (tmp_path / "Dockerfile").write_text(BAD)
    (tmp_path / "svc" / "Dockerfile").write_text("# dlint: ignore=DF201\n" + BAD)
    (tmp_path / "svc" / ".dlint.toml").write_text('ignore = ["DF107"]\nfailure-threshold = "error"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DLINT_CONFIG", raising=False)
    return tmp_path


def codes(result):
    return [(f.code, f.line, f.column) for f in result.findings]


def test_each_path_gets_its_configuration_and_pragmas(repo):
    session = Session()
    top, svc = session.plan(["."])
    assert (top.name, svc.name) == ("Dockerfile", "svc/Dockerfile")
    assert codes(lint_file(top)) == [("DF201", 1, 6), ("DF101", 2, 1), ("DF107", 2, 1)]
    result = lint_file(svc)
    assert codes(result) == [("DF101", 3, 1)]  # DF201 by the pragma, DF107 by the config
    assert result.errors == [] and result.lines[1] == "FROM debian"
    # svc's failure threshold is error: its warnings do not fail, the top file's do.
    assert [session.fails(f) for f in lint_file(top).findings] == [True, True, True]
    assert [session.fails(f) for f in result.findings] == [False]


def test_command_line_options_sit_on_top_of_the_files(repo):
    session = Session(LintOptions(extend_ignore=["DF101"], isolated=True))
    (svc,) = session.plan(["svc/Dockerfile"])
    assert codes(lint_file(svc)) == [("DF107", 3, 1)]  # isolated: no config; the pragma holds
    with pytest.raises(SessionError, match="unknown rule 'DF999'"):
        Session(LintOptions(select=["DF999"]))
    (repo / "svc" / ".dlint.toml").write_text("selct = []\n")
    with pytest.raises(SessionError, match=r"svc/.dlint.toml: selct: unknown key"):
        Session().plan(["svc"])


def test_unreadable_source_is_one_line(repo):
    (missing,) = Session().plan(["nope/Dockerfile"])
    result = lint_file(missing)
    assert (result.lines, result.errors) == (None, ["nope/Dockerfile: no such file or directory"])


def test_diff_mode_returns_the_patch_and_changes_nothing(repo):
    path = repo / "Dockerfile"
    path.write_text("FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends b=1 a=2 \\\n"
                    "    && rm -rf /var/lib/apt/lists/*\n")
    before = path.read_bytes()
    (task,) = Session().plan(["Dockerfile"])
    result = lint_file(task, "diff")
    assert result.fixed == 2 and result.patch.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n")
    assert path.read_bytes() == before


def test_parallel_results_keep_the_task_order(repo):
    for index in range(40):
        (repo / f"{index:02d}.Dockerfile").write_text(BAD * (1 + index % 5))
    session = Session()
    tasks = session.plan(["."])
    serial = [codes(lint_file(t)) for t in tasks]
    assert [codes(r) for r in run_all(tasks, lint_file, jobs=3)] == serial
    slices = balanced_slices(tasks, 3)
    assert [t for part in slices for t in part] == tasks and len(slices) == 3
