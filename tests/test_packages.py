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


def _packages(text: str):
    return [
        [(p.kind, p.name, p.version, p.bound) for p in call.packages]
        for call in run_facts(text).calls
    ]


def test_other_managers_pin_syntax():
    assert _packages(
        "RUN apk add --virtual .deps curl=8.9.1-r0 git~2.45 'gcc>=13' musl-dev x.apk\n"
    ) == [[("name", "curl", "8.9.1-r0", None), ("name", "git", "2.45", None), ("name", "gcc", "13", ">="),
           ("name", "musl-dev", None, None), ("path", None, None, None)]]
    assert _packages(
        "RUN dnf install -y --setopt install_weak_deps=0 httpd-2.4.62 devtoolset-4-gcc python3-3.9.1-1.el8 "
        "@dev /tmp/x.rpm\n"
    ) == [[("name", "httpd", "2.4.62", None), ("name", "devtoolset-4-gcc", None, None),
           ("name", "python3", "3.9.1-1.el8", None), ("pattern", None, None, None), ("path", None, None, None)]]
    assert _packages("RUN zypper -n in vim=9.1 'tar>=1.3' pattern:devel\n") == [
        [("name", "vim", "9.1", None), ("name", "tar", "1.3", ">="), ("pattern", None, None, None)]
    ]
    assert _packages(
        "RUN python3 -m pip install -r req.txt Flask==3.0 'uvicorn[standard]==0.30' 'x~=1.2' ./dist/a.whl "
        "git+https://e.com/r.git \"y==${Y}\"\n"
    ) == [[("name", "flask", "3.0", None), ("name", "uvicorn", "0.30", None), ("name", "x", "~=1.2", "~="),
           ("path", None, None, None), ("vcs", "r", None, None), ("variable", None, None, None)]]
    assert _packages("RUN npm i -g --loglevel warn pm2 @s/t@1.2.3 npm@latest serve@^14 ./dir user/repo\n") == [
        [("name", "pm2", None, None), ("name", "@s/t", "1.2.3", None), ("name", "npm", None, None),
         ("name", "serve", "^14", "^"), ("path", None, None, None), ("path", None, None, None)]
    ]
    assert _packages("RUN go install a.com/b@v1.2.3 a.com/c@latest ./cmd/x\n") == [
        [("name", "a.com/b", "v1.2.3", None), ("name", "a.com/c", None, None), ("path", None, None, None)]
    ]


def test_other_managers_programs_verbs_and_look_through():
    calls = run_facts(
        "RUN set -eux; sudo apk update; env A=1 yum -y makecache; uv pip install x; yarn global add y; "
        "B=2 gem install z:1.0; cargo install --locked w; sh -c 'pip3.12 install v'\n"
    ).calls
    assert [(c.manager.name, c.verb, c.verb_text) for c in calls] == [
        ("apk", UPDATE, "update"), ("yum", UPDATE, "makecache"), ("uv pip", INSTALL, "install"),
        ("yarn", INSTALL, "add"), ("gem", INSTALL, "install"), ("cargo", INSTALL, "install"),
        ("pip", INSTALL, "install"),
    ]
    assert calls[4].packages[0].version == "1.0"


def test_writers_are_the_commands_that_may_write_apt_settings():
    # facts_of notes them as it goes; a RunFacts made without them works them out the same way.
    from dlint.packages import RunFacts

    result = run_facts(
        "RUN echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/apt.conf.d/90yes && printf x && "
        "/bin/echo y >> /tmp/z && echo 'a' | tee /etc/apt/apt.conf.d/a && cat x > y\n"
    )
    assert result.writers == (0, 2, 4)
    rebuilt = RunFacts(result.script, result.calls, result.removals, result.cache_mounts, result.programs,
                       result.masked)
    assert rebuilt.writers == (0, 2, 4)


def test_find_deletes_only_with_delete_or_exec_rm():
    deleting = run_facts("RUN find /var/cache/apt -name '*.deb' -delete && find /tmp -exec rm -f {} +\n")
    assert [[p.value for p in r.paths] for r in deleting.removals] == [["/var/cache/apt/*"], ["/tmp/*"]]
    assert deleting.removals[0].paths[0].span.column == 10  # where the root is written
    listing = run_facts("RUN find /tmp -name rm -print && find /tmp -exec\n")
    assert listing.removals == []


def test_call_flags_are_the_same_on_every_read():
    (call,) = run_facts("RUN apt-get -qq -o APT::Get::Simulate=true install curl\n").calls
    assert (call.simulates, call.assumes_yes, call.quiet_level) == (True, True, 2)
    assert (call.simulates, call.assumes_yes, call.quiet_level) == (True, True, 2)
    (plain,) = run_facts("RUN apt-get install curl\n").calls
    assert (plain.simulates, plain.assumes_yes, plain.quiet_level, plain.has_option(frozenset({"-y"}))) == (
        False, False, 0, False)
