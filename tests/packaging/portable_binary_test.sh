#!/usr/bin/env bash
# Proves a binary is portable across the distributions docs/install.md supports: `readelf -d`
# lists no NEEDED library but glibc's own, and `objdump -T` shows no symbol version above
# GLIBC_2.34 (Amazon Linux 2023 and EMR 7 have glibc 2.34; RHEL 9 and Ubuntu 22.04 have 2.34 and
# 2.35). Needs binutils. Usage: portable_binary_test.sh BINARY...
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 BINARY..."; exit 2; }
glibc_own='^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|ld-linux-x86-64\.so\.2)$'
failed=0
for binary in "$@"; do
  [ -f "$binary" ] || { echo "FAIL: $binary does not exist"; failed=1; continue; }
  needed="$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
  [ -n "$needed" ] || { echo "FAIL: $binary: readelf shows no NEEDED entry (not dynamic?)"; failed=1; }
  others="$(grep -Ev "$glibc_own" <<<"$needed" || true)"
  if [ -n "$others" ]; then
    echo "FAIL: $binary needs libraries other than glibc's: $(tr '\n' ' ' <<<"$others")"
    failed=1
  else
    echo "ok: $binary needs only $(tr '\n' ' ' <<<"$needed")"
  fi
  versions="$(objdump -T "$binary" | grep -o 'GLIBC_[0-9][0-9.]*' | sort -u -V)"
  newest="$(tail -n 1 <<<"$versions")"
  too_new="$(awk -F'[_.]' '$2 > 2 || ($2 == 2 && $3 > 34)' <<<"$versions")"
  if [ -n "$too_new" ]; then
    echo "FAIL: $binary uses glibc symbols newer than 2.34: $(tr '\n' ' ' <<<"$too_new")"
    objdump -T "$binary" | grep -E "$(tr '\n' '|' <<<"$too_new" | sed 's/|$//')" | sed 's/^/  /'
    failed=1
  else
    echo "ok: $binary's newest glibc symbol version is $newest"
  fi
done
exit "$failed"
