"""hadolint rule codes that mean the same as a dlint rule: the one table that reading
``.hadolint.yaml`` and honouring ``# hadolint ignore=`` pragmas go through.

Only codes whose check matches a dlint rule's are listed (compared with hadolint's rule
sources); a code missing here has no dlint equivalent and is skipped, never guessed.
Print the table with ``dlint rules --hadolint``.
"""

from __future__ import annotations

# hadolint code -> (dlint code, what hadolint checks)
HADOLINT_TO_DLINT: dict[str, tuple[str, str]] = {
    "DL3006": ("DF201", "Always tag the version of an image explicitly"),
    "DL3007": ("DF201", "Using latest is prone to errors if the image will ever update"),
    "DL3008": ("DF106", "Pin versions in apt-get install"),
    "DL3009": ("DF107", "Delete the apt-get lists after installing something"),
    "DL3014": ("DF109", "Use the -y switch to avoid manual input"),
    "DL3013": ("DF106", "Pin versions in pip"),
    "DL3016": ("DF106", "Pin versions in npm"),
    "DL3018": ("DF106", "Pin versions in apk add"),
    "DL3019": ("DF107", "Use the --no-cache switch to avoid the need to use --update and remove /var/cache/apk/*"),
    "DL3028": ("DF106", "Pin versions in gem install"),
    "DL3030": ("DF109", "Use the -y switch to avoid manual input yum install -y <package>"),
    "DL3032": ("DF107", "yum clean all missing after yum command"),
    "DL3033": ("DF106", "Specify version with yum install -y <package>-<version>"),
    "DL3034": ("DF109", "Non-interactive switch missing from zypper command: zypper install -y"),
    "DL3036": ("DF107", "zypper clean missing after zypper use"),
    "DL3037": ("DF106", "Specify version with zypper install -y <package>=<version>"),
    "DL3038": ("DF109", "Use the -y switch to avoid manual input dnf install -y <package>"),
    "DL3040": ("DF107", "dnf clean all missing after dnf command"),
    "DL3041": ("DF106", "Specify version with dnf install -y <package>-<version>"),
    "DL3042": ("DF107", "Avoid cache directory with pip install --no-cache-dir <package>"),
    "DL3060": ("DF107", "yarn cache clean missing after yarn install was run"),
    "DL3062": ("DF106", "Pin versions in go install"),
    "DL3015": ("DF110", "Avoid additional packages by specifying --no-install-recommends"),
    "DL3027": ("DF111", "Do not use apt as it is meant to be an end-user tool"),
    "DL3002": ("DF502", "Last USER should not be root"),
    "DL3020": ("DF302", "Use COPY instead of ADD for files and folders"),
    "DL3025": ("DF501", "Use arguments JSON notation for CMD and ENTRYPOINT arguments"),
    "DL4006": ("DF401", "Set the SHELL option -o pipefail before RUN with a pipe in it"),
    "DL3000": ("DF503", "Use absolute WORKDIR"),
    "DL3004": ("DF402", "Do not use sudo"),
    "DL3011": ("DF504", "Valid UNIX ports range from 0 to 65535"),
    "DL3012": ("DF013", "Multiple HEALTHCHECK instructions"),
    "DL3021": ("DF506", "COPY with more than 2 arguments requires the last argument to end with /"),
    "DL3022": ("DF205", "COPY --from should reference a previously defined FROM alias"),
    "DL3023": ("DF206", "COPY --from cannot reference its own FROM alias"),
    "DL3024": ("DF202", "FROM aliases (stage names) must be unique"),
    "DL3026": ("DF211", "Use only an allowed registry in the FROM image"),
    "DL3029": ("DF210", "Do not use --platform flag with FROM"),
    "DL3044": ("DF508", "Do not refer to an environment variable within the same ENV statement"),
    "DL3045": ("DF509", "COPY to a relative destination without WORKDIR set"),
    "DL3046": ("DF403", "useradd without flag -l and high UID will result in excessively large Image"),
    "DL3047": ("DF405", "wget without --progress will result in excessively bloated build logs"),
    "DL3048": ("DF513", "Invalid label key"),
    "DL3057": ("DF511", "HEALTHCHECK instruction missing"),
    "DL3059": ("DF407", "Multiple consecutive RUN instructions"),
    "DL4000": ("DF505", "MAINTAINER is deprecated"),
    "DL4001": ("DF404", "Either use Wget or Curl but not both"),
    "DL4003": ("DF013", "Multiple CMD instructions found"),
    "DL4004": ("DF013", "Multiple ENTRYPOINT instructions found"),
    "DL4005": ("DF406", "Use SHELL to change the default shell"),
    "DL3063": ("DF203", "Stage name should not be a reserved word (scratch, context)"),
    "DL3064": ("DF507", "Potentially sensitive data should not be used in the ARG or ENV commands"),
    "DL3065": ("DF207", "Setting FROM --platform to predefined $TARGETPLATFORM is redundant"),
    "DL3066": ("DF512", "Non-numeric user-id may not be resolvable by host system"),
    "DL3067": ("DF212", "Do not copy an entire filesystem from another stage"),
    "DL3049": ("DF515", "Label is missing"),
    "DL3050": ("DF515", "Superfluous label(s) present"),
    "DL3051": ("DF515", "Label is empty"),
    "DL3052": ("DF515", "Label is not a valid URL"),
    "DL3053": ("DF515", "Label is not a valid time format (RFC 3339)"),
    "DL3054": ("DF515", "Label is not a valid SPDX identifier"),
    "DL3055": ("DF515", "Label is not a valid git hash"),
    "DL3056": ("DF515", "Label does not conform to semantic versioning"),
    "DL3058": ("DF515", "Label is not a valid email format (RFC 5322)"),
}

