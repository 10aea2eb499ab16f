"""A seeded, deterministic generator of realistic Dockerfiles for the benchmarks.

``python benchmarks/corpus.py OUT_DIR [--count 1000] [--seed 5]`` writes the corpus; the same
seed always gives byte-identical files (the runner prints a digest of the corpus to show it).

What the corpus holds, in the proportions seen in real repositories: mostly Debian/Ubuntu
images with ``apt-get``, then Alpine (``apk``), Fedora/RHEL (``dnf``/``yum``/``microdnf``),
Python (``pip``) and Node (``npm``) images; multi-stage builds; BuildKit heredocs; files with
``# escape=`` (backtick, Windows style); long ``RUN`` chains with comments and blank lines inside
continuations; good and bad habits mixed (unpinned packages, split update/install, caches left
behind). Sizes run from 5 to 400 lines, skewed towards small files as in real projects.

It also makes the scaling inputs: a file of N instructions and one ``RUN`` of N packages.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
from typing import Callable

APT_PACKAGES = """
build-essential ca-certificates curl git gnupg jq less libffi-dev libpq-dev libssl-dev
libxml2-dev libxslt1-dev locales make netcat-openbsd openssh-client pkg-config postgresql-client
procps python3 python3-dev python3-pip python3-venv rsync sudo tini tzdata unzip vim wget
xz-utils zlib1g-dev gcc g++ cmake ninja-build autoconf automake libtool bison flex gettext
libcurl4-openssl-dev libjpeg-dev libpng-dev libsqlite3-dev libyaml-dev default-libmysqlclient-dev
nginx supervisor dumb-init iproute2 iputils-ping dnsutils file patch bzip2 zip apt-transport-https
software-properties-common lsb-release fonts-liberation libnss3 libgbm1 libasound2 graphviz
""".split()
APK_PACKAGES = """
bash build-base ca-certificates curl git gcc musl-dev libffi-dev openssl-dev postgresql-dev
python3 py3-pip tzdata tini su-exec jq make linux-headers zlib-dev jpeg-dev libxml2-dev
nodejs npm openssh-client rsync shadow coreutils findutils grep sed tar xz
""".split()
DNF_PACKAGES = """
gcc gcc-c++ make git curl wget tar gzip unzip which procps-ng python3 python3-pip python3-devel
openssl-devel libffi-devel zlib-devel shadow-utils findutils hostname iproute jq vim-minimal
""".split()
PIP_PACKAGES = """
flask django requests numpy pandas gunicorn uvicorn fastapi sqlalchemy psycopg2-binary celery
redis boto3 pyyaml click pytest black ruff mypy httpx pydantic jinja2 lxml pillow scipy
""".split()
NPM_PACKAGES = """
typescript ts-node nodemon pm2 yarn pnpm eslint prettier @angular/cli serve http-server
webpack webpack-cli vite esbuild
""".split()

DEBIAN_BASES = [
    "debian:bookworm", "debian:bookworm-slim", "debian:bullseye-slim", "ubuntu:22.04",
    "ubuntu:24.04", "ubuntu", "debian", "buildpack-deps:bookworm", "python:3.12-slim",
    "node:20-bookworm-slim", "golang:1.22-bookworm", "ruby:3.3-slim",
]
ALPINE_BASES = ["alpine:3.20", "alpine", "python:3.12-alpine", "node:20-alpine", "golang:1.22-alpine"]
RPM_BASES = ["fedora:40", "rockylinux:9", "almalinux:9", "centos:7", "registry.access.redhat.com/ubi9/ubi-minimal"]
PY_BASES = ["python:3.12-slim", "python:3.11", "python:3.12-slim-bookworm"]
NODE_BASES = ["node:20-bookworm-slim", "node:22", "node:20-alpine"]


class Writer:
    """Collects lines; knows the escape character in force."""

    def __init__(self, rng: random.Random, escape: str = "\\") -> None:
        self.rng = rng
        self.escape = escape
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def chain(self, keyword: str, parts: list[str], joiner: str = "&&", indent: str = "    ",
              comments: bool = True) -> None:
        """``KEYWORD a && \\`` / ``    b && \\`` … with the occasional comment or blank line inside."""
        rng, esc = self.rng, self.escape
        if len(parts) == 1:
            self.add(f"{keyword} {parts[0]}")
            return
        leading = rng.random() < 0.5  # `&& cmd` at the start of lines instead of the end
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if index == 0:
                line = f"{keyword} {part}"
            elif leading:
                line = f"{indent}{joiner} {part}"
            else:
                line = f"{indent}{part}"
            if not last:
                line += f" {esc}" if leading else f" {joiner} {esc}"
            self.add(line)
            if not last and comments and rng.random() < 0.06:
                self.add(f"{indent}# {rng.choice(COMMENTS)}")
            if not last and comments and rng.random() < 0.01:
                self.add("")


COMMENTS = [
    "install the build toolchain", "keep this list sorted", "see https://example.invalid/docs",
    "TODO: pin these", "needed by the healthcheck", "cleanup", "locale", "for debugging only",
]


def pick(rng: random.Random, items: list[str], low: int, high: int) -> list[str]:
    return rng.sample(items, min(len(items), rng.randint(low, high)))


def pinned(rng: random.Random, name: str, manager: str) -> str:
    if rng.random() < 0.6:
        return name
    major, minor = rng.randint(0, 9), rng.randint(0, 40)
    if manager == "apt":
        return f"{name}={major}.{minor}-{rng.randint(1, 5)}"
    if manager == "apk":
        return f"{name}={major}.{minor}.{rng.randint(0, 9)}-r{rng.randint(0, 3)}"
    if manager == "pip":
        return f"{name}=={major}.{minor}.{rng.randint(0, 9)}"
    if manager == "npm":
        return f"{name}@{major}.{minor}.{rng.randint(0, 9)}"
    return f"{name}-{major}.{minor}"


def apt_run(w: Writer, packages: list[str]) -> None:
    rng = w.rng
    program = rng.choice(["apt-get", "apt-get", "apt-get", "apt"])
    flags = rng.choice(["-y", "-y --no-install-recommends", "--no-install-recommends -y", "-qq -y", ""])
    packages = [pinned(rng, p, "apt") for p in packages]
    if rng.random() < 0.5:
        packages = sorted(packages)
    style = rng.random()
    if style < 0.55:  # one package per line, the recommended form
        parts = ["apt-get update", f"{program} install {flags} {w.escape}".replace("  ", " ")]
        w.add(f"RUN {parts[0]} {'&&'} {w.escape}")
        w.add(f"    {parts[1]}")
        for package in packages:
            w.add(f"        {package} {w.escape}")
            if rng.random() < 0.04:
                w.add(f"        # {rng.choice(COMMENTS)}")
        if rng.random() < 0.7:
            w.add(f"    && rm -rf /var/lib/apt/lists/*")
        else:
            w.add(f"    && apt-get clean")
    elif style < 0.8:  # everything on a couple of lines
        cleanup = ["rm -rf /var/lib/apt/lists/*"] if rng.random() < 0.6 else []
        w.chain("RUN", ["apt-get update", f"{program} install {flags} {' '.join(packages)}".replace("  ", " ")] + cleanup)
    else:  # split layers: a classic mistake
        w.add("RUN apt-get update")
        w.add(f"RUN {program} install {flags} {' '.join(packages)}".replace("  ", " "))
        if rng.random() < 0.5:
            w.add("RUN rm -rf /var/lib/apt/lists/*")


def apk_run(w: Writer, packages: list[str]) -> None:
    rng = w.rng
    packages = [pinned(rng, p, "apk") for p in packages]
    if rng.random() < 0.6:
        w.chain("RUN", [f"apk add --no-cache {' '.join(packages)}"] + (["rm -rf /tmp/*"] if rng.random() < 0.3 else []))
    else:
        w.chain("RUN", ["apk update", f"apk add {' '.join(packages)}", "rm -rf /var/cache/apk/*"])
    if rng.random() < 0.2:
        w.chain("RUN", ["apk add --no-cache --virtual .build-deps gcc musl-dev", "pip install --no-cache-dir cffi",
                        "apk del .build-deps"])


def rpm_run(w: Writer, packages: list[str]) -> None:
    rng = w.rng
    manager = rng.choice(["dnf", "dnf", "yum", "microdnf"])
    packages = [pinned(rng, p, "rpm") for p in packages]
    clean = {"dnf": "dnf clean all", "yum": "yum clean all && rm -rf /var/cache/yum", "microdnf": "microdnf clean all"}
    parts = [f"{manager} install -y {' '.join(packages)}"]
    if rng.random() < 0.3:
        parts.insert(0, f"{manager} -y update")
    if rng.random() < 0.7:
        parts.append(clean[manager])
    w.chain("RUN", parts)


def pip_run(w: Writer) -> None:
    rng = w.rng
    packages = [pinned(rng, p, "pip") for p in pick(rng, PIP_PACKAGES, 1, 8)]
    choice = rng.random()
    if choice < 0.4:
        w.add("COPY requirements.txt /tmp/requirements.txt")
        w.add(rng.choice(["RUN pip install --no-cache-dir -r /tmp/requirements.txt",
                          "RUN pip install -r /tmp/requirements.txt",
                          "RUN --mount=type=cache,target=/root/.cache/pip pip install -r /tmp/requirements.txt"]))
    elif choice < 0.8:
        w.chain("RUN", ["pip install --upgrade pip", f"pip install --no-cache-dir {' '.join(packages)}"])
    else:
        w.chain("RUN", ["python -m venv /opt/venv", f"/opt/venv/bin/pip install {' '.join(packages)}"])


def npm_run(w: Writer) -> None:
    rng = w.rng
    w.add("COPY package.json package-lock.json ./")
    w.add(rng.choice(["RUN npm ci", "RUN npm ci --omit=dev", "RUN npm install", "RUN npm ci && npm cache clean --force"]))
    if rng.random() < 0.3:
        globals_ = [pinned(rng, p, "npm") for p in pick(rng, NPM_PACKAGES, 1, 3)]
        w.add(f"RUN npm install -g {' '.join(globals_)}")


def heredoc_run(w: Writer, manager: str) -> None:
    rng = w.rng
    delimiter = rng.choice(["EOF", "EOT", "SCRIPT"])
    quote = rng.choice(["", "'", '"'])
    w.add(f"RUN <<{quote}{delimiter}{quote}")
    w.add("set -eux")
    if manager == "apt":
        w.add("apt-get update")
        w.add(f"apt-get install -y --no-install-recommends {' '.join(pick(rng, APT_PACKAGES, 1, 5))}")
        w.add("rm -rf /var/lib/apt/lists/*")
    elif manager == "apk":
        w.add(f"apk add --no-cache {' '.join(pick(rng, APK_PACKAGES, 1, 5))}")
    else:
        w.add("echo 'configuring'")
    for _ in range(rng.randint(0, 6)):
        w.add(rng.choice(SHELL_LINES))
    w.add(delimiter)
    if rng.random() < 0.3:
        w.add(f"COPY <<EOF /etc/app.conf")
        w.add("listen = 0.0.0.0:8080")
        w.add("workers = 4")
        w.add("EOF")


SHELL_LINES = [
    "mkdir -p /app /data", "chown -R app:app /app", "ln -sf /usr/share/zoneinfo/UTC /etc/localtime",
    "echo 'en_US.UTF-8 UTF-8' > /etc/locale.gen && locale-gen",
    "curl -fsSL https://example.invalid/install.sh | sh",
    "if [ \"$TARGETARCH\" = arm64 ]; then echo arm; else echo amd; fi",
    "for f in /etc/profile.d/*.sh; do . \"$f\"; done",
    "useradd --create-home --shell /bin/bash app",
    "find /usr/local -name '*.pyc' -delete",
    "export PATH=\"/opt/bin:$PATH\"", "cd /tmp && tar -xzf app.tgz && rm app.tgz",
    "VERSION=$(cat /app/VERSION) && echo \"$VERSION\" > /app/version.txt",
    "case \"$(uname -m)\" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac",
    "sed -i 's/^#\\(.*\\)$/\\1/' /etc/app.conf", "chmod +x /usr/local/bin/entrypoint.sh",
]

LONG_CHAIN = [
    "set -eux", "export DEBIAN_FRONTEND=noninteractive", "mkdir -p /opt/tool",
    "curl -fsSL -o /tmp/tool.tgz https://example.invalid/tool-${VERSION}.tgz",
    "echo \"${SHA256}  /tmp/tool.tgz\" | sha256sum -c -", "tar -xzf /tmp/tool.tgz -C /opt/tool --strip-components=1",
    "rm /tmp/tool.tgz", "ln -s /opt/tool/bin/tool /usr/local/bin/tool", "tool --version",
    "groupadd --system app", "useradd --system --gid app --home /app app", "chown -R app:app /app",
    "find /opt/tool -name '*.a' -delete", "strip /opt/tool/bin/* || true",
    "rm -rf /tmp/* /var/tmp/*", "ldconfig", "update-ca-certificates",
]


def metadata(w: Writer) -> None:
    rng = w.rng
    for _ in range(rng.randint(0, 3)):
        w.add(rng.choice([
            "ENV LANG=C.UTF-8", "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1",
            "ENV PATH=/opt/venv/bin:$PATH", "ARG VERSION=1.2.3", "ARG TARGETARCH",
            "LABEL org.opencontainers.image.source=\"https://example.invalid/repo\"",
            "WORKDIR /app", "EXPOSE 8080", "USER app", "ENV NODE_ENV=production",
        ]))


def stage(w: Writer, family: str, base: str, name: str | None, budget: int) -> None:
    rng = w.rng
    w.add(f"FROM {base}" + (f" AS {name}" if name else ""))
    start = len(w.lines)
    metadata(w)
    while len(w.lines) - start < budget:
        choice = rng.random()
        if choice < 0.45:
            if family == "apt":
                apt_run(w, pick(rng, APT_PACKAGES, 1, 25))
            elif family == "apk":
                apk_run(w, pick(rng, APK_PACKAGES, 1, 15))
            elif family == "rpm":
                rpm_run(w, pick(rng, DNF_PACKAGES, 1, 12))
            elif family == "pip":
                (apt_run(w, pick(rng, APT_PACKAGES, 1, 6)) if rng.random() < 0.5 else pip_run(w))
            else:
                (npm_run(w) if rng.random() < 0.6 else apt_run(w, pick(rng, APT_PACKAGES, 1, 6)))
        elif choice < 0.55:
            heredoc_run(w, family)
        elif choice < 0.7:
            w.chain("RUN", rng.sample(LONG_CHAIN, rng.randint(3, len(LONG_CHAIN))))
        elif choice < 0.8:
            w.add(rng.choice(["COPY . /app", "COPY --chown=app:app src/ /app/src/", "ADD app.tar.gz /opt/",
                              "COPY --from=build /out/app /usr/local/bin/app", "COPY entrypoint.sh /usr/local/bin/"]))
        elif choice < 0.88:
            metadata(w)
        elif choice < 0.93:
            w.add(f"# {rng.choice(COMMENTS)}")
        else:
            w.add(rng.choice(SHELL_LINES).join(["RUN ", ""]))
    if rng.random() < 0.5:
        w.add(rng.choice(['CMD ["python", "-m", "app"]', 'ENTRYPOINT ["/usr/bin/tini", "--"]',
                          "CMD exec gunicorn app:app", 'CMD ["node", "server.js"]']))


def dockerfile(rng: random.Random) -> str:
    """One realistic Dockerfile."""
    family = rng.choices(["apt", "apk", "rpm", "pip", "npm"], weights=[55, 15, 10, 12, 8])[0]
    bases = {"apt": DEBIAN_BASES, "apk": ALPINE_BASES, "rpm": RPM_BASES, "pip": PY_BASES, "npm": NODE_BASES}[family]
    # Size: 5–400 lines, skewed small (most real Dockerfiles are under 60 lines).
    # A block adds up to ~30 lines, so aim at most at 360 to stay within 400.
    target = min(360, max(5, int(rng.lognormvariate(3.3, 0.8))))
    if rng.random() < 0.03:
        target = rng.randint(250, 380)
    escape = "`" if rng.random() < 0.04 else "\\"
    w = Writer(rng, escape)
    if escape == "`":
        w.add("# escape=`")
    elif rng.random() < 0.15:
        w.add("# syntax=docker/dockerfile:1")
    if rng.random() < 0.2:
        w.add("ARG BASE_TAG=latest")
    stages = 1 if target < 30 or rng.random() < 0.6 else rng.randint(2, 4)
    budget = max(1, target // stages - 2)
    for index in range(stages):
        last = index == stages - 1
        name = None if last and rng.random() < 0.7 else ("build" if index == 0 else f"stage{index}")
        stage(w, family, rng.choice(bases), name, budget)
        if not last:
            w.add("")
    while len(w.lines) < 5:
        w.add(rng.choice(["WORKDIR /app", "USER app", "EXPOSE 8080", 'CMD ["/bin/sh"]']))
    return "\n".join(w.lines) + "\n"


def write_corpus(directory: str, count: int = 1000, seed: int = 5) -> list[str]:
    """Write ``count`` Dockerfiles under ``directory`` (in project-like sub-directories) and
    return their paths in order."""
    rng = random.Random(seed)
    paths = []
    for index in range(count):
        folder = os.path.join(directory, f"project{index // 50:02d}", f"svc{index:04d}")
        os.makedirs(folder, exist_ok=True)
        name = rng.choice(["Dockerfile"] * 8 + ["Dockerfile.prod", "app.dockerfile"])
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(dockerfile(rng))
        paths.append(path)
    return paths


def digest(paths: list[str]) -> str:
    h = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as handle:
            h.update(handle.read())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Scaling inputs


def many_instructions(count: int, seed: int = 7) -> str:
    """A Dockerfile of ``count`` instructions (a realistic mix), all in one stage: the hardest
    case for rules that compare an instruction with the earlier ones of its stage."""
    rng = random.Random(seed)
    lines = []
    made = 0
    while made < count:
        if made == 0:
            lines.append("FROM debian:bookworm")
        else:
            kind = rng.random()
            if kind < 0.5:
                packages = " ".join(pick(rng, APT_PACKAGES, 1, 4))
                lines.append(f"RUN apt-get update && apt-get install -y --no-install-recommends {packages} "
                             "&& rm -rf /var/lib/apt/lists/*")
            elif kind < 0.7:
                lines.append(f"RUN {rng.choice(SHELL_LINES)}")
            elif kind < 0.85:
                lines.append(f"ENV VAR{made}=value{made}")
            else:
                lines.append(f"COPY file{made} /app/file{made}")
        made += 1
    return "\n".join(lines) + "\n"


def many_packages(count: int) -> str:
    """One RUN installing ``count`` packages, one per line."""
    lines = ["FROM debian:bookworm", "RUN apt-get update \\", "    && apt-get install -y --no-install-recommends \\"]
    lines.extend(f"        pkg{index:05d}=1.{index % 97}-1 \\" for index in range(count))
    lines.append("    && rm -rf /var/lib/apt/lists/*")
    return "\n".join(lines) + "\n"


GENERATORS: dict[str, Callable[[int], str]] = {"instructions": many_instructions, "packages": many_packages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    paths = write_corpus(args.out, args.count, args.seed)
    lines = [sum(1 for _ in open(p, encoding="utf-8")) for p in paths]
    print(f"{len(paths)} files, {sum(lines)} lines (min {min(lines)}, max {max(lines)}), digest {digest(paths)}")


if __name__ == "__main__":
    main()
