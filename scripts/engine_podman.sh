#!/usr/bin/env bash
# A third engine for the tests: Podman serving the Docker API (`podman system service`), the
# way Podman users point Docker tools at it (DOCKER_HOST=unix://…/podman.sock).
#
# Installs Debian's podman package when it is missing (root and apt needed; it starts no
# service by itself), starts `podman system service --time=0` on its own socket in the
# background, and copies the local base images in from the default engine
# (docker save | docker load through the Docker API). Idempotent, serialised, time-bounded.
#   DLINT_PODMAN_SOCK  the socket (default /run/dlint-podman/podman.sock)
set -euo pipefail

SOCK=${DLINT_PODMAN_SOCK:-/run/dlint-podman/podman.sock}
RUNDIR=$(dirname "$SOCK")
LOG=/var/tmp/dlint-podman.log
BUSYBOX_IMAGE=${DLINT_BUSYBOX_IMAGE:-dlint-test/busybox:latest}
DEBIAN_IMAGE=${DLINT_DEBIAN_IMAGE:-dlint-test/debian:bookworm}

say() { echo "engine_podman.sh: $*"; }
die() { echo "engine_podman.sh: $*" >&2; exit 1; }
if [[ -x /usr/bin/docker ]]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi

up() { timeout 10 "$DOCKER" -H "unix://$SOCK" version >/dev/null 2>&1; }
have_images() { timeout 10 "$DOCKER" -H "unix://$SOCK" image inspect "$BUSYBOX_IMAGE" "$DEBIAN_IMAGE" >/dev/null 2>&1; }

if up && have_images; then
    say "Podman's Docker API up at unix://$SOCK"
    exit 0
fi
[[ $(id -u) -eq 0 ]] || die "needs root to start podman system service"
mkdir -p "$RUNDIR"
exec 9>"$RUNDIR/.lock"
flock -w 600 9 || die "another run holds $RUNDIR/.lock"

if ! command -v podman >/dev/null 2>&1; then
    command -v apt-get >/dev/null || die "podman is not installed and there is no apt-get"
    say "installing Debian's podman"
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 apt-get install -y --no-install-recommends podman >"$LOG.apt" 2>&1 ||
        { timeout 300 apt-get update >>"$LOG.apt" 2>&1 &&
          timeout 600 apt-get install -y --no-install-recommends podman >>"$LOG.apt" 2>&1; } ||
        { tail -n 20 "$LOG.apt" >&2; die "apt-get install podman failed"; }
fi

if ! up; then
    say "starting podman system service (log $LOG)"
    rm -f "$SOCK"
    # setsid: a Ctrl-C in the shell or test run that started it must not stop it.
    setsid nohup podman system service --time=0 "unix://$SOCK" >"$LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$RUNDIR/podman.pid"
    for _ in $(seq 30); do up && break; sleep 1; done
    up || { tail -n 20 "$LOG" >&2; die "podman system service did not answer at unix://$SOCK within 30 s"; }
fi

for image in "$BUSYBOX_IMAGE" "$DEBIAN_IMAGE"; do
    if ! "$DOCKER" -H "unix://$SOCK" image inspect "$image" >/dev/null 2>&1; then
        "$DOCKER" image inspect "$image" >/dev/null 2>&1 ||
            die "$image is not on the default engine (run scripts/base_images.sh first)"
        timeout 300 "$DOCKER" save "$image" | timeout 300 "$DOCKER" -H "unix://$SOCK" load -q >/dev/null ||
            die "copying $image into Podman failed"
        say "loaded $image"
    fi
done
say "Podman's Docker API up at unix://$SOCK: $(podman --version)"
