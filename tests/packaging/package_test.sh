#!/usr/bin/env bash
# Checks the packages scripts/package wrote: the .deb's files, conffiles, dependencies and
# maintainer scripts (dpkg-deb -c/-I), lintian with no error, its debug symbols package; the .rpm's
# files, config files, requirements and scriptlets (rpm -qpl/-qpc/-qpR/--scripts); that the binary
# in both is stripped and portable (portable_binary_test.sh) and runs: `sluice version`, and
# `sluice validate` on the shipped configs as packaged.
# Needs: dpkg-deb, lintian, rpm, binutils, file. Usage: package_test.sh DIR VERSION
# `ok` and `fail` always succeed, so `check && ok ... || fail ...` is an if-else here.
# shellcheck disable=SC2015
set -euo pipefail
dir="$(realpath "${1:?usage: $0 DIR VERSION}")"
version="${2:?usage: $0 DIR VERSION}"
here="$(cd "$(dirname "$0")" && pwd)"
deb="$dir/sluice_${version}_amd64.deb"
ddeb="$dir/sluice-dbgsym_${version}_amd64.ddeb"
rpm="$dir/sluice-${version}.x86_64.rpm"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }
expect_in() {  # expect_in WHAT TEXT LINE...: each LINE is a whole line of TEXT
  local what="$1" text="$2"
  shift 2
  for line in "$@"; do
    if grep -qxF -- "$line" <<<"$text"; then ok "$what: $line"; else fail "$what lacks '$line'"; fi
  done
}

for f in "$deb" "$ddeb" "$rpm" "$dir/sluice-${version}.x86_64.debug"; do
  [ -f "$f" ] && ok "$(basename "$f") exists" || fail "$f is missing"
done
[ "$failed" = 0 ] || exit 1

# The .deb.
files="$(dpkg-deb -c "$deb" | awk '{print $6}')"
expect_in "$(basename "$deb")" "$files" ./usr/bin/sluice ./etc/sluice/agent.yaml \
  ./etc/sluice/collector.yaml ./usr/lib/systemd/system/sluice.service \
  ./usr/lib/systemd/system/sluice@.service ./usr/share/man/man1/sluice.1.gz ./var/lib/sluice/ \
  ./usr/share/doc/sluice/copyright ./usr/share/doc/sluice/changelog.gz \
  ./usr/share/doc/sluice/README.md ./usr/share/doc/sluice/docs/install.md
conffiles="$(dpkg-deb -I "$deb" conffiles)"
expect_in "conffiles" "$conffiles" /etc/sluice/agent.yaml /etc/sluice/collector.yaml
depends="$(dpkg-deb -f "$deb" Depends)"
if [[ "$depends" =~ ^adduser,\ libc6\ \(\>=\ 2\.[0-9]+\)$ ]] || [[ "$depends" =~ ^libc6\ \(\>=\ 2\.[0-9]+\),\ adduser$ ]]; then
  ok "Depends: $depends (glibc and adduser only)"
else
  fail "Depends should be libc6 and adduser only, is '$depends'"
fi
for script in postinst prerm postrm; do
  dpkg-deb -I "$deb" "$script" >/dev/null 2>&1 && ok "maintainer script $script" \
    || fail "no $script in the .deb"
done
if grep -q 'adduser --quiet --system --group --home /var/lib/sluice' <<<"$(dpkg-deb -I "$deb" postinst)"; then
  ok "postinst creates the sluice system user"
else
  fail "postinst does not create the sluice user"
fi
lintian_out="$(lintian --no-tag-display-limit "$deb" 2>&1 || true)"
if grep -q '^E: ' <<<"$lintian_out"; then
  fail "lintian errors:"
  grep '^E: ' <<<"$lintian_out" | sed 's/^/  /'
else
  ok "lintian: no errors ($(grep -c '^W: ' <<<"$lintian_out" || true) warnings)"
fi
grep '^W: ' <<<"$lintian_out" | sed 's/^/  lintian /' || true

mkdir -p "$work/deb" "$work/ddeb"
dpkg-deb -x "$deb" "$work/deb"
dpkg-deb -x "$ddeb" "$work/ddeb"
binary="$work/deb/usr/bin/sluice"
if file "$binary" | grep -q ', stripped'; then ok "the .deb's binary is stripped"; else fail "the .deb's binary is not stripped: $(file "$binary")"; fi
build_id="$(readelf -n "$binary" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')"
debug_file="$work/ddeb/usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug"
[ -n "$build_id" ] && [ -f "$debug_file" ] && ok "sluice-dbgsym holds the symbols of build id $build_id" \
  || fail "sluice-dbgsym has no /usr/lib/debug/.build-id file for build id '$build_id'"