# hadolint 2.15's other codes, each with why dlint has no rule for it. Together with the table
# above this is every DL code of hadolint 2.15 (tests/test_hadolint_differential.py checks it
# against the installed hadolint).
HADOLINT_NOT_COVERED: dict[str, str] = {
    "DL1001": "a policy, not a finding: set respect-pragmas = false to disallow inline ignores",
    "DL3001": "ssh, service, kill, mount … have real uses in a build step (a database started to load "
              "a schema); flagging them all is wrong more often than right",
    "DL3003": "deliberately not: a cd inside a RUN changes only that RUN, the idiomatic way to work in a "
              "directory; WORKDIR would change every later instruction",
    "DL3010": "deliberately not: COPY + RUN tar is often chosen on purpose (checksums verified before "
              "unpacking); ADD's implicit unpacking is what DF302 warns about",
    "DL3035": "deliberately not: zypper dist-upgrade is how openSUSE Tumbleweed is updated (its documented "
              "upgrade; zypper update is not), and with a Leap or SLE image's own repositories it stays within "
              "the release; dlint checks its prompt (DF109) and cache (DF107)",
    "DL3043": "reported as an error that stops the build (ONBUILD FROM, ONBUILD MAINTAINER, ONBUILD "
              "ONBUILD), exit status 2, not as a rule",
    "DL3061": "reported as an error that stops the build (an instruction before FROM), exit status 2, "
              "not as a rule",
}


def dlint_code(hadolint_code: str) -> str | None:
    """The dlint code for a hadolint code, or None when dlint has no such rule."""
    entry = HADOLINT_TO_DLINT.get(hadolint_code.strip().upper())
    return entry[0] if entry else None


# dlint options that give a mapped rule hadolint's default behaviour, for comparing the two
# (benchmarks/hadolint_spec.py, tests/test_hadolint_differential.py); dlint's own defaults are
# not changed by them.
HADOLINT_OPTIONS: dict[str, dict[str, object]] = {
    "DF106": {"pin-policy": "bounds"},  # hadolint accepts any version operator (>=, ~=, <) as a pin
}


# hadolint has one code per package manager where dlint has one rule for all of them (DF106 pins,
# DF107 caches, DF109 prompts …): a finding of the dlint rule stands for such a code only in a RUN
# that calls the code's manager.
MANAGERS_OF: dict[str, frozenset[str]] = {
    code: frozenset(managers) for code, managers in {
        "DL3008": {"apt-get"}, "DL3009": {"apt-get"}, "DL3014": {"apt-get"}, "DL3015": {"apt-get"},
        "DL3027": {"apt-get"},
        "DL3013": {"pip", "pipx"}, "DL3042": {"pip"}, "DL3016": {"npm"}, "DL3060": {"yarn"},
        "DL3018": {"apk"}, "DL3019": {"apk"}, "DL3028": {"gem"}, "DL3062": {"go"},
        "DL3030": {"yum"}, "DL3032": {"yum"}, "DL3033": {"yum"},
        "DL3034": {"zypper"}, "DL3036": {"zypper"}, "DL3037": {"zypper"},
        "DL3038": {"dnf", "microdnf"}, "DL3040": {"dnf", "microdnf"}, "DL3041": {"dnf", "microdnf"},
    }.items()
}

# hadolint codes that stand for one keyword of a dlint rule covering several (DF013)
KEYWORD_OF: dict[str, str] = {"DL3012": "HEALTHCHECK", "DL4003": "CMD", "DL4004": "ENTRYPOINT"}

# hadolint codes that stand for one kind of a dlint rule's findings, told by its message
MESSAGE_OF: dict[str, str] = {
    "DL3006": "has no tag or digest", "DL3007": "is tagged `latest`",
    "DL3049": "of the label schema is missing", "DL3050": "is not in the label schema",
    "DL3051": "is empty", "DL3052": "not a URL", "DL3053": "not an RFC 3339 time",
    "DL3054": "not an SPDX license expression", "DL3055": "not a git commit hash",
    "DL3056": "not a semantic version", "DL3058": "not an e-mail address",
}


def finding_counts_for(hadolint_code: str, finding, dockerfile) -> bool:
    """Does this finding of the mapped dlint rule stand for ``hadolint_code`` (its manager, its
    keyword, its kind)? ``dockerfile`` is the model the finding was made on."""
    if HADOLINT_TO_DLINT[hadolint_code][0] != finding.code:
        return False
    if hadolint_code in MESSAGE_OF:
        return MESSAGE_OF[hadolint_code] in finding.message
    keyword = KEYWORD_OF.get(hadolint_code)
    managers = MANAGERS_OF.get(hadolint_code)
    if keyword is None and managers is None:
        return True
    instruction = next((i for i in _instructions(dockerfile) if i.line <= finding.line <= i.end_line), None)
    if instruction is None:
        return False
    if keyword is not None:
        return instruction.keyword == keyword
    if instruction.keyword != "RUN":
        return False
    from dlint.packages import facts_of

    return any(call.manager.name in managers for call in facts_of(instruction).calls)


def _instructions(dockerfile):
    """Every instruction, ONBUILD triggers as the instructions they are (innermost last)."""
    for run in dockerfile.runs():
        yield run
    yield from dockerfile.instructions
