"""Helpers that keep ``dlint lint FILE`` starting fast (see benchmarks/README.md).

- :class:`Record`: the model's classes are plain classes, not dataclasses. The ``dataclasses``
  module pulls in ``inspect``, ``ast``, ``dis`` and ``tokenize`` (about 5 ms), and each
  ``@dataclass`` writes its methods with ``exec`` when its module is imported (about 0.4 ms a
  class). The classes write their ``__init__`` by hand and take equality and ``repr`` from
  :class:`Record`, as a dataclass with the same fields has them. Frozen dataclasses became
  NamedTuples.
- :data:`TYPE_CHECKING`, so that the lint path need not import ``typing``.
- :class:`NamedTuple`: ``typing.NamedTuple``'s class syntax, making the same class, without
  typing's check of each annotation. Under ``from __future__ import annotations`` every
  annotation is a string, which typing compiles into a ``ForwardRef``: about 40 µs a field,
  and 1 ms more for the first (``compile()`` sets up the ``ast`` module's types on first use).
- :func:`lazy_pattern`: a regular expression that only some files need is compiled when one
  does (``re.compile`` takes 0.03 to 0.3 ms a pattern).
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable

# typing.TYPE_CHECKING without importing typing (about 3 ms with what it imports): type
# checkers take any name TYPE_CHECKING for true. Modules on the lint path import their
# annotation-only names from typing under it, and Callable, Mapping … from collections.abc.
TYPE_CHECKING = False


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


def lazy_pattern(pattern: str | bytes, flags: int = 0) -> Callable[[], re.Pattern]:
    """A function returning ``re.compile(pattern, flags)``, compiled on its first call."""
    compiled: re.Pattern | None = None

    def get() -> re.Pattern:
        nonlocal compiled
        if compiled is None:
            compiled = re.compile(pattern, flags)
        return compiled

    return get


_PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make",
                         "_replace", "_asdict", "_source"})
_SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})


class _NamedTupleMeta(type):
    # typing.NamedTupleMeta (Python 3.11) less its _type_check of the annotations.
    def __new__(mcls, typename: str, bases: tuple, ns: dict) -> type:
        if "__annotations__" not in ns:
            raise TypeError(f"{typename}: dlint.startup.NamedTuple needs `from __future__ import annotations`")
        annotations = ns["__annotations__"]
        defaults = []
        for name in annotations:
            if name in ns:
                defaults.append(ns[name])
            elif defaults:
                raise TypeError(f"Non-default namedtuple field {name} cannot follow default fields")
        cls = collections.namedtuple(typename, list(annotations), defaults=defaults, module=ns["__module__"])
        cls.__annotations__ = cls.__new__.__annotations__ = dict(annotations)  # the strings as written
        for key, value in ns.items():
            if key in _PROHIBITED:
                raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
            if key not in _SPECIAL and key not in cls._fields:
                setattr(cls, key, value)
        return cls


if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})
