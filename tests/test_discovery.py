"""Which files `dlint lint DIR` finds, and in what order (the output's order)."""

import os

from dlint.discovery import discover


def test_discovery_order_skipped_folders_and_symlinks(tmp_path):
    for path in ["b/Dockerfile", "a/z/Dockerfile", "a/Containerfile.dev", "a/web.dockerfile", "a/README.md",
                 "Dockerfile", ".git/Dockerfile", "node_modules/x/Dockerfile", "c/Dockerfile.prod"]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("FROM scratch\n")
    os.symlink(tmp_path / "b", tmp_path / "link-to-b")  # a folder symlink is not followed
    os.symlink(tmp_path / "missing", tmp_path / "a" / "dockerfile")  # a broken one is a file (reading it fails)
    found = [os.path.relpath(p, tmp_path) for p in discover([str(tmp_path)])]
    # A folder's own files (sorted) come before its subfolders' (sorted), as os.walk gives them.
    assert found == ["Dockerfile", "a/Containerfile.dev", "a/dockerfile", "a/web.dockerfile", "a/z/Dockerfile",
                     "b/Dockerfile", "c/Dockerfile.prod"]
    assert found == [os.path.relpath(os.path.join(root, f), tmp_path)
                     for root, dirs, files in _walk_reference(str(tmp_path)) for f in files]


def _walk_reference(top):
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in {".git", "node_modules"})
        yield root, dirs, sorted(f for f in files if f.lower().startswith(("dockerfile", "containerfile"))
                                 or f.lower().endswith(".dockerfile"))
