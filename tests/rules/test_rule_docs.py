"""Every rule's documentation is linted: its "Example" must trigger the rule, its "Use instead"
must pass every rule on by default (DF106 included: packages pinned, or pinned through a
variable), DF002, and the rule itself when it is off by default.

`dlint explain` is where users learn the trade, and what they copy from it ends up in real
Dockerfiles; a "Use instead" that another rule flags teaches the next mistake.

The snippets are linted exactly as `dlint lint` lints a file (the CLI, `--format json`, every
rule selected, those off by default too). A snippet without a `FROM` is linted below `FROM debian:bookworm-20241016`,
so that the documentation can show the lines that matter; a snippet with a `FROM` is linted
as written. A snippet with an `# options: {…}` line (a rule that does nothing without its
options) is linted in-process with those options for its rule.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from dlint.registry import all_rules, lookup
from tests.rules.expectations import fixture_options

BASE = "FROM debian:bookworm-20241016\n"
SECTION = re.compile(r"^## (.+?)\s*$", re.M)
BLOCK = re.compile(r"^```dockerfile\n(.*?)^```", re.M | re.S)
# A section may show the .dockerignore its Dockerfiles are built with (DF304): each snippet of
# that section is linted with it as `<name>.dockerignore`, the file BuildKit reads first.
IGNORE_BLOCK = re.compile(r"^```dockerignore\n(.*?)^```", re.M | re.S)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sections(doc: str) -> dict[str, str]:
    parts = SECTION.split(doc)
    return {title: body for title, body in zip(parts[1::2], parts[2::2])}


def snippets(doc: str, title: str) -> list[str]:
    return [block for block in BLOCK.findall(sections(doc).get(title, ""))]


def as_dockerfile(snippet: str) -> str:
    has_from = any(line.split()[:1] and line.split()[0].upper() == "FROM" for line in snippet.splitlines())
    return snippet if has_from else BASE + snippet


RULES = sorted(all_rules(), key=lambda r: r.code)
CASES = [
    (rule.code, kind, index, as_dockerfile(text))
    for rule in RULES
    for kind in ("Example", "Use instead")
    for index, text in enumerate(snippets(rule.doc, kind))
]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Lint every snippet in one `dlint lint` run: file name -> (findings, errors)."""
    folder = tmp_path_factory.mktemp("rule-docs")
    names = {}
    for code, kind, index, text in CASES:
        name = f"{code}-{kind.replace(' ', '-')}-{index}.Dockerfile"
        (folder / name).write_text(text, encoding="utf-8")
        for ignore in IGNORE_BLOCK.findall(sections(lookup(code).doc).get(kind, "")):
            (folder / f"{name}.dockerignore").write_text(ignore, encoding="utf-8")
        names[(code, kind, index)] = name
    proc = subprocess.run(
        [sys.executable, "-m", "dlint", "lint", "--isolated", "--no-fail", "--select", "ALL",
         # rules that are off by default (DF002) are only turned on by name
         *[arg for r in RULES if not r.enabled for arg in ("--extend-select", r.code)],
         "--format", "json", *sorted(names.values())],
        cwd=folder, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"},
    )
    findings = json.loads(proc.stdout or "[]")
    out = {}
    for key, name in names.items():
        errors = [line for line in proc.stderr.splitlines() if name in line]
        out[key] = ([f for f in findings if f["file"] == name], errors)
    for code, kind, index, text in CASES:
        options = fixture_options(text)
        if options:
            out[(code, kind, index)] = (_with_options(code, options, text), [])
    return out


def _with_options(code: str, options: dict, text: str) -> list[dict]:
    from dlint.checker import Settings, lint
    from dlint.dockerfile import parse

    rules = tuple(r for r in all_rules() if r.enabled or r.code == code)
    findings = lint(parse(text.encode()), Settings(rules, options={code: options}))
    return [{"code": f.code, "line": f.line, "column": f.column, "message": f.message} for f in findings]


# What a "Use instead" must pass: what users get by default, DF002, and its own rule.
DEFAULT = {r.code for r in all_rules() if r.enabled} | {"DF002"}


def _is(code: str, rule_code: str) -> bool:
    """The rule SC reports under ShellCheck's codes (SC2086)."""
    return code == rule_code or (rule_code == "SC" and code.startswith("SC"))


def test_every_rule_has_an_example_and_a_use_instead():
    missing = [(r.code, kind) for r in RULES for kind in ("Example", "Use instead") if not snippets(r.doc, kind)]
    assert missing == []


def _cases(kind):
    chosen = [c for c in CASES if c[1] == kind]
    return pytest.mark.parametrize(("code", "kind", "index", "text"), chosen,
                                   ids=[f"{c[0]}-{c[2]}" for c in chosen])


@_cases("Example")
def test_example_triggers_its_rule(results, code, kind, index, text):
    findings, errors = results[(code, kind, index)]
    assert errors == []
    assert any(_is(f["code"], code) for f in findings), f"{code}'s Example does not trigger {code}:\n{text}"


@_cases("Use instead")
def test_use_instead_passes_every_rule(results, code, kind, index, text):
    findings, errors = results[(code, kind, index)]
    assert errors == []
    found = [f"{f['line'] - (1 if text.startswith(BASE) else 0)}:{f['column']} {f['code']} {f['message']}"
             for f in findings if f["code"] in DEFAULT or _is(f["code"], code)]
    assert found == [], f"{code}'s Use instead is flagged:\n{text}"


def test_readme_docker_cp_takes_a_container():
    """`docker cp` copies from a container, not from an image (`docker cp CONTAINER:SRC DEST`)."""
    readme = " ".join(open(os.path.join(ROOT, "README.md"), encoding="utf-8").read().split())
    assert "docker cp IMAGE" not in readme
    assert "docker cp CONTAINER:SRC DEST" in readme
