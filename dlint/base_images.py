"""What a stage's base image is made of, as far as its name and tag tell.

Rules and ShellCheck ask here instead of each keeping a list of distributions: which /bin/sh
a stage runs (dash on Debian and Ubuntu, BusyBox or bash elsewhere) decides whether a
shell-form CMD passes signals on (DF501) and which shell dialect a RUN is checked in.
"""

from __future__ import annotations

from dlint.startup import lazy_pattern

# What /bin/sh is on an image, judged from the name and tag of the root of its stage chain.
# dash (Debian, Ubuntu) forks the command given to `sh -c` and stays as PID 1 without
# passing signals on; BusyBox `sh` (Alpine, busybox) and bash (RHEL family, Fedora, Amazon
# Linux, Arch …) replace themselves with the command, so there the signal does arrive.
# Compiled on first use (0.5 ms): only a shell-form CMD or ENTRYPOINT and ShellCheck need them.
_TOKENS = lazy_pattern(r"[-_./:@]+")
_NOT_DASH = lazy_pattern(
    r"(alpine|busybox|centos|rhel|ubi|fedora|rocky|rockylinux|alma|almalinux|oraclelinux|oracle|"
    r"amazonlinux|amzn|corretto|photon|arch|archlinux|opensuse|sles|suse|clearlinux|mariner|"
    r"azurelinux|distroless|windows|windowsservercore|servercore|nanoserver|ltsc\d*)\d*"
)
_DASH = lazy_pattern(
    r"(debian|ubuntu|raspbian|buildpack|bookworm|bullseye|buster|stretch|jessie|wheezy|trixie|"
    r"forky|sid|focal|jammy|noble|bionic|xenial|trusty|precise|oracular|plucky|lunar|mantic|"
    r"kinetic|impish|hirsute|groovy|eoan|disco|cosmic)\d*"
)
# Official images built on Debian or Ubuntu unless their tag names another base (`-alpine`,
# `-ubi9`, `-windowsservercore` …). Not mysql: its default tags are Oracle Linux.
_OFFICIAL_DASH = frozenset(
    "debian ubuntu buildpack-deps python node ruby golang openjdk eclipse-temurin php perl httpd "
    "nginx postgres redis rust gcc haproxy tomcat maven gradle wordpress drupal joomla julia pypy "
    "erlang elixir haskell clojure r-base mongo mariadb cassandra rabbitmq memcached nextcloud "
    "ghost jenkins jruby groovy swift odoo composer".split()
)
_OFFICIAL_PREFIXES = ("docker.io/library/", "index.docker.io/library/", "library/", "docker.io/")


def _official_name(name: str) -> str | None:
    for prefix in _OFFICIAL_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return None if "/" in name else name


def sh_is_dash(stage) -> bool:
    """True when the stage's /bin/sh is known to be dash: its chain's root is a Debian or
    Ubuntu image (by name or tag), or an official image built on one. Unknown bases (a
    variable, an image of unknown make) are not assumed to be dash."""
    if stage is None:
        return False
    root = stage.chain[0].base
    if root.has_variable or root.is_scratch:
        return False
    name = root.name.lower()
    tokens = [t for t in _TOKENS().split(f"{name}:{root.tag or ''}") if t]
    if any(_NOT_DASH().fullmatch(t) for t in tokens):
        return False
    if any(_DASH().fullmatch(t) for t in tokens):
        return True
    return _official_name(name) in _OFFICIAL_DASH




# Official images whose configuration sets no ENV but the PATH every builder sets: a stage
# built on one of them (or on scratch) inherits no variable dlint cannot see.
_OFFICIAL_PATH_ONLY = frozenset(("debian", "ubuntu", "alpine", "busybox"))


def env_is_known(stage) -> bool:
    """True when every ENV the stage inherits is in this Dockerfile: its chain starts ``FROM
    scratch`` or from an official image that sets nothing but PATH (debian, ubuntu, alpine,
    busybox). An image of unknown make may set any variable."""
    if stage is None:
        return False
    root = stage.chain[0].base
    if root.has_variable:
        return False
    return root.is_scratch or _official_name(root.name.lower()) in _OFFICIAL_PATH_ONLY
