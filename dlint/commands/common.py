"""Helpers shared by the typer commands (``rules``, ``explain``, ``build``)."""

from __future__ import annotations

import typer


def fail(message: str) -> "typer.Exit":
    """Print a one-line error and leave with status 2 (the run itself failed)."""
    typer.echo(f"dlint: error: {message}", err=True)
    return typer.Exit(2)
