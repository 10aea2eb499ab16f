#!/usr/bin/env bash
# A second engine for the tests: dockerd 26 with the containerd image store (what new Docker
# installs use), next to the system's Docker 20.10 (classic store), never instead of it.
#
# Debian trixie's docker.io, docker-cli, docker-buildx and containerd packages are fetched from
# the Debian mirror apt already uses (a private apt directory with a trixie source list; the
# system's apt state is not touched) and unpacked with dpkg-deb -x into $ROOT/pkg: nothing is
# installed. trixie's runc needs a newer glibc than bookworm's, so the system's runc is used.
# containerd runs with its own root, state and socket; dockerd with --containerd on it, the
# containerd snapshotter feature, its own data root, exec root, pid file and socket, and no
# bridge or iptables (builds use --network host). The local base images are copied in from
# the default engine (docker save | docker load).
#
# Idempotent (does nothing when the engine answers and has the images), serialised by a lock,
# time-bounded (downloads and start-up have timeouts). Prints the socket's DOCKER_HOST.
#   DLINT_ENGINE26_DIR   where packages, state and logs go (default /var/tmp/dlint-engine26)
#   DLINT_ENGINE26_SOCK  dockerd's socket (default /run/dlint-engine26/docker.sock)
set -euo pipefail

ROOT=${DLINT_ENGINE26_DIR:-/var/tmp/dlint-engine26}
SOCK=${DLINT_ENGINE26_SOCK:-/run/dlint-engine26/docker.sock}
RUNDIR=$(dirname "$SOCK")
PKG=$ROOT/pkg
CLI=$PKG/usr/bin/docker
BUSYBOX_IMAGE=${DLINT_BUSYBOX_IMAGE:-dlint-test/busybox:latest}
DEBIAN_IMAGE=${DLINT_DEBIAN_IMAGE:-dlint-test/debian:bookworm}
PACKAGES=(docker.io docker-cli docker-buildx containerd)
SUITE=trixie

say() { echo "engine_containerd.sh: $*"; }
die() { echo "engine_containerd.sh: $*" >&2; exit 1; }
# The default (classic) engine, through Debian's CLI when there is one.
if [[ -x /usr/bin/docker ]]; then SYSTEM_DOCKER=/usr/bin/docker; else SYSTEM_DOCKER=docker; fi

up() { [[ -x $CLI ]] && timeout 10 "$CLI" -H "unix://$SOCK" version >/dev/null 2>&1; }
have_images() {
    timeout 10 "$CLI" -H "unix://$SOCK" image inspect "$BUSYBOX_IMAGE" "$DEBIAN_IMAGE" >/dev/null 2>&1
}

if up && have_images && [[ -x $ROOT/bin/docker ]]; then
    say "engine up at unix://$SOCK"
    exit 0
fi
[[ $(id -u) -eq 0 ]] || die "needs root to start containerd and dockerd"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "needs apt-get and dpkg-deb"

mkdir -p "$ROOT" "$RUNDIR"
exec 9>"$ROOT/.lock"
flock -w 600 9 || die "another run holds $ROOT/.lock"

