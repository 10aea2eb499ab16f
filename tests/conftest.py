"""Session-wide test settings."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# In CI (CI=true) the property tests run derandomized: the same examples on every run, so that
# a submission lands or not on its own merits, not on the seed of the day. Locally they draw
# new examples each run, which is how they find new cases (benchmarks/fuzz.py goes further).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def private_layer_cache(tmp_path_factory):
    """``dlint build`` keeps a layer cache (dlint/image/layer_cache.py) under the user's cache
    directory; the tests' builds use one of their own, so a run neither reads nor fills the
    user's (tests that study the cache set their own on top)."""
    previous = os.environ.get("DLINT_CACHE_DIR")
    os.environ["DLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("dlint-cache"))
    yield
    if previous is None:
        os.environ.pop("DLINT_CACHE_DIR", None)
    else:
        os.environ["DLINT_CACHE_DIR"] = previous
