"""BuildKit's ``# check=`` parser directive, honoured the way ``docker build --check`` does.

    # check=skip=JSONArgsRecommended,StageNameCasing   those checks are off for this file
    # check=skip=all                                     every BuildKit check is off
    # check=error=true                                   BuildKit's checks fail the build

Names are BuildKit's check names (case-insensitive), mapped through
:mod:`dlint.buildkit_map` to the dlint rules that cover them; ``skip=all`` turns off the
dlint rules that cover a BuildKit check, not dlint's other rules. ``error=true`` raises
those rules' findings to ``error``. ``experimental=…`` is accepted and has no effect.
Unknown names are reported (DF002 words them), never silently dropped. The same
``# check=skip=…`` written directly above an instruction (or a FROM: its stage) is read with
the inline ignores, in :mod:`dlint.ignores`.
"""

from __future__ import annotations

from dlint.buildkit_map import BUILDKIT_TO_DLINT, check_named, dlint_code
from dlint.startup import NamedTuple

COVERED = frozenset(code for code, _what in BUILDKIT_TO_DLINT.values() if code)


class CheckDirective(NamedTuple):  # not a dataclass: see dlint/startup.py
    line: int
    skip: frozenset[str] = frozenset()  # dlint codes turned off
    error: bool = False
    unknown: tuple[str, ...] = ()  # names that are no BuildKit check
    problems: tuple[str, ...] = ()  # keys or values dlint cannot read


def read(dockerfile) -> CheckDirective | None:
    directive = dockerfile.directive("check")
    if directive is None:
        return None
    skip: set[str] = set()
    unknown: list[str] = []
    problems: list[str] = []
    error = False
    for part in directive.value.split(";"):
        key, equals, value = part.strip().partition("=")
        key = key.strip().lower()
        if not key:
            continue
        if not equals:
            problems.append(f"'{part.strip()}' has no value")
        elif key == "skip":
            for name in (n.strip() for n in value.split(",")):
                if not name:
                    continue
                if name.lower() == "all":
                    skip |= COVERED
                elif check_named(name):
                    code = dlint_code(name)
                    if code:
                        skip.add(code)
                else:
                    unknown.append(name)
        elif key == "error":
            if value.strip().lower() not in ("true", "false"):
                problems.append(f"error={value.strip()} is neither true nor false")
            error = value.strip().lower() == "true"
        elif key != "experimental":
            problems.append(f"unknown key '{key}'")
    return CheckDirective(directive.line, frozenset(skip), error, tuple(unknown), tuple(problems))


def apply(findings: list, directive: CheckDirective | None) -> list:
    """The findings less those the directive skips, with error=true applied."""
    if directive is None:
        return findings
    from dlint.rule import Severity

    kept = []
    for finding in findings:
        if finding.code in directive.skip:
            continue
        if directive.error and finding.code in COVERED and finding.severity < Severity.ERROR:
            finding = finding._replace(severity=Severity.ERROR)
        kept.append(finding)
    return kept
