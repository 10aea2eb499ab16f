"""What a rule is: metadata, documentation (its docstring) and a pure check function.

A rule module in ``rules/`` defines one function decorated with :func:`rule`. The function
takes the :class:`~dlint.context.LintContext` of a file (its model and the analysis rules
share) and the rule's options and yields
:class:`Violation` s; it does not print, read files or know about configuration or output.

A rule that can only report on some instructions names their keywords in its registration,
``@rule(…, needs=("EXPOSE",))``: the checker then does not run it on a file without one of
them (some fifty rules run on every file, and most files have no EXPOSE, LABEL, ADD …). The
keywords are those of ``dockerfile.instructions`` (what ``context.instructions_of`` looks
up): a rule that also reads ONBUILD triggers (``all_instructions``, ``context.runs``) names
``ONBUILD`` too. A rule that may report on any file (a missing USER or HEALTHCHECK) names
none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import IntEnum

from dlint.source import Span
from dlint.startup import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any

    from dlint.context import LintContext


# The severities' names, highest first: what users write (options, configuration) and read.
SEVERITY_NAMES = ("error", "warning", "info", "style")


class Severity(IntEnum):
    STYLE = 0
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning, info or style)") from None


# Edit and Violation are NamedTuples: immutable, compared and hashed by their fields, and light to
# make, as a lint of many files makes tens of thousands (see benchmarks/README.md). Fix is a plain
# class whose edits may be worked out on first use.


class Edit(NamedTuple):
    """Replace the text from (line, column) to (end_line, end_column), end exclusive."""

    span: Span
    replacement: str


class Fix:
    """Text edits that resolve a finding. ``safe`` fixes keep what the image contains and how it
    behaves (only smaller or better cached) and ``--fix`` applies them; unsafe ones may change
    what is installed or how the image runs and are applied only with ``--unsafe-fixes``.

    ``edits`` may be given as a function of no arguments that returns them: it is called the
    first time they are read. A lint mostly shows only that a finding is fixable (and whether
    safely); ``--fix``, ``--diff``, JSON and SARIF read the edits. Whether a fix is offered at
    all, and whether it is safe, are decided when it is made. Compared, hashed and pickled by
    description, edits and safety, like the NamedTuple it was (see benchmarks/README.md)."""

    __slots__ = ("description", "_edits", "safe")

    def __init__(self, description: str, edits: "tuple[Edit, ...] | Callable[[], tuple[Edit, ...]]",
                 safe: bool = True) -> None:
        self.description = description
        self._edits = edits
        self.safe = safe

    @property
    def edits(self) -> tuple[Edit, ...]:
        edits = self._edits
        if callable(edits):
            edits = self._edits = edits()
        return edits

    def _fields(self) -> tuple:
        return (self.description, self.edits, self.safe)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fix):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"Fix(description={self.description!r}, edits={self.edits!r}, safe={self.safe!r})"

    def __reduce__(self) -> tuple:
        return (Fix, self._fields())


class Violation(NamedTuple):
    span: Span
    message: str
    fix: Fix | None = None
    # For a rule that reports under codes of its own (ShellCheck's SC2086 under the rule SC):
    # the finding's code and default severity, instead of the rule's.
    code: str | None = None
    severity: Severity | None = None


_new_tuple = tuple.__new__


def violation(span: Span, message: str, fix: Fix | None = None) -> Violation:
    """``Violation(span, message, fix)``, made faster: calling a NamedTuple's class runs its
    generated ``__new__`` through ``type.__call__`` (about 2,600 instructions a call), this
    makes the same tuple in about 1,000. For the rules that report thousands of findings over
    a corpus (DF103 to DF106)."""
    return _new_tuple(Violation, (span, message, fix, None, None))


Check = Callable[["LintContext", Mapping[str, "Any"]], Iterable[Violation]]


class Rule:
    """A rule: its metadata and its check function. One object per rule, compared and hashed
    by identity, never modified after it is made (a plain class rather than a dataclass:
    start-up time, see benchmarks/README.md)."""

    __slots__ = ("code", "name", "severity", "summary", "check", "fixable", "options", "enabled", "needs")

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        summary: str,
        check: Check,
        fixable: bool = False,
        options: Mapping[str, Any] | None = None,  # option name -> default
        enabled: bool = True,  # off by default when False (opt in with `select`)
        needs: Iterable[str] = (),  # instruction keywords: run only on files with one (see above)
    ) -> None:
        for attribute, value in (("code", code), ("name", name), ("severity", severity), ("summary", summary),
                                 ("check", check), ("fixable", fixable), ("options", dict(options or {})),
                                 ("enabled", enabled), ("needs", frozenset(needs) or None)):
            object.__setattr__(self, attribute, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a Rule is not modified ({self.code}.{name})")

    def __repr__(self) -> str:
        return f"Rule({self.code} {self.name}, {self.severity.label})"

    @property
    def doc(self) -> str:
        """The rule's documentation: its check function's docstring, dedented."""
        import inspect  # only `explain`, SARIF and the README need it

        return inspect.cleandoc(self.check.__doc__ or "")


def rule(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    *,
    fixable: bool = False,
    options: Mapping[str, Any] | None = None,
    enabled: bool = True,
    needs: Iterable[str] = (),
) -> Callable[[Check], Rule]:
    def register(check: Check) -> Rule:
        return Rule(
            code=code,
            name=name,
            severity=severity,
            summary=summary,
            check=check,
            fixable=fixable,
            options=dict(options or {}),
            enabled=enabled,
            needs=needs,
        )

    return register
