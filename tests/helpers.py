"""Small helpers shared by the unit tests (no engine needed)."""

from __future__ import annotations

from pathlib import Path

from dlint.dockerfile import parse
from dlint.checker import Settings, lint
from dlint.registry import all_rules

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


# What a user gets by default, and DF002 (off by default), which only speaks where a pragma is.
_DEFAULT_AND_DF002 = tuple(r for r in all_rules() if r.enabled or r.code == "DF002")


def findings_of(text_or_path, rules=None):
    """(code, line, column) of every finding, in report order."""
    if isinstance(text_or_path, Path):
        data, name = text_or_path.read_bytes(), str(text_or_path)
    else:
        data, name = text_or_path.encode() if isinstance(text_or_path, str) else text_or_path, "Dockerfile"
    dockerfile = parse(data, name)
    return [(f.code, f.line, f.column) for f in lint(dockerfile, Settings(tuple(rules or _DEFAULT_AND_DF002)))]


def full_findings(text: str):
    dockerfile = parse(text.encode(), "Dockerfile")
    return lint(dockerfile, Settings(_DEFAULT_AND_DF002))
