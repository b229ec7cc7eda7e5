#!/usr/bin/env bash
# Checks packaging/systemd/sluice.service and sluice@.service: `systemd-analyze verify` accepts
# both with no warning (unknown keys, bad values, missing commands), every setting issue 15 asks
# for is there, and `systemd-analyze security` rates the exposure at most 2.0 ("OK").
# Needs: systemd-analyze (Debian's systemd package). Usage: systemd_units_test.sh SLUICE_BINARY
# The units name /usr/bin/sluice; the copy verified here names SLUICE_BINARY instead, so that
# verify can check the commands exist (the install test verifies the installed units as they are).
# `ok` and `fail` always succeed, so `check && ok ... || fail ...` is an if-else here.
# shellcheck disable=SC2015
set -euo pipefail
binary="${1:?usage: $0 SLUICE_BINARY}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
units="$here/packaging/systemd"
command -v systemd-analyze >/dev/null || { echo "FAIL: systemd-analyze not installed"; exit 1; }
[ -x "$binary" ] || { echo "FAIL: $binary is not an executable"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }

for unit in sluice.service sluice@.service; do
  sed "s#/usr/bin/sluice#$binary#g" "$units/$unit" >"$work/$unit"
done
cp "$work/sluice@.service" "$work/sluice@collector.service"
for unit in sluice.service sluice@.service sluice@collector.service; do
  if out="$(cd "$work" && systemd-analyze verify --man=no "./$unit" 2>&1)" && [ -z "$out" ]; then
    ok "systemd-analyze verify $unit"
  else
    fail "systemd-analyze verify $unit: $out"
  fi
done

for unit in sluice.service sluice@.service; do
  file="$units/$unit"
  # The settings are literal unit lines: ${SLUICE_CONFIG} and $MAINPID are systemd's to expand.
  # shellcheck disable=SC2016
  for setting in 'Type=notify' 'NotifyAccess=main' 'ExecStartPre=/usr/bin/sluice validate -c ${SLUICE_CONFIG}' \
    'ExecStart=/usr/bin/sluice run -c ${SLUICE_CONFIG}' \
    'ExecReload=/usr/bin/sluice validate -c ${SLUICE_CONFIG}' 'ExecReload=/bin/kill -HUP $MAINPID' \
    'Restart=on-failure' 'WatchdogSec=60s' 'User=sluice' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
    'ReadWritePaths=/var/lib/sluice' 'ProtectHome=yes' 'PrivateTmp=yes' 'CapabilityBoundingSet=' \
    'LimitNOFILE=65536' 'WantedBy=multi-user.target'; do
    if grep -qxF -- "$setting" "$file"; then ok "$unit: $setting"; else fail "$unit lacks '$setting'"; fi
  done
  # The reload validates before it signals: the validate line must come first.
  if [ "$(grep -n '^ExecReload=' "$file" | head -n 1 | grep -c validate)" = 1 ]; then
    ok "$unit: ExecReload validates before SIGHUP"
  else
    fail "$unit: ExecReload must validate before it sends SIGHUP"
  fi
done
grep -qxF 'Environment=SLUICE_CONFIG=/etc/sluice/%i.yaml' "$units/sluice@.service" \
  && ok "sluice@.service runs /etc/sluice/%i.yaml" || fail "sluice@.service must run /etc/sluice/%i.yaml"
grep -qxF 'Environment=SLUICE_DATA=/var/lib/sluice/%i' "$units/sluice@.service" \
  && ok "sluice@.service has a data_dir of its own" || fail "sluice@.service needs SLUICE_DATA=/var/lib/sluice/%i"

exposure="$(cd "$work" && systemd-analyze security --offline=yes --man=no ./sluice.service 2>&1 \
  | sed -n 's/.*Overall exposure level for sluice.service: \([0-9.]*\).*/\1/p')"
if [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
  ok "systemd-analyze security: exposure $exposure"
else
  fail "systemd-analyze security: exposure '${exposure:-unknown}', want at most 2.0"
fi
exit "$failed"
