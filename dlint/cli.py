"""The ``dlint`` command. Keeps imports light: ``dlint lint`` must feel instant in a
pre-commit hook, so the Docker SDK is imported only by ``dlint build``."""

from __future__ import annotations

import os
import sys

import typer

from dlint import __version__
from dlint.commands.build import build
from dlint.commands.cache import cache_app
from dlint.commands.image import image
from dlint.commands.lint import lint
from dlint.commands.rules import explain, rules

# Plain help and errors: with rich installed, typer 0.19 escapes "[default: …]" in plain help
# (a stray backslash) and would import rich for a usage error.
typer.core.HAS_RICH = False

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="A Dockerfile linter and cache-busting advisor.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dlint {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    pass


app.command()(lint)
app.command()(rules)
app.command()(explain)
app.command()(build)
app.command()(image)
app.add_typer(cache_app, name="cache")


def main() -> None:
    import click

    try:
        # Not standalone, so that errors and Ctrl-C get dlint's one-line messages: typer turns
        # Ctrl-C into a silent exit status 130 (which no dlint command uses for anything else).
        status = app(standalone_mode=False)
        if status == 130:
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        typer.echo("dlint: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as error:  # usage errors: click's own message, exit 2
        error.show()
        sys.exit(error.exit_code)
    except click.Abort:
        typer.echo("dlint: aborted", err=True)
        sys.exit(1)
    except Exception as error:  # a bug in dlint: one line for users, the traceback on request
        if os.environ.get("DLINT_DEBUG"):
            raise
        typer.echo(
            f"dlint: internal error: {type(error).__name__}: {error} "
            "(set DLINT_DEBUG=1 for the traceback and please report it)",
            err=True,
        )
        sys.exit(2)
    sys.exit(status if isinstance(status, int) else 0)
