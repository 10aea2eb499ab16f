"""The layer cache's size cap (least recently used entries go first) and ``dlint cache
info|clean``. No engine: entries are written through the cache's own API."""

from __future__ import annotations

import os
import subprocess
import sys

from dlint.image.layer_cache import LayerCache, max_size
from tests.image.helpers import ROOT


def fill(cache: LayerCache, count: int) -> list[str]:
    ids = []
    for n in range(count):
        diff_id = "sha256:" + f"{n:064x}"
        # Paths that do not compress away: about 20 kB per entry once compressed.
        entries = [(f"/data/{n}/{os.urandom(8).hex()}", 1, "file") for _ in range(800)]
        cache.put_layer(diff_id, entries, {})
        os.utime(cache._layer_path(diff_id), (1_000_000 + n, 1_000_000 + n))  # n: older first
        ids.append(diff_id)
    return ids


def test_trim_removes_the_least_recently_used_first(tmp_path):
    cache = LayerCache(str(tmp_path))
    ids = fill(cache, 6)
    each = os.path.getsize(cache._layer_path(ids[0]))
    assert cache.get_layer(ids[0]) is not None  # a hit: now the most recently used
    removed = cache.trim(limit=3 * each + each // 2)
    assert removed >= 3 * each * 0.9
    kept = [d for d in ids if cache.get_layer(d) is not None]
    assert kept == [ids[0], ids[4], ids[5]]  # the oldest unused ones went; the one just hit stayed
    assert cache.size() <= 3 * each + each // 2


def test_cap_from_the_environment(monkeypatch):
    monkeypatch.setenv("DLINT_CACHE_MAX_SIZE", "5MB")
    assert max_size() == 5_000_000
    monkeypatch.setenv("DLINT_CACHE_MAX_SIZE", "0")
    assert max_size() == 0 and LayerCache("/nonexistent").trim() == 0
    monkeypatch.delenv("DLINT_CACHE_MAX_SIZE")
    assert max_size() == 300_000_000


def test_cache_info_and_clean_commands(tmp_path):
    cache = LayerCache(str(tmp_path / "c"))
    fill(cache, 3)
    env = {**os.environ, "DLINT_CACHE_DIR": str(tmp_path / "c"), "DLINT_CACHE_MAX_SIZE": "2MB"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "dlint", "cache", *a], cwd=ROOT, env=env,  # noqa: E731
                                    capture_output=True, text=True)
    info = run("info")
    assert info.returncode == 0
    assert info.stdout.splitlines()[0] == f"layer cache: {tmp_path / 'c'}"
    assert info.stdout.splitlines()[1].startswith("  3 layers, 3 files, ")
    assert "size cap: 2.0 MB" in info.stdout
    clean = run("clean")
    assert clean.returncode == 0 and clean.stdout.startswith("removed 3 files (")
    assert cache.entries() == []
    assert run("info").stdout.splitlines()[1] == "  0 layers, 0 files, 0 B"
