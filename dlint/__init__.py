"""dlint: a Dockerfile linter and cache-busting advisor."""

__version__ = "0.1.0"


def _rules_from_checkout() -> None:
    """`rules/` sits at the top of the repository and installs as `dlint.rules` (setuptools'
    package-dir, for regular and editable installs alike). When this package is imported
    straight from a checkout instead (`python -m dlint` in the repository, no install), map
    that one name to the checkout's `rules/`, and nothing else of the checkout."""
    import os
    import sys

    here = __path__[0]
    rules = os.path.join(os.path.dirname(here), "rules")
    if os.path.isdir(os.path.join(here, "rules")) or not os.path.isfile(os.path.join(rules, "__init__.py")):
        return

    class _CheckoutRules:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name != "dlint.rules":
                return None
            from importlib.util import spec_from_file_location

            return spec_from_file_location(name, os.path.join(rules, "__init__.py"),
                                           submodule_search_locations=[rules])

    sys.meta_path.append(_CheckoutRules)


_rules_from_checkout()
