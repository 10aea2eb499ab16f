"""The ``dlint`` command.

``dlint lint`` is the pre-commit hook's command and must start fast: it is dispatched here
straight to :mod:`dlint.commands.lint`, which reads its own options, and neither typer nor
click is imported. The other commands (``rules``, ``explain``, ``build``) and the top-level
help go through a typer application built on first use (:func:`get_app`). Only ``dlint
build`` imports the Docker SDK.
"""

# No `from __future__ import annotations`: typer reads the nested commands' annotations at
# run time, and they name `typer`, imported inside get_app.
import gc
import os
import sys

HELP = "A Dockerfile linter and cache-busting advisor."


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        if argv and argv[0] == "lint":
            # Start-up and the lint of a file make many objects and few reference cycles: at
            # the collector's default (a pass per 700 new objects) its 15 to 25 passes took 2 to
            # 3 ms of `dlint lint FILE`. The thresholds dlint.parallel uses for many files.
            thresholds = gc.get_threshold()
            gc.set_threshold(50_000, 20, 20)
            try:
                from dlint.commands.lint import main as lint

                status = lint(argv[1:])
            finally:
                gc.set_threshold(*thresholds)
        elif argv == ["--version"]:  # also without typer: scripts call it to check the install
            from dlint import __version__

            sys.stdout.write(f"dlint {__version__}\n")
            status = 0
        else:
            status = _run_app(argv)
    except KeyboardInterrupt:
        _say("dlint: interrupted")
        status = 130
    except Exception as error:  # a bug in dlint: one line for users, the traceback on request
        if os.environ.get("DLINT_DEBUG"):
            raise
        _say(
            f"dlint: internal error: {type(error).__name__}: {error} "
            "(set DLINT_DEBUG=1 for the traceback and please report it)"
        )
        status = 2
    sys.exit(status)


def entry_point() -> None:
    """The ``dlint`` console script and ``python -m dlint``: :func:`main`, and after a lint,
    leave without the interpreter's teardown. Freeing every object one by one at exit took
    about 8 ms after a lint of 1,000 files (1.4 % of the run); the lint path registers no
    ``atexit`` work and has closed its files, and the standard streams are flushed here.
    Other commands (the Docker SDK, typer) exit as usual."""
    try:
        main()
    except SystemExit as done:
        status = done.code
        if sys.argv[1:2] != ["lint"] or not isinstance(status, int):
            raise
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            raise done from None  # let the interpreter report it, as it would have
        os._exit(status)


def _say(message: str) -> None:
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _run_app(argv: list[str]) -> int:
    import click

    try:
        # Not standalone, so that errors and Ctrl-C get dlint's one-line messages: typer turns
        # Ctrl-C into a silent exit status 130 (which no dlint command uses for anything else).
        status = get_app()(argv, prog_name="dlint", standalone_mode=False)
        if status == 130:
            raise KeyboardInterrupt
    except click.ClickException as error:  # usage errors: click's own message, exit 2
        error.show()
        return error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.Abort:
        _say("dlint: aborted")
        return 1
    return status if isinstance(status, int) else 0


_APP = None


def get_app():
    """The typer application of every command, built once, on first use."""
    global _APP
    if _APP is not None:
        return _APP
    import typer

    from dlint import __version__
    from dlint.commands.build import build
    from dlint.commands.cache import cache_app
    from dlint.commands.image import image
    from dlint.commands.lint import SUMMARY
    from dlint.commands.rules import explain, rules

    # Plain help and errors: with rich installed, typer 0.19 escapes "[default: …]" in plain
    # help (a stray backslash) and would import rich for a usage error.
    typer.core.HAS_RICH = False
    app = typer.Typer(
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        help=HELP,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    def version(value: bool) -> None:
        if value:
            typer.echo(f"dlint {__version__}")
            raise typer.Exit()

    @app.callback()
    def main_options(
        version: bool = typer.Option(False, "--version", callback=version, is_eager=True, help="Print the version."),
    ) -> None:
        pass

    @app.command(
        "lint", help=SUMMARY, add_help_option=False,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "allow_interspersed_args": False},
    )
    def lint(ctx: typer.Context) -> None:
        # Reached through the app only (`dlint` itself dispatches `lint` before building it):
        # the options are dlint.commands.lint's own.
        from dlint.commands.lint import main as lint_main

        raise typer.Exit(lint_main(list(ctx.args)))

    app.command()(rules)
    app.command()(explain)
    app.command()(build)
    app.command()(image)
    app.add_typer(cache_app, name="cache")
    _APP = app
    return app


def __getattr__(name: str):
    if name == "app":  # `from dlint.cli import app`
        return get_app()
    raise AttributeError(name)
