#!/usr/bin/env bash
# Build the two local base images the engine tests use (nothing can be pulled
# here), each only if it is missing, so they are made once and reused by name:
#   dlint-test/busybox:latest  - scratch + Debian's static busybox
#   dlint-test/debian:bookworm - debootstrap minbase, apt pointed at the host's mirror
# The names are also constants in tests/engine_env.py, which passes them here.
set -euo pipefail

BUSYBOX_IMAGE=${DLINT_BUSYBOX_IMAGE:-dlint-test/busybox:latest}
DEBIAN_IMAGE=${DLINT_DEBIAN_IMAGE:-dlint-test/debian:bookworm}
SUITE=bookworm

# Debian's CLI with the classic builder: the docker first on PATH may be a
# newer client that lacks buildx.
if [[ -x /usr/bin/docker ]]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi
export DOCKER_BUILDKIT=0

# Serialise concurrent runs (e.g. parallel test workers) so an image is built once.
exec 9>/tmp/dlint-base-images.lock
flock 9

# The tools come from Debian (engine.sh installs them too); install if we can.
need_pkgs() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        echo "base_images.sh: need Debian packages: ${missing[*]}" >&2; exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" ||
        { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; }
}

have() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

WORK=$(mktemp -d /var/tmp/dlint-base.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Print "URI SUITE" for every enabled deb source apt uses, one-line or deb822.
apt_sources() {
    local files=()
    [[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] && files+=("$f")
    done
    ((${#files[@]})) || return 0
    awk '
    function flush(  n, m, i, j, U, S) {
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) !~ /no/) {
            n = split(uris, U); m = split(suites, S)
            for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) print U[i], S[j]
        }
        types = uris = suites = enabled = ""
    }
    function val() { return substr($0, index($0, ":") + 1) }
    FNR == 1 { flush() }
    FILENAME ~ /\.sources$/ {
        if ($0 ~ /^[ \t]*$/) { flush(); next }
        if ($0 ~ /^#/) next
        k = tolower($1)
        if (k == "types:") types = val()
        else if (k == "uris:") uris = val()
        else if (k == "suites:") suites = val()
        else if (k == "enabled:") enabled = val()
        next
    }
    /^[ \t]*deb[ \t]/ { line = $0; gsub(/\[[^]]*\]/, "", line); split(line, F); print F[2], F[3] }
    END { flush() }
    ' "${files[@]}"
}

build_busybox() {
    local t0 bb
    t0=$(now)
    need_pkgs busybox-static
    bb=/bin/busybox
    # Debian's busybox-static puts the static binary at /bin/busybox; a
    # dynamic one would not run in a scratch image.
    if [[ ! -x $bb ]] || [[ $(ldd "$bb" 2>&1 || true) != *"not a dynamic executable"* ]]; then
        echo "base_images.sh: $bb is not a static busybox (apt-get install busybox-static)" >&2
        exit 1
    fi
    mkdir -p "$WORK/busybox"
    cp "$bb" "$WORK/busybox/busybox"
    cat >"$WORK/busybox/Dockerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["sh"]
EOF
    "$DOCKER" build -q --network host -t "$BUSYBOX_IMAGE" "$WORK/busybox" >/dev/null
    echo "base_images.sh: built $BUSYBOX_IMAGE in $(took "$t0")"
}

build_debian() {
    local t0 mirror security root
    t0=$(now)
    mirror=${DLINT_DEBIAN_MIRROR:-$(apt_sources | awk -v s="$SUITE" '$2 == s { sub(/\/+$/, "", $1); print $1; exit }')}
    security=$(apt_sources | awk -v s="$SUITE-security" '$2 == s { sub(/\/+$/, "", $1); print $1; exit }')
    if [[ -z $mirror ]]; then
        echo "base_images.sh: no '$SUITE' mirror in apt's sources; set DLINT_DEBIAN_MIRROR" >&2
        exit 1
    fi
    need_pkgs debootstrap
    root=$WORK/rootfs
    echo "base_images.sh: debootstrap $SUITE from $mirror"
    debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$WORK/debootstrap.log" 2>&1 || {
        tail -n 30 "$WORK/debootstrap.log" >&2; exit 1; }

    # apt sources as in the official image (deb822), but on the host's mirror,
    # so apt-get update/install in builds works with the host network.
    rm -f "$root/etc/apt/sources.list"
    {
        printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$mirror" "$SUITE" "$SUITE"
        if [[ -n $security ]]; then
            printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                "$security" "$SUITE"
        fi
    } >"$root/etc/apt/sources.list.d/debian.sources"

    # apt settings like the official image's, so layer sizes match what users see:
    # no .deb or .bin caches left in layers, compressed indexes, no translations.
    local conf=$root/etc/apt/apt.conf.d
    cat >"$conf/docker-clean" <<'EOF'
// Drop downloaded packages and apt's binary caches after each dpkg run / update,
// so they never end up in an image layer.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    echo 'Acquire::GzipIndexes "true";' >"$conf/docker-gzip-indexes"
    echo 'Acquire::Languages "none";' >"$conf/docker-no-languages"
    echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$conf/docker-autoremove-suggests"
    # Services must not start inside builds.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"

    # Like the official image: no package lists or caches; the engine provides
    # resolv.conf and hostname at run time.
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
    rm -f "$root/etc/resolv.conf" "$root/etc/hostname"
    mkdir -p "$root/var/lib/apt/lists/partial"

    tar --numeric-owner -C "$root" -c . | "$DOCKER" import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
    echo "base_images.sh: built $DEBIAN_IMAGE in $(took "$t0")"
}

"$DOCKER" version >/dev/null 2>&1 || { echo "base_images.sh: no engine answers (run scripts/engine.sh)" >&2; exit 1; }
T0=$(now)
if have "$BUSYBOX_IMAGE"; then echo "base_images.sh: $BUSYBOX_IMAGE present"; else build_busybox; fi
if have "$DEBIAN_IMAGE"; then echo "base_images.sh: $DEBIAN_IMAGE present"; else build_debian; fi
echo "base_images.sh: done in $(took "$T0")"
