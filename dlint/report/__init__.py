"""Output formats. Each module renders a list of findings to a string; none of them runs rules."""

from __future__ import annotations

from typing import Callable, Mapping

from dlint.engine import Finding

Renderer = Callable[[list[Finding], Mapping[str, list[str]], bool], str]


def renderer(name: str) -> Renderer:
    if name == "text":
        from dlint.report.text import render
    elif name == "json":
        from dlint.report.json import render
    else:
        raise ValueError(f"unknown format {name!r}")
    return render


FORMATS = ("text", "json")
