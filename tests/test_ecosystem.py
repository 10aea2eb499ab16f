"""benchmarks/ecosystem.py on a tiny folder of hand-written Dockerfiles (fixtures/ecosystem/)."""

from __future__ import annotations

import importlib.util
import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "fixtures", "ecosystem")


def _load():
    spec = importlib.util.spec_from_file_location("ecosystem", os.path.join(ROOT, "benchmarks", "ecosystem.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


eco = _load()


def test_finds_files_named_like_dockerfiles_only():
    found = [os.path.relpath(p, FIXTURES) for p in eco.find_dockerfiles([FIXTURES])]
    assert found == ["broken/Dockerfile", "tools/Containerfile", "tools/build.Dockerfile", "web/Dockerfile"]


@pytest.mark.parametrize(
    ("name", "looks_like_one"),
    [("Dockerfile", True), ("dockerfile", True), ("Dockerfile.dev", True), ("app.Dockerfile", True),
     ("app.dockerfile", True), ("Containerfile", True), ("Dockerfile-alpine", True),
     ("Dockerfiles", False), ("notes.txt", False), ("docker-compose.yml", False)],
)
def test_name_pattern(name, looks_like_one):
    assert bool(eco.NAME.match(name)) is looks_like_one


def _run(tmp_path, *args):
    out = tmp_path / "out.json"
    assert eco.main([FIXTURES, "--json", str(out), *args]) == 0
    return json.loads(out.read_text())


def test_counts_per_rule_errors_and_samples(tmp_path, capsys):
    data = _run(tmp_path, "--select", "DF201,DF501", "--sample", "5", "--seed", "7")
    assert data["files"] == 4
    assert data["counts"] == {"DF201": 2, "DF501": 1, "ERROR": 1}
    assert data["files_per_rule"] == {"DF201": 2, "DF501": 1}
    assert list(data["errors"]) == ["broken/Dockerfile"]
    assert data["errors"]["broken/Dockerfile"][0].startswith("2:1: ")
    assert [(f["file"], f["line"], f["column"], f["source"]) for f in data["samples"]["DF201"]] == [
        ("tools/build.Dockerfile", 3, 6, "FROM ubuntu"),
        ("web/Dockerfile", 1, 6, "FROM debian"),
    ]
    assert [(f["file"], f["line"], f["source"]) for f in data["samples"]["DF501"]] == [
        ("web/Dockerfile", 5, "CMD python3 -m http.server"),
    ]
    # the text report too: one row per rule with findings and files
    eco.main([FIXTURES, "--select", "DF201,DF501"])
    text = capsys.readouterr().out
    assert "DF201            2      2" in text
    assert "broken/Dockerfile: 2:1: no FROM instruction" in text


def test_sample_is_seeded(tmp_path):
    a = _run(tmp_path, "--select", "DF201", "--sample", "1", "--seed", "3")["samples"]["DF201"]
    b = _run(tmp_path, "--select", "DF201", "--sample", "1", "--seed", "3")["samples"]["DF201"]
    assert a == b and len(a) == 1


def test_baseline_changes_add_up(tmp_path):
    """Against HEAD: whatever the working tree changed, baseline + appeared - gone = current."""
    data = _run(tmp_path, "--baseline", "HEAD")
    base = data["baseline"]
    for code in set(data["counts"]) | set(base["counts"]):
        if code == eco.ERROR:
            continue
        change = base["changes"].get(code, {"appeared": [], "gone": []})
        assert data["counts"].get(code, 0) == base["counts"].get(code, 0) + len(change["appeared"]) - len(change["gone"])
    assert base["counts"].get("DF201") == 2


def test_compare_matches_file_code_line_with_multiplicity():
    def result(*findings):
        r = eco.Result()
        r.findings = [{"path": p, "code": c, "line": n, "column": 1, "message": m} for p, c, n, m in findings]
        return r

    current = result(("/a", "DF106", 3, "curl"), ("/a", "DF106", 3, "wget"), ("/a", "DF201", 1, "new text"))
    baseline = result(("/a", "DF106", 3, "curl"), ("/a", "DF201", 1, "old text"), ("/b", "DF107", 2, "lists"))
    baseline.errors["/c"].append("1:1: unknown instruction")
    changes = eco.compare(current, baseline)
    assert [(f["path"], f["line"]) for f in changes["DF106"]["appeared"]] == [("/a", 3)]
    assert changes["DF106"]["gone"] == []
    assert "DF201" not in changes  # same file, code and line: the same finding, new message
    assert [(f["path"], f["line"]) for f in changes["DF107"]["gone"]] == [("/b", 2)]
    assert [f["path"] for f in changes[eco.ERROR]["gone"]] == ["/c"]


def test_fix_check_applies_fixes_to_copies_only(tmp_path):
    before = {p: open(p, "rb").read() for p in eco.find_dockerfiles([FIXTURES])}
    data = _run(tmp_path, "--select", "DF109", "--fix-check")
    check = data["fix_check"]
    assert (check["files"], check["changed"], check["broken"]) == (4, 1, [])
    assert check["fixed_per_rule"] == {"DF109": 1}
    assert {p: open(p, "rb").read() for p in before} == before  # the originals are untouched


def test_buildkit_reading_of_continuations_heredocs_and_escape():
    text = (
        "# escape=`\n"
        "FROM debian\n"
        "RUN echo a `\n"
        "# a comment inside the continuation\n"
        "\n"
        "    b\n"
        "RUN <<EOF\n"
        "FROM not an instruction\n"
        "EOF\n"
        "HEALTHCHECK --interval=5s `\n"
        "  CMD true\n"
        "ONBUILD `\n"
        "  RUN true\n"
        "ADD x.tar.gz /x\n"
        "ONBUILD ADD . /app\n"
    )
    assert eco.buildkit_instructions(text) == (
        ["FROM", "RUN", "RUN", "HEALTHCHECK CMD", "ONBUILD RUN", "COPY", "ONBUILD COPY"], [])


def test_buildkit_reading_flags_what_would_not_build():
    text = "FROM debian AS\nHEALTHCHECK --interval=5s\nCMD true\nONBUILD\nFOO bar\n"
    assert eco.buildkit_instructions(text)[1] == [
        "FROM with 2 arguments", "HEALTHCHECK without CMD or NONE", "ONBUILD without an instruction",
        "unknown instruction FOO",
    ]


def test_unknown_folder_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        eco.main([os.path.join(FIXTURES, "nothing-here")])
    assert exit_info.value.code == 2
    assert "no such file or folder" in capsys.readouterr().err
