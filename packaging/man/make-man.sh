#!/usr/bin/env bash
# Writes sluice(1), gzipped, from the --help of the binary and of each of its commands (help2man).
# The commands are those `sluice --help` lists under "Subcommands:", so a new one is never left out.
# Usage: make-man.sh SLUICE_BINARY OUT.1.gz
set -euo pipefail
binary="${1:?usage: $0 SLUICE_BINARY OUT.1.gz}"
out="${2:?usage: $0 SLUICE_BINARY OUT.1.gz}"
commands="$("$binary" --help | sed -n '/^Subcommands:/,$ s/^  \([a-z][a-z0-9-]*\) .*/\1/p')"
if [ -z "$commands" ]; then
  echo "make-man.sh: '$binary --help' lists no subcommands" >&2
  exit 1
fi
include="$(mktemp)"
trap 'rm -f "$include"' EXIT
{
  echo "[COMMANDS]"
  for command in $commands; do
    echo ".SS \"sluice $command\""
    echo ".nf"
    "$binary" "$command" --help | sed 's/\\/\\\\/g; s/^\./\\\&./'
    echo ".fi"
  done
  echo "[FILES]"
  echo ".TP"
  echo "/etc/sluice/agent.yaml, /etc/sluice/collector.yaml"
  echo "the shipped configs (sluice.service runs agent.yaml; sluice@NAME runs NAME.yaml)"
  echo ".TP"
  echo "/var/lib/sluice"
  echo "data_dir: checkpoints, dead letters"
  echo "[SEE ALSO]"
  echo "/usr/share/doc/sluice/docs/install.md, /usr/share/doc/sluice/docs/cli.md"
} >"$include"
help2man --no-info --section=1 --name="log shipping agent and collector for Spark" \
  --include="$include" "$binary" | gzip -9n >"$out"
