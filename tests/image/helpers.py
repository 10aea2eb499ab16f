"""Helpers for the build tests (no tests here): run ``dlint build`` as users do, in a subprocess
(exit codes, stderr, no traceback)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "fixtures" / "build"


def dlint_build(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dlint", "build", *map(str, args)],
        cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def dlint_build_json(*args: str, env: dict | None = None) -> tuple[int, dict, str]:
    proc = dlint_build(*args, "--format", "json", env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout, f"no JSON (exit {proc.returncode}): {proc.stderr}"
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def start_dlint_build(*args: str) -> subprocess.Popen:
    """A build we can interrupt: SIGINT reaches Python as KeyboardInterrupt (a child of a
    non-interactive shell would otherwise inherit SIGINT ignored)."""
    return subprocess.Popen(
        [sys.executable, "-m", "dlint", "build", *map(str, args)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
