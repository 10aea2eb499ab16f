"""A fix whose edits are worked out on first read behaves as one made with them."""

import pickle

from dlint.rule import Edit, Fix
from dlint.source import Span


def test_lazy_edits_are_made_once_and_compare_hash_and_pickle_like_eager_ones():
    edit = Edit(Span(3, 5, 3, 9), "curl")
    calls = []

    def edits():
        calls.append(1)
        return (edit,)

    lazy = Fix("sort the packages", edits, safe=False)
    assert calls == []  # nothing worked out yet: a text lint reads only .safe
    assert lazy.safe is False and lazy.description == "sort the packages"
    eager = Fix("sort the packages", (edit,), safe=False)
    assert lazy == eager and hash(lazy) == hash(eager)
    assert lazy.edits == (edit,) and calls == [1]
    assert lazy.edits == (edit,) and calls == [1]  # once
    # A worker sends findings to the parent pickled (JSON, SARIF): the edits travel, not the function.
    assert pickle.loads(pickle.dumps(Fix("x", lambda: (edit,)))) == Fix("x", (edit,))
    assert repr(lazy) == f"Fix(description='sort the packages', edits=({edit!r},), safe=False)"
    assert lazy != Fix("sort the packages", (edit,))  # safe differs
