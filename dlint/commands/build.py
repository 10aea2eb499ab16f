"""``dlint build``: lint, build on a real engine, measure every layer, copy artifacts out.

Nothing here imports the Docker SDK at module level: ``dlint rules`` and ``dlint explain``
load this module (the commands are registered on the same typer app) and must stay fast.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

import click
import typer

from dlint.commands.common import fail, interrupted
from dlint.rule import SEVERITY_NAMES


# Choices as plain strings, not Enums: every Enum class costs start-up time of the commands
# registered with this one.
FORMATS = ["text", "json"]
BUILDERS = ["auto", "legacy", "buildkit"]


def build(
    context: str = typer.Argument(".", help="Build context directory."),
    file: Optional[str] = typer.Option(None, "--file", "-f", help="Dockerfile (default: CONTEXT/Dockerfile)."),
    tag: Optional[str] = typer.Option(None, "--tag", "-t", help="Name the image (name:tag)."),
    target: Optional[str] = typer.Option(None, "--target", help="Build this stage; report on it."),
    build_arg: Optional[List[str]] = typer.Option(None, "--build-arg", help="K=V (or K: taken from the environment)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use the build cache."),
    network: str = typer.Option("host", "--network", help="Network for RUN steps (host: no bridge needed)."),
    platform: Optional[str] = typer.Option(None, "--platform", help="Build for this platform (linux/arm64)."),
    label: Optional[List[str]] = typer.Option(None, "--label", help="K=V: a label on the image (repeatable)."),
    pull: bool = typer.Option(False, "--pull", help="Let the engine pull newer base images (dlint never pulls otherwise)."),
    cache_from: Optional[List[str]] = typer.Option(None, "--cache-from", help="Passed to the builder (repeatable)."),
    cache_to: Optional[List[str]] = typer.Option(None, "--cache-to", help="BuildKit (buildx): cache export (repeatable)."),
    secret: Optional[List[str]] = typer.Option(None, "--secret", help="BuildKit: id=ID,src=FILE for RUN --mount=type=secret."),
    ssh: Optional[List[str]] = typer.Option(None, "--ssh", help="BuildKit: default or ID=SOCKET for RUN --mount=type=ssh."),
    extract: Optional[List[str]] = typer.Option(
        None, "--extract", help="SRC:DEST, like `docker cp IMAGE:SRC DEST` (repeatable); never writes outside DEST."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files when extracting."),
    keep_modes: bool = typer.Option(
        False, "--keep-modes",
        help="With --extract: give directories it creates the image's mode as is; by default world-write is "
        "dropped (the sticky bit is kept). Directories that existed before are never changed.",
    ),
    max_extract_size: str = typer.Option(
        "10GB", "--max-extract-size",
        help="With --extract: stop (exit 1) before the files written would exceed this (their full size, "
        "holes included), e.g. 500MB.",
    ),
    rewrite_absolute_symlinks: bool = typer.Option(
        False, "--rewrite-absolute-symlinks",
        help="With --extract: write an absolute symlink whose target (read in the image) is SRC or inside it as "
        "the equivalent relative link (/app/current -> /app/releases/v1 becomes current -> releases/v1). "
        "Absolute links pointing elsewhere are still refused.",
    ),
    format: str = typer.Option(
        "text", "--format", click_type=click.Choice(FORMATS), help="text, or json: one document for CI."
    ),
    no_layer_cache: bool = typer.Option(
        False, "--no-layer-cache",
        help="Read every layer from the image export; neither use nor fill the layer cache "
        "($DLINT_CACHE_DIR, else $XDG_CACHE_HOME/dlint or ~/.cache/dlint).",
    ),
    no_lint: bool = typer.Option(False, "--no-lint", help="Do not lint the Dockerfile first."),
    builder: str = typer.Option(
        "auto", "--builder", click_type=click.Choice(BUILDERS),
        help="legacy: the SDK's classic builder; buildkit: a Docker CLI's BuildKit; auto: BuildKit when "
        "the Dockerfile needs it (RUN --mount, heredocs), else legacy.",
    ),
    docker_cli: Optional[str] = typer.Option(
        None, "--docker-cli", envvar="DLINT_DOCKER_CLI", help="Docker CLI for BuildKit builds ($DLINT_DOCKER_CLI)."
    ),
    max_waste: Optional[str] = typer.Option(
        None, "--max-waste", help="Exit 1 when reclaimable bytes (your dead bytes + your leftovers) exceed this, e.g. 20MB."
    ),
    failure_threshold: Optional[str] = typer.Option(
        None,
        "--failure-threshold",
        click_type=click.Choice(SEVERITY_NAMES),
        help="Exit 1 when a lint finding is at or above this severity (default: the config's, else style: any "
        "finding fails).",
    ),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Lint with only these rules (code, name or prefix)."),
    extend_select: Optional[List[str]] = typer.Option(None, "--extend-select", help="Add these rules to the selection."),
    ignore: Optional[List[str]] = typer.Option(
        None, "--ignore", help="Skip these rules (code, name or prefix); replaces the config's ignore."
    ),
    extend_ignore: Optional[List[str]] = typer.Option(
        None, "--extend-ignore", help="Skip these rules too, keeping the config's ignore."
    ),
    config: Optional[str] = typer.Option(
        None, "--config", metavar="PATH",
        help="Lint with this config file (.dlint.toml or pyproject.toml) [env: DLINT_CONFIG]; default: the one "
        "nearest the Dockerfile, as `dlint lint` finds it.",
    ),
    isolated: bool = typer.Option(False, "--isolated", help="Lint ignoring all config files (and DLINT_CONFIG)."),
) -> None:
    """Lint, then build on the engine DOCKER_HOST names (default socket), and report per layer.

    Prints the layer table (step, Dockerfile lines, size, cumulative size, cached or built),
    the waste, the cache report and what --extract copied out.

    \b
    Waste figures:
      DEAD BYTES   stored in a layer but not visible in the final image (deleted
                   or replaced by a later layer). Those your own layers created
                   are reclaimable; the base image's are reported apart and
                   never fail the build.
      LEFTOVERS    package indexes and caches still visible in the image
                   (/var/lib/apt/lists, /var/cache/apt, *.deb, pip/npm/yarn/
                   apk/dnf/yum caches).
      RECLAIMABLE  your dead bytes + your leftovers: what --max-waste checks.
      DIVE-COMPARABLE  dive 0.13's figures, for comparison: "wasted" sums, for
                   every path present in more than one layer (a deletion
                   counts), the size of every copy, the visible one included
                   (dive issue #684), so it overstates what a fix saves;
                   "efficiency" is the sum of each path's smallest copy over
                   the sum of all copies.

    Exit status: 0 built and clean; 1 the build failed, a lint finding at or above
    --failure-threshold, waste above --max-waste, or extraction refused a member; 2 bad
    options, unreadable Dockerfile, engine unreachable or a base image missing.
    """
    params = dict(locals())  # first statement: exactly the options
    from dlint.image.errors import BuildCommandError

    _terminate_like_interrupt()
    try:
        status = _run(**params)
    except BuildCommandError as error:
        typer.echo(f"dlint: error: {error}", err=True)
        if format == "json" and error.exit_code == 1 and not getattr(error, "reported", False):
            from dlint.image.render import document, dumps

            doc = document([], None, tag, None, None, None, None, None, [], str(error))
            doc["exit_reasons"] = [{"reason": "build_failed", "message": str(error)}]
            sys.stdout.write(dumps(doc))
        raise typer.Exit(error.exit_code)
    except KeyboardInterrupt as interrupt:
        raise interrupted(interrupt)
    raise typer.Exit(status)


def _terminate_like_interrupt() -> None:
    """A CI job being cancelled sends SIGTERM: clean up (containers) as for Ctrl-C."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (e.g. called from a test runner's worker)
        pass


def _run(context, file, tag, target, build_arg, no_cache, network, platform, label, pull, cache_from, cache_to, secret,
         ssh, extract, force, keep_modes, max_extract_size,
         rewrite_absolute_symlinks, format, no_layer_cache, no_lint, builder, docker_cli, max_waste,
         failure_threshold, **lint_options) -> int:
    from dlint.image import run as runner
    from dlint.image.errors import BuildCommandError, BuildFailed
    from dlint.image.extract import check_destination, parse_spec
    from dlint.image.render import parse_size
    from dlint.dockerfile import DockerfileError, parse

    # Options first: nothing is built when the command line is wrong.
    if not os.path.isdir(context):
        raise fail(f"{context}: build context is not a directory")
    dockerfile_path = file or os.path.join(context, "Dockerfile")
    build_args = {}
    for item in build_arg or []:
        key, sep, value = item.partition("=")
        if not key:
            raise fail(f"--build-arg {item!r}: expected K=V")
        if not sep:
            if key not in os.environ:
                continue  # docker build skips a bare K that is not in the environment
            value = os.environ[key]
        build_args[key] = value
    try:
        limit = parse_size(max_waste) if max_waste else None
    except ValueError as error:
        raise fail(f"--max-waste: {error}")
    try:
        extract_limit = parse_size(max_extract_size)
    except ValueError as error:
        raise fail(f"--max-extract-size: {error}")
    specs = [parse_spec(value) for value in extract or []]
    for spec in specs:
        check_destination(spec, force)

    try:
        with open(dockerfile_path, "rb") as handle:
            data = handle.read()
        if not data.strip():
            raise DockerfileError("empty file; not a Dockerfile")
        from dlint.files import display_path

        dockerfile = parse(data, display_path(dockerfile_path))
    except FileNotFoundError:
        raise fail(f"{dockerfile_path}: no such file (use -f to name the Dockerfile)")
    except (OSError, DockerfileError) as error:
        where = f"{dockerfile_path}:{error.line}" if getattr(error, "line", None) else dockerfile_path
        raise fail(f"{where}: {getattr(error, 'strerror', None) or error}")
    if dockerfile.problems:
        # What would stop the build outright (an unknown instruction, an unclosed heredoc):
        # said before building, as `dlint lint` says it, exit 2.
        raise fail("\ndlint: error: ".join(f"{dockerfile.path}:{p.line}:{p.column}: {p.message}"
                                          for p in dockerfile.problems))
    runner.target_stage(dockerfile, target)  # a bad --target fails before building

    # Lint first (a bad configuration or rule name fails before building).
    findings, lint_failed = ([], False) if no_lint else _lint(dockerfile, format, failure_threshold, lint_options, context)

    labels = {}
    for item in label or []:
        key, sep, value = item.partition("=")
        if not key or not sep:
            raise fail(f"--label {item!r}: expected K=V")
        labels[key] = value
    buildkit_only = [name for name, given in (("--secret", secret), ("--ssh", ssh), ("--cache-to", cache_to)) if given]
    if buildkit_only and builder == "legacy":
        raise fail(f"{', '.join(buildkit_only)} needs BuildKit; the classic builder (--builder legacy) has none")
    use_buildkit = builder == "buildkit" or (builder == "auto" and (runner.needs_buildkit(dockerfile) or bool(buildkit_only)))
    cli = None
    if use_buildkit:
        cli, why = runner.find_buildkit_cli(docker_cli)
        if cli is None:
            raise BuildCommandError(runner.no_buildkit_message(why))
        if cache_to and not why.startswith("buildx"):
            raise BuildCommandError(f"--cache-to needs the buildx plugin; {cli} has BuildKit built in but not buildx")

    from dlint.image.client import connect

    client = connect()
    api = client.api
    runner.check_heredoc_support(api, dockerfile, cli is not None)
    if not pull:  # with --pull the engine may fetch them
        runner.check_base_images(api, dockerfile, target, build_args)
    options = runner.BuildOptions(
        context=context, dockerfile=dockerfile_path, tag=tag, target=target, build_args=build_args,
        no_cache=no_cache, network=network or None, platform=platform, labels=labels, pull=pull,
        cache_from=list(cache_from or []), secrets=list(secret or []), ssh=list(ssh or []), cache_to=list(cache_to or []),
    )
    progress = runner.Progress()
    try:
        if cli is not None:
            result = runner.build_buildkit(cli, dockerfile, options, progress, rawjson=why.endswith("rawjson"))
        else:
            result = runner.build_legacy(client, dockerfile, options, progress)
    except BuildFailed as error:
        if format == "json":  # CI still gets one document, with the findings
            from dlint.image.render import document, dumps
            from dlint.report.json import finding_to_dict

            doc = document([finding_to_dict(f) for f in findings], None, tag, "buildkit" if cli else "legacy",
                           None, None, None, None, [], str(error))
            doc["exit_reasons"] = [{"reason": "build_failed", "message": str(error)}]
            sys.stdout.write(dumps(doc))
            error.reported = True
        raise

    table, waste, cache, analysis = _analyse(api, dockerfile, target, result, not no_layer_cache)
    from dlint.image.errors import ExtractError
    from dlint.image.extract import extract as extract_one

    # A refused or failed extraction does not hide the report of the finished build.
    extracted, extract_errors = [], []
    for spec in specs:
        try:
            extracted.append(extract_one(api, result.image_id, spec, force, rewrite_absolute=rewrite_absolute_symlinks,
                                         keep_modes=keep_modes, max_size=extract_limit))
        except ExtractError as error:
            extract_errors.append(str(error))

    from dlint.image import render

    if format == "json":
        from dlint.report.json import finding_to_dict

    # Why the run exits 1, for people (stderr) and for CI (the JSON's "exit_reasons").
    reasons = []
    if lint_failed:  # at or above the failure threshold of the lint's configuration
        reasons.append({"reason": "findings", "message": "lint findings at or above the failure threshold"})
    reasons += render.exit_reasons(waste, limit, max_waste, extracted, extract_errors)

    if format == "json":
        from dlint.report.json import finding_to_dict

        doc = render.document([finding_to_dict(f) for f in findings], result.image_id, tag, result.builder,
                              result.seconds, table, waste, cache, extracted, analysis=analysis)
        doc["image"]["progress"] = result.progress
        doc["exit_reasons"] = reasons
        sys.stdout.write(render.dumps(doc))
    else:
        sys.stdout.write(render.text(result.image_id, tag, result.seconds, table, waste, cache, extracted, analysis))
    for reason in reasons:
        if reason["reason"] != "findings":
            typer.echo(f"dlint: {reason['message']}", err=True)
    return 1 if reasons else 0


def _lint(dockerfile, format, failure_threshold, options, context) -> tuple[list, bool]:
    """The lint session of ``dlint lint`` on the parsed Dockerfile, with the same configuration
    (the nearest .dlint.toml / [tool.dlint], --config, --isolated, pragmas) and rule options;
    prints the findings as text. The build's context is the lint's (DF304 reads its
    .dockerignore). Returns the findings and whether one is at or above the
    failure threshold (a config's no-fail included)."""
    from dlint.report import renderer
    from dlint.session import LintOptions, Session, SessionError, lint_dockerfile, split_values

    try:
        session = Session(LintOptions(
            select=split_values(options["select"]) if options["select"] else None,
            extend_select=split_values(options["extend_select"]),
            ignore=split_values(options["ignore"]) if options["ignore"] else None,
            extend_ignore=split_values(options["extend_ignore"]),
            config=options["config"],
            isolated=options["isolated"],
            failure_threshold=failure_threshold,
            context=context,
        ))
        task = session.task(dockerfile.path)
    except SessionError as error:
        raise fail(str(error))
    for warning in session.warnings():
        typer.echo(f"dlint: warning: {warning}", err=True)
    findings = lint_dockerfile(dockerfile, task.settings)
    if format == "text":
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        sys.stdout.write(renderer("text")(findings, {dockerfile.path: dockerfile.lines}, color))
        sys.stdout.write("\n")
        sys.stdout.flush()
    return findings, any(session.fails(f) for f in findings)


def _analyse(api, dockerfile, target, result, use_layer_cache: bool):
    """History, image archive (read once, or not at all when the layer cache knows the image),
    then the layer table, waste and cache reports."""
    import time

    import docker

    from dlint.image.archive import read_image
    from dlint.image.cache_report import report
    from dlint.image.client import unreachable
    from dlint.image.errors import BuildCommandError
    from dlint.image.layer_cache import LayerCache
    from dlint.image.archive import ArchiveError
    from dlint.image.layers import build_table, use_content_sizes
    from dlint.image.waste import analyse

    started = time.monotonic()
    layer_cache = LayerCache() if use_layer_cache else None
    try:
        history = api.history(result.image_id)
        inspected = api.inspect_image(result.image_id)
        diff_ids = (inspected.get("RootFS") or {}).get("Layers") or []
        archive = read_image(api, inspected.get("Id") or result.image_id, diff_ids, layer_cache)
    except docker.errors.APIError as error:
        raise BuildCommandError(f"cannot read image {result.image_id}: {error.explanation or error}") from None
    except (docker.errors.DockerException, OSError) as error:
        raise unreachable(error) from None
    except (ArchiveError, ValueError) as error:  # a format dlint cannot read, a damaged export
        raise BuildCommandError(f"cannot read the exported image {result.image_id}: {error}") from None
    empty = [bool(h.get("empty_layer")) for h in archive.history] if archive.history else None
    table = build_table(dockerfile, target, result, history, empty, inspected.get("Size", 0))
    use_content_sizes(table, archive.layers)
    waste = analyse(archive, table)
    dates = {n: layer.apt_dates for n, layer in enumerate(archive.layers) if layer.apt_dates}
    cache = report(result, table, dates)
    analysis = {
        "seconds": round(time.monotonic() - started, 3),
        "exported": archive.exported,
        "layers_read": archive.layers_read,
        "layers_cached": archive.layers_cached,
        "layer_cache": layer_cache.directory if layer_cache else None,
    }
    return table, waste, cache, analysis
