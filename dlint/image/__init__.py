"""``dlint build``: build a Dockerfile on a real engine and measure it.

One concern per module, in the order the command uses them:

- :mod:`client` connects to the engine that ``DOCKER_HOST`` names (errors say which address),
- :mod:`run` builds (Docker SDK classic builder, or the Docker CLI's BuildKit) and records steps,
- :mod:`layers` matches image history entries to Dockerfile instructions (the layer table),
- :mod:`waste` reads the image archive once (tar headers only) for dead bytes and leftovers,
- :mod:`cache_report` explains cache hits and misses and stale package indexes,
- :mod:`extract` copies paths out of the image like ``docker cp``, safely,
- :mod:`render` prints all of it as text or one JSON document.

Only this package imports the Docker SDK; ``dlint lint`` never loads it.
"""
