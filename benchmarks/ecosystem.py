"""The ecosystem check: dlint over many real Dockerfiles, per rule, and what a change did.

    python benchmarks/ecosystem.py DIR... [--baseline REF] [--sample N --seed S] [--fix-check]
                                          [--select CODES] [--json PATH|-]

Lints every Dockerfile under the given folders (names as pre-commit and BuildKit users give
them: ``Dockerfile``, ``Containerfile``, ``*.Dockerfile``, ``Dockerfile.*``, any case) with the
dlint installed for this Python (``python -m dlint lint --format json``, one run over all the
files, every CPU), and prints per rule the number of findings and of files with one.

``--baseline REF``: also lints with the dlint of REF (a git ref of this repository; its
``dlint/`` and ``rules/`` are exported to a temporary folder and run with this Python, so the
dependencies must be compatible) and prints, per rule, the findings that appeared and the
ones that disappeared, with file:line and message. A finding is the same finding when file,
code and line agree (messages and columns may change between versions).

``--sample N --seed S``: N random findings per rule, from N different files when there are
that many (seeded: the same seed gives the same sample on the same results), each with its
source line, for a person to judge.

``--fix-check``: copies the files to a temporary folder, runs ``dlint lint --fix`` on the
copies (``--unsafe-fixes`` too with ``--unsafe``) and reports the files whose fixed text has
new problems: new parse errors or warnings, or a different sequence of instructions than the
original (a fix may turn ADD into COPY, nothing else), plus the findings the fixes created.

``--python PATH`` runs another interpreter's dlint as the current one (e.g. another
worktree's venv). Always exits 0 (unless the arguments are wrong); ``--json PATH`` (``-``:
standard output, instead of the text) writes everything for machines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = re.compile(r"^(dockerfile|containerfile)([._-].*)?$|.*[._-](dockerfile|containerfile)$", re.I)
CHUNK = 400  # files per dlint invocation (keeps command lines short)
ERROR = "ERROR"  # pseudo-rule: a file dlint could not lint (exit 2, one line per problem)
WARNING = "WARNING"  # pseudo-rule: a warning about a file (e.g. not valid UTF-8)


def find_dockerfiles(dirs: list[str]) -> list[str]:
    """Absolute paths of the files under ``dirs`` whose names look like Dockerfiles, sorted."""
    found = set()
    for top in dirs:
        if os.path.isfile(top):
            found.add(os.path.abspath(top))
            continue
        for root, subdirs, files in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if d not in (".git", "node_modules"))
            for name in files:
                path = os.path.join(root, name)
                if NAME.match(name) and os.path.isfile(path) and not os.path.islink(path):
                    found.add(os.path.abspath(path))
    return sorted(found)


def common_root(dirs: list[str]) -> str:
    paths = [os.path.abspath(d if os.path.isdir(d) else os.path.dirname(d)) for d in dirs]
    return os.path.commonpath(paths) if paths else os.getcwd()


class Result:
    """Findings (dicts of the JSON output, with ``path`` the absolute path) and per-file
    errors and warnings of one dlint over a set of files."""

    def __init__(self) -> None:
        self.findings: list[dict] = []
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.warnings: dict[str, list[str]] = defaultdict(list)

    def counts(self) -> Counter:
        counts = Counter(f["code"] for f in self.findings)
        if self.errors:
            counts[ERROR] = len(self.errors)
        if self.warnings:
            counts[WARNING] = len(self.warnings)
        return counts

    def files_per_rule(self) -> Counter:
        return Counter(code for code, _ in {(f["code"], f["path"]) for f in self.findings})


def run_dlint(python: str, files: list[str], extra: list[str] = (), env_path: str | None = None,
              fix: bool = False) -> Result:
    """Run ``python -m dlint lint`` over ``files`` (absolute paths) and collect its output.

    It runs from ``/`` so that no checkout in the working directory shadows the dlint under
    test, and with ``PYTHONPATH`` set to ``env_path`` only (a baseline's exported sources)."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("DLINT_CONFIG", None)
    env.pop("DLINT_FORMAT", None)
    env["NO_COLOR"] = "1"
    if env_path:
        env["PYTHONPATH"] = env_path
    cwd = "/"
    display = {os.path.relpath(f, cwd): f for f in files}
    by_length = sorted(display, key=len, reverse=True)
    result = Result()
    base = [python, "-m", "dlint", "lint", "--isolated", "--no-fail"]
    base += ["--fix"] if fix else ["--format", "json"]
    for start in range(0, len(files), CHUNK):
        chunk = files[start:start + CHUNK]
        proc = subprocess.run(base + list(extra) + chunk, cwd=cwd, env=env, capture_output=True, text=True)
        if not fix:
            try:
                data = json.loads(proc.stdout) if proc.stdout.strip() else []
            except json.JSONDecodeError:
                raise SystemExit(f"ecosystem: dlint printed no JSON (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
            for finding in data:
                name = finding["file"]
                finding["path"] = display.get(name) or os.path.normpath(os.path.join(cwd, name))
                result.findings.append(finding)
        elif proc.returncode not in (0, 1, 2):
            raise SystemExit(f"ecosystem: dlint --fix failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        for line in proc.stderr.splitlines():
            for prefix, bucket in (("dlint: error: ", result.errors), ("dlint: warning: ", result.warnings)):
                if line.startswith(prefix):
                    text = line[len(prefix):]
                    name = next((n for n in by_length if text.startswith(n + ":")), None)
                    if name is not None:
                        bucket[display[name]].append(text[len(name) + 1:].strip())
                    elif "Traceback" not in text:
                        bucket["?"].append(text)
            if line.startswith("Traceback"):
                result.errors["?"].append("a traceback reached the user: " + proc.stderr[-500:])
    return result


def export_ref(ref: str, repo: str, into: str) -> str:
    """Export ``dlint/`` and ``rules/`` of ``ref`` as an importable ``dlint`` package; returns
    the folder to put on PYTHONPATH."""
    src = os.path.join(into, "src")
    os.makedirs(src)
    archive = subprocess.run(["git", "-C", repo, "archive", "--format=tar", ref, "dlint", "rules"],
                             capture_output=True)
    if archive.returncode != 0:
        raise SystemExit(f"ecosystem: cannot export {ref!r}: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", src], input=archive.stdout, check=True)
    os.rename(os.path.join(src, "rules"), os.path.join(src, "dlint", "rules"))
    return src


def key(finding: dict) -> tuple:
    return (finding["path"], finding["code"], finding["line"])


def compare(current: Result, baseline: Result) -> dict[str, dict[str, list[dict]]]:
    """Per rule: findings only in the current run ("appeared") and only in the baseline ("gone").
    The same key may occur several times in a file (DF106 on two packages of one line)."""
    now = defaultdict(list)
    before = defaultdict(list)
    for f in current.findings:
        now[key(f)].append(f)
    for f in baseline.findings:
        before[key(f)].append(f)
    changes: dict[str, dict[str, list[dict]]] = defaultdict(lambda: {"appeared": [], "gone": []})
    for k in set(now) | set(before):
        a, b = now.get(k, []), before.get(k, [])
        if len(a) > len(b):
            changes[k[1]]["appeared"].extend(a[len(b):])
        elif len(b) > len(a):
            changes[k[1]]["gone"].extend(b[len(a):])
    for kind, errors, other in (("appeared", current.errors, baseline.errors),
                                ("gone", baseline.errors, current.errors)):
        for path in sorted(set(errors) - set(other)):
            changes[ERROR][kind].append({"path": path, "code": ERROR, "line": 0, "message": errors[path][0]})
    for change in changes.values():
        for kind in change:
            change[kind].sort(key=lambda f: (f["path"], f["line"], f.get("column", 0)))
    return dict(changes)


_lines_cache: dict[str, list[str]] = {}


def source_line(path: str, line: int) -> str:
    if path not in _lines_cache:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                _lines_cache[path] = handle.read().split("\n")
        except OSError:
            _lines_cache[path] = []
    lines = _lines_cache[path]
    return lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else ""


def samples(result: Result, n: int, seed: int) -> dict[str, list[dict]]:
    """N findings per rule drawn with ``seed``, from N different files when there are that many
    (a generated family of files, or one file with a long package list, would otherwise fill
    the sample with one mistake repeated)."""
    by_rule = defaultdict(lambda: defaultdict(list))
    for f in result.findings:
        by_rule[f["code"]][f["path"]].append(f)
    chosen = {}
    for code in sorted(by_rule):
        rng = random.Random(f"{seed}:{code}")
        files = sorted(by_rule[code])
        rng.shuffle(files)
        pools = {p: sorted(by_rule[code][p], key=lambda f: (f["line"], f["column"], f["message"])) for p in files}
        for pool in pools.values():
            rng.shuffle(pool)
        picked: list[dict] = []
        while len(picked) < n and any(pools.values()):
            for path in files:  # one per file per round
                if pools[path] and len(picked) < n:
                    picked.append(pools[path].pop())
        chosen[code] = [dict(f, source=source_line(f["path"], f["line"])) for f in
                        sorted(picked, key=lambda f: (f["path"], f["line"], f["column"]))]
    return chosen


KEYWORDS = {"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
            "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC = re.compile(r"<<(-?)\s*([\"']?)([A-Za-z0-9_.-]+)\2")


def buildkit_instructions(text: str) -> tuple[list[str], list[str]]:
    """An independent reading of the file as BuildKit's parser splits it, for ``--fix-check``:
    (the instructions, as ``KEYWORD first-arguments``; the problems BuildKit would reject).

    Deliberately not dlint's parser, so that a blind spot of dlint's model cannot hide a fix
    that breaks a build: line continuations with the escape character (``# escape=``),
    comment and blank lines inside a continuation skipped, heredocs of RUN/COPY/ADD, ONBUILD
    and HEALTHCHECK read as BuildKit reads them."""
    lines = text.replace("\r\n", "\n").split("\n")
    escape = "\\"
    i = 0
    while i < len(lines):  # parser directives: only at the very top
        match = _DIRECTIVE.match(lines[i])
        if not match:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("`", "\\"):
            escape = match.group(2)
        i += 1
    instructions, problems = [], []
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = []
        current = line
        while True:
            stripped = current.rstrip(" \t")
            if stripped.endswith(escape):
                parts.append(stripped[:-1])
                # the next line that is not a comment or blank continues this one
                while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
                    i += 1
                if i >= len(lines):
                    break
                current = lines[i]
                i += 1
                continue
            parts.append(current)
            break
        logical = "".join(parts).strip()
        keyword, rest = (re.split(r"\s+", logical, maxsplit=1) + [""])[:2]
        keyword = keyword.upper()
        rest = rest.strip()
        words = rest.split()
        if keyword in ("RUN", "COPY", "ADD") or (keyword == "ONBUILD" and words[:1] and words[0].upper() in ("RUN", "COPY", "ADD")):
            for match in _HEREDOC.finditer(rest):
                strip_tabs, delimiter = match.group(1) == "-", match.group(3)
                while i < len(lines):
                    body = lines[i].lstrip("\t") if strip_tabs else lines[i]
                    i += 1
                    if body == delimiter:
                        break
        if keyword not in KEYWORDS:
            problems.append(f"unknown instruction {keyword}")
        args = [w for w in words if not w.startswith("--")]
        if keyword == "HEALTHCHECK" and not (args and args[0].upper() in ("CMD", "NONE")):
            problems.append("HEALTHCHECK without CMD or NONE")
        if keyword == "ONBUILD" and not (words and words[0].upper() in KEYWORDS - {"ONBUILD", "FROM", "MAINTAINER"}):
            problems.append("ONBUILD without an instruction")
        if keyword == "FROM" and len(args) not in (1, 3):
            problems.append(f"FROM with {len(args)} arguments")
        if keyword == "ADD":
            keyword = "COPY"  # a fix may turn ADD into COPY
        elif keyword == "MAINTAINER":
            keyword = "LABEL"  # and MAINTAINER into LABEL maintainer=… (DF505's unsafe fix)
        first = (args if keyword == "HEALTHCHECK" else words)[:1]
        if keyword == "ONBUILD" and first and first[0].upper() == "ADD":
            first = ["COPY"]  # ONBUILD ADD too
        instructions.append(keyword + (" " + first[0].upper() if keyword in ("ONBUILD", "HEALTHCHECK") and first else ""))
    return instructions, problems


def fix_check(python: str, files: list[str], root: str, unsafe: bool, extra: list[str] = (),
              env_path: str | None = None) -> dict:
    """Apply ``dlint lint --fix`` to copies; report the files it broke or changed in kind."""
    with tempfile.TemporaryDirectory(prefix="dlint-eco-fix-") as tmp:
        copies = {}
        for path in files:
            copy = os.path.join(tmp, os.path.relpath(path, root))
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            shutil.copyfile(path, copy)
            copies[copy] = path
        copy_list = sorted(copies)
        before = run_dlint(python, copy_list, extra, env_path=env_path)
        originals = {c: open(c, "rb").read() for c in copy_list}
        run_dlint(python, copy_list, [*extra, *(["--unsafe-fixes"] if unsafe else [])], env_path=env_path, fix=True)
        after = run_dlint(python, copy_list, extra, env_path=env_path)
        changed = [c for c in copy_list if open(c, "rb").read() != originals[c]]
        broken = []
        for copy in changed:
            rel = os.path.relpath(copy, tmp)
            new_errors = [e for e in after.errors.get(copy, []) if e not in before.errors.get(copy, [])]
            new_warnings = [w for w in after.warnings.get(copy, []) if w not in before.warnings.get(copy, [])]
            old_text = originals[copy].decode("utf-8", "replace")
            new_text = open(copy, encoding="utf-8", errors="replace").read()
            old_kw, old_problems = buildkit_instructions(old_text)
            new_kw, new_problems = buildkit_instructions(new_text)
            problems = [f"new error: {e}" for e in new_errors] + [f"new warning: {w}" for w in new_warnings]
            problems += [f"BuildKit would reject: {p}" for p in new_problems if p not in old_problems]
            if old_kw != new_kw:
                problems.append(f"instructions changed: {len(old_kw)} -> {len(new_kw)} "
                                f"({_first_difference(old_kw, new_kw)})")
            if problems and any(f["path"] == copy and f["code"] == "DF001" for f in before.findings):
                problems.append("(the file had a DF001 finding: a split instruction is the fix's intent; read it)")
            if problems:
                import difflib

                diff = "".join(difflib.unified_diff(old_text.splitlines(True), new_text.splitlines(True),
                                                    f"a/{rel}", f"b/{rel}", n=1))
                broken.append({"file": rel, "problems": problems, "diff": diff})
        before_keys = Counter((f["path"], f["code"]) for f in before.findings)
        created = Counter()
        changed_set = set(changed)
        for (path, code), count in Counter((f["path"], f["code"]) for f in after.findings).items():
            if path in changed_set and count > before_keys.get((path, code), 0):
                created[code] += count - before_keys.get((path, code), 0)
        remaining = Counter(f["code"] for f in after.findings)
        fixed = before.counts() - after.counts()
        return {
            "files": len(copy_list),
            "changed": len(changed),
            "broken": broken,
            "fixed_per_rule": dict(sorted(fixed.items())),
            "created_per_rule": dict(sorted(created.items())),
            "remaining_per_rule": dict(sorted(remaining.items())),
            "unsafe": unsafe,
        }


def _first_difference(old: list[str], new: list[str]) -> str:
    for i, (a, b) in enumerate(zip(old, new)):
        if a != b:
            return f"instruction {i + 1}: {a} -> {b}"
    return f"instruction {min(len(old), len(new)) + 1}: " + (
        f"{new[len(old)]} added" if len(new) > len(old) else f"{old[len(new)]} removed")


def dlint_version(python: str, env_path: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if env_path:
        env["PYTHONPATH"] = env_path
    proc = subprocess.run([python, "-c", "import dlint, os; print(os.path.dirname(dlint.__file__))"],
                          cwd="/", env=env, capture_output=True, text=True)
    if proc.stdout.strip():
        return proc.stdout.strip()
    return (proc.stderr.strip().splitlines() or ["?"])[-1]


def _rel(path: str, root: str) -> str:
    return os.path.relpath(path, root) if path.startswith(root + os.sep) else path


def _one_line(text: str, width: int = 160) -> str:
    text = text.strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", nargs="+", metavar="DIR", help="folders (or files) holding Dockerfiles")
    parser.add_argument("--baseline", metavar="REF", help="also lint with this git ref of the repository and diff")
    parser.add_argument("--repo", default=REPO, help="the repository REF is in (default: this script's)")
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="print N random findings per rule")
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="seed of --sample (default 1)")
    parser.add_argument("--select", metavar="CODES", help="only these rules (passed to dlint --select)")
    parser.add_argument("--fix-check", action="store_true", help="apply --fix to copies and report broken files")
    parser.add_argument("--unsafe", action="store_true", help="with --fix-check: --unsafe-fixes too")
    parser.add_argument("--python", default=sys.executable, help="the interpreter whose dlint is linted with")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON (- for standard output)")
    parser.add_argument("--max-changes", type=int, default=50, metavar="N",
                        help="print at most N appeared/gone findings per rule (default 50; JSON has all)")
    args = parser.parse_args(argv)

    for d in args.dirs:
        if not os.path.exists(d):
            parser.error(f"{d}: no such file or folder")
    files = find_dockerfiles(args.dirs)
    root = common_root(args.dirs)
    extra = ["--select", args.select] if args.select else []
    current = run_dlint(args.python, files, extra)
    out: dict = {"files": len(files), "root": root, "dlint": dlint_version(args.python),
                 "counts": dict(sorted(current.counts().items())),
                 "files_per_rule": dict(sorted(current.files_per_rule().items())),
                 "errors": {_rel(p, root): e for p, e in sorted(current.errors.items())}}
    changes = None
    base_result = None
    if args.baseline:
        with tempfile.TemporaryDirectory(prefix="dlint-eco-base-") as tmp:
            src = export_ref(args.baseline, args.repo, tmp)
            base_result = run_dlint(args.python, files, extra, env_path=src)
        changes = compare(current, base_result)
        out["baseline"] = {
            "ref": args.baseline,
            "counts": dict(sorted(base_result.counts().items())),
            "changes": {code: {kind: [_slim(f, root) for f in fs] for kind, fs in c.items()}
                        for code, c in sorted(changes.items())},
        }
    sampled = samples(current, args.sample, args.seed) if args.sample > 0 else None
    if sampled is not None:
        out["samples"] = {code: [_slim(f, root) | {"source": f["source"]} for f in fs] for code, fs in sampled.items()}
    checked = fix_check(args.python, files, root, args.unsafe, extra) if args.fix_check else None
    if checked is not None:
        out["fix_check"] = checked

    if args.json:
        text = json.dumps(out, indent=2, ensure_ascii=False) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
            return 0
        with open(args.json, "w", encoding="utf-8") as handle:
            handle.write(text)

    print(f"{len(files)} Dockerfiles under {root}; dlint from {out['dlint']}")
    counts = current.counts()
    per_file = current.files_per_rule()
    base_counts = base_result.counts() if base_result else Counter()
    codes = sorted(set(counts) | set(base_counts))
    header = f"{'rule':<8} {'findings':>9} {'files':>6}"
    if base_result:
        header += f" {'baseline':>9} {'+new':>6} {'-gone':>6}"
    print(header)
    for code in codes:
        row = f"{code:<8} {counts.get(code, 0):>9} {per_file.get(code, 0) if code not in (ERROR, WARNING) else counts.get(code, 0):>6}"
        if base_result:
            c = changes.get(code, {"appeared": [], "gone": []})
            row += f" {base_counts.get(code, 0):>9} {len(c['appeared']):>6} {len(c['gone']):>6}"
        print(row)
    print(f"{'total':<8} {len(current.findings):>9}")
    if current.errors:
        print(f"\n{len(current.errors)} files dlint could not lint (first problem of each, at most 20):")
        for path, errors in sorted(current.errors.items())[:20]:
            print(f"  {_rel(path, root)}: {_one_line(errors[0], 140)}")
    if changes:
        for code, c in sorted(changes.items()):
            for kind in ("appeared", "gone"):
                if not c[kind]:
                    continue
                print(f"\n{code}: {len(c[kind])} {kind} (vs {args.baseline})")
                for f in c[kind][: args.max_changes]:
                    print(f"  {_rel(f['path'], root)}:{f['line']}: {_one_line(f['message'], 140)}")
                if len(c[kind]) > args.max_changes:
                    print(f"  … {len(c[kind]) - args.max_changes} more (see --json)")
    if sampled:
        for code, findings in sampled.items():
            print(f"\n{code}: sample of {len(findings)} of {counts[code]} (seed {args.seed})")
            for f in findings:
                print(f"  {_rel(f['path'], root)}:{f['line']}:{f['column']}: {_one_line(f['message'], 140)}")
                print(f"      | {_one_line(f['source'])}")
    if checked is not None:
        print(f"\n--fix{' --unsafe-fixes' if args.unsafe else ''} on copies: {checked['changed']} of "
              f"{checked['files']} files changed, {len(checked['broken'])} with new problems")
        print("  fixed per rule:   " + ", ".join(f"{c} {n}" for c, n in checked["fixed_per_rule"].items()))
        if checked["created_per_rule"]:
            print("  created per rule: " + ", ".join(f"{c} {n}" for c, n in checked["created_per_rule"].items()))
        for item in checked["broken"]:
            print(f"  {item['file']}: " + "; ".join(item["problems"]))
    return 0


def _slim(f: dict, root: str) -> dict:
    return {"file": _rel(f["path"], root), "line": f["line"], "column": f.get("column", 0),
            "code": f["code"], "message": f["message"]}


if __name__ == "__main__":
    sys.exit(main())
