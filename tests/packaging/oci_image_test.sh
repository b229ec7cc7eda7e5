#!/usr/bin/env bash
# Builds the OCI image from the .deb with packaging/docker/build-oci.sh (or takes one it built),
# unpacks it with umoci into a runtime bundle as a container engine would, and checks: the image
# config (a non-root user who is sluice, tini first in the entrypoint then sluice, the command, the
# environment, port 9600/tcp, the volume, SIGTERM); inside the unpacked root via chroot, as that
# user with that environment: the entrypoint runs `sluice version`, both shipped configs
# validate, /var/lib/sluice is sluice's, `sluice run` answers the Dockerfile's HEALTHCHECK command
# on /health and exits 0 on SIGTERM; nothing of the build is left inside; and the image stays
# under a size limit. One line per check (ok:/FAIL:); exits 1 when any fails.
# Needs: root (chroot, umoci unpack), mmdebstrap, umoci, jq, Debian's mirror (for the build).
# Usage: oci_image_test.sh SLUICE.deb [OUT_DIR]
#   OUT_DIR  where build-oci.sh already wrote the image for this .deb: test it instead of building
#            one in a temporary directory
# `ok` and `fail` always succeed: `check && ok || fail` is an if-else here. cleanup runs from the
# EXIT trap; the single-quoted $vars are for jq and sh -c.
# shellcheck disable=SC2015,SC2317,SC2016
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
deb="$(realpath "${1:?usage: $0 SLUICE.deb [OUT_DIR]}")"
given_out="${2:-}"
# Limits with margin over what was measured for 0.1.0 (docs/install.md#docker): a dependency or
# a leftover that adds tens of MB fails the test.
max_compressed_mib=50
max_unpacked_mib=125
[ "$(id -u)" = 0 ] || { echo "FAIL: the OCI image test needs root (chroot, umoci unpack)"; exit 1; }
for tool in mmdebstrap umoci jq dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
done
work="$(mktemp -d)"
bundle="$work/bundle"
root="$bundle/rootfs"
sluice_pid=""
cleanup() {
  # Every process still running in the test's root (sluice, tini), then its mounts.
  local proc
  for proc in /proc/[0-9]*; do
    if [ "$(readlink "$proc/root" 2>/dev/null)" = "$root" ]; then
      kill -KILL "${proc#/proc/}" 2>/dev/null || true
    fi
  done
  if [ -n "$sluice_pid" ]; then wait "$sluice_pid" 2>/dev/null || true; fi
  for mount_point in "$root/proc" "$root/dev"; do
    if mountpoint -q "$mount_point"; then
      umount "$mount_point" || umount -l "$mount_point" || true
    fi
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

version="$(dpkg-deb -f "$deb" Version)"
tag="${version//[^A-Za-z0-9._-]/-}"
if [ -n "$given_out" ]; then
  out="$(realpath "$given_out")"
  ok "testing the image in $out"
else
  out="$work/out"
  echo "oci image test: building the image (packaging/docker/build-oci.sh)"
  if "$repo/packaging/docker/build-oci.sh" "$deb" "$out" >"$work/build.log" 2>&1; then
    ok "build-oci.sh $(basename "$deb"): $(grep '^image size:' "$work/build.log" || true)"
  else
    fail "build-oci.sh failed: $(tail -n 30 "$work/build.log")"
    exit 1
  fi
fi
layout="$out/sluice-oci"
archive="$out/sluice-$tag-oci.tar"

# The layout and the archive: an index naming the tag, and the same index in the tarball.
names="$(jq -r '.manifests[] | .annotations | .["org.opencontainers.image.ref.name"] + " "
  + .["io.containerd.image.name"]' "$layout/index.json" 2>/dev/null || true)"
[ -f "$layout/oci-layout" ] && [ "$names" = "$tag docker.io/library/sluice:$tag" ] \
  && ok "OCI layout $layout: one image, tag $tag, named docker.io/library/sluice:$tag" \
  || fail "no OCI layout with one image tagged $tag and named sluice:$tag in $layout ($names)"
# The listing is read whole before grep: `tar -t | grep -q` under pipefail fails when grep exits
# at the first match and tar, still listing, dies of SIGPIPE.
listing="$(tar -tf "$archive" 2>/dev/null || true)"
if [ -f "$archive" ] && tar -xOf "$archive" index.json 2>/dev/null | cmp -s - "$layout/index.json" \
  && grep -qx oci-layout <<<"$listing"; then
  ok "archive $(basename "$archive") holds the layout ($(mib "$(stat -c %s "$archive")") MiB)"
else
  fail "$archive is missing or does not hold the layout"
fi

# The image config, as engines read it: index → manifest → config blob.
blob() { echo "$layout/blobs/${1/://}"; }
manifest="$(blob "$(jq -r '.manifests[0].digest' "$layout/index.json")")"
config="$(blob "$(jq -r '.config.digest' "$manifest")")"
cfg() { jq -c "$1" "$config"; }

[ "$(cfg '.config.Entrypoint')" = '["/usr/bin/tini","--","/usr/bin/sluice"]' ] \
  && ok "entrypoint: tini, then sluice" || fail "entrypoint is $(cfg '.config.Entrypoint')"
[ "$(cfg '.config.Cmd')" = '["run","-c","/etc/sluice/agent.yaml"]' ] \
  && ok "command: run -c /etc/sluice/agent.yaml" || fail "command is $(cfg '.config.Cmd')"
[ "$(cfg '.config.ExposedPorts | keys')" = '["9600/tcp"]' ] \
  && ok "exposed port 9600/tcp" || fail "exposed ports: $(cfg '.config.ExposedPorts')"
[ "$(cfg '.config.StopSignal')" = '"SIGTERM"' ] \
  && ok "stop signal SIGTERM" || fail "stop signal: $(cfg '.config.StopSignal')"
[ "$(cfg '.config.Volumes | keys')" = '["/var/lib/sluice"]' ] \
  && ok "volume /var/lib/sluice" || fail "volumes: $(cfg '.config.Volumes')"
for env in SLUICE_DATA=/var/lib/sluice SLUICE_ADMIN_LISTEN=0.0.0.0:9600; do
  jq -e --arg e "$env" '.config.Env | index($e)' "$config" >/dev/null \
    && ok "environment $env" || fail "environment lacks $env: $(cfg '.config.Env')"
done
platform="$(jq -r '.architecture + "/" + .os' "$config")"
[ "$platform" = "$(dpkg-deb -f "$deb" Architecture)/linux" ] && ok "platform $platform" \
  || fail "platform $platform, the .deb is $(dpkg-deb -f "$deb" Architecture)"
[ "$(cfg '.config.Labels["org.opencontainers.image.version"]')" = "\"$version\"" ] \
  && ok "label org.opencontainers.image.version=$version" \
  || fail "labels: $(cfg '.config.Labels')"
[ "$(jq '.layers | length' "$manifest")" = 1 ] && ok "one layer" \
  || fail "$(jq '.layers | length' "$manifest") layers"

echo "oci image test: unpacking the image (umoci unpack)"
if umoci unpack --image "$layout:$tag" "$bundle" >"$work/unpack.log" 2>&1; then
  ok "umoci unpack $tag"
else
  fail "umoci unpack: $(cat "$work/unpack.log")"
  exit 1
fi

# The user: the image's (a number or a name) resolved in the image's own /etc/passwd, as runc
# does; the bundle's runtime config carries what umoci resolved.
user="$(jq -r '.config.User // ""' "$config")"
uid="$(jq -r '.process.user.uid' "$bundle/config.json")"
gid="$(jq -r '.process.user.gid' "$bundle/config.json")"
name="$(chroot "$root" getent passwd "$uid" | cut -d: -f1 || true)"
[ -n "$user" ] && [ "$uid" != 0 ] && [ "$name" = sluice ] \
  && ok "user '$user': uid $uid ($name), gid $gid, not root" \
  || fail "user '$user' is uid $uid ('$name'), want the non-root sluice"
[ "$uid" = 10001 ] && [ "$gid" = 10001 ] && ok "uid/gid 10001, as the Kubernetes manifests run" \
  || fail "uid/gid $uid/$gid, the manifests and chart run as 10001/10001"
adm="$(chroot "$root" getent group adm | cut -d: -f3)"
jq -e --argjson adm "${adm:-null}" '.process.user.additionalGids // [] | index($adm)' \
  "$bundle/config.json" >/dev/null \
  && ok "the user is in group adm (gid $adm), as the .deb makes it" \
  || fail "the user's groups $(jq -c .process.user.additionalGids "$bundle/config.json") lack adm"
owner="$(stat -c '%u:%g %a' "$root/var/lib/sluice")"
[ "$owner" = "$uid:$gid 750" ] && ok "/var/lib/sluice is the sluice user's ($owner)" \
  || fail "/var/lib/sluice is $owner, want $uid:$gid 750"

# Run as the container would: the image's user and groups, its environment only, its working
# directory, and a /dev (the runtime's; the image has none). in_image sets argv to such a command.
mount --bind /dev "$root/dev"
mount -t proc proc "$root/proc"
group_args=(--clear-groups)
groups="$(jq -r '[.process.user.additionalGids // [] | .[] | tostring] | join(",")' \
  "$bundle/config.json")"
[ -z "$groups" ] || group_args=(--groups="$groups")
workdir="$(jq -r '.config.WorkingDir // "/"' "$config")"
mapfile -t image_env < <(jq -r '.config.Env[]' "$config")
mapfile -t entrypoint < <(jq -r '.config.Entrypoint[]' "$config")
mapfile -t command < <(jq -r '.config.Cmd[]' "$config")
in_image() {  # [NAME=VALUE...] COMMAND...
  local env_args=("${image_env[@]}")
  while [[ "${1:-}" == *=* ]]; do env_args+=("$1"); shift; done
  argv=(chroot "$root" setpriv --reuid="$uid" --regid="$gid" "${group_args[@]}" /usr/bin/env -i
    "${env_args[@]}" /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "$@")
}
in_image "${entrypoint[@]}" version
out_version="$("${argv[@]}" 2>"$work/version.err")" && [ "$out_version" = "sluice $version" ] \
  && ok "entrypoint + version, as the image's user: $out_version" \
  || fail "entrypoint + version: '$out_version' $(cat "$work/version.err")"
for config_file in agent collector; do
  in_image sluice validate -c "/etc/sluice/$config_file.yaml"
  result="$("${argv[@]}" 2>&1)" \
    && ok "as the image's user: sluice validate -c /etc/sluice/$config_file.yaml" \
    || fail "sluice validate -c /etc/sluice/$config_file.yaml as uid $uid: $result"
done

# The image's entrypoint and command (tini, then sluice run) on a free port, probed with the
# Dockerfile's HEALTHCHECK command (bash's /dev/tcp), then stopped with the image's stop signal,
# which tini passes on.
port=$((20000 + RANDOM % 20000))
health="$(sed -n 's/^ *CMD \(\["\/bin\/bash".*\]\)$/\1/p' "$repo/packaging/docker/Dockerfile" \
  | jq -r '.[2]' 2>/dev/null || true)"
in_image SLUICE_ADMIN_LISTEN="127.0.0.1:$port" "${entrypoint[@]}" "${command[@]}"
"${argv[@]}" >"$work/run.log" 2>&1 &
sluice_pid=$!
healthy=0
in_image SLUICE_ADMIN_LISTEN="127.0.0.1:$port" /bin/bash -c "$health"
for _ in $(seq 1 50); do
  if [ -n "$health" ] && "${argv[@]}" 2>/dev/null; then
    healthy=1
    break
  fi
  sleep 0.2
done
[ "$healthy" = 1 ] && ok "sluice run answers the Dockerfile's HEALTHCHECK (GET /health on :$port)" \
  || fail "no healthy answer on :$port (probe '${health:-not found in the Dockerfile}'):" \
    "$(tail -n 20 "$work/run.log")"
signal="$(jq -r '.config.StopSignal // "SIGTERM"' "$config")"
kill -s "${signal#SIG}" "$sluice_pid" 2>/dev/null || true
waited=0
timeout 40 tail --pid="$sluice_pid" -f /dev/null || waited=$?
wait "$sluice_pid" && code=0 || code=$?
sluice_pid=""
[ "$waited" = 0 ] && [ "$code" = 0 ] && ok "$signal: sluice drained and exited 0 (through tini)" \
  || fail "after $signal: exit $code (timeout: $waited): $(tail -n 20 "$work/run.log")"
umount "$root/proc" "$root/dev"

# Nothing of the build inside: apt lists, the staged .deb, the host's resolver config.
leftovers="$(cd "$root" && find var/lib/apt/lists tmp -mindepth 1 -not -name lock \
  -not -path 'var/lib/apt/lists/partial' 2>/dev/null; \
  find . -xdev -name '*.deb' 2>/dev/null; ls etc/resolv.conf 2>/dev/null || true)"
[ -z "$leftovers" ] && ok "no apt lists, .deb or resolv.conf left in the image" \
  || fail "left in the image: $(echo "$leftovers" | tr '\n' ' ')"

# Size: the compressed layers (what a pull transfers) and the unpacked root.
compressed="$(jq '[.layers[].size] | add' "$manifest")"
unpacked="$(du -sb "$root" | cut -f1)"
[ "$compressed" -lt $((max_compressed_mib * 1048576)) ] \
  && ok "compressed size $(mib "$compressed") MiB < $max_compressed_mib MiB" \
  || fail "compressed size $(mib "$compressed") MiB >= $max_compressed_mib MiB"
[ "$unpacked" -lt $((max_unpacked_mib * 1048576)) ] \
  && ok "unpacked size $(mib "$unpacked") MiB < $max_unpacked_mib MiB" \
  || fail "unpacked size $(mib "$unpacked") MiB >= $max_unpacked_mib MiB"
exit "$failed"
