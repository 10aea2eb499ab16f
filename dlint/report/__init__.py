"""Output formats. Each module renders a list of findings to a string; none of them runs rules.

A format's module is imported only when that format is asked for, so ``dlint lint`` in a
pre-commit hook never pays for XML or SARIF.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from dlint.checker import Finding

# render(findings, sources, color): ``sources`` maps each linted file's shown name to its lines
# (files without findings are there too, for formats that list every file).
Renderer = Callable[[list[Finding], Mapping[str, list[str]], bool], str]

FORMATS = ("text", "json", "sarif", "github", "gitlab", "checkstyle", "junit", "gnu")


def renderer(name: str) -> Renderer:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r} (allowed: {', '.join(FORMATS)})")
    from importlib import import_module  # here: text, when the only output, does not come this way

    return import_module(f"dlint.report.{name}").render
