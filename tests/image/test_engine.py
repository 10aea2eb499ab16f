"""``dlint build`` on a real engine: the founding example's numbers, waste, cache, extraction,
clean-up and errors. Images are built once per module and reused by tag."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import time

import pytest

from tests.image.helpers import FIXTURES, dlint_build, dlint_build_json, start_dlint_build
from tests.engine_env import (  # noqa: F401  (fixtures are used by name)
    busybox_image,
    count_containers,
    debian_image,
    docker_client,
)

pytestmark = pytest.mark.engine

# Measured on dlint-test/debian:bookworm (Nov 2026): split 153,795,586 B, one RUN 133,935,647 B;
# the difference, 19,859,939 B, is exactly the apt lists the update layer holds (the mirror's
# indexes grow and shrink a little from day to day, hence a tolerance, not a constant).
TOLERANCE = 64 * 1024


def wait_for_containers(client, expected: int, seconds: float = 15) -> int:
    """The engine removes containers asynchronously after a cancelled build."""
    deadline = time.monotonic() + seconds
    while True:
        now = count_containers(client)
        if now == expected or time.monotonic() > deadline:
            return now
        time.sleep(0.5)


@pytest.fixture(scope="module")
def founding(docker_client, debian_image):
    """The split update/install/cleanup Dockerfile and its one-RUN fix, as JSON reports."""
    before = count_containers(docker_client)
    reports = {}
    for name in ("split", "onerun"):
        code, doc, err = dlint_build_json(FIXTURES / name, "-t", f"dlint-test/build-{name}", "--failure-threshold", "error")
        assert code == 0, err
        reports[name] = doc
    assert count_containers(docker_client) == before  # rm/forcerm: no container per RUN
    return reports


def test_founding_example_sizes_differ_by_the_apt_lists(founding, docker_client):
    split, onerun = founding["split"], founding["onerun"]
    split_size = docker_client.api.inspect_image(split["image"]["id"])["Size"]
    onerun_size = docker_client.api.inspect_image(onerun["image"]["id"])["Size"]
    lists = next(g for g in split["waste"]["dead"] if g["directory"] == "/var/lib/apt/lists")
    assert lists["size"] > 5_000_000  # a real index, not an empty directory
    assert abs((split_size - onerun_size) - lists["size"]) <= TOLERANCE
    # What dlint calls reclaimable is what the fix saves; dive's figure overstates it.
    assert abs(split["waste"]["reclaimable"] - (split_size - onerun_size)) <= TOLERANCE
    assert split["waste"]["dive"]["wasted"] > split["waste"]["reclaimable"]
    assert onerun["waste"]["reclaimable"] == 0


def test_layer_table_ties_sizes_to_lines(founding):
    rows = founding["split"]["layers"]
    assert [r["line"] for r in rows] == [2, 3, 4, 5]
    assert rows[0]["status"] == "base" and rows[0]["instruction"].startswith("FROM dlint-test/debian")
    assert rows[1]["instruction"] == "RUN apt-get update" and rows[1]["size"] > 5_000_000
    assert rows[3]["instruction"] == "RUN rm -rf /var/lib/apt/lists/*" and rows[3]["size"] == 0  # saves nothing
    assert rows[-1]["cumulative"] == sum(r["size"] for r in rows)
    assert [r["line"] for r in founding["onerun"]["layers"]] == [2, 3]
    assert founding["onerun"]["layers"][1]["end_line"] == 5


def test_waste_names_the_lists_with_df107_and_df108(founding):
    waste = founding["split"]["waste"]
    lists = next(g for g in waste["dead"] if g["directory"] == "/var/lib/apt/lists")
    assert lists["rules"] == ["DF107", "DF108"]
    assert lists["created_by"]["line"] == 3 and lists["made_dead_by"]["line"] == 5
    assert lists["user"] and lists["saving"] == lists["size"]
    # Bytes of the base image that apt rewrote are dead too, but not the user's to reclaim.
    assert waste["dead_base"] > 0 and waste["dead_user"] == lists["size"]
    codes = {f["code"] for f in founding["split"]["findings"]}
    assert {"DF107", "DF108"} <= codes


def test_text_report(founding):
    proc = dlint_build(FIXTURES / "split", "--no-lint")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "RUN rm -rf /var/lib/apt/lists/*" in out and "0 B" in out
    assert "/var/lib/apt/lists" in out and "[DF107, DF108]" in out
    assert "dive-comparable" in out


def test_live_leftovers_and_max_waste(docker_client, debian_image):
    code, doc, err = dlint_build_json(FIXTURES / "leftovers", "--no-lint", "--max-waste", "1MB")
    assert code == 1 and "exceeds --max-waste" in err
    lists = next(g for g in doc["waste"]["leftovers"] if g["directory"] == "/var/lib/apt/lists")
    assert lists["rule"] == "DF107" and lists["created_by"]["line"] == 3 and lists["size"] > 5_000_000
    code, doc, err = dlint_build_json(FIXTURES / "leftovers", "--no-lint", "--max-waste", "1GB")
    assert code == 0, err


def test_cache_miss_at_copy_after_touching_a_context_file(docker_client, busybox_image, tmp_path):
    context = tmp_path / "ctx"
    shutil.copytree(FIXTURES / "copyrun", context)
    (context / "app.txt").write_text(f"first {time.time()}\n")
    code, first, err = dlint_build_json(context, "--no-lint")
    assert code == 0, err
    (context / "app.txt").write_text(f"changed {time.time()}\n")
    code, second, err = dlint_build_json(context, "--no-lint")
    assert code == 0, err
    cache = second["cache"]
    assert cache["first_miss"]["line"] == 4 and cache["first_miss"]["instruction"].startswith("COPY")
    assert "build context" in cache["first_miss"]["reason"]
    assert [s["cached"] for s in cache["steps"]] == [True, False, False]  # ENV, COPY, RUN
    assert [r["status"] for r in second["layers"]] == ["base", "cached", "built", "built"]


def test_stale_index_warning_with_age(docker_client, debian_image):
    # Build once so the update step is cached, then change the ARG: the install reruns alone.
    code, _, err = dlint_build_json(FIXTURES / "stale", "--no-lint", "--build-arg", "REBUILD=first")
    assert code == 0, err
    code, doc, err = dlint_build_json(FIXTURES / "stale", "--no-lint", "--build-arg", f"REBUILD={time.time()}")
    assert code == 0, err
    [stale] = doc["cache"]["stale_index"]
    assert stale["line"] == 3 and stale["install_line"] == 5
    assert stale["age_seconds"] is not None and stale["age_seconds"] >= 0
    assert stale["index_date"]  # the repository's Date: from the cached layer's InRelease


def test_extract_exact_bytes_modes_and_links(docker_client, busybox_image, tmp_path):
    before = count_containers(docker_client)
    dest = tmp_path / "out"
    (tmp_path / "into").mkdir()
    code, doc, err = dlint_build_json(
        FIXTURES / "extract", "--no-lint", "--extract", f"/out:{dest}", "--extract", f"/out/tool.sh:{tmp_path / 'into'}",
        "--extract", f"/out/.:{tmp_path / 'contents'}",
    )
    assert code == 0, err
    payload = FIXTURES / "extract" / "payload"
    assert (dest / "blob.bin").read_bytes() == (payload / "blob.bin").read_bytes()
    assert (dest / "sub" / "secret.txt").read_bytes() == b"secret\n"
    assert stat.S_IMODE(os.stat(dest / "tool.sh").st_mode) == 0o750
    assert stat.S_IMODE(os.stat(dest / "sub" / "secret.txt").st_mode) == 0o600
    assert time.gmtime(os.stat(dest / "tool.sh").st_mtime)[:6] == (2020, 1, 2, 3, 4, 5)
    assert os.readlink(dest / "link-inside") == "sub/secret.txt"
    assert (tmp_path / "into" / "tool.sh").read_bytes() == (payload / "tool.sh").read_bytes()
    assert sorted(os.listdir(tmp_path / "contents")) == ["blob.bin", "link-inside", "sub", "tool.sh"]
    assert [e["files"] for e in doc["extracted"]] == [3, 1, 3]
    assert count_containers(docker_client) == before
    # An existing file is not overwritten without --force (refused before building).
    proc = dlint_build(FIXTURES / "extract", "--no-lint", "--extract", f"/out/tool.sh:{tmp_path / 'into' / 'tool.sh'}")
    assert proc.returncode == 2 and "--force" in proc.stderr


def test_crafted_image_writes_nothing_outside_dest(docker_client, busybox_image, tmp_path):
    before = count_containers(docker_client)
    dest = tmp_path / "dest"
    code, doc, err = dlint_build_json(FIXTURES / "crafted", "--no-lint", "--extract", f"/evil:{dest}")
    assert code == 1 and "refused" in err
    assert sorted(os.listdir(tmp_path)) == ["dest"]
    for root, dirs, files in os.walk(dest):
        for name in dirs + files:
            real = os.path.realpath(os.path.join(root, name))
            assert real == str(dest) or real.startswith(str(dest) + os.sep), (name, real)
    [item] = doc["extracted"]
    refused = {r["member"]: r["why"] for r in item["refused"]}
    assert set(refused) == {"evil/abs-link", "evil/dir/up-link", "evil/fifo", "evil/sneaky"}
    assert stat.S_IMODE(os.stat(dest / "suid").st_mode) == 0o755 and item["setuid_stripped"] == ["evil/suid"]
    assert (dest / "ok.txt").read_bytes() == b"fine\n"
    assert count_containers(docker_client) == before


def test_no_container_left_after_interrupted_extraction(docker_client, busybox_image, tmp_path):
    """Ctrl-C in the middle of the archive: the container (created, never started) is removed."""
    from dlint.image.extract import extract, parse_spec

    code, doc, err = dlint_build_json(FIXTURES / "extract", "--no-lint")
    assert code == 0, err
    before = count_containers(docker_client)

    def interrupt(member):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        extract(docker_client.api, doc["image"]["id"], parse_spec(f"/out:{tmp_path / 'x'}"), False, interrupt)
    assert count_containers(docker_client) == before


def test_no_container_left_after_interrupted_build(docker_client, busybox_image):
    before = count_containers(docker_client)
    process = start_dlint_build(FIXTURES / "slow", "--no-lint", "--no-cache")
    try:
        for line in process.stderr:  # the log streams to stderr when it is not a terminal
            if line.strip() == "started":
                break
        assert count_containers(docker_client) == before + 1  # the RUN's container is running
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert wait_for_containers(docker_client, before) == before


def test_failing_run_names_step_and_line(docker_client, busybox_image):
    before = count_containers(docker_client)
    proc = dlint_build(FIXTURES / "failing", "--no-lint")
    assert proc.returncode == 1
    assert "step 3/4" in proc.stderr and "Dockerfile:4" in proc.stderr and "returned a non-zero code: 3" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert count_containers(docker_client) == before


def test_missing_base_image_is_a_clear_usage_error(docker_client):
    proc = dlint_build(FIXTURES / "missing-base", "--no-lint")
    assert proc.returncode == 2
    assert "dlint-test/no-such-image:1.0" in proc.stderr and "never pulls" in proc.stderr and "Dockerfile:1" in proc.stderr


def test_multistage_shows_only_the_final_stage(docker_client, busybox_image):
    code, doc, err = dlint_build_json(FIXTURES / "multistage", "--no-lint")
    assert code == 0, err
    assert [(r["line"], r["status"] != "unknown") for r in doc["layers"]] == [(5, True), (6, True), (7, True), (8, True)]
    assert doc["layers"][1]["instruction"].startswith("COPY --from=builder") and doc["layers"][1]["size"] == 9
    assert set(doc) >= {"findings", "image", "layers", "waste", "cache", "extracted"}
    code, doc, err = dlint_build_json(FIXTURES / "multistage", "--no-lint", "--target", "builder")
    assert code == 0, err
    assert [r["line"] for r in doc["layers"]] == [2, 3] and doc["layers"][1]["size"] == len("compiled\n")


def test_failed_build_json_keeps_the_findings(docker_client, busybox_image):
    code, doc, err = dlint_build_json(FIXTURES / "failing")
    assert code == 1
    assert "Dockerfile:4" in doc["error"] and doc["image"]["id"] is None
    assert isinstance(doc["findings"], list)


def test_arg_before_from_and_build_args(docker_client, busybox_image):
    value = str(time.time())
    code, doc, err = dlint_build_json(FIXTURES / "args", "--no-lint", "--build-arg", f"X={value}")
    assert code == 0, err
    assert [r["line"] for r in doc["layers"]] == [3, 4, 5]
    assert doc["layers"][1]["status"] in ("cached", "built") and doc["layers"][2]["status"] == "built"
    assert doc["layers"][2]["size"] == len(value) + 1
    # The base image a build argument names is checked too.
    proc = dlint_build(FIXTURES / "args", "--no-lint", "--build-arg", "BASE=dlint-test/absent:1")
    assert proc.returncode == 2 and "dlint-test/absent:1" in proc.stderr