# 1. The packages, unpacked (once).
if [[ ! -x $PKG/usr/sbin/dockerd || ! -x $PKG/usr/bin/containerd || ! -x $CLI ]]; then
    t0=$SECONDS
    mirror=${DLINT_DEBIAN_MIRROR:-}
    if [[ -z $mirror ]]; then
        # The first Debian URI in apt's sources (one-line or deb822 format).
        mirror=$(grep -rhoE '(URIs:[[:space:]]*|^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
            /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | grep -oE 'https?://[^[:space:]]+' | head -n1 || true)
    fi
    [[ -n $mirror ]] || die "no Debian mirror in apt's sources; set DLINT_DEBIAN_MIRROR"
    apt_dir=$ROOT/apt
    rm -rf "$apt_dir" "$ROOT/debs" "$PKG.new"
    mkdir -p "$apt_dir/etc/apt.conf.d" "$apt_dir/etc/preferences.d" "$apt_dir/lists/partial" \
        "$apt_dir/cache/archives/partial" "$ROOT/debs"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/} $SUITE main" \
        >"$apt_dir/etc/sources.list"
    APT_OPTS=(-q -o "Dir::Etc=$apt_dir/etc" -o "Dir::Etc::sourcelist=$apt_dir/etc/sources.list"
        -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
        -o Dir::State::status=/dev/null -o Debug::NoLocking=1 -o APT::Sandbox::User=root
        -o Acquire::Retries=3 -o Acquire::http::Timeout=60)
    say "fetching ${PACKAGES[*]} from $mirror $SUITE"
    timeout 300 apt-get "${APT_OPTS[@]}" update >"$ROOT/apt.log" 2>&1 || { tail -n 20 "$ROOT/apt.log" >&2; die "apt-get update ($SUITE) failed"; }
    (cd "$ROOT/debs" && timeout 600 apt-get "${APT_OPTS[@]}" download "${PACKAGES[@]}") >>"$ROOT/apt.log" 2>&1 ||
        { tail -n 20 "$ROOT/apt.log" >&2; die "apt-get download failed"; }
    mkdir -p "$PKG.new"
    for deb in "$ROOT"/debs/*.deb; do dpkg-deb -x "$deb" "$PKG.new"; done
    rm -rf "$PKG" && mv "$PKG.new" "$PKG"
    rm -rf "$ROOT/debs" "$apt_dir"
    say "unpacked into $PKG in $((SECONDS - t0)) s"
fi

# A Docker 26 CLI with trixie's buildx 0.13 as its plugin (found through its own config
# directory, so the user's ~/.docker is not touched): dlint's --docker-cli for BuildKit builds
# read through --progress=rawjson.
mkdir -p "$ROOT/bin" "$ROOT/docker-config"
printf '{"cliPluginsExtraDirs": ["%s"]}\n' "$PKG/usr/libexec/docker/cli-plugins" >"$ROOT/docker-config/config.json"
printf '#!/bin/sh\nexport DOCKER_CONFIG="${DLINT_BUILDX_CONFIG:-%s}"\nexec "%s" "$@"\n' \
    "$ROOT/docker-config" "$CLI" >"$ROOT/bin/docker"
chmod 755 "$ROOT/bin/docker"

# 2. containerd, with its own root, state and socket.
export PATH=$PKG/usr/bin:$PKG/usr/sbin:$PATH
CTR_SOCK=$RUNDIR/containerd.sock
alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
if ! alive "$ROOT/containerd.pid"; then
    cat >"$ROOT/containerd.toml" <<EOF
version = 2
root = "$ROOT/containerd-root"
state = "$RUNDIR/containerd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTR_SOCK"
[ttrpc]
  address = "$CTR_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
    say "starting containerd (log $ROOT/containerd.log)"
    # setsid: a Ctrl-C in the shell or test run that started it must not stop it.
    setsid nohup "$PKG/usr/bin/containerd" --config "$ROOT/containerd.toml" >"$ROOT/containerd.log" 2>&1 </dev/null 9>&- &
    echo $! >"$ROOT/containerd.pid"
fi
for _ in $(seq 30); do [[ -S $CTR_SOCK ]] && break; sleep 1; done
[[ -S $CTR_SOCK ]] || { tail -n 20 "$ROOT/containerd.log" >&2; die "containerd did not start within 30 s"; }

# 3. dockerd 26 on that containerd, with the containerd image store.
if ! alive "$ROOT/dockerd.pid"; then
    echo '{"features": {"containerd-snapshotter": true}}' >"$ROOT/daemon.json"
    say "starting dockerd 26 (log $ROOT/dockerd.log)"
    setsid nohup "$PKG/usr/sbin/dockerd" --containerd "$CTR_SOCK" --config-file "$ROOT/daemon.json" \
        --data-root "$ROOT/docker-root" --exec-root "$RUNDIR/docker-exec" --pidfile "$ROOT/dockerd.pid" \
        -H "unix://$SOCK" --bridge=none --iptables=false --ip-masq=false \
        >"$ROOT/dockerd.log" 2>&1 </dev/null 9>&- &
    # dockerd writes its own pid file (it refuses to start when that file names a live process).
fi
for _ in $(seq 60); do up && break; sleep 1; done
up || { tail -n 30 "$ROOT/dockerd.log" >&2; die "dockerd did not answer at unix://$SOCK within 60 s"; }
store=$("$CLI" -H "unix://$SOCK" info --format '{{json .DriverStatus}}')
[[ $store == *io.containerd.snapshotter* ]] || die "dockerd at unix://$SOCK does not use the containerd image store ($store)"

# 4. The base images, copied from the default engine.
for image in "$BUSYBOX_IMAGE" "$DEBIAN_IMAGE"; do
    if ! "$CLI" -H "unix://$SOCK" image inspect "$image" >/dev/null 2>&1; then
        "$SYSTEM_DOCKER" image inspect "$image" >/dev/null 2>&1 ||
            die "$image is not on the default engine (run scripts/base_images.sh first)"
        timeout 300 "$SYSTEM_DOCKER" save "$image" | timeout 300 "$CLI" -H "unix://$SOCK" load -q >/dev/null ||
            die "copying $image into the containerd store failed"
        say "loaded $image"
    fi
done
say "engine up at unix://$SOCK: $("$CLI" -H "unix://$SOCK" version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}'), containerd image store"
