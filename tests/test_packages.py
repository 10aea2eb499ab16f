"""Package-manager calls seen through wrappers, with options, pins and cleanups."""

from __future__ import annotations

from dlint.dockerfile import parse
from dlint.context import LintContext
from dlint.packages import INSTALL, UPDATE, facts_of as facts, removes_directory


def run_facts(text: str):
    return facts(next(parse("FROM debian\n" + text).runs()))


def test_verb_among_options_and_packages_with_pins():
    result = run_facts(
        "RUN apt-get -o Dpkg::Options::=--force-confdef -y --no-install-recommends install "
        "curl=7.1 git/bookworm-backports ./local.deb $EXTRA libc6:amd64\n"
    )
    (call,) = result.calls
    assert call.verb == INSTALL and call.verb_word.value == "install"
    assert call.option_values == ["Dpkg::Options::=--force-confdef"]
    assert [(p.kind, p.name, p.version, p.release) for p in call.packages] == [
        ("name", "curl", "7.1", None),
        ("name", "git", None, "bookworm-backports"),
        ("path", None, None, None),
        ("variable", None, None, None),
        ("name", "libc6:amd64", None, None),
    ]
    assert call.packages[0].word.span.column == 83


def test_wrappers_are_seen_through():
    result = run_facts(
        "RUN sudo -E -u root env -i PATH=/usr/bin apt-get update && "
        "echo curl | xargs apt-get install -y && exec nice -n 5 apt-get clean\n"
    )
    assert [(c.verb, c.from_stdin) for c in result.calls] == [("update", False), ("install", True), ("clean", False)]


def test_grouped_short_options():
    call = run_facts("RUN apt-get install -qqy curl\n").calls[0]
    assert call.has_option(frozenset({"-y"}))
    assert call.quiet_level == 2
    assert not call.has_option(frozenset({"--no-install-recommends"}))


def test_quiet_level_two_in_any_spelling_answers_the_prompt():
    levels = {}
    for options in ("-q", "-qq", "-q -q", "-q=2", "--quiet --quiet", "--quiet=2", "-qy", "-o quiet=2", "-q=1"):
        call = run_facts(f"RUN apt-get {options} install curl\n").calls[0]
        levels[options] = (call.quiet_level, call.assumes_yes)
    assert levels == {
        "-q": (1, False), "-qq": (2, True), "-q -q": (2, True), "-q=2": (2, True),
        "--quiet --quiet": (2, True), "--quiet=2": (2, True), "-qy": (1, True), "-o quiet=2": (2, True),
        "-q=1": (1, False),
    }


def test_simulation_assume_yes_setting_update_first_and_auto_remove():
    calls = run_facts(
        "RUN apt-get -s install a && apt-get --dry-run purge b && apt-get -o APT::Get::Assume-Yes=true install c "
        "&& apt-get install --update d && apt-get purge --auto-remove e && apt-get autopurge "
        "&& apt-get dist-clean && apt-get download f && apt-get build-dep g && apt-mark auto '.*'\n"
    ).calls
    assert [(c.verb, c.verb_text, c.simulates, c.assumes_yes, c.updates_first, c.removes_unneeded) for c in calls] == [
        ("install", "install", True, True, False, False),
        ("remove", "purge", True, True, False, False),
        ("install", "install", False, True, False, False),
        ("install", "install", False, False, True, False),
        ("remove", "purge", False, False, False, True),
        ("remove", "autopurge", False, False, False, True),
        ("clean", "dist-clean", False, False, False, False),
        ("fetch", "download", False, False, False, False),
        ("build-dep", "build-dep", False, False, False, False),
        ("mark-auto", "auto", False, False, False, False),
    ]


def test_masking_mounts_and_find_exec_rm():
    result = run_facts(
        "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=tmpfs,target=/tmp "
        "--mount=target=/src,source=. find /var/lib/apt/lists -type f -exec rm {} +\n"
    )
    assert result.masked == ("/var/cache/apt", "/tmp", "/src")
    assert result.masks("/var/cache/apt/archives") and result.masks("/tmp") and not result.masks("/var/lib/apt/lists")
    assert [[p.value for p in r.paths] for r in result.removals] == [["/var/lib/apt/lists/*"]]


def test_cleanups_and_cache_mounts():
    result = run_facts(
        "RUN --mount=type=cache,target=/var/cache/apt/ --mount=type=bind,target=/src "
        "apt-get update && rm -rf -- /var/lib/apt/lists/* /tmp/x && find /var/cache/apt -type f -delete\n"
    )
    assert result.cache_mounts == ["/var/cache/apt"]
    assert result.mounts_cache("/var/cache/apt") and not result.mounts_cache("/var/lib/apt/lists")
    assert result.removes("/var/lib/apt/lists", after=result.calls_of(UPDATE)[0].index)
    assert not result.removes("/var/lib/apt/lists", after=5)
    assert [[p.value for p in r.paths] for r in result.removals] == [
        ["/var/lib/apt/lists/*", "/tmp/x"], ["/var/cache/apt/*"],
    ]


def test_removes_directory_patterns():
    lists = "/var/lib/apt/lists"
    assert removes_directory("/var/lib/apt/lists/*", lists)
    assert removes_directory("/var/lib/apt/lists/", lists)
    assert removes_directory("/var/lib/apt//lists", lists)
    assert removes_directory("/var/lib/apt", lists)
    assert removes_directory("/var/lib/apt/*", lists)
    assert removes_directory("/var/lib/apt/lists/*_*", lists)
    assert not removes_directory("/var/lib/apt/lists/*.deb", lists)
    assert not removes_directory("/var/lib/apt/listsx", lists)
    assert not removes_directory(None, lists)


def test_the_context_computes_facts_once_per_run():
    context = LintContext(parse("FROM debian\nRUN apt-get update\n"))
    run = context.runs[0]
    assert context.facts(run.instruction) is run.facts
    assert [site.call.verb for site in context.package_calls(UPDATE)] == ["update"]
