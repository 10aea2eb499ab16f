#!/usr/bin/env bash
# The whole test suite, on a fresh machine: a virtual environment with dlint and its test
# dependencies, a Docker engine with the local base images (when this is root on Debian; see
# scripts/engine.sh), a second engine with the containerd image store (dockerd 26 from Debian
# trixie, unpacked, not installed; see scripts/engine_containerd.sh), Podman's Docker API
# (scripts/engine_podman.sh), then pytest. Engine tests skip without an engine, unless
# DLINT_REQUIRE_ENGINE=1 (as in CI), which turns the skip into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  if ! { bash scripts/engine.sh && bash scripts/base_images.sh; }; then
    echo "scripts/test.sh: no Docker engine; engine tests will skip (or fail with DLINT_REQUIRE_ENGINE=1)" >&2
  else
    if ! timeout 900 bash scripts/engine_containerd.sh; then
      echo "scripts/test.sh: no containerd-store engine; its tests will skip (or fail with DLINT_REQUIRE_ENGINE=1)" >&2
    fi
    if ! timeout 900 bash scripts/engine_podman.sh; then
      echo "scripts/test.sh: no Podman Docker API; its tests will skip (or fail with DLINT_REQUIRE_ENGINE=1)" >&2
    fi
  fi
fi

exec .venv/bin/python -m pytest "$@"
