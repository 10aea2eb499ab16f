"""Two helpers that keep ``dlint lint FILE`` starting fast (see benchmarks/README.md).

- :class:`Record`: the model's classes are plain classes, not dataclasses. The ``dataclasses``
  module pulls in ``inspect``, ``ast``, ``dis`` and ``tokenize`` (about 5 ms), and each
  ``@dataclass`` writes its methods with ``exec`` when its module is imported (about 0.4 ms a
  class). The classes write their ``__init__`` by hand and take equality and ``repr`` from
  :class:`Record`, as a dataclass with the same fields has them. Frozen dataclasses became
  NamedTuples.
- :func:`lazy_pattern`: a regular expression that only some files need is compiled when one
  does (``re.compile`` takes 0.03 to 0.3 ms a pattern).
"""

from __future__ import annotations

import re
from typing import Callable


class Record:
    """Equality and ``repr`` over ``_fields`` (in order), as ``@dataclass`` (``eq=True``, not
    frozen) makes them: equal only to an instance of the same class with equal fields, not
    hashable. Subclasses have an instance ``__dict__``, as dataclasses do."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        fields = self._fields
        return tuple(getattr(self, name) for name in fields) == tuple(getattr(other, name) for name in fields)

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self.__class__.__qualname__}({values})"


def lazy_pattern(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A function returning ``re.compile(pattern, flags)``, compiled on its first call."""
    compiled: re.Pattern[str] | None = None

    def get() -> re.Pattern[str]:
        nonlocal compiled
        if compiled is None:
            compiled = re.compile(pattern, flags)
        return compiled

    return get
