# Shared by the packaging tests that count their checks (source it): `ok DESCRIPTION` and
# `bad DESCRIPTION` print one line each and count; `expect DESCRIPTION ACTUAL EXPECTED` is ok when
# the two are equal. The caller prints the totals and exits non-zero when `failed` is not 0.
# shellcheck shell=bash
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
expect() {
  if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1: got '$2', expected '$3'"; fi
}
