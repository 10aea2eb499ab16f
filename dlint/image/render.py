"""Printing the build report: a text report for people, one JSON document for CI."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from dlint.image.cache_report import CacheReport, humanize_age
from dlint.image.extract import Extracted, json_name, printable
from dlint.image.layers import LayerRow, LayerTable
from dlint.image.waste import WasteReport

BAR_WIDTH = 20


def human(size: int | float) -> str:
    """Decimal units, like ``docker images``."""
    size = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if abs(size) < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


def parse_size(text: str) -> int:
    """``20MB``, ``1.5GB``, ``512k``, ``100`` (bytes); decimal units, ``MiB`` style binary ones."""
    value = text.strip().replace(" ", "")
    units = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
             "kib": 1024, "mib": 1024**2, "gib": 1024**3}
    number = value.rstrip("bBkKmMgGiI")
    unit = value[len(number):].lower()
    if unit not in units:
        raise ValueError(f"unknown size unit in {text!r} (use B, kB, MB, GB, KiB, MiB, GiB)")
    return int(float(number) * units[unit])


def _lines(row: LayerRow) -> str:
    if row.line is None:
        return ""
    return str(row.line) if row.end_line in (None, row.line) else f"{row.line}-{row.end_line}"


def _where(row: LayerRow | None) -> str:
    if row is None:
        return "?"
    if row.is_base:
        return "base image"
    if row.line is None:  # dlint image without -f: the history's entries
        return f"layer {row.step} ({row.instruction.split(' ', 1)[0]})"
    return f"line {_lines(row)} ({row.instruction.split(' ', 1)[0]})"


def layers_text(table: LayerTable) -> list[str]:
    biggest = max((r.size for r in table.rows), default=0) or 1
    packed = any(r.compressed is not None for r in table.rows)
    extra = f" {'compressed':>10}" if packed else ""
    out = [f"{'step':>4}  {'lines':<7} {'instruction':<52} {'size':>9} {'total':>9}{extra} {'time':>7}  {'cache':<7} "]
    for row in table.rows:
        bar = "█" * round(BAR_WIDTH * row.size / biggest) if row.size else ""
        step = "base" if row.is_base else (str(row.step) if row.step else "-")
        instruction = row.instruction if len(row.instruction) <= 52 else row.instruction[:51] + "…"
        column = f" {human(row.compressed) if row.compressed is not None else '-':>10}" if packed else ""
        seconds = f"{row.seconds:.1f} s" if row.seconds is not None else ""
        out.append(
            f"{step:>4}  {_lines(row):<7} {instruction:<52} {human(row.size):>9} {human(row.cumulative):>9}{column} "
            f"{seconds:>7}  {row.status:<7} {bar}"
        )
    if table.content_sizes:
        note = "sizes: uncompressed content of each layer"
        if table.compressed_size is not None:
            note += f"; compressed as the store keeps them (pushed size): {human(table.compressed_size)} in all"
        elif packed:
            note += "; compressed: the stored (pushed) size of the layers the store keeps compressed, - where it keeps them plain"
        out.append(note)
    return out


def waste_text(waste: WasteReport, limit: int = 8) -> list[str]:
    out = [
        f"image {human(waste.image_size)}; dead bytes: {human(waste.dead_user)} from your layers (reclaimable), "
        f"{human(waste.dead_base)} from the base image ({human(waste.dead_base_by_user)} of them hidden by your layers); "
        f"live leftovers: {human(waste.leftovers_user)} yours, {human(waste.leftovers_base)} in the base image",
        f"reclaimable by fixing the Dockerfile: {human(waste.reclaimable)}",
    ]
    user_dead = [g for g in waste.dead if g.user]
    for group in user_dead[:limit]:
        rules = f" [{', '.join(group.rules)}]" if group.rules else ""
        fix = f"; use {group.fix}: saves" if group.fix else "; fix saves"
        out.append(
            f"  dead {human(group.size):>9}  {printable(group.directory)} ({group.files} files): created by {_where(group.created)}, "
            f"{group.how} by {_where(group.killed)}{rules}{fix} {human(group.size)}"
        )
    if len(user_dead) > limit:
        rest = sum(g.size for g in user_dead[limit:])
        out.append(f"  dead {human(rest):>9}  … in {len(user_dead) - limit} more groups")
    for group in [g for g in waste.leftovers if g.user][:limit]:
        rule = f" [{group.rule}]" if group.rule else ""
        out.append(
            f"  left {human(group.size):>9}  {printable(group.directory)} ({group.label}, {group.files} files): "
            f"created by {_where(group.created)}, still in the image{rule}; removing it in that RUN saves {human(group.size)}"
        )
    base_dead = sum(g.size for g in waste.dead if not g.user)
    if base_dead:
        out.append(f"  base {human(base_dead):>9}  dead bytes inherited from the base image (not counted against --max-waste)")
    out.append(
        f"dive-comparable: wasted {human(waste.dive_wasted)}, efficiency {100 * waste.dive_efficiency:.1f}%, "
        f"user wasted {waste.dive_user_wasted_percent:.1f}% (dive counts every copy, the live one too; see --help)"
    )
    return out


def cache_text(cache: CacheReport) -> list[str]:
    out = [f"{cache.cached} steps from cache, {cache.built} built ({cache.builder} builder)"]
    if cache.first_miss and cache.cached:
        miss = cache.first_miss
        where = f"line {miss['line']}" if miss["line"] else f"step {miss['step']}"
        out.append(f"  first miss: {where} {miss['instruction']}: {miss['reason']}")
    elif cache.no_cache:
        out.append("  --no-cache: every step rebuilt")
    if cache.costly and cache.cached:
        ranked = ", ".join(f"line {m['line'] or '?'} {m['seconds']:.1f} s" for m in cache.costly[:5])
        out.append(f"  misses by time: {ranked}")
    for stale in cache.stale:
        out.append(f"  warning: stale package index: {stale.message}")
    return out


def extracted_text(items: list[Extracted]) -> list[str]:
    out = []
    for item in items:
        out.append(
            f"extracted {printable(item.src)} -> {printable(item.dest)}: {item.files} files, {item.directories} "
            f"directories, {item.symlinks} symlinks, {human(item.bytes)}"
        )
        # Names come from the image: escaped, so a newline or an escape sequence in one cannot
        # fake a report line or reach the terminal.
        for name, why in item.refused:
            out.append(f"  refused {printable(name)}: {printable(why)}")
        for name, absolute, relative in item.rewritten:
            out.append(f"  rewrote {printable(name)}: {printable(absolute)} -> {printable(relative)}")
        if item.stripped:
            out.append(f"  setuid/setgid/sticky bits dropped on {len(item.stripped)} files")
    return out


def text(image_id: str, tag: str | None, seconds: float, table: LayerTable | None, waste: WasteReport | None,
         cache: CacheReport | None, extracted: list[Extracted], analysis: dict | None = None) -> str:
    out = [f"built {image_id[:19]}{' as ' + tag if tag else ''} in {seconds:.1f} s"]
    if analysis:
        out.append(analysis_text(analysis))
    out.append("")
    if table is not None:
        out += ["Layers", *layers_text(table), ""]
    if waste is not None:
        out += ["Waste", *waste_text(waste), ""]
    if cache is not None:
        out += ["Cache", *cache_text(cache), ""]
    if extracted:
        out += extracted_text(extracted) + [""]
    return "\n".join(out)


def analysis_text(analysis: dict) -> str:
    read, cached = analysis["layers_read"], analysis["layers_cached"]
    if not analysis["exported"]:
        source = f"all {cached} layers from the layer cache, no export"
    elif cached:
        source = f"{read} layers read from the image export, {cached} from the layer cache"
    else:
        source = f"{read} layers read from the image export"
    return f"analysed in {analysis['seconds']:.1f} s: {source}"


# ---------------------------------------------------------------------------------------------


def _row_ref(row: LayerRow | None) -> dict | None:
    if row is None:
        return None
    return {"step": row.step, "line": row.line, "end_line": row.end_line, "instruction": row.instruction, "base": row.is_base}


def _iso(epoch: float | None) -> str | None:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat() if epoch is not None else None


def document(findings: list[dict], image_id: str | None, tag: str | None, builder: str | None,
             seconds: float | None, table: LayerTable | None, waste: WasteReport | None,
             cache: CacheReport | None, extracted: list[Extracted], error: str | None = None,
             analysis: dict | None = None) -> dict:
    doc: dict = {"findings": findings, "image": {"id": image_id, "tag": tag, "builder": builder,
                                                 "build_seconds": round(seconds, 2) if seconds else seconds}}
    if error:
        doc["error"] = error
    doc["analysis"] = analysis  # how the image was read: export or layer cache, and how long
    doc["layers"] = [
        {"step": r.step, "line": r.line, "end_line": r.end_line, "instruction": r.instruction, "size": r.size,
         "cumulative": r.cumulative, "compressed": r.compressed,
         "seconds": round(r.seconds, 3) if r.seconds is not None else None, "status": r.status, "created": _iso(r.created), "history_id": r.history_id}
        for r in (table.rows if table else [])
    ]
    if waste is not None:
        doc["waste"] = {
            "image_size": waste.image_size,
            "dead_user": waste.dead_user,
            "dead_base": waste.dead_base,
            "dead_base_hidden_by_user": waste.dead_base_by_user,
            "leftovers_user": waste.leftovers_user,
            "leftovers_base": waste.leftovers_base,
            "reclaimable": waste.reclaimable,
            "dead": [
                {"directory": g.directory, "size": g.size, "files": g.files, "how": g.how, "user": g.user,
                 "created_by": _row_ref(g.created), "made_dead_by": _row_ref(g.killed), "rules": g.rules,
                 "saving": g.size if g.user else 0, "examples": g.examples, "fix": g.fix}
                for g in waste.dead
            ],
            "leftovers": [
                {"label": g.label, "directory": g.directory, "size": g.size, "files": g.files, "user": g.user,
                 "created_by": _row_ref(g.created), "rule": g.rule, "saving": g.size if g.user else 0}
                for g in waste.leftovers
            ],
            "apt_index_dates": waste.apt_index_dates,
            "dive": {"wasted": waste.dive_wasted, "efficiency": round(waste.dive_efficiency, 6),
                     "user_wasted_percent": round(waste.dive_user_wasted_percent, 3)},
        }
    else:
        doc["waste"] = None
    if cache is not None:
        doc["cache"] = {
            "builder": cache.builder, "cached": cache.cached, "built": cache.built, "no_cache": cache.no_cache,
            "first_miss": cache.first_miss, "steps": cache.steps, "misses_by_time": cache.costly,
            "stale_index": [
                {"line": s.line, "install_line": s.install_line, "age_seconds": s.age_seconds,
                 "age": humanize_age(s.age_seconds) if s.age_seconds is not None else None,
                 "index_date": s.index_date, "message": s.message}
                for s in cache.stale
            ],
        }
    else:
        doc["cache"] = None
    doc["extracted"] = [
        {"src": e.src, "dest": e.dest, "files": e.files, "directories": e.directories, "symlinks": e.symlinks,
         "hardlinks": e.hardlinks, "bytes": e.bytes,
         # Member names losslessly: the text, plus the raw bytes in base64 when not UTF-8.
         "refused": [{**json_name(n), "why": w} for n, w in e.refused],
         "setuid_stripped": e.stripped,
         "rewritten_symlinks": [{**json_name(n), "target": a, "written": r} for n, a, r in e.rewritten]}
        for e in extracted
    ]
    return doc


def _valid_text(value):
    """Strings that cannot be UTF-8 (names from an image that are not) become their escaped
    form; where the exact bytes matter the document carries them apart (``member_base64``)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return printable(value)
    if isinstance(value, dict):
        return {_valid_text(k): _valid_text(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_valid_text(v) for v in value]
    return value


def dumps(doc: dict) -> str:
    """One JSON document, always valid UTF-8."""
    return json.dumps(_valid_text(doc), indent=2, ensure_ascii=False) + "\n"


def exit_reasons(waste: WasteReport, limit: int | None, max_waste: str | None, extracted: list[Extracted],
                 extract_errors: list[str]) -> list[dict]:
    """Why a finished build or analysis exits 1 (besides lint findings): for people (stderr)
    and for CI (the JSON's ``exit_reasons``)."""
    reasons = []
    if limit is not None and waste.reclaimable > limit:
        reasons.append({"reason": "max_waste",
                        "message": f"reclaimable waste {human(waste.reclaimable)} exceeds --max-waste {max_waste}"})
    if any(item.refused for item in extracted):
        reasons.append({"reason": "extraction_refused",
                        "message": "extraction refused some members (listed above); nothing was written outside DEST"})
    reasons += [{"reason": "extraction_failed", "message": message} for message in extract_errors]
    return reasons
