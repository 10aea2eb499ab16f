#!/usr/bin/env bash
# Make sure a Docker engine answers at DOCKER_HOST (or the default socket).
# If none does and we are root with apt, install Debian's docker.io and start
# dockerd in the background with no bridge network (builds use --network host).
# Idempotent: does nothing when an engine already answers.
set -euo pipefail

LOG=/tmp/dlint-dockerd.log
PIDFILE=/tmp/dlint-dockerd.pid
SOCK=/var/run/docker.sock

# Prefer Debian's CLI: the newer one first on PATH lacks buildx, but both talk
# to the engine fine for `docker version`.
docker_cli() {
    if [[ -x /usr/bin/docker ]]; then echo /usr/bin/docker
    elif command -v docker >/dev/null 2>&1; then command -v docker
    fi
}

engine_up() {
    local cli
    cli=$(docker_cli)
    [[ -n "$cli" ]] && "$cli" version >/dev/null 2>&1
}

if engine_up; then
    echo "engine.sh: engine already reachable ($(docker_cli))"
    exit 0
fi

if [[ -n "${DOCKER_HOST:-}" && "${DOCKER_HOST}" != unix://${SOCK} ]]; then
    echo "engine.sh: DOCKER_HOST=${DOCKER_HOST} does not answer; not starting a local engine" >&2
    exit 1
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "engine.sh: no engine reachable, and cannot install one (need root and apt-get)" >&2
    exit 1
fi

# Serialise concurrent runs; dockerd below must not inherit this lock (9>&-).
exec 9>/tmp/dlint-engine.lock
flock 9
engine_up && { echo "engine.sh: engine came up meanwhile"; exit 0; }

PKGS=(docker.io containerd runc tini iptables busybox-static debootstrap)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "engine.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Keep the package's init script from starting a default dockerd (with a
    # bridge and iptables rules): policy-rc.d exit 101 forbids service starts.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt_install() { apt-get install -y --no-install-recommends "${missing[@]}"; }
    # Only refresh package lists when the cached ones are missing or stale.
    if ! apt_install; then
        apt-get update
        apt_install
    fi
fi

# A previous dockerd of ours may still be starting; only start one if not.
if [[ -f $PIDFILE ]] && [[ $(cat "/proc/$(cat "$PIDFILE")/comm" 2>/dev/null) == dockerd ]]; then
    echo "engine.sh: dockerd already started (pid $(cat "$PIDFILE")), waiting for it"
else
    echo "engine.sh: starting dockerd (log $LOG)"
    # No bridge, no iptables: there is no container network, builds use the host's.
    # setsid: a Ctrl-C in the shell or test run that started it must not stop it.
    setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false \
        >"$LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$PIDFILE"
fi

for _ in $(seq 60); do
    if [[ -S $SOCK ]] && engine_up; then
        echo "engine.sh: engine up: $("$(docker_cli)" version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
        exit 0
    fi
    sleep 1
done

echo "engine.sh: dockerd did not answer within 60 s; last lines of $LOG:" >&2
tail -n 30 "$LOG" >&2 || true
exit 1
