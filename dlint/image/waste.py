"""Wasted bytes, counted correctly, and dive's figures for comparison.

- **Dead bytes**: bytes stored in some layer that are not visible in the final image, because a
  later layer deleted them (whiteout, opaque directory) or replaced them (a new copy of the
  path). Split by who created them: the user's layers (reclaimable by fixing the Dockerfile)
  or the base image's (not the user's doing).
- **Live leftovers**: package-manager indexes and caches still visible in the final image
  (``/var/lib/apt/lists``, ``/var/cache/apt``, ``*.deb``, pip/npm/yarn/apk/dnf/yum caches):
  duplication-based metrics cannot see them, yet they are pure waste at run time.
- **dive-comparable**: dive 0.13's "wasted bytes" sums, for every path that appears in more
  than one layer (a deletion counts as an appearance), the sizes of *all* its copies, the live
  one included (dive issue #684); its efficiency is Σ smallest copy / Σ all copies over all
  paths. A file deleted by a whiteout counts 0 B there, a deleted directory counts the size of
  everything under it. Opaque-directory markers are ignored, as dive does.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field

from dlint.image.archive import DIR, FILE, OPAQUE, WHITEOUT, ImageArchive
from dlint.image.layers import LayerRow, LayerTable
from dlint.packages import LEFTOVER_LOCATIONS, NOT_LEFTOVERS


def leftover_category(path: str) -> tuple[str, str, str | None] | None:
    """(label, group directory, rule) when ``path`` is a package index/cache file."""
    if path in NOT_LEFTOVERS:
        return None
    for label, marker, rule in LEFTOVER_LOCATIONS:
        at = path.find(marker)
        if at == 0 or (at > 0 and not marker.startswith("/var/")):
            return label, path[: at + len(marker) - 1], rule
    if path.endswith(".deb"):
        return "downloaded .deb", posixpath.dirname(path), None
    return None


def group_directory(path: str) -> str:
    category = leftover_category(path)
    if category:
        return category[1]
    parts = posixpath.dirname(path).split("/")
    return "/".join(parts[:4]) or "/"


@dataclass
class DeadGroup:
    directory: str
    size: int
    files: int
    created: LayerRow | None
    killed: LayerRow | None
    how: str  # "deleted" or "overwritten"
    user: bool  # created by the user's layers
    rules: list[str]  # the dlint rules that would have prevented them
    examples: list[str] = field(default_factory=list)
    fix: str | None = None  # what to write instead, when the report knows (``COPY --chown``)


@dataclass
class LeftoverGroup:
    label: str
    directory: str
    size: int
    files: int
    created: LayerRow | None
    user: bool
    rule: str | None


@dataclass
class WasteReport:
    image_size: int
    dead_user: int
    dead_base: int
    dead_base_by_user: int  # base bytes the user's layers deleted or replaced
    leftovers_user: int
    leftovers_base: int
    dead: list[DeadGroup]
    leftovers: list[LeftoverGroup]
    dive_wasted: int
    dive_efficiency: float
    dive_user_wasted_percent: float
    apt_index_dates: dict[str, str]  # InRelease file -> Date: (live ones)

    @property
    def reclaimable(self) -> int:
        """What fixing the Dockerfile can save: the user's dead bytes and live leftovers."""
        return self.dead_user + self.leftovers_user


def _rules_for_dead(how: str, directory: str, created: LayerRow | None, killed: LayerRow | None) -> list[str]:
    if created is None or created.is_base:
        return []
    rules = []
    category = leftover_category(directory + "/x")
    if category and category[2] and created.instruction.startswith("RUN"):
        rules.append(category[2])  # the index/cache should not have stayed in the creating layer
    if how == "deleted" and killed is not None and not killed.is_base:
        rules.append("DF108")  # deleting in a later layer what an earlier one created saves nothing
    return rules


_RECURSIVE = re.compile(r"\b(chown|chmod|chgrp)\s+(?:-[A-Za-z]*R[A-Za-z]*|--recursive)\b")


def _fix_for_dead(how: str, created: LayerRow | None, killed: LayerRow | None) -> str | None:
    """A later ``RUN chown -R`` (or ``chmod -R``) over files a COPY/ADD wrote rewrites every one
    of them into a new layer: the first copies are dead. ``COPY --chown``/``--chmod`` sets
    ownership and mode in the one copy."""
    if how != "overwritten" or created is None or killed is None or created.is_base:
        return None
    if not created.instruction.startswith(("COPY", "ADD")) or not killed.instruction.startswith("RUN"):
        return None
    source = killed.source.text.text if killed.source is not None else killed.instruction
    match = _RECURSIVE.search(source)
    if not match:
        return None
    keyword = created.instruction.split(" ", 1)[0]
    option = "--chmod" if match.group(1) == "chmod" else "--chown"
    return f"{keyword} {option}=… at line {created.line} instead of `{match.group(1)} -R` at line {killed.line}"


