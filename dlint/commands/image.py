"""``dlint image``: the layer table, waste and leftovers of an existing image, without building:
an image on the engine (``NAME``) or a ``docker save`` file (``--archive FILE``, no engine).
Tied to Dockerfile lines with ``-f Dockerfile``; otherwise rows are the image's history.

Nothing here imports the Docker SDK at module level (``dlint lint`` imports the command table).
"""

from __future__ import annotations

import sys
from typing import List, Optional

import click
import typer

from dlint.commands.common import fail, interrupted

FORMATS = ["text", "json"]


def image(
    name: Optional[str] = typer.Argument(None, help="An image on the engine DOCKER_HOST names (name:tag or id)."),
    archive: Optional[str] = typer.Option(
        None, "--archive", help="A `docker save` file (classic or OCI layout) instead of NAME; needs no engine."
    ),
    file: Optional[str] = typer.Option(None, "--file", "-f", help="The Dockerfile that built it: rows tied to its lines."),
    target: Optional[str] = typer.Option(None, "--target", help="With -f: the stage the image is."),
    platform: Optional[str] = typer.Option(
        None, "--platform", help="With --archive holding several platforms: which (linux/arm64); default the first."
    ),
    format: str = typer.Option("text", "--format", click_type=click.Choice(FORMATS), help="text, or json."),
    max_waste: Optional[str] = typer.Option(None, "--max-waste", help="Exit 1 when reclaimable bytes exceed this."),
    no_layer_cache: bool = typer.Option(False, "--no-layer-cache", help="Neither use nor fill the layer cache."),
    extract: Optional[List[str]] = typer.Option(
        None, "--extract", help="SRC:DEST out of the image NAME (repeatable), as `dlint build --extract`."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files when extracting."),
    keep_modes: bool = typer.Option(False, "--keep-modes", help="With --extract: keep world-write on new directories."),
    max_extract_size: str = typer.Option("10GB", "--max-extract-size", help="With --extract: size limit."),
) -> None:
    """Analyse an image without building it: layer table, dead bytes and leftovers.

    Exit status: 0 clean; 1 waste above --max-waste or extraction refused/failed; 2 no such
    image or file, an archive dlint cannot read, engine unreachable, bad options.
    """
    from dlint.image.errors import BuildCommandError

    try:
        status = _run(name, archive, file, target, platform, format, max_waste, no_layer_cache, extract or [], force,
                      keep_modes, max_extract_size)
    except BuildCommandError as error:
        typer.echo(f"dlint: error: {error}", err=True)
        raise typer.Exit(error.exit_code)
    except KeyboardInterrupt as interrupt:
        raise interrupted(interrupt)
    raise typer.Exit(status)


def _api_history(config_history: list[dict]) -> list[dict]:
    """The config's history (oldest first) in the shape of the engine's /history (newest first)."""
    from datetime import datetime

    entries = []
    for entry in config_history:
        created = None
        text = str(entry.get("created") or "")
        if text:
            try:
                created = datetime.fromisoformat(text[:19] + "+00:00").timestamp()
            except ValueError:
                created = None
        entries.append({"Id": "<missing>", "Created": created, "CreatedBy": entry.get("created_by", ""),
                        "Size": 0, "Comment": entry.get("comment", "")})
    return list(reversed(entries))


def _instruction(created_by: str, comment: str) -> str:
    """A history entry's command as an instruction: ``/bin/sh -c #(nop)  ENV A=1`` is ``ENV
    A=1``, ``/bin/sh -c apt-get …`` is ``RUN apt-get …``, BuildKit's ``RUN |1 A=b /bin/sh -c …``
    stays as it is."""
    text = " ".join(created_by.split())
    if text.startswith("/bin/sh -c #(nop) "):
        return text[len("/bin/sh -c #(nop) "):]
    if text.startswith("/bin/sh -c "):
        return "RUN " + text[len("/bin/sh -c "):]
    return text or comment or "(no history)"


def history_table(config_history: list[dict], layers) -> "LayerTable":
    from dlint.image.layers import LayerRow, LayerTable, shorten, use_content_sizes

    rows = []
    index = 0
    tied = sum(1 for e in config_history if not e.get("empty_layer")) == len(layers)
    entries = config_history if tied else [{} for _ in layers]
    api = _api_history(entries)[::-1]
    for n, entry in enumerate(entries):
        indexes = [] if entry.get("empty_layer") else [index]
        index += len(indexes)
        rows.append(LayerRow(step=n + 1, line=None, end_line=None,
                             instruction=shorten(_instruction(entry.get("created_by", ""), entry.get("comment", "")
                                                              or f"layer {n + 1}")),
                             size=0, status="image", created=api[n]["Created"], created_by=entry.get("created_by", ""),
                             layer_indexes=indexes))
    table = LayerTable(rows, 0, "", 0)
    use_content_sizes(table, layers)
    return table


def _run(name, archive, file, target, platform, format, max_waste, no_layer_cache, extract, force, keep_modes,
         max_extract_size) -> int:
    from dlint.image.archive import ArchiveError, read_export, read_image
    from dlint.image.errors import BuildCommandError, ExtractError
    from dlint.image.extract import parse_spec
    from dlint.image.layer_cache import LayerCache
    from dlint.image.render import dumps, exit_reasons, layers_text, parse_size, waste_text, document, extracted_text
    from dlint.image.waste import analyse

    if bool(name) == bool(archive):
        raise fail("name an image on the engine (NAME) or a docker save file (--archive FILE), one of them")
    if extract and archive:
        raise fail("--extract needs an image on the engine (NAME), not --archive")
    try:
        limit = parse_size(max_waste) if max_waste else None
        extract_limit = parse_size(max_extract_size)
    except ValueError as error:
        raise fail(str(error))
    specs = [parse_spec(value) for value in extract]
    from dlint.image.extract import check_destination

    for spec in specs:
        check_destination(spec, force)
    dockerfile = None
    if file:
        from dlint.dockerfile import DockerfileError, parse
        from dlint.image.run import target_stage

        try:
            with open(file, "rb") as handle:
                dockerfile = parse(handle.read(), file)
        except FileNotFoundError:
            raise fail(f"{file}: no such file")
        except (OSError, DockerfileError) as error:
            raise fail(f"{file}: {error}")
        target_stage(dockerfile, target)

    cache = None if no_layer_cache else LayerCache()
    api = None
    if archive:
        try:
            with open(archive, "rb") as handle:
                image_archive = read_export(handle, platform=platform)
        except FileNotFoundError:
            raise fail(f"{archive}: no such file")
        except IsADirectoryError:
            raise fail(f"{archive}: is a directory, not a docker save file")
        except ArchiveError as error:
            raise fail(f"{archive}: {error}")
        image_id, shown = None, archive
    else:
        import docker

        from dlint.image.client import connect, engine_address, unreachable

        api = connect().api
        try:
            inspected = api.inspect_image(name)
        except docker.errors.ImageNotFound:
            raise BuildCommandError(f"no image {name} on the engine at {engine_address()}") from None
        except docker.errors.APIError as error:
            raise BuildCommandError(f"cannot inspect {name}: {error.explanation or error}") from None
        image_id = inspected["Id"]
        diff_ids = (inspected.get("RootFS") or {}).get("Layers") or []
        try:
            image_archive = read_image(api, image_id, diff_ids, cache)
        except (ArchiveError, ValueError) as error:
            raise BuildCommandError(f"cannot read the exported image {name}: {error}") from None
        except (docker.errors.DockerException, OSError) as error:
            raise unreachable(error) from None
        shown = name

    if dockerfile is not None:
        from dlint.image.layers import build_table, use_content_sizes
        from dlint.image.run import BuildResult

        empty = [bool(h.get("empty_layer")) for h in image_archive.history] if image_archive.history else None
        table = build_table(dockerfile, target, BuildResult(image_id or "", "image", [], 0.0, False),
                            _api_history(image_archive.history), empty, 0)
        use_content_sizes(table, image_archive.layers)
        if not table.content_sizes:
            raise BuildCommandError(f"{file}: its instructions do not match the image's {len(image_archive.layers)} "
                                    "layers (is it the Dockerfile that built this image, and --target its stage?)")
    else:
        table = history_table(image_archive.history, image_archive.layers)
    waste = analyse(image_archive, table)

    extracted, errors = [], []
    if specs:
        from dlint.image.extract import extract as extract_one

        for spec in specs:
            try:
                extracted.append(extract_one(api, image_id, spec, force, keep_modes=keep_modes, max_size=extract_limit))
            except ExtractError as error:
                errors.append(str(error))

    reasons = exit_reasons(waste, limit, max_waste, extracted, errors)

    if format == "json":
        doc = document([], image_id, None, None, None, table, waste, None, extracted)
        doc["image"] = {"id": image_id, "name": name, "archive": archive}
        doc["analysis"] = {"exported": image_archive.exported, "layers_read": image_archive.layers_read,
                           "layers_cached": image_archive.layers_cached}
        doc["exit_reasons"] = reasons
        sys.stdout.write(dumps(doc))
    else:
        out = [f"image {shown}{' (' + image_id[:19] + ')' if image_id else ''}: {len(image_archive.layers)} layers", "",
               "Layers", *layers_text(table), "", "Waste", *waste_text(waste)]
        if dockerfile is None:
            out.append("(without -f Dockerfile there is no base image apart: every layer counts as yours)")
        out.append("")
        if extracted:
            out += extracted_text(extracted) + [""]
        sys.stdout.write("\n".join(out))
    for reason in reasons:
        typer.echo(f"dlint: {reason['message']}", err=True)
    return 1 if reasons else 0

