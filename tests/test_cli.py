"""The `dlint` command as users run it: a real subprocess, real files, exit codes."""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys

import pytest

from tests.helpers import FIXTURES, ROOT

BAD = "FROM debian:bookworm\nRUN apt-get update\n"
CLEAN = FIXTURES / "examples" / "one-run.Dockerfile"


def dlint(*args, stdin=None, cwd=None):
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "dlint", *map(str, args)],
        input=stdin, capture_output=True, text=True, cwd=cwd or ROOT, env=env,
    )


def test_text_output_exit_1_on_findings(tmp_path):
    (tmp_path / "Dockerfile").write_text(BAD)
    result = dlint("lint", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "Dockerfile:2:1: warning: DF101 [update-without-install] `apt-get update` is not followed by an install "
        "in the same RUN: a later install reuses this cached, possibly stale index",
        "2 | RUN apt-get update",
        "  | ^^^",
        "Dockerfile:2:1: warning: DF107 [package-cache-left-in-layer] `apt-get update` leaves /var/lib/apt/lists "
        "in this layer: add `rm -rf /var/lib/apt/lists/*` at the end of this RUN",
        "2 | RUN apt-get update",
        "  | ^^^",
        "Found 2 problems (0 fixable).",
    ]
    assert result.stderr == ""


def test_clean_file_exit_0():
    result = dlint("lint", CLEAN)
    assert (result.returncode, result.stdout) == (0, "All checks passed.\n")


def test_json_format_fields():
    result = dlint("lint", "--format", "json", FIXTURES / "rules" / "DF104" / "bad.Dockerfile")
    assert result.returncode == 1
    (finding,) = json.loads(result.stdout)
    fix = finding.pop("fix")
    assert fix["description"] == "sort the packages"
    assert [(e["line"], e["column"], e["replacement"]) for e in fix["edits"]] == [
        (5, 9, "ca-certificates=20230311"), (6, 9, "curl=7.88.1-10+deb12u8"),
        (7, 9, "git=1:2.39.5-0+deb12u1"), (8, 9, "wget=1.21.3-1+b2"),
    ]
    assert [finding] == [
        {
            "code": "DF104",
            "name": "packages-unsorted",
            "severity": "style",
            "message": "'ca-certificates' should come before 'curl'",
            "file": "fixtures/rules/DF104/bad.Dockerfile",
            "line": 6,
            "column": 9,
            "end_line": 6,
            "end_column": 33,
            "fixable": True,
        }
    ]


def test_failure_threshold_and_no_fail(tmp_path):
    path = FIXTURES / "rules" / "DF104" / "bad.Dockerfile"  # one style finding
    assert dlint("lint", "--failure-threshold", "warning", path).returncode == 0
    assert dlint("lint", "--failure-threshold", "style", path).returncode == 1
    assert dlint("lint", path).returncode == 1  # default threshold style: any finding fails
    assert dlint("lint", "--no-fail", path).returncode == 0


def test_directory_discovery(tmp_path):
    for name in ["Dockerfile", "api.Dockerfile", "Dockerfile.dev", "Containerfile", "dockerfile",
                 "notes.txt", "Dockerfile-old.bak.txt"]:
        (tmp_path / name).write_text(BAD)
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "Dockerfile").write_text(BAD)
    result = dlint("lint", "--format", "json", ".", cwd=tmp_path)
    files = sorted({f["file"] for f in json.loads(result.stdout)})
    assert files == ["Containerfile", "Dockerfile", "Dockerfile.dev", "api.Dockerfile", "dockerfile"]


def test_explicit_paths_are_linted_whatever_their_name(tmp_path):
    (tmp_path / "build.txt").write_text(BAD)
    result = dlint("lint", "--format", "json", "build.txt", cwd=tmp_path)
    assert {f["file"] for f in json.loads(result.stdout)} == {"build.txt"}


