#!/usr/bin/env bash
# Builds the Sluice container image from the .deb without a container engine, with Debian's own
# tools: mmdebstrap makes a minimal Debian 12 root (minbase, plus ca-certificates, tini, tzdata
# and the .deb, installed by dpkg so its postinst creates the sluice user as on a host), and umoci
# turns it into an OCI image of one layer with the same settings as packaging/docker/Dockerfile.
# Writes:
#   OUT_DIR/sluice-oci                   the OCI image layout (tag: the package version)
#   OUT_DIR/sluice-<version>-oci.tar     the same layout as one tarball (an "oci-archive")
# Load it with `podman load -i OUT_DIR/sluice-<version>-oci.tar` or
# `skopeo copy oci-archive:OUT_DIR/sluice-<version>-oci.tar docker-daemon:sluice:<version>`
# (docs/install.md#docker).
#
# Needs: root (mmdebstrap's root mode, a chroot), mmdebstrap, umoci, jq, Debian's mirror.
# Usage: packaging/docker/build-oci.sh SLUICE.deb OUT_DIR
# Environment: SOURCE_DATE_EPOCH  the image's creation time and the newest mtime in the layer
#              (default: now); DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR  other mirrors.
#
# The uid and gid 10001 are the ones the Dockerfile's user has and the Kubernetes manifests and the
# Helm chart run as (runAsUser/runAsGroup 10001): the user is made before the .deb is installed,
# so the package's postinst finds it and keeps it. The image's user is the uid alone: a number, so
# that Kubernetes can check runAsNonRoot without a runAsUser, and no group, so that the runtime
# takes the groups from the image (sluice, and adm, which the postinst adds).
set -euo pipefail
usage="usage: $0 SLUICE.deb OUT_DIR"
deb="${1:?$usage}"
out="${2:?$usage}"
[ -f "$deb" ] || { echo "build-oci: $deb does not exist" >&2; exit 2; }
deb="$(realpath "$deb")"
for tool in mmdebstrap umoci dpkg-deb tar jq; do
  command -v "$tool" >/dev/null || { echo "build-oci: $tool is not installed" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "build-oci: needs root (mmdebstrap root mode, chroot)" >&2; exit 2; }

package="$(dpkg-deb -f "$deb" Package)"
[ "$package" = sluice ] || { echo "build-oci: $deb is package '$package', not sluice" >&2; exit 2; }
version="$(dpkg-deb -f "$deb" Version)"
arch="$(dpkg-deb -f "$deb" Architecture)"
tag="${version//[^A-Za-z0-9._-]/-}"  # an OCI tag: no '~', '+' or ':' (epochs)
uid=10001
suite=bookworm
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(date +%s)}"
created="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
log() { echo "build-oci: $*" >&2; }
started="$(date +%s)"

mkdir -p "$out"
out="$(realpath "$out")"
layout="$out/sluice-oci"
archive="$out/sluice-$tag-oci.tar"
# Under /tmp: the .deb is bind-mounted at the same path inside the root for dpkg (the
# file-mirror-automount hook), and mmdebstrap empties the root's /tmp when it is done.
work="$(mktemp -d /tmp/sluice-oci.XXXXXX)"
rootfs="$work/rootfs"
trap 'rm -rf --one-file-system "$work"' EXIT
staged="$work/sluice_${tag}_$arch.deb"
cp "$deb" "$staged"

# Before the .deb: the user and group sluice with uid/gid 10001 (the postinst keeps an existing
# user and adds it to group adm, as on a host). The host's groupadd and useradd write the root's
# files (--root): the root's own passwd package is not yet installed at this stage.
essential_hook="groupadd --root \"\$1\" --system --gid $uid sluice && \
useradd --root \"\$1\" --uid $uid --gid $uid --home-dir /var/lib/sluice --no-create-home \
--shell /usr/sbin/nologin --comment 'Sluice log shipper' sluice"
# After: what a container never uses. mmdebstrap already removed the apt lists and caches; the
# host's resolv.conf and hostname it copied in are the runtime's to provide.
# shellcheck disable=SC2016  # "$1" is the hook's argument, expanded by mmdebstrap's shell
customize_hook='rm -f "$1"/etc/resolv.conf "$1"/etc/hostname "$1"/var/cache/apt/*.bin \
"$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old "$1"/var/log/apt/*.log "$1"/var/log/*.log \
&& rm -rf "$1"/var/cache/man'

