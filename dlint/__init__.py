"""dlint: a Dockerfile linter and cache-busting advisor."""

import os as _os

__version__ = "0.1.0"

# `rules/` sits at the top of the repository and installs as `dlint.rules` (setuptools
# package-dir). When this package is imported from a checkout instead (`python -m dlint` in
# the repository), let the rules be found there too.
_checkout = _os.path.dirname(__path__[0])
if not _os.path.isdir(_os.path.join(__path__[0], "rules")) and _os.path.isfile(
    _os.path.join(_checkout, "rules", "__init__.py")
):
    __path__.append(_checkout)
