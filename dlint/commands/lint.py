"""``dlint lint``: read Dockerfiles, run the rules, print findings."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import List, Optional

import typer

from dlint.commands.common import fail


class Format(str, Enum):
    text = "text"
    json = "json"


class Threshold(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    style = "style"


def _display_path(path: str) -> str:
    if path == "-":
        return path
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def lint(
    paths: List[str] = typer.Argument(None, help="Dockerfiles or directories (default: .); - reads stdin."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    failure_threshold: Threshold = typer.Option(
        Threshold.info, "--failure-threshold", help="Exit 1 when a finding is at or above this severity."
    ),
    no_fail: bool = typer.Option(False, "--no-fail", help="Exit 0 even when there are findings."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these rules (code, name or prefix)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Skip these rules (code, name or prefix)."),
    stdin_filename: str = typer.Option("-", "--stdin-filename", help="Name to report for standard input."),
) -> None:
    """Lint Dockerfiles."""
    from dlint.dockerfile import DockerfileError, parse
    from dlint.discovery import NoDockerfiles, discover
    from dlint.engine import Settings, default_rules, exit_status, lint as run_rules
    from dlint.registry import UnknownRule, resolve
    from dlint.report import renderer
    from dlint.rule import Severity

    try:
        rules = default_rules()
        if select:
            rules = tuple(dict.fromkeys(r for s in _split(select) for r in resolve(s)))
        if ignore:
            ignored = {r.code for s in _split(ignore) for r in resolve(s)}
            rules = tuple(r for r in rules if r.code not in ignored)
        files = discover(paths or ["."])
    except (UnknownRule, NoDockerfiles) as error:
        raise fail(str(error))

    settings = Settings(rules)
    findings = []
    sources: dict[str, list[str]] = {}
    failed = False
    for path in files:
        name = stdin_filename if path == "-" else _display_path(path)
        try:
            data = sys.stdin.buffer.read() if path == "-" else _read(path)
            if not data.strip():
                raise DockerfileError("empty file; not a Dockerfile")
            dockerfile = parse(data, name)
        except (OSError, DockerfileError) as error:
            failed = True
            typer.echo(f"dlint: error: {_describe(name, error)}", err=True)
            continue
        for warning in dockerfile.warnings:
            typer.echo(f"dlint: warning: {name}: {warning}", err=True)
        sources[name] = dockerfile.lines
        findings.extend(run_rules(dockerfile, settings))

    color = format is Format.text and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if findings or not failed or format is not Format.text:
        sys.stdout.write(renderer(format.value)(findings, sources, color))
    if failed:
        raise typer.Exit(2)
    if no_fail:
        raise typer.Exit(0)
    raise typer.Exit(exit_status(findings, Severity.parse(failure_threshold.value)))


def _split(values: list[str]) -> list[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _describe(name: str, error: Exception) -> str:
    from dlint.dockerfile import DockerfileError

    if isinstance(error, DockerfileError):
        where = f"{name}:{error.line}" if error.line else name
        return f"{where}: {error}"
    if isinstance(error, FileNotFoundError):
        return f"{name}: no such file or directory"
    if isinstance(error, PermissionError):
        return f"{name}: permission denied"
    if isinstance(error, IsADirectoryError):
        return f"{name}: is a directory"
    return f"{name}: {getattr(error, 'strerror', None) or error}"


