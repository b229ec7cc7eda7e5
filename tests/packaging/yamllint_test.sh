#!/usr/bin/env bash
# Lints the YAML of packaging/ with yamllint --strict and the committed config packaging/.yamllint:
# every plain manifest under packaging/kubernetes, the Helm chart's values.yaml and Chart.yaml,
# and the chart as rendered (default values and variants) by tests/tools/helm_render. Also checks
# that the config itself is in force: a copy of values.yaml with a duplicate key and a tab, and a
# manifest with `yes` as a boolean, must fail. One line per file.
#
# Needs: yamllint (Debian), golang-go, golang-github-masterminds-sprig-dev,
# golang-gopkg-yaml.v3-dev (Debian; to build the renderer offline).
# Run from anywhere: tests/packaging/yamllint_test.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
config=$root/packaging/.yamllint
chart=$root/packaging/helm/sluice
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=tests/packaging/check_lib.sh
source "$root/tests/packaging/check_lib.sh"

for tool in yamllint go; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL $tool is not installed (Debian package: ${tool/go/golang-go})"
    exit 1
  fi
done
if [[ ! -f $config ]]; then
  echo "FAIL $config is missing"
  exit 1
fi

lint() { # FILE [NAME]: yamllint --strict with packaging/.yamllint
  local name=${2:-${1#"$root"/}}
  if yamllint --strict -c "$config" "$1" >"$work/lint.out" 2>&1; then
    ok "yamllint $name"
  else
    bad "yamllint $name:"
    sed 's/^/     /' "$work/lint.out"
  fi
}

# The config is in force: these must fail.
must_fail() { # FILE WHAT
  if yamllint --strict -c "$config" "$1" >/dev/null 2>&1; then
    bad "yamllint accepts $2 (is packaging/.yamllint in force?)"
  else
    ok "yamllint rejects $2"
  fi
}
{ cat "$chart/values.yaml"; printf 'nameOverride: again\n'; } >"$work/duplicate-key.yaml"
must_fail "$work/duplicate-key.yaml" "a duplicate key in values.yaml"
{ cat "$chart/values.yaml"; printf 'extra:\n\tkey: tab\n'; } >"$work/tab.yaml"
must_fail "$work/tab.yaml" "a tab in values.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nimmutable: yes\n' >"$work/truthy.yaml"
must_fail "$work/truthy.yaml" "'yes' as a boolean in a manifest"

# Plain manifests and the chart's own YAML files.
mapfile -t plain < <(find "$root/packaging/kubernetes" -name '*.yaml' -o -name '*.yml' | sort)
if (( ${#plain[@]} == 0 )); then bad "no manifests under packaging/kubernetes"; fi
for f in "${plain[@]}" "$chart/values.yaml" "$chart/Chart.yaml"; do lint "$f"; done

# The rendered chart (tests/tools/helm_render, built offline against Debian's Go packages).
if (cd "$root/tests/tools/helm_render" && GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" \
  GOCACHE="${GOCACHE:-$work/gocache}" GOFLAGS='' go build -o "$work/helm_render" .) 2>"$work/build.err"; then
  ok "tests/tools/helm_render builds"
else
  bad "tests/tools/helm_render does not build:"
  sed 's/^/     /' "$work/build.err"
  exit 1
fi
brokers='b-1.kafka.example:9092\,b-2.kafka.example:9092'
for variant in "default:" "static:collector.staticMembership=true" "monitor:serviceMonitor.enabled=true" \
  "extras:collector.elasticsearch.enabled=true,collector.elasticsearch.hosts={https://es:9200},kafka.sasl.mechanism=PLAIN,kafka.sasl.existingSecret=s,kafka.tls.enabled=true"; do
  name=${variant%%:*}
  sets=(--set "kafka.brokers=$brokers")
  if [[ -n ${variant#*:} ]]; then sets+=(--set "${variant#*:}"); fi
  if "$work/helm_render" "${sets[@]}" "$chart" >"$work/rendered-$name.yaml" 2>"$work/render.err"; then
    lint "$work/rendered-$name.yaml" "the chart rendered ($name)"
  else
    bad "the chart does not render ($name): $(cat "$work/render.err")"
  fi
done

echo "$passed passed, $failed failed"
if (( failed > 0 )); then
  echo "yamllint_test: $failed check(s) failed" >&2
  exit 1
fi
