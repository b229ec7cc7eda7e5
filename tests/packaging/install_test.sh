#!/usr/bin/env bash
# Installs the .deb into a fresh minimal Debian 12 root, made by mmdebstrap from Debian's
# packages, the way a user does (dpkg -i, which stops at the missing dependency, then
# apt-get -f install), and checks inside it via chroot: `sluice version`; `sluice validate` of
# both shipped configs, run as the sluice user; the sluice system user in group adm; the data_dir
# and config permissions; `systemd-analyze verify` of the installed units as they are; a
# reinstall keeps an edited conffile; and `dpkg --purge` leaves no file behind that no other
# package owns (the sluice user stays, as Debian does with system users).
# Needs: root, mmdebstrap, Debian's mirror. Usage: install_test.sh SLUICE.deb
# `ok` and `fail` always succeed: `check && ok || fail` is an if-else here. cleanup runs from the
# EXIT trap; dpkg-query's ${Status} is its own format, not the shell's.
# shellcheck disable=SC2015,SC2317,SC2016
set -euo pipefail
deb="$(realpath "${1:?usage: $0 SLUICE.deb}")"
[ "$(id -u)" = 0 ] || { echo "FAIL: the install test needs root (chroot)"; exit 1; }
command -v mmdebstrap >/dev/null || { echo "FAIL: mmdebstrap is not installed"; exit 1; }
work="$(mktemp -d)"
root="$work/root"
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }
in_root() { chroot "$root" "$@"; }
# Every path in the root but the ones that change by themselves.
snapshot() {
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./var/cache -o -path ./var/log \
    -o -path ./var/lib/apt -o -path ./var/lib/dpkg -o -path ./tmp -o -path ./run \) -prune \
    -o -print | sort)
}

echo "install test: making a minimal Debian 12 root (mmdebstrap)"
mmdebstrap --quiet --variant=minbase --include=systemd bookworm "$root" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian-security bookworm-security main"
mount -t proc proc "$root/proc"
snapshot >"$work/before"
cp "$deb" "$root/tmp/sluice.deb"

if in_root dpkg -i /tmp/sluice.deb >"$work/dpkg.log" 2>&1; then
  ok "dpkg -i (every dependency was already there)"
else
  grep -q "dependency problems" "$work/dpkg.log" && ok "dpkg -i stops at a missing dependency" \
    || fail "dpkg -i failed for another reason: $(cat "$work/dpkg.log")"
fi
DEBIAN_FRONTEND=noninteractive in_root apt-get -qq -f install -y >"$work/apt.log" 2>&1 \
  && ok "apt-get -f install" || fail "apt-get -f install: $(cat "$work/apt.log")"
status="$(in_root dpkg-query -W -f '${Status}' sluice 2>&1 || true)"
[ "$status" = "install ok installed" ] && ok "sluice is installed" || fail "sluice status: $status"

version="$(in_root sluice version 2>&1)" && [[ "$version" =~ ^sluice\ [0-9] ]] \
  && ok "sluice version: $version" || fail "sluice version: $version"
for config in agent collector; do
  out="$(in_root setpriv --reuid=sluice --regid=sluice --init-groups \
    sluice validate -c "/etc/sluice/$config.yaml" 2>&1)" \
    && ok "as the sluice user: sluice validate -c /etc/sluice/$config.yaml" \
    || fail "sluice validate -c /etc/sluice/$config.yaml as sluice: $out"
done
groups="$(in_root id -nG sluice 2>&1 || true)"
[[ " $groups " == *" adm "* ]] && ok "the sluice user is in group adm ($groups)" \
  || fail "the sluice user's groups: '$groups'"
shell="$(in_root getent passwd sluice | cut -d: -f7)"
[ "$shell" = /usr/sbin/nologin ] && ok "the sluice user has no login shell" || fail "sluice's shell is '$shell'"
perms="$(in_root stat -c '%U:%G %a' /var/lib/sluice)"
[ "$perms" = "sluice:sluice 750" ] && ok "/var/lib/sluice is $perms" || fail "/var/lib/sluice is $perms"
for config in agent collector; do
  perms="$(in_root stat -c '%U:%G %a' "/etc/sluice/$config.yaml")"
  [ "$perms" = "root:sluice 640" ] && ok "/etc/sluice/$config.yaml is $perms" \
    || fail "/etc/sluice/$config.yaml is $perms, want root:sluice 640"
done
out="$(in_root systemd-analyze verify --man=no sluice.service sluice@collector.service 2>&1)" \
  && [ -z "$out" ] && ok "systemd-analyze verify of the installed units" \
  || fail "systemd-analyze verify: $out"
in_root test -s /usr/share/man/man1/sluice.1.gz && ok "man page installed" || fail "no man page"

echo "# edited by the administrator" >>"$root/etc/sluice/agent.yaml"
in_root dpkg -i /tmp/sluice.deb >"$work/dpkg2.log" 2>&1 && ok "reinstall (upgrade path)" \
  || fail "reinstall: $(cat "$work/dpkg2.log")"
grep -q '^# edited by the administrator$' "$root/etc/sluice/agent.yaml" \
  && ok "the edited conffile survived the reinstall" || fail "the reinstall overwrote /etc/sluice/agent.yaml"

in_root dpkg --purge sluice >"$work/purge.log" 2>&1 && ok "dpkg --purge sluice" \
  || fail "purge: $(cat "$work/purge.log")"
snapshot >"$work/after"
left=""
while IFS= read -r path; do
  path="${path#.}"
  in_root dpkg -S "$path" >/dev/null 2>&1 && continue  # another package's (adduser's, say)
  left+=" $path"
done < <(comm -13 "$work/before" "$work/after")
[ -z "$left" ] && ok "purge left no file behind" || fail "purge left:$left"
exit "$failed"
