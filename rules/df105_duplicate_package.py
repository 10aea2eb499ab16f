from __future__ import annotations

from dlint.layers import installed_key
from dlint.packages import APT, INSTALL, Package
from dlint.rule import Severity, rule, violation


@rule(
    "DF105",
    "duplicate-package",
    Severity.WARNING,
    "A package is installed twice in one install or again in a later RUN of the stage",
)
def duplicate_package(context, options):
    """## What it does
    Flags a package named a second time in the same install, or installed again when it is
    surely installed already: by an earlier `RUN` of the same stage (or of a stage it is built
    `FROM`), or earlier in the same `RUN`. The finding points at the second occurrence. A
    package removed in between (`apt-get purge`, `remove`, or `apt-mark auto` followed by
    `--auto-remove`) is not installed any more; installs in exclusive branches (`if`/`else`,
    `case` arms, `a || b`) are alternatives, not repetitions; and an install that pins another
    version or release, or uses `--reinstall` or `-t`, changes the package on purpose.

    ## Why is this bad?
    A duplicate in one list is noise that hides real changes (and a pin on one copy but not
    the other is ambiguous). Installing the same package again in a later `RUN` runs the
    package manager once more for nothing and adds to the layer, and with an update in
    between it can leave two versions' files across layers.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            make=4.3-4.1 \\
            patch=2.7.6-7 \\
            make=4.3-4.1 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends \\
            make=4.3-4.1 \\
            patch=2.7.6-7 \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix
    None: which of the two copies to keep (and with which pin) is your call.
    """
    # The layer model knows what is surely installed when each install starts: installs of
    # earlier RUNs of the stage (and of the stages it is built FROM) and of earlier commands of
    # this RUN, less what was purged or auto-removed since; an install in another branch of an
    # `if`, `case` or `||` is an alternative, not an earlier install.
    for _stage, instruction, facts in context.runs:
        installs = facts.calls_of(INSTALL)
        if not installs:
            continue
        effects = context.effects(instruction)
        for install in installs:
            installed = effects.before(install.command).installed
            in_this_install: set[str] = set()
            deliberate = None  # worked out on the first duplicate
            # The key of each package is this prefix and its name (once per install: apk's
            # group option is looked up among the command's words).
            prefix = None if install.manager is APT else installed_key(install, _NAMELESS)
            for package in install.packages:
                if package.kind != "name":
                    continue
                name = package.name
                key = name if prefix is None else prefix + name
                if name in in_this_install or key in installed:
                    if deliberate is None:
                        deliberate = (
                            install.simulates or install.verb_text == "reinstall" or install.has_option(_DELIBERATE)
                        )
                    if deliberate:
                        break
                    if name in in_this_install:
                        yield violation(
                            package.word.span,
                            f"'{name}' is named twice in this `{install.program.value} {install.verb_text}`",
                        )
                    elif not _changes_version(package, installed[key]):
                        yield violation(
                            package.word.span, f"'{name}' is already installed at line {installed[key].span.line}"
                        )
                in_this_install.add(name)


_NAMELESS = Package(None, "name", "")  # installed_key(call, _NAMELESS): the key's prefix

# Options that make installing an installed package again deliberate: another release.
_DELIBERATE = frozenset({
    "--reinstall", "-t", "--target-release", "--default-release",
    # pip, npm, gem, cargo: upgrade or reinstall what is there
    "-U", "--upgrade", "--force-reinstall", "-I", "--ignore-installed", "--force", "-f", "--latest",
})


def _changes_version(package, earlier) -> bool:
    """A later install that pins another version or release changes the package on purpose."""
    return (package.version or package.release) is not None and package.word.value != earlier.value