log "making the root: Debian $suite minbase + ca-certificates tini tzdata $(basename "$deb")"
# merged-usr: the /usr symlinks made directly, as debootstrap does, not by the usrmerge package
# (which would bring perl, 50 MB). The path-exclude rules are debian:12-slim's (they stay in the
# image for later apt-get installs): no documentation but the copyright files (those of the
# libraries linked into sluice included).
if ! mmdebstrap --variant=minbase --architectures="$arch" --components=main \
  --include=ca-certificates,tini,tzdata --include="$staged" \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
  --aptopt='Acquire::Languages "none"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --dpkgopt='path-exclude=/usr/share/lintian/*' \
  --essential-hook="$essential_hook" --customize-hook="$customize_hook" \
  "$suite" "$rootfs" \
  "deb $mirror $suite main" "deb $mirror $suite-updates main" \
  "deb $security $suite-security main" >"$work/mmdebstrap.log" 2>&1; then
  tail -n 40 "$work/mmdebstrap.log" >&2
  log "mmdebstrap failed (its last lines are above)"
  exit 1
fi

# One layer: the root as it is, owners by number, in a stable order. /dev, /proc, /sys and /run
# are the runtime's (mmdebstrap made device nodes in /dev).
log "packing the layer"
tar --create --file "$work/layer.tar" --directory "$rootfs" --sort=name --numeric-owner \
  --xattrs --xattrs-include=security.capability --mtime="@$SOURCE_DATE_EPOCH" --clamp-mtime \
  --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' --exclude='./run/*' .

log "making the OCI image $layout:$tag"
rm -rf "$layout" "$archive"
umoci init --layout "$layout"
umoci new --image "$layout:$tag"
created_by="mmdebstrap --variant=minbase --include=ca-certificates,tini,tzdata,$(basename "$deb")"
umoci raw add-layer --image "$layout:$tag" --history.created "$created" \
  --history.created_by "$created_by $suite" "$work/layer.tar"
# The settings of packaging/docker/Dockerfile. Not here: HEALTHCHECK, a Docker extension that OCI
# image configs do not have (Docker reads it from its own image format only; Kubernetes uses the
# pod's liveness and readiness probes on /health and /ready instead). `docker run` users can add
# --health-cmd (docs/install.md#docker).
source_url="https://github.com/sluice-dev/sluice"
description="Sluice log shipping agent and collector (Debian 12, from $(basename "$deb"))"
labels=(
  "org.opencontainers.image.title=sluice"
  "org.opencontainers.image.description=$description"
  "org.opencontainers.image.version=$version"
  "org.opencontainers.image.created=$created"
  "org.opencontainers.image.source=$source_url"
  "org.opencontainers.image.url=$source_url"
  "org.opencontainers.image.vendor=The Sluice developers"
)
label_args=()
for label in "${labels[@]}"; do
  label_args+=(--config.label "$label" --manifest.annotation "$label")
done
umoci config --image "$layout:$tag" --no-history --created "$created" \
  --author "The Sluice developers" --os linux --architecture "$arch" \
  --config.user "$uid" \
  --config.entrypoint /usr/bin/tini --config.entrypoint -- --config.entrypoint /usr/bin/sluice \
  --config.cmd run --config.cmd -c --config.cmd /etc/sluice/agent.yaml \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --config.env SLUICE_DATA=/var/lib/sluice \
  --config.env SLUICE_ADMIN_LISTEN=0.0.0.0:9600 \
  --config.exposedports 9600/tcp \
  --config.volume /var/lib/sluice \
  --config.workingdir /var/lib/sluice \
  --config.stopsignal SIGTERM \
  "${label_args[@]}"
umoci gc --layout "$layout"
# The name `podman load` gives the image: it reads containerd's annotation first (the OCI ref.name
# is the tag alone, for skopeo and umoci: oci:OUT_DIR/sluice-oci:<version>).
jq --arg name "docker.io/library/sluice:$tag" \
  '.manifests[0].annotations["io.containerd.image.name"] = $name' "$layout/index.json" \
  >"$work/index.json"
cp "$work/index.json" "$layout/index.json"

log "writing $archive"
tar --create --file "$archive" --directory "$layout" --sort=name --numeric-owner --owner=0 \
  --group=0 --mtime="@$SOURCE_DATE_EPOCH" --clamp-mtime oci-layout index.json blobs

# Sizes: what a pull transfers (the compressed layer) and what it takes once unpacked.
manifest="$(jq -r '.manifests[0].digest' "$layout/index.json")"
compressed="$(jq '[.layers[].size] | add' "$layout/blobs/sha256/${manifest#sha256:}")"
unpacked="$(du -sb "$rootfs" | cut -f1)"
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "image: $layout:$tag ($arch), $archive"
echo "image size: $(mib "$compressed") compressed, $(mib "$unpacked") unpacked" \
  "($compressed and $unpacked bytes); built in $(($(date +%s) - started)) s"
