"""Helpers shared by the typer commands (``rules``, ``explain``, ``build``, ``image``)."""

from __future__ import annotations

import typer


def fail(message: str) -> "typer.Exit":
    """Print a one-line error and leave with status 2 (the run itself failed)."""
    typer.echo(f"dlint: error: {message}", err=True)
    return typer.Exit(2)


def interrupted(interrupt: KeyboardInterrupt) -> "typer.Exit":
    """Ctrl-C during a build or an extraction: typer would leave silently with 130; say what
    happened (containers were removed on the way out) and leave with 130."""
    said = f"{interrupt}; " if str(interrupt) else ""
    typer.echo(f"dlint: {said or 'interrupted; '}no container left behind", err=True)
    return typer.Exit(130)
