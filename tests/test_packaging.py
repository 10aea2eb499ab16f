"""The release as users get it: the sdist and wheel built from this checkout (``python -m
build``), their metadata, and the wheel installed into a fresh virtual environment, run from
outside the checkout."""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile

import pytest

import dlint
from dlint.registry import all_rules
from dlint.checker import default_rules
from tests.helpers import FIXTURES, ROOT, findings_of

DIST_NAME = "dlint-docker"  # "dlint" on PyPI is another project (Duo Labs' flake8 plugin)


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    # The sdist, then the wheel built from the unpacked sdist (so the sdist is complete, and no
    # build/ directory is left in the checkout). --no-isolation: the test environment's
    # setuptools (a test dependency), no download.
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


def test_wheel_metadata_and_contents(dists):
    wheel, _ = dists
    assert wheel.name == f"dlint_docker-{dlint.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"dlint_docker-{dlint.__version__}.dist-info"
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert metadata["Name"] == DIST_NAME
    assert metadata["Version"] == dlint.__version__
    assert metadata["Requires-Python"] == ">=3.10"
    requires = " ".join(metadata.get_all("Requires-Dist"))
    for dependency in ("typer", "dockerfile-parse", "tree-sitter-bash", "docker", "PyYAML"):
        assert dependency in requires, dependency
    assert "[console_scripts]\ndlint = dlint.cli:entry_point" in entry_points
    # The rules install as dlint.rules, every module that defines one; nothing of the checkout besides.
    rule_modules = {name for name in names if name.startswith(("dlint/rules/df", "dlint/rules/sc_"))}
    assert rule_modules == {f"{r.check.__module__.replace('.', '/')}.py" for r in all_rules()}
    assert "dlint/rules/__init__.py" in names and "dlint/image/run.py" in names
    assert {name.split("/")[0] for name in names} == {"dlint", info}


def test_sdist_has_what_a_build_needs(dists):
    _, sdist = dists
    assert sdist.name == f"dlint_docker-{dlint.__version__}.tar.gz"
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
        pkg_info = email.message_from_bytes(archive.extractfile(f"dlint_docker-{dlint.__version__}/PKG-INFO").read())
    assert {"pyproject.toml", "README.md", "rules/__init__.py", "dlint/__init__.py", "dlint/cli.py"} <= names
    assert pkg_info["Name"] == DIST_NAME


def test_wheel_installs_into_a_fresh_venv(dists, tmp_path):
    wheel, _ = dists
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # The dependencies come from this test environment (a path entry after the fresh venv's
    # own site-packages: no download, and dlint itself is found only in the fresh venv).
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    with open(os.path.join(purelib, "zz-test-dependencies.pth"), "w") as handle:
        handle.write("\n".join(sorted(ours)) + "\n")
    install = subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    outside = tmp_path / "elsewhere"  # not the checkout: nothing can come from there
    outside.mkdir()
    (outside / "Dockerfile").write_bytes((FIXTURES / "examples" / "Dockerfile").read_bytes())
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "DLINT_CONFIG")}
    env["NO_COLOR"] = "1"
    dlint_exe = env_dir / "bin" / "dlint"

    version = subprocess.run([dlint_exe, "--version"], capture_output=True, text=True, cwd=outside, env=env)
    assert (version.returncode, version.stdout) == (0, f"dlint {dlint.__version__}\n"), version.stderr
    probe = subprocess.run(
        [python, "-c", "import json, dlint, dlint.rules, importlib.util\n"
         "print(json.dumps([dlint.__file__, dlint.rules.__file__, len(dlint.rules.ALL_RULES),\n"
         "                  importlib.util.find_spec('dlint.tests') is None]))"],
        capture_output=True, text=True, cwd=outside, env=env,
    )
    assert probe.returncode == 0, probe.stderr
    package, rules, count, no_tests = json.loads(probe.stdout)
    assert package.startswith(purelib) and rules == os.path.join(purelib, "dlint", "rules", "__init__.py")
    assert count == len(all_rules()) and no_tests
    lint = subprocess.run([dlint_exe, "lint", "--format", "json", "Dockerfile"], capture_output=True, text=True,
                          cwd=outside, env=env)
    assert lint.returncode == 1, lint.stderr
    # The same findings as this checkout's code gives (the README's example).
    expected = findings_of(FIXTURES / "examples" / "Dockerfile", default_rules())
    assert [(f["code"], f["line"], f["column"]) for f in json.loads(lint.stdout)] == expected
