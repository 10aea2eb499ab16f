from __future__ import annotations

from dlint.rule import Severity, Violation, rule

# lastlog and faillog are indexed by UID; useradd grows them to UID x record size unless -l.
_HIGH_UID = 100_000


@rule(
    "DF403",
    "useradd-high-uid-without-l",
    Severity.WARNING,
    "`useradd` with a high UID and without `-l` writes a huge lastlog file",
)
def useradd_high_uid_without_l(context, options):
    """## What it does
    Flags `useradd -u UID` with a UID of 100000 or more and without `-l`
    (`--no-log-init`). hadolint's DL3046.

    ## Why is this bad?
    `useradd` reserves the user's record in `/var/log/lastlog` and `/var/log/faillog`, files
    indexed by UID. They are sparse on disk, but image layers store them in full: a UID of
    1000000 adds about 300 MB of zeros to the layer. `-l` skips those logs, which a container
    never needs.

    ## Example
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN useradd -u 1000000 app
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-20241016
    RUN useradd -l -u 1000000 app
    ```

    ## Fix
    None yet: add `-l` by hand.
    """
    for _run, command in context.commands_of("useradd"):
        words = command.words
        uid = command.option_value("-u", "--uid")
        if not uid or not uid.isdigit() or int(uid) < _HIGH_UID:
            continue
        if any((w.value or "") in ("-l", "--no-log-init") or _short_options_include(w.value, "l") for w in words[1:]):
            continue
        yield Violation(
            words[0].span,
            f"`useradd` with UID {uid} and without `-l` stores lastlog/faillog records up to that UID in "
            "the layer: add `-l`",
        )


def _short_options_include(value, letter):
    return bool(value) and value.startswith("-") and not value.startswith("--") and letter in value[1:] and not value.startswith("-u")
