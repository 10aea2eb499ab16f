"""Configuration files, environment variables and their precedence, run as users run dlint."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

# DF201 (warning) at 1:6; DF107 (warning) and DF110 (info) at 2:1; DF106 (warning) at 2:42.
BAD = "FROM debian\nRUN apt-get update && apt-get install -y curl\n"


def dlint(*args, cwd, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DLINT_")}
    environment.update({"NO_COLOR": "1", "PYTHONPATH": str(ROOT)}, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "dlint", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=environment
    )


# The rules BAD triggers today; findings of rules added to the defaults later are left out.
WATCHED = {"DF106", "DF107", "DF110", "DF201"}


def found(*args, cwd, env=None):
    """(code, severity, file, line) of each finding of a watched rule, from the JSON output."""
    result = dlint("lint", "--format", "json", *args, cwd=cwd, env=env)
    assert result.returncode in (0, 1), result.stderr
    return [(f["code"], f["severity"], f["file"], f["line"]) for f in json.loads(result.stdout) if f["code"] in WATCHED]


@pytest.fixture
def repo(tmp_path):
    """A repository (it has .git) with a config-less parent, holding one bad Dockerfile."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "Dockerfile").write_text(BAD)
    return root


def test_no_config_runs_the_defaults(repo):
    assert found("Dockerfile", cwd=repo) == [
        ("DF201", "warning", "Dockerfile", 1),
        ("DF107", "warning", "Dockerfile", 2),
        ("DF110", "info", "Dockerfile", 2),
        ("DF106", "warning", "Dockerfile", 2),
    ]


def test_dlint_toml_found_walking_up_from_the_file(repo):
    (repo / ".dlint.toml").write_text(
        'ignore = ["DF2"]\nextend-ignore = ["install-recommends"]\n'
        '[severity]\nDF1 = "info"\nDF106 = "error"\n'
    )
    (repo / "svc" / "api").mkdir(parents=True)
    (repo / "svc" / "api" / "Dockerfile").write_text(BAD)
    assert found("svc/api/Dockerfile", cwd=repo) == [
        ("DF107", "info", "svc/api/Dockerfile", 2),
        ("DF106", "error", "svc/api/Dockerfile", 2),
    ]
    # Run from inside the tree: the same config, paths shown relative to the current directory.
    assert found("Dockerfile", cwd=repo / "svc" / "api") == [
        ("DF107", "info", "Dockerfile", 2),
        ("DF106", "error", "Dockerfile", 2),
    ]


def test_the_walk_stops_at_the_repository_root(repo):
    (repo.parent / ".dlint.toml").write_text('select = ["DF201"]\n')  # outside the repository
    assert [c for c, *_ in found("Dockerfile", cwd=repo)] == ["DF201", "DF107", "DF110", "DF106"]


def test_nearest_config_wins_per_file_and_dlint_toml_before_pyproject(repo):
    (repo / ".dlint.toml").write_text('select = ["DF201"]\n')
    (repo / "a").mkdir()
    (repo / "a" / "Dockerfile").write_text(BAD)
    (repo / "a" / "pyproject.toml").write_text('[tool.dlint]\nselect = ["DF106"]\n')
    (repo / "b").mkdir()
    (repo / "b" / "Dockerfile").write_text(BAD)
    (repo / "b" / "pyproject.toml").write_text('[project]\nname = "b"\n')  # no [tool.dlint]: keep walking
    (repo / "c").mkdir()
    (repo / "c" / "Dockerfile").write_text(BAD)
    (repo / "c" / "pyproject.toml").write_text('[tool.dlint]\nselect = ["DF106"]\n')
    (repo / "c" / ".dlint.toml").write_text('select = ["DF107"]\n')
    assert found(".", cwd=repo) == [
        ("DF201", "warning", "Dockerfile", 1),
        ("DF106", "warning", "a/Dockerfile", 2),
        ("DF201", "warning", "b/Dockerfile", 1),
        ("DF107", "warning", "c/Dockerfile", 2),
    ]