def analyse(archive: ImageArchive, table: LayerTable) -> WasteReport:
    layers = archive.layers
    base_count = table.base_layer_count
    row_of = {i: table.row_of_layer(i) for i in range(len(layers))}

    visible: dict[str, tuple[int, int, str]] = {}  # path -> (layer, size, kind)
    children: dict[str, set[str]] = defaultdict(set)
    dead: dict[tuple[int, int, str, str], list] = {}  # (created, killed, dir, how) -> [size, files, examples]

    def kill(path: str, killer: int, how: str) -> None:
        layer, size, kind = visible.pop(path)
        children[posixpath.dirname(path)].discard(path)
        if kind == DIR:
            for child in list(children.pop(path, ())):
                kill(child, killer, how)
        if size:
            key = (layer, killer, group_directory(path), how)
            record = dead.setdefault(key, [0, 0, []])
            record[0] += size
            record[1] += 1
            if len(record[2]) < 3:
                record[2].append(path)

    # dive's accounting: per path, the size of every appearance (leaf nodes of each layer tree).
    dive_total: dict[str, int] = defaultdict(int)
    dive_min: dict[str, int] = {}
    dive_count: dict[str, int] = defaultdict(int)

    def subtree_size(path: str) -> int:
        layer_size = visible[path][1]
        return layer_size + sum(subtree_size(child) for child in children.get(path, ()))

    for index, layer in enumerate(layers):
        parents = set()
        for path, _, kind in layer.entries:
            if kind != OPAQUE:
                parent = posixpath.dirname(path)
                while parent not in parents and parent != "/":
                    parents.add(parent)
                    parent = posixpath.dirname(parent)
        for path, size, kind in layer.entries:
            if kind == OPAQUE or path in parents:
                continue  # dive ignores opaque markers and only visits leaves
            if kind == WHITEOUT:
                size = subtree_size(path) - visible[path][1] if path in visible and visible[path][2] == DIR else 0
            dive_total[path] += size
            dive_min[path] = min(dive_min.get(path, size), size)
            dive_count[path] += 1

        # The real filesystem: deletions first (they apply to lower layers only), then entries.
        for path, _, kind in layer.entries:
            if kind == OPAQUE:
                for child in list(children.get(path, ())):
                    kill(child, index, "deleted")
            elif kind == WHITEOUT and path in visible:
                kill(path, index, "deleted")
        for path, size, kind in layer.entries:
            if kind in (OPAQUE, WHITEOUT):
                continue
            old = visible.get(path)
            if old is not None:
                if old[2] == DIR and kind == DIR:
                    visible[path] = (index, 0, DIR)  # new metadata, children stay
                    continue
                kill(path, index, "overwritten")
            visible[path] = (index, size, kind)
            children[posixpath.dirname(path)].add(path)

    groups = []
    dead_user = dead_base = dead_base_by_user = 0
    for (created, killed, directory, how), (size, files, examples) in dead.items():
        user = created >= base_count
        created_row, killed_row = row_of.get(created), row_of.get(killed)
        if user:
            dead_user += size
        else:
            dead_base += size
            if killed >= base_count:
                dead_base_by_user += size
        groups.append(
            DeadGroup(directory, size, files, created_row, killed_row, how, user,
                      _rules_for_dead(how, directory, created_row, killed_row), examples,
                      _fix_for_dead(how, created_row, killed_row) if user else None)
        )
    groups.sort(key=lambda g: -g.size)

    leftover: dict[tuple[str, str, int], list] = {}
    dates = {}
    for path, (layer, size, kind) in visible.items():
        if kind != FILE:
            continue
        category = leftover_category(path)
        if category is None:
            continue
        record = leftover.setdefault((category[0], category[1], layer), [0, 0, category[2]])
        record[0] += size
        record[1] += 1
        if path in layers[layer].apt_dates:
            dates[path] = layers[layer].apt_dates[path]
    leftovers = []
    leftovers_user = leftovers_base = 0
    for (label, directory, layer), (size, files, rule) in leftover.items():
        if not size:
            continue  # empty lock files and directories are no waste
        user = layer >= base_count
        if user:
            leftovers_user += size
        else:
            leftovers_base += size
        leftovers.append(LeftoverGroup(label, directory, size, files, row_of.get(layer), user, rule))
    leftovers.sort(key=lambda g: -g.size)

    dive_wasted = sum(total for path, total in dive_total.items() if dive_count[path] > 1)
    all_copies = sum(dive_total.values())
    efficiency = sum(dive_min.values()) / all_copies if all_copies else 1.0
    first_layer = layers[0].size if layers else 0
    user_size = sum(layer.size for layer in layers) - first_layer
    return WasteReport(
        image_size=table.image_size,
        dead_user=dead_user,
        dead_base=dead_base,
        dead_base_by_user=dead_base_by_user,
        leftovers_user=leftovers_user,
        leftovers_base=leftovers_base,
        dead=groups,
        leftovers=leftovers,
        dive_wasted=dive_wasted,
        dive_efficiency=efficiency,
        dive_user_wasted_percent=100.0 * dive_wasted / user_size if user_size else 0.0,
        apt_index_dates=dates,
    )
