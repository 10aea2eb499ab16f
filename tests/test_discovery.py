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


def test_config_lookup_from_the_walk_finds_what_the_file_system_says(tmp_path):
    from dlint.session import Session

    (tmp_path / ".dlint.toml").write_text('select = ["DF201"]\n')
    (tmp_path / "repo" / "x").mkdir(parents=True)
    (tmp_path / "repo" / ".git").write_text("gitdir: /elsewhere\n")  # a repository's root (a worktree)
    (tmp_path / "repo" / "x" / "Dockerfile").write_text("FROM debian\n")
    (tmp_path / "other" / "pyproject.toml").mkdir(parents=True)  # a folder, not a config file
    (tmp_path / "other" / "Dockerfile").write_text("FROM debian\n")
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "pyproject.toml").write_text('[tool.dlint]\nselect = ["DF106"]\n')
    (tmp_path / "own" / "Dockerfile").write_text("FROM debian\n")
    planned = {os.path.relpath(t.path, tmp_path): [r.code for r in t.settings.rules]
               for t in Session().plan([str(tmp_path)])}
    one_by_one = {name: [r.code for r in Session().task(str(tmp_path / name)).settings.rules] for name in planned}
    assert planned == one_by_one
    assert planned["other/Dockerfile"] == ["DF201"] and planned["own/Dockerfile"] == ["DF106"]
    assert "DF201" in planned["repo/x/Dockerfile"] and len(planned["repo/x/Dockerfile"]) > 10  # the defaults