def test_every_way_toml_writes_a_dlint_table_in_pyproject_is_read(repo):
    """A pyproject.toml whose bytes cannot hold a dlint table is passed over without a TOML
    parser; each way TOML can spell the table is still read."""
    spellings = {
        "header": '[tool.dlint]\nselect = ["DF106"]\n',
        "quoted": '[ tool . "dlint" ]\nselect = ["DF106"]\n',
        "inline": '[tool]\ndlint = { select = ["DF106"] }\n',
        "dotted": '[tool]\n"dlint".select = ["DF106"]\n',
        "top-level": 'tool.dlint.select = ["DF106"]\n',
    }
    for name, text in spellings.items():
        (repo / name).mkdir()
        (repo / name / "Dockerfile").write_text(BAD)
        (repo / name / "pyproject.toml").write_text(text + '[project]\nname = "dlint-user"\n')
    (repo / "none").mkdir()
    (repo / "none" / "Dockerfile").write_text(BAD)
    (repo / "none" / "pyproject.toml").write_text(  # the word alone is no table
        '[project]\nname = "dlint"\n[project.scripts]\ndlint = "dlint.cli:main"\n'
    )
    (repo / ".dlint.toml").write_text('select = ["DF201"]\n')
    assert found(".", cwd=repo) == [
        ("DF201", "warning", "Dockerfile", 1),
        ("DF106", "warning", "dotted/Dockerfile", 2),
        ("DF106", "warning", "header/Dockerfile", 2),
        ("DF106", "warning", "inline/Dockerfile", 2),
        ("DF201", "warning", "none/Dockerfile", 1),  # passed over: the repository's .dlint.toml
        ("DF106", "warning", "quoted/Dockerfile", 2),
        ("DF106", "warning", "top-level/Dockerfile", 2),
    ]


def test_rule_options_failure_threshold_and_no_fail(repo):
    (repo / ".dlint.toml").write_text(
        'select = ["DF1", "DF2"]\nfailure-threshold = "error"\n'
        "[rules.DF106]\nallowed-unpinned = [\"curl\"]\n"
        "[rules.packages-not-one-per-line]\nmin-packages = 3\n"
    )
    (repo / "Dockerfile").write_text(
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends wget=1.21 curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )
    result = dlint("lint", "--format", "json", "Dockerfile", cwd=repo)
    assert [f["code"] for f in json.loads(result.stdout)] == ["DF104"]  # curl allowed; 2 < 3 packages
    assert result.returncode == 0  # a style finding is below the config's threshold
    assert dlint("lint", "--failure-threshold", "style", "Dockerfile", cwd=repo).returncode == 1
    (repo / ".dlint.toml").write_text("no-fail = true\n")
    assert dlint("lint", "Dockerfile", cwd=repo).returncode == 0


def test_command_line_overrides_the_file(repo):
    (repo / ".dlint.toml").write_text('select = ["DF1"]\nignore = ["DF106"]\n')
    assert [c for c, *_ in found("Dockerfile", cwd=repo)] == ["DF107", "DF110"]
    assert [c for c, *_ in found("--ignore", "DF107", "Dockerfile", cwd=repo)] == ["DF110", "DF106"]
    assert [c for c, *_ in found("--extend-ignore", "DF107", "Dockerfile", cwd=repo)] == ["DF110"]
    assert [c for c, *_ in found("--select", "DF201", "Dockerfile", cwd=repo)] == ["DF201"]
    assert [c for c, *_ in found("--extend-select", "unpinned-base-image", "Dockerfile", cwd=repo)] == [
        "DF201", "DF107", "DF110"
    ]


def test_config_flag_environment_and_isolated(repo, tmp_path):
    (repo / ".dlint.toml").write_text('select = ["DF201"]\n')
    other = tmp_path / "ci.toml"
    other.write_text('select = ["DF110"]\n')
    assert [c for c, *_ in found("Dockerfile", cwd=repo)] == ["DF201"]
    assert [c for c, *_ in found("--config", other, "Dockerfile", cwd=repo)] == ["DF110"]
    assert [c for c, *_ in found("Dockerfile", cwd=repo, env={"DLINT_CONFIG": str(other)})] == ["DF110"]
    assert [c for c, *_ in found("--isolated", "Dockerfile", cwd=repo, env={"DLINT_CONFIG": str(other)})] == [
        "DF201", "DF107", "DF110", "DF106"
    ]


