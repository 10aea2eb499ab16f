"""Start-up cost of ``dlint lint FILE`` (see dlint/startup.py and benchmarks/README.md): what the
lint path must not import, and that dlint.startup's stand-ins behave as what they replace."""

from __future__ import annotations

import dataclasses
import gc
import pickle
import subprocess
import sys
import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlint.startup import NamedTuple, Record, lazy_pattern
from tests.helpers import FIXTURES, ROOT

NO_EXEC_FORM = FIXTURES / "examples" / "one-run.Dockerfile"
LATENCY = sorted((ROOT / "benchmarks" / "latency").glob("*.Dockerfile"))
# Imported only for other commands, formats or files: dataclasses (with inspect, ast, dis),
# the configuration readers, the CLI framework, the Docker SDK, tree-sitter's parser.
HEAVY = ("dataclasses", "inspect", "ast", "tomllib", "tomli", "yaml", "typer", "click", "docker")


def imported_by_lint(path, *names: str) -> list[str]:
    code = (
        "import sys\nfrom dlint.cli import main\n"
        "try:\n    main(['lint', %r])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in %r if m in sys.modules))" % (str(path), names)
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    return eval(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("path", LATENCY, ids=[p.name for p in LATENCY])
def test_lint_of_a_file_imports_nothing_heavy(path):
    assert imported_by_lint(path, *HEAVY) == []


def test_a_check_directive_imports_nothing_heavy_either(tmp_path):
    """BuildKit's `# check=` directive (dlint/check_directive.py) and the typing-free rule,
    checker and context modules: still no dataclasses or typing on the lint path."""
    path = tmp_path / "Dockerfile"
    path.write_text("# check=skip=JSONArgsRecommended;error=true\nFROM busybox:1.36\nCMD echo hi\n")
    assert imported_by_lint(path, *HEAVY, "typing") == []


def test_a_lint_of_many_files_imports_no_typing(tmp_path):
    """The work shared out between processes (dlint/parallel.py) is set up before they
    fork, so what it imports is paid once, serially, by every run over many files."""
    for number in range(20):  # more than PARALLEL_MIN_FILES
        folder = tmp_path / f"app{number}"
        folder.mkdir()
        (folder / "Dockerfile").write_text("FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n")
    assert imported_by_lint(tmp_path, *HEAVY, "typing") == []


def test_json_is_imported_only_for_an_exec_form_with_escapes(tmp_path):
    assert imported_by_lint(NO_EXEC_FORM, "json") == []
    assert imported_by_lint(ROOT / "benchmarks" / "latency" / "02-debian-apt.Dockerfile", "json") == []
    escaped = tmp_path / "Dockerfile"
    escaped.write_text('FROM debian:bookworm\nCMD ["echo", "a\\"b"]\n')
    assert imported_by_lint(escaped, "json") == ["json"]


def test_lint_restores_the_collector_thresholds():
    from dlint.cli import main

    before = gc.get_threshold()
    with pytest.raises(SystemExit):
        main(["lint", str(NO_EXEC_FORM)])
    assert gc.get_threshold() == before


class Point(NamedTuple):
    """A point."""

    x: int
    y: int | None = None
    label: "str" = "origin"

    @property
    def both(self) -> tuple:
        return (self.x, self.y)

    @classmethod
    def at(cls, x: int) -> "Point":
        return cls(x, x)


class TypedPoint(typing.NamedTuple):
    """A point."""

    x: int
    y: int | None = None
    label: "str" = "origin"

    @property
    def both(self) -> tuple:
        return (self.x, self.y)

    @classmethod
    def at(cls, x: int) -> "TypedPoint":
        return cls(x, x)


def test_named_tuple_makes_what_typing_makes():
    ours, theirs = Point.at(2), TypedPoint.at(2)
    assert repr(ours) == repr(theirs).replace("TypedPoint", "Point") == "Point(x=2, y=2, label='origin')"
    assert ours == theirs == (2, 2, "origin") and hash(ours) == hash(theirs)
    assert Point.__mro__ == (Point, tuple, object)
    assert (Point._fields, Point._field_defaults) == (TypedPoint._fields, TypedPoint._field_defaults)
    assert (Point.__doc__, Point.__module__, Point.__qualname__) == ("A point.", __name__, "Point")
    assert ours.both == (2, 2) and ours._replace(label="a") == Point(2, 2, "a") and ours._asdict()["label"] == "origin"
    assert pickle.loads(pickle.dumps(ours)) == ours and type(pickle.loads(pickle.dumps(ours))) is Point
    assert Point.__annotations__ == {"x": "int", "y": "int | None", "label": "'str'"}
    with pytest.raises(AttributeError):
        ours.x = 3
    with pytest.raises(TypeError, match="Non-default namedtuple field b cannot follow default fields"):
        class Wrong(NamedTuple):
            a: int = 0
            b: int


@dataclasses.dataclass
class DataPair:
    left: int
    right: list


class RecordPair(Record):
    _fields = ("left", "right")

    def __init__(self, left: int, right: list) -> None:
        self.left, self.right = left, right


def test_record_compares_and_shows_like_a_dataclass():
    assert repr(RecordPair(1, [2])) == repr(DataPair(1, [2])).replace("DataPair", "RecordPair")
    assert RecordPair(1, [2]) == RecordPair(1, [2]) and RecordPair(1, [2]) != RecordPair(1, [3])
    assert RecordPair(1, [2]) != DataPair(1, [2]) and RecordPair(1, [2]) != (1, [2])
    with pytest.raises(TypeError):
        hash(RecordPair(1, [2]))


def test_lazy_pattern_compiles_once_on_first_use(monkeypatch):
    import re

    compiled = []
    real = re.compile
    monkeypatch.setattr(re, "compile", lambda *args: compiled.append(args) or real(*args))
    pattern = lazy_pattern(r"a+", re.I)
    assert compiled == []
    assert pattern().fullmatch("aA") and pattern() is pattern()
    assert compiled == [(r"a+", re.I)]


JSON_PIECES = ['"', '"', ",", "[", "]", " ", "\t", "\n", "\r", "\f", "\\", "\\n", '\\"', "a", "-c", "é", "\x01",
               "\x7f", "\u2028", "\xa0", "1", "null", "{}", "\ud800"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(JSON_PIECES), max_size=14))
def test_plain_json_strings_reads_what_json_reads(pieces):
    import json

    from dlint.dockerfile import _plain_json_strings

    args = ("[" + "".join(pieces)).strip()
    fast = _plain_json_strings(args)
    if fast is not None:
        assert fast == json.loads(args)


@given(st.lists(st.text(st.characters(blacklist_characters='"\\', blacklist_categories=("Cc", "Cs"))), max_size=5),
       st.sampled_from(["", " ", "\n  ", "\t"]))
def test_plain_json_strings_takes_arrays_of_plain_strings(values, blank):
    import json

    from dlint.dockerfile import _plain_json_strings

    args = "[" + blank + ("," + blank).join(json.dumps(v, ensure_ascii=False) for v in values) + blank + "]"
    assert _plain_json_strings(args) == values