def test_stdin():
    result = dlint("lint", "--stdin-filename", "svc/Dockerfile", "-", stdin=BAD)
    assert result.returncode == 1
    assert result.stdout.startswith("svc/Dockerfile:2:1: warning: DF101")


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    (tmp_path / "Dockerfile").write_text(BAD)
    result = dlint("lint", "missing/Dockerfile", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert "Dockerfile:2:1: warning: DF101" in result.stdout
    assert result.stderr == "dlint: error: missing/Dockerfile: no such file or directory\n"


def test_select_and_ignore_by_code_name_and_prefix(tmp_path):
    (tmp_path / "Dockerfile").write_text(BAD)
    codes = lambda *a: [f["code"] for f in json.loads(dlint("lint", "-f", "json", *a, "Dockerfile", cwd=tmp_path).stdout)]
    assert codes("--select", "DF107") == ["DF107"]
    assert codes("--ignore", "update-without-install") == ["DF107"]
    assert codes("--select", "DF1", "--ignore", "DF107,DF101") == []
    bad = dlint("lint", "--select", "DF999", "Dockerfile", cwd=tmp_path)
    assert (bad.returncode, bad.stderr) == (2, "dlint: error: unknown rule 'DF999' (see `dlint rules`)\n")


def test_bad_option_is_a_usage_error():
    result = dlint("lint", "--format", "yaml", CLEAN)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_rules_explain_version():
    rules = dlint("rules")
    assert rules.returncode == 0
    rows = {line.split()[0]: line.split()[1:3] for line in rules.stdout.splitlines()}
    assert rows["DF101"] == ["update-without-install", "warning"]
    assert rows["DF001"] == ["continuation-swallows-instruction", "error"]
    by_name = dlint("explain", "update-without-install")
    by_code = dlint("explain", "df101")
    assert by_name.stdout == by_code.stdout
    assert by_code.stdout.startswith("# DF101 update-without-install\n")
    assert "## Why is this bad?" in by_code.stdout
    unknown = dlint("explain", "DF999")
    assert (unknown.returncode, unknown.stderr) == (2, "dlint: error: unknown rule 'DF999' (see `dlint rules`)\n")
    version = dlint("--version")
    assert version.stdout.startswith("dlint ")


def test_lint_does_not_import_the_docker_sdk():
    code = (
        "import sys\nfrom dlint.cli import app\n"
        "try:\n    app(['lint', %r])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('docker', 'requests', 'bashlex') if m in sys.modules))" % str(CLEAN)
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.splitlines()[-1] == "[]"


def test_readme_rule_index_is_up_to_date():
    from dlint.commands.rules import rule_index_markdown

    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- rules:start -->\n") + len("<!-- rules:start -->\n")
    end = readme.index("<!-- rules:end -->")
    assert readme[start:end] == rule_index_markdown(), "run: dlint rules --format markdown"


def test_fix_rewrites_and_reports_what_remains(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends wget=1 curl=2 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )
    diff = dlint("lint", "--diff", "Dockerfile", cwd=tmp_path)
    assert diff.returncode == 1
    assert diff.stdout.splitlines()[:2] == ["--- a/Dockerfile", "+++ b/Dockerfile"]
    assert path.read_text().count("\n") == 3  # --diff changes nothing
    result = dlint("lint", "--fix", "Dockerfile", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "All checks passed.\n")
    assert result.stderr == "dlint: Dockerfile: fixed 2 problems\n"
    assert path.read_text() == (
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends \\\n"
        "    curl=2 \\\n"
        "    wget=1 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )
    again = dlint("lint", "--diff", "Dockerfile", cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, "")


def test_fix_leaves_files_without_fixable_findings_untouched(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(BAD)
    before = path.stat().st_mtime_ns
    result = dlint("lint", "--fix", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr == ""
    assert path.stat().st_mtime_ns == before and path.read_text() == BAD


def test_fix_refuses_stdin_and_diff_together():
    assert dlint("lint", "--fix", "-", stdin=BAD).stderr == (
        "dlint: error: --fix cannot rewrite standard input (use --diff to see the fixes)\n"
    )
    both = dlint("lint", "--fix", "--diff", CLEAN)
    assert (both.returncode, both.stderr) == (
        2, "dlint: error: --fix and --diff cannot be combined (--diff shows what --fix would do)\n"
    )


def test_problems_that_stop_a_build_exit_2_and_the_rest_is_still_linted(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm\nRUN apt-get update\n    curl\n")
    result = dlint("lint", "--format", "json", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "dlint: error: Dockerfile:3:5: unknown instruction 'curl' (a missing `\\` at the end of line 2?)\n"
    )
    assert [f["code"] for f in json.loads(result.stdout)] == ["DF101", "DF107"]


def test_ctrl_c_says_interrupted_and_exits_130():
    import signal
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "dlint", "lint", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    _wait_until_reading_stdin(process.pid)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stderr == "dlint: interrupted\n"


def _wait_until_reading_stdin(pid: int, seconds: float = 30) -> None:
    """Until the process blocks in read(0, …) (Linux: /proc/PID/syscall), so that a signal
    finds dlint waiting for input, not still starting (a fixed sleep failed on a busy machine);
    elsewhere, a pause. Syscall 0 is read on x86-64 only."""
    import platform
    import time

    path = f"/proc/{pid}/syscall"
    if not os.path.exists(path) or platform.machine() != "x86_64":
        time.sleep(1.5)
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(path) as handle:
                if handle.read().startswith("0 0x0 "):  # syscall 0 (read) on descriptor 0
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"dlint (pid {pid}) did not start reading standard input in {seconds} s")


def _build_project(tmp_path, dockerfile: str, config: str | None = None):
    (tmp_path / ".git").mkdir()  # the repository root: config files above it are not read
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text(dockerfile)
    if config is not None:
        (context / ".dlint.toml").write_text(config)
    return context


def _build_codes(result):
    return [line.split()[2] for line in result.stdout.splitlines() if line.startswith("ctx/Dockerfile:")]


def test_build_lints_with_the_configuration_lint_uses(tmp_path):
    """`dlint build` runs `dlint lint`'s session: the nearest .dlint.toml, the pragmas (any
    letter case), --config, --isolated, --select/--ignore/--extend-ignore. The lint comes
    before the engine is contacted, so an unreachable engine shows it (exit 2)."""
    context = _build_project(
        tmp_path, "FROM debian\n# DLINT: ignore=DF101\nRUN apt-get update\n", 'ignore = ["DF107"]\n'
    )
    nowhere = {"DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}

    def build(*args):
        env = {**os.environ, "NO_COLOR": "1", **nowhere}
        env.pop("DLINT_CONFIG", None)
        return subprocess.run([sys.executable, "-m", "dlint", "build", *args, "ctx"], capture_output=True,
                              text=True, cwd=tmp_path, env=env)

    plain = build()
    assert _build_codes(plain) == ["DF201"]
    assert plain.returncode == 2 and "cannot reach a Docker engine" in plain.stderr
    assert _build_codes(build("--isolated")) == ["DF201", "DF107"]  # the pragma still holds
    assert _build_codes(build("--isolated", "--select", "DF1")) == ["DF107"]
    assert _build_codes(build("--ignore", "DF201")) == ["DF107"]  # replaces the config's ignore
    assert _build_codes(build("--extend-ignore", "unpinned-base-image")) == []
    other = tmp_path / "other.toml"
    other.write_text('select = ["DF101"]\n')
    assert _build_codes(build("--config", str(other))) == []  # DF101 is ignored by the pragma
    (context / ".dlint.toml").write_text('selct = ["DF1"]\n')
    broken = build()
    assert (broken.returncode, broken.stdout) == (2, "")
    assert broken.stderr.startswith("dlint: error: ctx/.dlint.toml: selct: unknown key")
    unknown = build("--isolated", "--select", "DF999")
    assert (unknown.returncode, unknown.stderr) == (2, "dlint: error: unknown rule 'DF999' (see `dlint rules`)\n")


def test_build_lints_against_its_own_build_context(tmp_path):
    """DF304 reads the .dockerignore of the context `dlint build` sends, not of the Dockerfile's
    folder: with `-f files/Dockerfile ctx`, ctx/.dockerignore excludes the file COPY names."""
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / ".dockerignore").write_text("app.conf\n")
    (tmp_path / "ctx" / "app.conf").write_text("x\n")
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "Dockerfile").write_text("FROM busybox:1.36\nCOPY app.conf /etc/app.conf\n")
    env = {**os.environ, "NO_COLOR": "1", "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}
    env.pop("DLINT_CONFIG", None)
    result = subprocess.run([sys.executable, "-m", "dlint", "build", "--isolated", "-f", "files/Dockerfile", "ctx"],
                            capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 2 and "cannot reach a Docker engine" in result.stderr
    assert [line.split()[0:3:2] for line in result.stdout.splitlines() if line.startswith("files/")] == [
        ["files/Dockerfile:2:6:", "DF304"]
    ]


@pytest.mark.engine
def test_build_exit_status_follows_the_configured_failure_threshold(tmp_path):
    from tests.engine_env import BUSYBOX_IMAGE, EngineUnavailable, ensure_engine

    try:
        ensure_engine()
    except EngineUnavailable as error:
        pytest.skip(str(error))
    # One finding: DF201 (warning), the base image has no tag.
    context = _build_project(tmp_path, f"FROM {BUSYBOX_IMAGE.split(':')[0]}\nCMD [\"true\"]\n")
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("DLINT_CONFIG", None)
    args = [sys.executable, "-m", "dlint", "build", "--no-layer-cache", "--format", "json", "ctx"]
    strict = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert strict.returncode == 1, strict.stderr
    assert [f["code"] for f in json.loads(strict.stdout)["findings"]] == ["DF201"]
    (context / ".dlint.toml").write_text('failure-threshold = "error"\n')
    lenient = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert lenient.returncode == 0, lenient.stderr
    assert [f["code"] for f in json.loads(lenient.stdout)["findings"]] == ["DF201"]
    override = subprocess.run(args[:4] + ["--failure-threshold", "warning"] + args[4:], capture_output=True,
                              text=True, cwd=tmp_path, env=env)
    assert override.returncode == 1, override.stderr


def test_explain_a_hadolint_code_explains_the_rule_it_maps_to():
    mapped = dlint("explain", "dl3008")
    assert mapped.returncode == 0
    assert mapped.stdout.splitlines()[:3] == [
        "hadolint's DL3008 (Pin versions in apt-get install) is dlint's DF106 unpinned-package; "
        "see `dlint rules --hadolint`.",
        "",
        "# DF106 unpinned-package",
    ]
    assert mapped.stdout.split("\n", 2)[2] == dlint("explain", "DF106").stdout
    unmapped = dlint("explain", "DL3003")
    assert (unmapped.returncode, unmapped.stderr) == (
        2, "dlint: error: DL3003 is a hadolint rule with no dlint equivalent: deliberately not: a cd inside a RUN "
           "changes only that RUN, the idiomatic way to work in a directory; WORKDIR would change every later "
           "instruction (see `dlint rules --hadolint`)\n"
    )


def test_explain_a_buildkit_check_explains_the_rule_it_maps_to():
    mapped = dlint("explain", "undefinedvar")
    assert mapped.returncode == 0
    assert mapped.stdout.splitlines()[:3] == [
        "BuildKit's UndefinedVar (Variables should be defined before their use) is dlint's DF516 undefined-variable; "
        "see `dlint rules --buildkit`.",
        "",
        "# DF516 undefined-variable",
    ]
    assert mapped.stdout.split("\n", 2)[2] == dlint("explain", "DF516").stdout
    unmapped = dlint("explain", "InvalidBaseImagePlatform")
    assert (unmapped.returncode, unmapped.stderr) == (
        2, "dlint: error: InvalidBaseImagePlatform is a BuildKit check with no dlint equivalent: needs the base "
           "image's manifest from a registry (see `dlint rules --buildkit`)\n"
    )
    assert dlint("explain", "NoSuchCheck").stderr == "dlint: error: unknown rule 'NoSuchCheck' (see `dlint rules`)\n"


def test_lint_reads_its_options_without_typer():
    """`dlint lint` (the pre-commit path) parses its own options: the same help, usage errors
    with exit 2, and neither typer nor click imported."""
    from dlint.commands.lint import OPTIONS

    help_text = dlint("lint", "--help")
    assert help_text.returncode == 0 and help_text.stdout.startswith("Usage: dlint lint [OPTIONS] [PATHS]...\n")
    for names, *_ in OPTIONS:
        assert ", ".join(names) in help_text.stdout
    assert dlint("lint", "-h").stdout == help_text.stdout
    top = dlint("--help")
    assert top.returncode == 0 and re.search(r"^  lint +Lint Dockerfiles\.$", top.stdout, re.M)
    for args, message in [
        (["--jobs", "x"], "invalid value for --jobs: 'x' is not a whole number"),
        (["--jobs=-1"], "invalid value for --jobs: -1 is not at least 0"),
        (["--failure-threshold", "fatal"], "invalid value for --failure-threshold: 'fatal' (allowed: error, warning, "
                                           "info, style)"),
        (["--selct", "DF1"], "no such option: --selct"),
        (["--no-fail=yes"], "option --no-fail does not take a value"),
        (["--select"], "option --select requires an argument"),
    ]:
        result = dlint("lint", CLEAN, *args)
        assert result.returncode == 2, args
        assert result.stderr.endswith(f"dlint: error: {message}\n"), result.stderr
        assert result.stdout == ""
    # Attached values, repeated options and `--` work as with click.
    same = dlint("lint", "-fjson", "--select=DF101,DF107", "--", CLEAN)
    assert (same.returncode, same.stdout) == (0, "[]\n")
    code = (
        "import sys\nfrom dlint.cli import main\nsys.argv = ['dlint', 'lint', %r]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('typer', 'click', 'docker') if m in sys.modules))" % str(CLEAN)
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.splitlines()[-1] == "[]", result.stderr


def test_the_console_script_flushes_everything_before_it_leaves(tmp_path):
    """`dlint lint` leaves without the interpreter's teardown (dlint.cli.entry_point): what it
    wrote, to a pipe, an --output-file and stderr, is all there, and the exit status is kept."""
    import shutil

    for number in range(20):  # through the forked workers too
        folder = tmp_path / f"app{number}"
        folder.mkdir()
        (folder / "Dockerfile").write_text("FROM debian:bookworm\nRUN apt-get update\n")
    (tmp_path / "broken.Dockerfile").write_text("FROM debian\nFROMM x\n")
    dlint_script = shutil.which("dlint", path=os.path.dirname(sys.executable))
    for command in ([dlint_script], [sys.executable, "-m", "dlint"]):
        result = subprocess.run([*command, "lint", str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)
        assert result.returncode == 2, result.stderr  # the broken file
        assert result.stdout.count(": DF101 ") == 20 and result.stdout.endswith("fixable).\n")
        assert "broken.Dockerfile:2" in result.stderr
        report = tmp_path / "report.json"
        result = subprocess.run([*command, "lint", "--no-fail", "-f", "json", "-o", str(report), str(tmp_path / "app3")],
                                capture_output=True, text=True, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert [f["code"] for f in json.loads(report.read_text())] == ["DF101", "DF107"]