def test_format_from_config_environment_and_flag(repo):
    (repo / ".dlint.toml").write_text('format = "gnu"\n')
    assert dlint("lint", "Dockerfile", cwd=repo).stdout.startswith("Dockerfile:1:6: warning: DF201 ")
    github = dlint("lint", "Dockerfile", cwd=repo, env={"DLINT_FORMAT": "github"})
    assert github.stdout.startswith("::warning file=Dockerfile,line=1,col=6,")
    assert dlint("lint", "-f", "text", "Dockerfile", cwd=repo, env={"DLINT_FORMAT": "github"}).stdout.startswith(
        "Dockerfile:1:6: warning: DF201 [unpinned-base-image]"
    )


def test_exclude_applies_to_directory_discovery(repo):
    (repo / ".dlint.toml").write_text('exclude = ["vendor", "legacy/*.Dockerfile"]\n')
    for path in ["vendor/x/Dockerfile", "legacy/old.Dockerfile", "legacy/keep/Dockerfile", "app/Dockerfile"]:
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(BAD)
    files = sorted({f for _, _, f, _ in found(".", cwd=repo)})
    assert files == ["Dockerfile", "app/Dockerfile", "legacy/keep/Dockerfile"]
    # A file named on the command line is always linted.
    assert {f for _, _, f, _ in found("vendor/x/Dockerfile", cwd=repo)} == {"vendor/x/Dockerfile"}


ALLOWED_KEYS = (
    "exclude, extend-ignore, extend-select, failure-threshold, format, hadolint-config, ignore, "
    "no-fail, rules, select, severity"
)


@pytest.mark.parametrize(
    "name, content, message",
    [
        (".dlint.toml", 'selct = ["DF1"]\n', f".dlint.toml: selct: unknown key (allowed: {ALLOWED_KEYS})"),
        (".dlint.toml", 'ignore = ["DF999"]\n',
         ".dlint.toml: ignore: unknown rule 'DF999' (allowed: a rule code, name or code prefix; see `dlint rules`)"),
        (".dlint.toml", 'select = "DF1"\n',
         ".dlint.toml: select: wrong type: got string 'DF1' (allowed: a list of rule codes, names or code prefixes)"),
        (".dlint.toml", 'failure-threshold = "fatal"\n',
         ".dlint.toml: failure-threshold: unknown value 'fatal' (allowed: error, warning, info, style)"),
        (".dlint.toml", "no-fail = 1\n", ".dlint.toml: no-fail: wrong type: got integer 1 (allowed: true or false)"),
        (".dlint.toml", 'format = "xml"\n',
         ".dlint.toml: format: unknown value 'xml' "
         "(allowed: text, json, sarif, github, gitlab, checkstyle, junit, gnu)"),
        (".dlint.toml", '[severity]\nDF106 = "fatal"\n',
         ".dlint.toml: severity.DF106: unknown value 'fatal' (allowed: error, warning, info, style)"),
        (".dlint.toml", '[severity]\nDF999 = "error"\n',
         ".dlint.toml: severity.DF999: unknown rule (allowed: a rule code, name or code prefix; see `dlint rules`)"),
        (".dlint.toml", "[rules.DF106]\nallowed = []\n",
         ".dlint.toml: rules.DF106.allowed: unknown option (allowed: allowed-unpinned, pin-policy)"),
        (".dlint.toml", "[rules.DF101]\nx = 1\n",
         ".dlint.toml: rules.DF101.x: unknown option (allowed: none; DF101 has no options)"),
        (".dlint.toml", "[rules.DF106]\nallowed-unpinned = [1]\n",
         ".dlint.toml: rules.DF106.allowed-unpinned: wrong type: got a list holding integer 1 "
         "(allowed: a list of strings)"),
        # Names are compared exactly: a glob would silently match nothing, so it is refused.
        (".dlint.toml", '[rules.DF106]\nallowed-unpinned = ["curl", "lib*-dev"]\n',
         ".dlint.toml: rules.DF106.allowed-unpinned: 'lib*-dev' is a pattern "
         "(allowed: exact names; patterns are not supported)"),
        (".dlint.toml", '[rules.packages-not-one-per-line]\nmin-packages = "3"\n',
         ".dlint.toml: rules.packages-not-one-per-line.min-packages: wrong type: got string '3' "
         "(allowed: an integer)"),
        (".dlint.toml", "select = [\n", ".dlint.toml: invalid TOML: Cannot overwrite a value (at line 2, column 17)"),
        ("pyproject.toml", '[tool.dlint]\nextend-ignore = ["nope"]\n',
         "pyproject.toml: tool.dlint.extend-ignore: unknown rule 'nope' "
         "(allowed: a rule code, name or code prefix; see `dlint rules`)"),
    ],
)
def test_config_mistakes_are_one_line_errors(repo, name, content, message):
    if content == "select = [\n":
        content = 'select = []\nselect = ["DF1"]\n'  # a duplicate key: a TOML error with a position
    (repo / name).write_text(content)
    result = dlint("lint", "Dockerfile", cwd=repo)
    assert (result.returncode, result.stderr, result.stdout) == (2, f"dlint: error: {message}\n", "")


