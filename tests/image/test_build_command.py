"""``dlint build`` failures that need no engine, and the import budget of ``dlint lint``."""

from __future__ import annotations

import subprocess
import sys

from tests.image.helpers import FIXTURES, ROOT, dlint_build


def test_unreachable_engine_exit_2_names_docker_host():
    proc = dlint_build(FIXTURES / "failing", "--no-lint", env={"DOCKER_HOST": "tcp://127.0.0.1:1"})
    assert proc.returncode == 2
    assert "tcp://127.0.0.1:1" in proc.stderr and "DOCKER_HOST" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_options_exit_2_before_building():
    assert dlint_build(FIXTURES / "failing", "--max-waste", "lots").returncode == 2
    assert dlint_build(FIXTURES / "failing", "--extract", "nocolon").returncode == 2
    assert dlint_build(FIXTURES / "failing", "--target", "nosuchstage").returncode == 2
    proc = dlint_build(FIXTURES / "failing", "-f", "no/such/Dockerfile")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_help_explains_the_waste_figures():
    out = dlint_build("--help").stdout
    assert "DEAD BYTES" in out and "LEFTOVERS" in out and "DIVE-COMPARABLE" in out


def test_lint_never_imports_the_docker_sdk():
    code = "import dlint.cli, sys; print('docker' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True).stdout.strip() == "False"
