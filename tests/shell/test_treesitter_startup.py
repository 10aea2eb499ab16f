"""tree-sitter's start-up (dlint/shell/treesitter.py ``_binding``): the parser's C extensions are
loaded without the packages' ``__init__`` files, which import ``typing`` and
``importlib.resources`` (about 12 ms) for nothing dlint uses; the parser reads the same."""

from __future__ import annotations

import subprocess
import sys

from dlint.shell import treesitter
from dlint.source import Span
from tests.helpers import ROOT
from tests.test_startup import imported_by_lint

SCRIPTS = [
    "if [ -f /etc/os-release ]; then apt-get update; else apk update; fi",
    "for p in a b c; do pip install \"$p\" || exit 1; done",
    "case \"$(uname -m)\" in x86_64) A=amd64 ;; *) A=arm64 ;; esac && echo $A > /arch",
    "echo `date` $((1 + 2)) <<EOF\nbody\nEOF\n",
    "echo 'é' \"ü $HOME\" && f() { cd /x; }",
]

# Each script's commands as plain data, from the tree-sitter reader of a fresh interpreter.
SHOW = """
import sys
PRELUDE
from dlint.shell.treesitter import _parse_tree_sitter
from dlint.source import Span
for text in %r:
    script = _parse_tree_sitter(text, lambda start, end: Span(start, end, start + 1, end + 1))
    print([(c.operator, c.conditional, c.nested, c.branch, [(w.text, w.value, w.span) for w in c.words],
            [(w.text, w.value, w.span) for w in c.assignments], [(o, w.text) for o, w in c.redirects])
           for c in script.commands], script.choices)
print(sorted(m for m in ("typing", "importlib.resources", "tree_sitter", "tree_sitter_bash") if m in sys.modules))
""" % (SCRIPTS,)


def show(prelude: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", SHOW.replace("PRELUDE", prelude)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_a_lint_that_runs_tree_sitter_imports_neither_typing_nor_importlib_resources(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:bookworm\nRUN if [ -f /x ]; then echo a; fi\n")
    # tree_sitter_bash._binding: the parser did run.
    assert imported_by_lint(path, "typing", "importlib.resources", "tree_sitter_bash._binding") == [
        "tree_sitter_bash._binding"
    ]


def test_the_parser_reads_as_with_the_ordinary_imports():
    direct = show("")
    ordinary = show("import tree_sitter, tree_sitter_bash")
    assert direct[-1] == "[]"  # neither package's __init__ ran
    assert ordinary[-1] == "['importlib.resources', 'tree_sitter', 'tree_sitter_bash', 'typing']"
    assert direct[:-1] == ordinary[:-1] and len(direct) == len(SCRIPTS) + 1
    assert "'else'" in direct[0] and "'case'" in direct[2]  # the grammar's constructs were read


def test_a_later_import_of_tree_sitter_reuses_the_loaded_types():
    code = (
        "from dlint.shell import treesitter\nparser = treesitter._parser()\n"
        "import tree_sitter, tree_sitter_bash\n"
        "print(type(parser) is tree_sitter.Parser, tree_sitter.Language(tree_sitter_bash.language()) == parser.language)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.split() == ["True", "True"], result.stderr


def locate(start: int, end: int) -> Span:
    return Span(start, end, start + 1, end + 1)


def test_on_a_failure_of_the_direct_load_the_ordinary_imports_are_used(monkeypatch):
    text = SCRIPTS[0]
    expected = [[w.text for w in c.words] for c in treesitter._parse_tree_sitter(text, locate).commands]

    def fail(package):
        raise ImportError(package)

    monkeypatch.setattr(treesitter, "_binding", fail)
    monkeypatch.setattr(treesitter, "_PARSER", None)
    assert [[w.text for w in c.words] for c in treesitter._parse_tree_sitter(text, locate).commands] == expected
    assert treesitter._PARSER is not None