"$here/portable_binary_test.sh" "$binary" || failed=1
out="$("$binary" version)" && [ "$out" = "sluice $version" ] && ok "sluice version: $out" \
  || fail "sluice version printed '$out'"
for config in agent collector; do
  out="$("$binary" validate -c "$work/deb/etc/sluice/$config.yaml" 2>&1)" && ok "validate $config.yaml: $out" \
    || fail "validate $config.yaml: $out"
done
# sluice(1) documents every command `sluice --help` lists; the units' Documentation= files exist.
man="$(gunzip -c "$work/deb/usr/share/man/man1/sluice.1.gz")"
commands="$("$binary" --help | sed -n '/^Subcommands:/,$ s/^  \([a-z][a-z0-9-]*\) .*/\1/p')"
[ -n "$commands" ] || fail "sluice --help lists no subcommands"
for command in $commands; do
  grep -qF "sluice $command" <<<"$man" && ok "sluice(1) documents sluice $command" \
    || fail "sluice(1) lacks the command '$command'"
done
for unit in sluice.service sluice@.service; do
  # Words, not lines: Documentation= holds space-separated URIs.
  # shellcheck disable=SC2013
  for doc in $(sed -n 's/^Documentation=//p' "$work/deb/usr/lib/systemd/system/$unit"); do
    case "$doc" in
      file://*) [ -f "$work/deb${doc#file://}" ] && ok "$unit: $doc is in the .deb" \
        || fail "$unit: Documentation=$doc is not in the .deb" ;;
      man:sluice\(1\)) ;;
      *) fail "$unit: unexpected Documentation=$doc" ;;
    esac
  done
done

# The .rpm.
rpm_files="$(rpm -qpl "$rpm" 2>/dev/null)"
expect_in "$(basename "$rpm")" "$rpm_files" /usr/bin/sluice /etc/sluice/agent.yaml \
  /etc/sluice/collector.yaml /usr/lib/systemd/system/sluice.service \
  /usr/lib/systemd/system/sluice@.service /usr/share/man/man1/sluice.1.gz /var/lib/sluice \
  /usr/share/doc/sluice/copyright
for owned in /etc /var /var/lib /usr/lib/systemd /usr/share/man /usr/share/lintian; do
  if grep -qxF "$owned" <<<"$rpm_files"; then fail "the .rpm owns the system directory $owned"; fi
done
ok "the .rpm owns no system directory"
expect_in "rpm -qpc" "$(rpm -qpc "$rpm" 2>/dev/null)" /etc/sluice/agent.yaml /etc/sluice/collector.yaml
requires="$(rpm -qpR "$rpm" 2>/dev/null | grep -v '^rpmlib(')"
expect_in "rpm -qpR" "$requires" "glibc >= 2.34" "shadow-utils"
if grep -q '\.so' <<<"$requires"; then fail "the .rpm requires shared libraries: $requires"; fi
scripts="$(rpm -qp --scripts "$rpm" 2>/dev/null)"
grep -q 'useradd -r -g sluice' <<<"$scripts" && ok "%pre creates the sluice user" || fail "%pre does not create the sluice user"
config_attrs="$(rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' "$rpm" 2>/dev/null)"
expect_in "rpm file modes" "$config_attrs" "-rw-r----- root:sluice /etc/sluice/agent.yaml" \
  "drwxr-x--- sluice:sluice /var/lib/sluice"
mkdir -p "$work/rpm"
(cd "$work/rpm" && rpm2cpio "$rpm" | cpio -idm --quiet)
rpm_binary="$work/rpm/usr/bin/sluice"
if file "$rpm_binary" | grep -q ', stripped'; then ok "the .rpm's binary is stripped"; else fail "the .rpm's binary is not stripped: $(file "$rpm_binary")"; fi
rpm_id="$(readelf -n "$rpm_binary" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')"
[ "$rpm_id" = "$build_id" ] && ok "the .rpm and the .deb hold the same build ($rpm_id)" \
  || fail "the .rpm's build id '$rpm_id' differs from the .deb's '$build_id'"
debug_id="$(readelf -n "$dir/sluice-${version}.x86_64.debug" 2>/dev/null | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')"
[ "$debug_id" = "$build_id" ] && ok "sluice-${version}.x86_64.debug matches the binary" \
  || fail "the .debug file's build id '$debug_id' is not the binary's '$build_id'"
"$here/portable_binary_test.sh" "$rpm_binary" || failed=1
exit "$failed"
