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
    "DL3015": ("DF110", "Avoid additional packages by specifying --no-install-recommends"),
    "DL3027": ("DF111", "Do not use apt as it is meant to be an end-user tool"),
    "DL3002": ("DF502", "Last USER should not be root"),
    "DL3020": ("DF302", "Use COPY instead of ADD for files and folders"),
    "DL3025": ("DF501", "Use arguments JSON notation for CMD and ENTRYPOINT arguments"),
    "DL4006": ("DF401", "Set the SHELL option -o pipefail before RUN with a pipe in it"),
}


def dlint_code(hadolint_code: str) -> str | None:
    """The dlint code for a hadolint code, or None when dlint has no such rule."""
    entry = HADOLINT_TO_DLINT.get(hadolint_code.strip().upper())
    return entry[0] if entry else None
