"""``dlint cache info`` and ``dlint cache clean``: the layer cache of ``dlint build`` and
``dlint image`` (dlint/image/layer_cache.py)."""

from __future__ import annotations

import typer

cache_app = typer.Typer(
    help="The layer cache of dlint build and dlint image: where it is, how big, emptying it.",
    no_args_is_help=True, add_completion=False,
)


@cache_app.command()
def info() -> None:
    """Where the layer cache is, how many entries and bytes it holds, and its size cap."""
    from dlint.image.layer_cache import LayerCache, max_size
    from dlint.image.render import human

    cache = LayerCache()
    entries = cache.entries()
    layers = sum(1 for path, _, _ in entries if "/layers/" in path)
    total = sum(size for _, size, _ in entries)
    cap = max_size()
    typer.echo(f"layer cache: {cache.directory}")
    typer.echo(f"  {layers} layers, {len(entries)} files, {human(total)}")
    typer.echo(f"  size cap: {human(cap) + ' (DLINT_CACHE_MAX_SIZE)' if cap else 'none (DLINT_CACHE_MAX_SIZE=0)'}; "
               "least recently used entries go first")


@cache_app.command()
def clean() -> None:
    """Empty the layer cache (it only saves time: deleting it is always safe)."""
    from dlint.image.layer_cache import LayerCache
    from dlint.image.render import human

    cache = LayerCache()
    count, size = cache.clean()
    typer.echo(f"removed {count} files ({human(size)}) from {cache.directory}")