def test_command_line_and_environment_mistakes(repo):
    cases = [
        (["--config", "missing.toml"], {}, "missing.toml: cannot read the config file: No such file or directory"),
        (["--format", "yaml"], {}, "--format: unknown format 'yaml' "
         "(allowed: text, json, sarif, github, gitlab, checkstyle, junit, gnu)"),
        ([], {"DLINT_FORMAT": "html"}, "DLINT_FORMAT: unknown format 'html' "
         "(allowed: text, json, sarif, github, gitlab, checkstyle, junit, gnu)"),
        (["-f", "json", "-f", "gnu"], {}, "--format: 2 formats would go to standard output "
         "(allowed: one; give an --output-file for each of the others)"),
        (["-o", "a.json", "-o", "b.json"], {}, "--output-file: 2 files for 1 format "
         "(give a --format for each --output-file)"),
        (["--extend-ignore", "DF999"], {}, "unknown rule 'DF999' (see `dlint rules`)"),
    ]
    for args, env, message in cases:
        result = dlint("lint", *args, "Dockerfile", cwd=repo, env=env)
        assert (result.returncode, result.stderr) == (2, f"dlint: error: {message}\n"), args


HADOLINT = """\
ignored:
  - DL3008
  - DL3003
override:
  error:
    - DL3006
  style:
    - DL3009
failure-threshold: error
trustedRegistries:
  - registry.example.com
"""


def test_hadolint_config_is_mapped(repo):
    (repo / ".hadolint.yaml").write_text(HADOLINT)
    result = dlint("lint", "--format", "json", "--hadolint-config", ".hadolint.yaml", "Dockerfile", cwd=repo)
    got = [(f["code"], f["severity"]) for f in json.loads(result.stdout)]
    # trustedRegistries is DF211's allow-list: debian comes from docker.io.
    assert got == [("DF201", "error"), ("DF211", "warning"), ("DF107", "style"), ("DF110", "info")]
    assert result.returncode == 1  # DF201 is an error now, at the mapped threshold
    assert result.stderr == (
        "dlint: warning: .hadolint.yaml: no dlint rule matches DL3003; "
        "skipped (see `dlint rules --hadolint`)\n"
    )
    # Not read unless asked for.
    assert [c for c, *_ in found("Dockerfile", cwd=repo)] == ["DF201", "DF107", "DF110", "DF106"]
    # The config key does the same, and the dlint config's own settings win over it.
    (repo / ".dlint.toml").write_text('hadolint-config = ".hadolint.yaml"\n[severity]\nDF201 = "info"\n')
    assert [(c, s) for c, s, *_ in found("Dockerfile", cwd=repo)] == [
        ("DF201", "info"), ("DF107", "style"), ("DF110", "info")
    ]


