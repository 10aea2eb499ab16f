"""Dead bytes, leftovers and dive's figures on hand-built layer lists (no engine)."""

from __future__ import annotations

import pytest

from dlint.image.archive import DIR, FILE, OPAQUE, WHITEOUT, ImageArchive, LayerFiles
from dlint.image.layers import LayerRow, LayerTable
from dlint.image.render import human, parse_size
from dlint.image.waste import analyse, leftover_category


def layer(name, *entries):
    return LayerFiles(name, list(entries))


def table(count, base_layers=1):
    rows = [LayerRow(None, 1, 1, "FROM base", 0, status="base", layer_indexes=list(range(base_layers)))]
    for n in range(base_layers, count):
        rows.append(LayerRow(n + 1, n + 1, n + 1, f"RUN step {n}", 0, status="built", layer_indexes=[n]))
    return LayerTable(rows, 0, "base", base_layers)


def test_split_update_install_cleanup():
    archive = ImageArchive(
        [
            layer("base", ("/var", 0, DIR), ("/var/lib/dpkg/status", 100, FILE), ("/bin/sh", 50, FILE)),
            layer("update", ("/var/lib/apt/lists", 0, DIR), ("/var/lib/apt/lists/Packages", 1000, FILE),
                  ("/var/lib/apt/lists/lock", 0, FILE)),
            layer("install", ("/var/lib/dpkg/status", 120, FILE), ("/usr/bin/curl", 300, FILE)),
            layer("rm", ("/var/lib/apt/lists/Packages", 0, WHITEOUT), ("/var/lib/apt/lists/lock", 0, WHITEOUT)),
        ],
        [],
    )
    report = analyse(archive, table(4))
    assert report.dead_user == 1000  # the index, deleted by the rm layer
    assert report.dead_base == 100 and report.dead_base_by_user == 100  # dpkg status replaced
    assert report.leftovers_user == 0
    lists = next(g for g in report.dead if g.directory == "/var/lib/apt/lists")
    assert lists.rules == ["DF107", "DF108"]
    assert (lists.created.line, lists.killed.line) == (2, 4)
    # dive: every copy of a path seen twice; a deleted file's whiteout counts 0 B.
    assert report.dive_wasted == 1000 + 100 + 120
    total = 100 + 50 + 1000 + 120 + 300  # all appearances (0 B ones do not matter)
    minimum = 100 + 50 + 0 + 300  # status' smallest copy 100, Packages' 0 (whiteout), curl
    assert report.dive_efficiency == pytest.approx(minimum / total)


def test_live_leftovers_and_opaque_directory():
    archive = ImageArchive(
        [
            layer("base", ("/opt/old/a", 10, FILE), ("/opt/old/b", 20, FILE)),
            layer("run", ("/var/lib/apt/lists/Packages", 500, FILE), ("/var/cache/apt/archives/x.deb", 70, FILE),
                  ("/root/.cache/pip/wheels/w", 30, FILE), ("/opt/old", 0, OPAQUE), ("/opt/old/c", 5, FILE)),
        ],
        [],
    )
    report = analyse(archive, table(2))
    assert report.leftovers_user == 600
    labels = {g.label: (g.size, g.rule) for g in report.leftovers}
    assert labels["apt package index"] == (500, "DF107")
    assert labels["apt cache"] == (70, "DF107")
    assert labels["pip cache"] == (30, "DF107")
    assert report.dead_base == 30 and report.dead_user == 0  # the opaque dir hid a and b
    assert report.reclaimable == 600
    # dive ignores opaque markers: nothing appears twice.
    assert report.dive_wasted == 0


def test_deleted_directory_counts_its_tree_for_dive():
    archive = ImageArchive(
        [layer("base", ("/x", 0, DIR), ("/x/a", 7, FILE), ("/x/b", 3, FILE)), layer("rm", ("/x", 0, WHITEOUT))],
        [],
    )
    report = analyse(archive, table(2))
    assert report.dead_base == 10
    # dive visits leaves only: /x was not a leaf in the base layer, so the whiteout is its only
    # appearance and dive reports no waste for a deleted directory tree (dead bytes do).
    assert report.dive_wasted == 0


def test_categories_and_sizes():
    assert leftover_category("/var/lib/apt/lists/lock") is None
    assert leftover_category("/home/u/.cache/pip/x")[1] == "/home/u/.cache/pip"
    assert leftover_category("/tmp/pkg.deb")[0] == "downloaded .deb"
    assert leftover_category("/usr/bin/curl") is None
    # The caches DF107 judges for other managers name it as the rule that would have saved them.
    assert leftover_category("/var/cache/apk/APKINDEX.tar.gz") == ("apk cache", "/var/cache/apk", "DF107")
    assert leftover_category("/root/.cache/go-build/00/a-d") == ("go build cache", "/root/.cache/go-build", "DF107")
    assert leftover_category("/go/pkg/mod/cache/download/x.zip") == ("go module cache", "/go/pkg/mod", "DF107")
    assert leftover_category("/usr/local/cargo/registry/cache/x.crate") == (
        "cargo registry", "/usr/local/cargo/registry", "DF107")
    assert leftover_category("/root/.cargo/registry/index/x") == ("cargo registry", "/root/.cargo/registry", "DF107")
    assert leftover_category("/usr/local/go/pkg/tool/linux_amd64/vet") is None  # the toolchain, not a cache
    assert parse_size("20MB") == 20_000_000
    assert parse_size("1.5GiB") == int(1.5 * 1024**3)
    assert parse_size("512") == 512
    with pytest.raises(ValueError):
        parse_size("12 parsecs")
    assert human(19_859_939) == "19.9 MB"
