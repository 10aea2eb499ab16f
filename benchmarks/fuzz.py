"""The long fuzz run: the property tests of ``tests/test_properties.py`` with many more
examples, plus a speed property, each in its own child process so that even a crash of the
interpreter (a segfault in a C extension) is caught and its input kept.

    python benchmarks/fuzz.py                 # about 10 minutes, records the result
    python benchmarks/fuzz.py --minutes 1     # a shorter run
    python benchmarks/fuzz.py --no-readme     # do not touch benchmarks/README.md

For every property it reports the inputs tried, the crashes (an exception escaping parse,
the rules, an output format or the fixer; or the process dying) and the slowest input.
A failing input is written to ``benchmarks/out/fuzz-<property>.bin``, the slowest one to
``benchmarks/out/fuzz-<property>-slowest.bin``. The result replaces
the fuzz section of ``benchmarks/README.md``. Exit status 1 when anything crashed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
START, END = "<!-- fuzz results: start (written by benchmarks/fuzz.py) -->", "<!-- fuzz results: end -->"

PROPERTIES = ["random_dockerfiles", "mutated_seeds", "random_bytes", "random_unicode", "shell_text", "big_inputs"]
# Any input the fuzzer makes (at most a few KB) must be linted this fast: a slower one is a
# performance cliff (a quadratic step) and counts as a failure.
SLOW_SECONDS = 5.0


# ---------------------------------------------------------------------------------------------
# Child: run one property for a while


def child(name: str, seconds: float, seed: int, current: str) -> None:
    sys.path.insert(0, ROOT)
    from hypothesis import HealthCheck, given, settings, strategies as st
    from hypothesis.errors import HypothesisException

    import tests.test_properties as props

    def big_inputs():
        # Long and repetitive inputs: many flags, heredocs, continuations, packages, stages.
        pieces = st.sampled_from([
            "--mount=type=cache,target=/x ", "<<EOF ", "\\\n", "apt-get install -y a ", "FROM debian:12\n",
            "RUN apt-get update\n", "$( ", ") ", "\"", "'", "# c\n", "EOF\n", "&& ", "[", "]", "{", "}",
            "COPY a /a\n", "RUN rm -rf /var/lib/apt/lists/*\n", "é", "\t",
        ])
        return st.tuples(st.lists(pieces, min_size=1, max_size=8), st.integers(1, 400)).map(
            lambda t: "FROM debian:12\nRUN " + "".join(t[0]) * t[1])

    strategies = {
        "random_dockerfiles": props.random_dockerfiles,
        "mutated_seeds": props.mutated_seeds(),
        "random_bytes": st.binary(max_size=2000),
        "random_unicode": st.text(max_size=2000).map(lambda t: "FROM debian:12\nRUN " + t),
        "shell_text": props.shell_text.map(lambda t: "FROM debian:12\nRUN " + t.replace("\n", " \\\n")),
        "big_inputs": big_inputs(),
    }
    tried = 0
    slowest = (0.0, b"")

    def check(value):
        nonlocal tried, slowest
        data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        with open(current, "wb") as handle:  # kept if the process dies on this input
            handle.write(data)
        start = time.perf_counter()
        props.check_everything(value)
        elapsed = time.perf_counter() - start
        tried += 1
        if elapsed > slowest[0]:
            slowest = (elapsed, data)
        if elapsed > SLOW_SECONDS:
            raise AssertionError(f"slow input: {elapsed:.2f} s for {len(data)} bytes")

    # Batches of a few hundred examples, each a complete hypothesis run with its own seed,
    # until the time is up (one endless run would hold every example in memory).
    from hypothesis import seed as with_seed

    failure = None
    deadline = time.monotonic() + seconds
    batch = 0
    while time.monotonic() < deadline and failure is None:
        run = settings(max_examples=300, deadline=None, database=None,
                       suppress_health_check=list(HealthCheck))(given(strategies[name])(check))
        try:
            with_seed(seed * 100_003 + batch)(run)()
        except (Exception, HypothesisException) as error:  # shrunk; the input is in `current`
            failure = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        batch += 1
    with open(os.path.join(OUT, f"fuzz-{name}-slowest.bin"), "wb") as handle:
        handle.write(slowest[1])
    print(json.dumps({"tried": tried, "failure": failure, "slowest_seconds": slowest[0],
                      "slowest_bytes": len(slowest[1])}))


# ---------------------------------------------------------------------------------------------
# Parent


def run_property(name: str, seconds: float, seed: int) -> dict:
    os.makedirs(OUT, exist_ok=True)
    current = os.path.join(OUT, f"fuzz-{name}.current")
    process = subprocess.run(
        [sys.executable, __file__, "--child", name, "--seconds", str(seconds), "--seed", str(seed), "--current", current],
        capture_output=True, text=True, cwd=ROOT,
    )
    result = {"name": name, "tried": 0, "failure": None, "slowest_seconds": 0.0, "slowest_bytes": 0}
    lines = [l for l in process.stdout.splitlines() if l.startswith("{")]
    if process.returncode == 0 and lines:
        result.update(json.loads(lines[-1]))
    else:
        result["failure"] = f"process died (exit status {process.returncode}): {process.stderr.strip().splitlines()[-1:] or ''}"
    if result["failure"]:
        kept = os.path.join(OUT, f"fuzz-{name}.bin")
        if os.path.exists(current):
            os.replace(current, kept)
        result["input"] = os.path.relpath(kept, ROOT)
    elif os.path.exists(current):
        os.remove(current)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Long fuzz run of dlint (see the module docstring).")
    parser.add_argument("--minutes", type=float, default=10.0, help="total time, shared by the properties")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--current", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.seconds, args.seed, args.current)
        return
    per_property = args.minutes * 60 / len(PROPERTIES)
    started = time.monotonic()
    results = []
    for name in PROPERTIES:
        result = run_property(name, per_property, args.seed)
        results.append(result)
        status = result["failure"] or "ok"
        print(f"{name}: {result['tried']} inputs, slowest {result['slowest_seconds'] * 1000:.0f} ms "
              f"({result['slowest_bytes']} bytes): {status}", flush=True)
    total = sum(r["tried"] for r in results)
    crashes = [r for r in results if r["failure"]]
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Last run {date}: `python benchmarks/fuzz.py --minutes {args.minutes:g} --seed {args.seed}`, "
        f"{(time.monotonic() - started) / 60:.1f} min, hypothesis, each property in its own process.",
        "",
        f"**{total:,} inputs tried, {len(crashes)} crash{'es' if len(crashes) != 1 else ''} found.**",
        "",
        "| property | inputs tried | slowest input | result |",
        "|---|---:|---:|---|",
    ]
    for r in results:
        status = f"FAILED: {r['failure']} (input kept in `{r.get('input')}`)" if r["failure"] else "no crash"
        lines.append(f"| {r['name']} | {r['tried']:,} | {r['slowest_seconds'] * 1000:.0f} ms "
                     f"({r['slowest_bytes']:,} bytes) | {status} |")
    section = "\n".join(lines)
    print()
    print(section)
    if not args.no_readme:
        from run import write_section  # benchmarks/run.py

        write_section(START, END, section)
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