def test_hadolint_failure_threshold_none_and_mistakes(repo):
    (repo / ".hadolint.yaml").write_text("failure-threshold: none\n")
    assert dlint("lint", "--hadolint-config", ".hadolint.yaml", "Dockerfile", cwd=repo).returncode == 0
    (repo / ".hadolint.yaml").write_text("ignore:\n  - DL3008\n")
    result = dlint("lint", "--hadolint-config", ".hadolint.yaml", "Dockerfile", cwd=repo)
    assert (result.returncode, result.stderr) == (
        2,
        "dlint: error: .hadolint.yaml: ignore: unknown hadolint key (allowed: disable-ignore-pragma, "
        "failure-threshold, format, ignored, label-schema, no-color, no-fail, override, strict-labels, "
        "trustedRegistries, verbose)\n",
    )
    (repo / ".hadolint.yaml").write_text("override:\n  fatal:\n    - DL3008\n")
    result = dlint("lint", "--hadolint-config", ".hadolint.yaml", "Dockerfile", cwd=repo)
    assert result.stderr == (
        "dlint: error: .hadolint.yaml: override.fatal: unknown value 'fatal' (allowed: error, warning, info, style)\n"
    )


def test_hadolint_mapping_table_is_printed_and_names_real_rules(tmp_path):
    from dlint.hadolint_map import HADOLINT_TO_DLINT
    from dlint.registry import lookup

    assert {h: d for h, (d, _) in HADOLINT_TO_DLINT.items()} == {
        "DL3006": "DF201", "DL3007": "DF201", "DL3008": "DF106", "DL3009": "DF107",
        "DL3014": "DF109", "DL3015": "DF110", "DL3027": "DF111", "DL3002": "DF502",
        "DL3020": "DF302", "DL3025": "DF501", "DL4006": "DF401",
        "DL3000": "DF503", "DL3004": "DF402", "DL3011": "DF504", "DL3012": "DF013", "DL3021": "DF506",
        "DL3022": "DF205", "DL3023": "DF206", "DL3024": "DF202", "DL3026": "DF211", "DL3029": "DF210",
        "DL3044": "DF508", "DL3045": "DF509", "DL3046": "DF403", "DL3047": "DF405",
        "DL3048": "DF513", "DL3057": "DF511", "DL3059": "DF407", "DL4000": "DF505", "DL4001": "DF404",
        "DL4003": "DF013", "DL4004": "DF013", "DL4005": "DF406", "DL3063": "DF203", "DL3064": "DF507",
        "DL3065": "DF207", "DL3066": "DF512", "DL3067": "DF212", "DL3049": "DF515", "DL3050": "DF515",
        "DL3051": "DF515", "DL3052": "DF515", "DL3053": "DF515", "DL3054": "DF515", "DL3055": "DF515",
        "DL3056": "DF515", "DL3058": "DF515",
        # package managers other than apt (issue 11)
        "DL3013": "DF106", "DL3016": "DF106", "DL3018": "DF106", "DL3028": "DF106", "DL3033": "DF106",
        "DL3037": "DF106", "DL3041": "DF106", "DL3062": "DF106", "DL3019": "DF107", "DL3032": "DF107",
        "DL3036": "DF107", "DL3040": "DF107", "DL3042": "DF107", "DL3060": "DF107", "DL3030": "DF109",
        "DL3034": "DF109", "DL3038": "DF109",
    }
    result = dlint("rules", "--hadolint", cwd=tmp_path)
    assert result.returncode == 0
    rows = [line.split()[:4] for line in result.stdout.splitlines()[: len(HADOLINT_TO_DLINT)]]
    assert rows == [[h, "->", d, lookup(d).name] for h, (d, _) in HADOLINT_TO_DLINT.items()]
    assert "DL3003  --  not covered: deliberately not" in result.stdout
    markdown = dlint("rules", "--hadolint", "--format", "markdown", cwd=tmp_path).stdout
    assert "| DL3008 | DF106 | `unpinned-package` |" in markdown


def test_hadolint_disable_ignore_pragma(repo):
    (repo / "Dockerfile").write_text("# dlint: ignore-file=DF201\n" + BAD)
    assert [c for c, *_ in found("Dockerfile", cwd=repo)] == ["DF107", "DF110", "DF106"]
    (repo / ".hadolint.yaml").write_text("disable-ignore-pragma: true\n")
    assert [c for c, *_ in found("--hadolint-config", ".hadolint.yaml", "Dockerfile", cwd=repo)] == [
        "DF201", "DF107", "DF110", "DF106"
    ]
