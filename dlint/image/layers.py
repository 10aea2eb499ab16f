"""The layer table: image history entries matched to the Dockerfile instructions that made them.

Every instruction after ``FROM`` commits exactly one history entry, in both builders (metadata
instructions such as ``ENV`` commit an empty one, 0 B). The classic builder also prints each
step's resulting image id (`` ---> <id>``), which is the history entry's ``Id``: when it is there
it is used, otherwise entries are matched by position from the top of the history. Only the
stages whose layers are in the image appear (the built stage and the stages it is ``FROM``);
everything below them is the base image, shown as one row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from dlint.image.run import BuildResult, final_chain
from dlint.dockerfile import Dockerfile, Instruction


@dataclass
class LayerRow:
    step: int | None  # the builder's step number (None for the base row)
    line: int | None
    end_line: int | None
    instruction: str  # shortened, one line
    size: int
    cumulative: int = 0
    status: str = "built"  # base, cached, built, unknown
    created: float | None = None  # epoch seconds (history ``Created``)
    created_by: str = ""
    history_id: str | None = None
    seconds: float | None = None  # how long its step took to build (0 when cached)
    compressed: int | None = None  # stored (pushed) size, when the store keeps its layers compressed
    layer_indexes: list[int] = field(default_factory=list)  # positions in RootFS.Layers
    source: Instruction | None = field(default=None, repr=False)

    @property
    def is_base(self) -> bool:
        return self.status == "base"


@dataclass
class LayerTable:
    rows: list[LayerRow]
    image_size: int
    base_image: str
    base_layer_count: int  # how many RootFS layers belong to the base image
    compressed_size: int | None = None  # sum of the stored sizes, when every layer's is known
    content_sizes: bool = False  # sizes are the layers' uncompressed content, read from the export

    def row_of_layer(self, index: int) -> LayerRow | None:
        for row in self.rows:
            if index in row.layer_indexes:
                return row
        return None


def shorten(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def build_table(
    dockerfile: Dockerfile,
    target: str | None,
    result: BuildResult,
    history: list[dict],
    empty_layers: list[bool] | None,
    image_size: int,
) -> LayerTable:
    """``history`` is the engine's ``/images/{id}/history`` (newest first); ``empty_layers``
    is the config's ``history[].empty_layer`` (oldest first) when the archive was read, used to
    tie rows to RootFS layers (a 0 B layer of whiteouts is still a layer)."""
    chain = final_chain(dockerfile, target)
    instructions = [i for stage in chain for i in stage.instructions if i.keyword != "FROM"]
    entries = list(reversed(history))  # oldest first
    user_count = min(len(instructions), len(entries))
    base_entries = entries[: len(entries) - user_count]
    by_id = {e["Id"].split(":")[-1][:12]: n for n, e in enumerate(entries) if e.get("Id", "").startswith("sha256:")}
    step_of = {id(s.instruction): s for s in result.steps if s.instruction is not None}

    layer_of_entry: dict[int, int] = {}
    if empty_layers is not None and len(empty_layers) == len(entries):
        layer = 0
        for n, empty in enumerate(empty_layers):
            if not empty:
                layer_of_entry[n] = layer
                layer += 1

    root = chain[0]
    base_name = root.base.raw if not root.base.is_scratch else "scratch"
    base_row = LayerRow(
        step=None,
        line=root.from_instruction.line,
        end_line=root.from_instruction.end_line,
        instruction=shorten(f"FROM {base_name}"),
        size=sum(e.get("Size", 0) for e in base_entries),
        status="base",
        created=base_entries[-1].get("Created") if base_entries else None,
        created_by="",
        history_id=base_entries[-1].get("Id") if base_entries else None,
        layer_indexes=[layer_of_entry[n] for n in range(len(base_entries)) if n in layer_of_entry],
        source=root.from_instruction,
    )
    rows = [base_row]
    offset = len(entries) - user_count
    for position, instruction in enumerate(instructions[len(instructions) - user_count :]):
        step = step_of.get(id(instruction))
        n = offset + position
        if step is not None and step.image_id and step.image_id[:12] in by_id:
            n = by_id[step.image_id[:12]]  # exact: the step's image is this history entry
        entry = entries[n]
        if step is None and result.builder == "image":
            status = "image"  # analysed without building (dlint image): no cache status
        elif step is None and result.builder == "buildkit" and instruction.keyword not in ("RUN", "COPY", "ADD", "WORKDIR"):
            status = "meta"  # BuildKit runs no step for metadata (ENV, LABEL, CMD …)
        elif step is None:
            status = "unknown"
        elif step.cached is None:
            status = "unknown"
        else:
            status = "cached" if step.cached else "built"
        rows.append(
            LayerRow(
                step=step.number if step else None,
                line=instruction.line,
                end_line=instruction.end_line,
                instruction=shorten(f"{instruction.keyword} {instruction.text.text.strip()}"),
                size=entry.get("Size", 0),
                status=status,
                created=entry.get("Created"),
                created_by=entry.get("CreatedBy", ""),
                history_id=entry.get("Id"),
                layer_indexes=[layer_of_entry[n]] if n in layer_of_entry else [],
                source=instruction,
                seconds=step.seconds if step is not None else None,
            )
        )
    total = 0
    for row in rows:
        total += row.size
        row.cumulative = total
    base_layers = len(base_row.layer_indexes) if layer_of_entry else 0
    return LayerTable(rows, image_size, base_name, base_layers)


def use_content_sizes(table: LayerTable, layers) -> None:
    """Sizes from the export: each row's size becomes the uncompressed content of its layers
    (the bytes of the regular files in the layer tars), the same on every store. The history's
    ``Size`` is not: the classic store reports that content, the containerd store the
    snapshot's disk usage. Compressed sizes go beside them where the export has them.
    Needs rows tied to layers (the config's ``empty_layer`` flags); otherwise nothing changes."""
    tied = sum(len(row.layer_indexes) for row in table.rows)
    if tied != len(layers) or not layers:
        return
    total = 0
    any_compressed = any(layer.compressed is not None for layer in layers)
    for row in table.rows:
        row.size = sum(layers[i].size for i in row.layer_indexes)
        sizes = [layers[i].compressed for i in row.layer_indexes]
        if sizes:
            row.compressed = sum(sizes) if all(s is not None for s in sizes) else None
        else:  # no layer (ENV, ARG …): nothing stored
            row.compressed = 0 if any_compressed else None
        total += row.size
        row.cumulative = total
    table.image_size = total
    if all(layer.compressed is not None for layer in layers):
        table.compressed_size = sum(layer.compressed for layer in layers)
    table.content_sizes = True


def age(created: float | None, now: float | None = None) -> float | None:
    if created is None:
        return None
    now = now if now is not None else datetime.now(timezone.utc).timestamp()
    return max(0.0, now - created)
