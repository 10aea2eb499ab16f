"""The layer model: what each RUN leaves in its layer and what the next layer sees."""

from __future__ import annotations

from dlint.context import LintContext
from dlint.dockerfile import parse
from dlint.layers import ABSENT, ARCHIVES, ASSUME_YES, INDEX, MAYBE, NO_RECOMMENDS, PRESENT, effects_of


def effects(text: str):
    context = LintContext(parse(text))
    return context, [context.effects(run.instruction) for run in context.runs]


def test_index_and_archives_through_updates_cleans_and_mounts():
    _, runs = effects(
        "FROM debian:trixie\n"
        "RUN apt-get update && apt-get install -y curl && apt-get dist-clean\n"  # 2: both removed
        "RUN apt-get update && apt-get install -y git && apt-get clean\n"  # 3: clean: archives only
        "RUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y jq\n"
        "RUN --mount=type=tmpfs,target=/var/lib/apt/lists rm -rf /var/lib/apt/lists/*\n"  # under a mount
        "RUN find /var/lib/apt/lists -mindepth 1 -delete\n"  # 6: deletes what line 3 left
    )
    assert [(r.leaves(INDEX), r.leaves(ARCHIVES)) for r in runs] == [
        (False, False), (True, False), (False, True), (False, False), (False, False),
    ]
    assert [(r.end.visible[INDEX], r.end.holder.get(INDEX)) for r in runs] == [
        (ABSENT, None), (PRESENT, 3), (PRESENT, 3), (PRESENT, 3), (ABSENT, None),
    ]
    assert [[(x.kind, x.line, x.command.source) for x in r.removals] for r in runs] == [
        [], [], [], [], [("index", 3, "find /var/lib/apt/lists -mindepth 1 -delete")],
    ]


def test_branches_are_alternatives():
    _, (run,) = effects(
        "FROM debian\n"
        "RUN if [ -x /usr/bin/apt-get ]; then apt-get update && apt-get install -y gcc "
        "&& rm -rf /var/lib/apt/lists/*; else apk add gcc; fi\n"
    )
    assert not run.leaves(INDEX)
    assert "gcc" not in run.end.installed  # only on one way through
    _, (run,) = effects("FROM debian\nRUN case $X in a) apt-get update ;; *) true ;; esac\n")
    assert run.end.visible[INDEX] == MAYBE and run.leaves(INDEX)
    # `a || b`: a runs; its cleanup stands even when b is there for failures.
    _, (run,) = effects("FROM debian\nRUN apt-get update && apt-get install -y x; rm -rf /var/lib/apt/lists/* || true\n")
    assert not run.leaves(INDEX)


def test_installed_packages_follow_purges_and_auto_removal():
    context, runs = effects(
        "FROM debian AS base\n"
        "RUN apt-get update && apt-get install -y gcc make curl && rm -rf /var/lib/apt/lists/*\n"
        "RUN apt-get purge -y make\n"
        "FROM base\n"
        "RUN apt-mark auto gcc && apt-get purge -y --auto-remove\n"
        "RUN savedAptMark=\"$(apt-mark showmanual)\"; apt-mark auto '.*' > /dev/null; "
        "apt-mark manual $savedAptMark; apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false\n"
    )
    assert [sorted(r.start.installed) for r in runs] == [
        [], ["curl", "gcc", "make"], ["curl", "gcc"], ["curl"],
    ]
    assert runs[-1].end.installed == {}
    word = runs[1].start.installed["gcc"]
    assert (word.span.line, word.span.column) == (2, 42)


def test_apt_settings_written_earlier_in_the_stage():
    _, runs = effects(
        "FROM debian\n"
        "RUN echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/apt.conf.d/90yes\n"
        "RUN printf 'APT::Install-Recommends \"0\";\\n' | tee /etc/apt/apt.conf.d/99norecommends\n"
        "RUN apt-get update\n"
        "FROM debian\n"
        "RUN apt-get update\n"
    )
    assert [r.start.settings for r in runs] == [
        frozenset(), {ASSUME_YES}, {ASSUME_YES, NO_RECOMMENDS}, frozenset(),
    ]


def test_onbuild_triggers_start_from_a_fresh_state():
    dockerfile = parse("FROM debian\nRUN apt-get update\nONBUILD RUN rm -rf /var/lib/apt/lists/*\n")
    runs = list(dockerfile.runs())
    found = effects_of(dockerfile)
    assert [found[id(r)].removals for r in runs] == [[] for _ in runs]
    assert found[id(runs[0])].leaves(INDEX)


def test_leftovers_for_the_build_report():
    from dlint.layers import Leftovers, leftovers

    found = leftovers(parse(
        "FROM debian\n"
        "RUN apt-get update\n"
        "RUN apt-get install -y curl\n"
        "RUN --mount=type=cache,target=/var/cache/apt apt-get install -y git && rm -rf /var/lib/apt/lists/*\n"
        "ONBUILD RUN apt-get update\n"
    ))
    assert found == {
        2: Leftovers(2, (INDEX,), (), (), True, False),
        3: Leftovers(3, (ARCHIVES,), (), (), False, True),
        4: Leftovers(4, (), (ARCHIVES,), ((INDEX, 2),), False, True),
    }
    assert [found[line].rules for line in (2, 3, 4)] == [("DF107",), ("DF102",), ("DF108", "DF102")]


def test_a_run_that_changes_nothing_leaves_nothing():
    # Found by the property test: `RUN apt` (no verb) after a RUN that left the lists.
    _, runs = effects("FROM ubuntu:22.04\nRUN apt-get update\nRUN apt\nRUN apt-get clean\n")
    assert [(r.leaves(INDEX), r.end.visible[INDEX]) for r in runs] == [(True, PRESENT), (False, PRESENT), (False, PRESENT)]
