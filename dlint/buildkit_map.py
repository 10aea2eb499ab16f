"""BuildKit's build checks (`docker build --check`) and the dlint rules that cover them: the
table `# check=skip=…` directives and `dlint rules --buildkit` go through.

A check that maps to None is not covered; its reason says why.
"""

from __future__ import annotations

# BuildKit check name -> (dlint code or None, what BuildKit checks, or why dlint does not)
BUILDKIT_TO_DLINT: dict[str, tuple[str | None, str]] = {
    "StageNameCasing": ("DF204", "Stage names should be lowercase"),
    "FromAsCasing": ("DF011", "The 'as' keyword should match the case of the 'from' keyword"),
    "NoEmptyContinuation": ("DF012", "Empty continuation lines will become errors in a future release"),
    "ConsistentInstructionCasing": ("DF010", "All commands within the Dockerfile should use the same casing"),
    "DuplicateStageName": ("DF202", "Stage names should be unique"),
    "ReservedStageName": ("DF203", "Reserved words should not be used as stage names"),
    "JSONArgsRecommended": ("DF501", "JSON arguments recommended for ENTRYPOINT/CMD"),
    "MaintainerDeprecated": ("DF505", "The MAINTAINER instruction is deprecated"),
    "UndefinedArgInFrom": ("DF208", "FROM command must use declared ARGs"),
    "WorkdirRelativePath": ("DF503", "Relative workdir without an absolute workdir declared within the build"),
    "UndefinedVar": ("DF516", "Variables should be defined before their use"),
    "MultipleInstructionsDisallowed": ("DF013", "Multiple CMD/ENTRYPOINT/HEALTHCHECK in a stage"),
    "LegacyKeyValueFormat": ("DF014", "Legacy key/value format with whitespace separator should not be used"),
    "InvalidDefaultArgInFrom": ("DF209", "Default value for global ARG results in an empty or invalid base image name"),
    "FromPlatformFlagConstDisallowed": ("DF210", "FROM --platform flag should not use a constant value"),
    "CopyIgnoredFile": ("DF304", "Attempting to Copy file that is excluded by .dockerignore"),
    "RedundantTargetPlatform": ("DF207", "Setting platform to predefined $TARGETPLATFORM is redundant"),
    "SecretsUsedInArgOrEnv": ("DF507", "Sensitive data should not be used in the ARG or ENV commands"),
    "InvalidDefinitionDescription": (None, "an experimental check about comments for bake"),
    "ExposeProtoCasing": ("DF504", "Protocol in EXPOSE instruction should be lowercase"),
    "ExposeInvalidFormat": ("DF504", "IP address and host-port mapping should not be used in EXPOSE"),
    "InvalidBaseImagePlatform": (None, "needs the base image's manifest from a registry"),
}


def check_named(name: str) -> str | None:
    """The BuildKit check of that name as BuildKit spells it (names are case-insensitive), or
    None when there is no such check."""
    wanted = name.strip().lower()
    return next((check for check in BUILDKIT_TO_DLINT if check.lower() == wanted), None)


def dlint_code(check_name: str) -> str | None:
    """The dlint code for a BuildKit check name (case-insensitive), or None."""
    check = check_named(check_name)
    return BUILDKIT_TO_DLINT[check][0] if check else None
