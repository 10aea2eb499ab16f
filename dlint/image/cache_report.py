"""The cache report: which steps came from the cache, the first that did not and why it could
have missed, and stale package indexes (a cached ``apt-get update`` under a rebuilt install)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timezone
from email.utils import parsedate_to_datetime

from dlint.image.layers import LayerTable, age
from dlint.image.run import BuildResult
from dlint.packages import INSTALL, UPDATE, UPGRADE, facts_of as facts


@dataclass
class StaleIndex:
    line: int  # the cached update step
    install_line: int  # the rebuilt install step above it
    age_seconds: float | None  # from the cached layer's Created time
    index_date: str | None  # the repository's Date: in the index, when the image holds it
    message: str


@dataclass
class CacheReport:
    builder: str
    cached: int
    built: int
    no_cache: bool
    first_miss: dict | None  # step, line, instruction, reason
    steps: list[dict] = field(default_factory=list)
    stale: list[StaleIndex] = field(default_factory=list)
    costly: list[dict] = field(default_factory=list)  # the steps that missed, slowest first


def _updates_index(instruction) -> bool:
    return instruction.keyword == "RUN" and bool(facts(instruction).calls_of(UPDATE))


def _installs(instruction) -> bool:
    if instruction.keyword != "RUN":
        return False
    run = facts(instruction)
    return bool(run.calls_of(INSTALL) or run.calls_of(UPGRADE))


def _reason(step, no_cache: bool) -> str:
    if no_cache:
        return "--no-cache"
    instruction = step.instruction
    keyword = instruction.keyword if instruction else step.text.split(" ", 1)[0].upper()
    if keyword == "ARG":
        return "the build argument's value changed (--build-arg), which also busts every later RUN"
    if keyword in ("COPY", "ADD"):
        if instruction is not None and instruction.flag("from"):
            return "the stage or image it copies from changed"
        return "files it copies from the build context changed (or the instruction text did)"
    return "the instruction text changed, a build argument it uses changed, or it was never built on this engine"


def humanize_age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def report(result: BuildResult, table: LayerTable, dates_by_layer: dict[int, dict[str, str]] | None = None) -> CacheReport:
    """``dates_by_layer``: RootFS layer index -> {InRelease path: Date:}, from the archive."""
    steps = [s for s in result.steps if s.cached is not None]
    first = next((s for s in steps if not s.cached), None)
    first_miss = None
    if first is not None and any(s.cached is not None for s in steps):
        first_miss = {
            "step": first.number,
            "line": first.instruction.line if first.instruction else None,
            "instruction": first.text,
            "reason": _reason(first, result.no_cache),
            "seconds": round(first.seconds, 3) if first.seconds is not None else None,
        }
    stale = []
    # A cached index under a rebuilt install: the install reads a package list as old as the
    # cached layer, not today's (the split update/install cache-busting trap).
    chain = [r for r in table.rows if not r.is_base and r.source is not None]
    for n, row in enumerate(chain):
        if row.status != "cached" or not _updates_index(row.source):
            continue
        later_install = next((r for r in chain[n + 1 :] if r.status == "built" and _installs(r.source)), None)
        if later_install is None:
            continue
        seconds = age(row.created)
        dates: dict[str, str] = {}
        for layer in row.layer_indexes:
            dates.update((dates_by_layer or {}).get(layer, {}))
        date = _newest_date(dates)
        when = f"{humanize_age(seconds)} old" if seconds is not None else "of unknown age"
        extra = f"; the index itself is dated {date}" if date else ""
        stale.append(
            StaleIndex(
                row.line, later_install.line, seconds, date,
                f"line {row.line}: the package index comes from the cache ({when}{extra}) while line "
                f"{later_install.line} installs fresh: packages may be outdated or missing. Update and "
                "install in the same RUN (DF101/DF102), or rebuild with --no-cache",
            )
        )
    return CacheReport(
        builder=result.builder,
        cached=sum(1 for s in steps if s.cached),
        built=sum(1 for s in steps if not s.cached),
        no_cache=result.no_cache,
        first_miss=first_miss,
        steps=[
            {"step": s.number, "line": s.instruction.line if s.instruction else None, "instruction": s.text,
             "cached": s.cached, "seconds": round(s.seconds, 3) if s.seconds is not None else None}
            for s in steps
        ],
        stale=stale,
        costly=sorted(
            ({"step": s.number, "line": s.instruction.line if s.instruction else None, "instruction": s.text,
              "seconds": round(s.seconds, 3)} for s in steps if not s.cached and s.seconds is not None),
            key=lambda m: -m["seconds"],
        ),
    )


def _newest_date(dates: dict[str, str]) -> str | None:
    parsed = []
    for value in dates.values():
        try:
            parsed.append((parsedate_to_datetime(value), value))
        except (TypeError, ValueError):
            continue
    if not parsed:
        return None
    when, value = max(parsed)  # the freshest repository in the index: the latest it can be from
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

