#!/usr/bin/env bash
# Renders the Helm chart packaging/helm/sluice with tests/tools/helm_render (Helm's engine:
# text/template + sprig + Helm's functions; Debian 12 has no helm) for the default values and
# variants, and checks the result:
#  - rendering without kafka.brokers fails with the `required` message;
#  - every object's required fields, every container's image, resources, liveness and readiness
#    probes, securityContext, selectors, mounts, config path and grace period
#    (tests/tools/k8s-validate/check.js);
#  - per variant: Deployment by default, StatefulSet with collector.staticMembership=true (with
#    SLUICE_GROUP_INSTANCE_ID from metadata.name, and instance_id in the config; never in a
#    Deployment), ServiceMonitors with serviceMonitor.enabled=true, no DaemonSet with
#    agent.enabled=false, no collector with collector.enabled=false, Elasticsearch/SASL/IRSA
#    values; the DaemonSet mounts /var/log/pods and /var/log/containers read-only and data_dir on
#    a hostPath, and its config reads CRI files; NOTES.txt renders;
#  - every rendered object and every plain manifest under packaging/kubernetes validates against
#    the Kubernetes schemas, unknown fields included (kubernetes-models, validate.js);
#  - with a sluice binary, `sluice validate -c` accepts every Sluice config held by a ConfigMap
#    (the rendered chart's and packaging/kubernetes/spark's); without one that step is skipped.
# One line per check.
#
# Needs: golang-go, golang-github-masterminds-sprig-dev, golang-gopkg-yaml.v3-dev (Debian; the
# renderer is built in GOPATH mode, offline), node (Debian nodejs) with tests/tools/k8s-validate
# installed (`cd tests/tools/k8s-validate && npm ci`).
# Run from anywhere: tests/packaging/helm_render_test.sh [PATH/TO/sluice]
#   (e.g. build/release/agent/sluice; default: that path under the repository, if it exists)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
chart=$root/packaging/helm/sluice
tools=$root/tests/tools/k8s-validate
sluice=${1:-$root/build/release/agent/sluice}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=tests/packaging/check_lib.sh
source "$root/tests/packaging/check_lib.sh"

for tool in go node; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL $tool is not installed (Debian package: ${tool/go/golang-go})"
    exit 1
  fi
done
if [[ ! -d /usr/share/gocode/src/github.com/Masterminds/sprig || ! -d /usr/share/gocode/src/gopkg.in/yaml.v3 ]]; then
  echo "FAIL sprig or yaml.v3 missing: apt-get install golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev"
  exit 1
fi
if [[ ! -d $tools/node_modules/kubernetes-models ]]; then
  echo "FAIL $tools/node_modules is missing: run (cd tests/tools/k8s-validate && npm ci)"
  exit 1
fi

# The renderer, built offline against Debian's Go packages.
# (GOPATH mode builds a package named by a relative path.)
if (cd "$root/tests/tools/helm_render" && GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" \
  GOCACHE="${GOCACHE:-$work/gocache}" GOFLAGS='' go build -o "$work/helm_render" .) 2>"$work/build.err"; then
  ok "tests/tools/helm_render builds (GOPATH mode, Debian's sprig and yaml.v3)"
else
  bad "tests/tools/helm_render does not build:"
  sed 's/^/     /' "$work/build.err"
  exit 1
fi

brokers='b-1.kafka.example:9092\,b-2.kafka.example:9092'
render() { # OUT ARGS...: render the chart with the brokers set, plus ARGS
  local out=$1
  shift
  "$work/helm_render" --name sluice --namespace logging --set "kafka.brokers=$brokers" "$@" "$chart" >"$work/$out.yaml"
}
q() { # FILE EXPRESSION (tests/tools/k8s-validate/query.js)
  node "$tools/query.js" "$work/$1.yaml" -- "$2" 2>&1 || echo "<query failed: $2>"
}

# Without the required value.
if "$work/helm_render" "$chart" >/dev/null 2>"$work/norequired.err"; then
  bad "rendering without kafka.brokers must fail"
else
  expect "rendering without kafka.brokers fails with the required message" \
    "$(grep -c 'kafka.brokers is required' "$work/norequired.err")" 1
fi

variants=(default static monitor noagent nocollector extras)
render default
render static --set collector.staticMembership=true --set collector.replicas=3
render monitor --set serviceMonitor.enabled=true --set serviceMonitor.labels.release=prometheus
render noagent --set agent.enabled=false
render nocollector --set collector.enabled=false
cat >"$work/extras-values.yaml" <<'EOF'
serviceAccount:
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/sluice-collector
kafka:
  tls: {enabled: true}
  sasl: {mechanism: SCRAM-SHA-512, existingSecret: msk-sluice}
collector:
  elasticsearch:
    enabled: true
    hosts: ['https://es.example:9200']
    apiKeySecret: es-sluice
  librdkafka: {fetch.max.bytes: '52428800'}
  podAnnotations: {team: '{{ .Release.Name }}-logs'}
EOF
render extras -f "$work/extras-values.yaml"
ok "the chart renders: default values and ${#variants[@]} variants (${variants[*]})"

# Generic structure of every variant.
for v in "${variants[@]}"; do
  if node "$tools/check.js" "$work/$v.yaml" >"$work/$v.check"; then
    ok "$v: check.js $(tail -1 "$work/$v.check") (required fields, containers, probes, selectors, mounts, grace)"
  else
    bad "$v: check.js found problems:"
    grep '^FAIL' "$work/$v.check" | sed 's/^/     /'
  fi
done

kinds() { q "$1" "docs.map(d => d.kind).sort().join(' ')"; }
expect "default: the objects" "$(kinds default)" \
  "ConfigMap ConfigMap DaemonSet Deployment PodDisruptionBudget Service Service ServiceAccount"
expect "static: a StatefulSet replaces the Deployment" "$(kinds static)" \
  "ConfigMap ConfigMap DaemonSet PodDisruptionBudget Service Service ServiceAccount StatefulSet"
expect "monitor: one ServiceMonitor per component" \
  "$(q monitor "all('ServiceMonitor').map(m => m.apiVersion + ' ' + m.metadata.name + ' ' + m.metadata.labels.release).join(', ')")" \
  "monitoring.coreos.com/v1 sluice-collector prometheus, monitoring.coreos.com/v1 sluice-agent prometheus"
expect "default: no ServiceMonitor unless enabled" "$(q default "all('ServiceMonitor').length")" 0
expect "noagent: no DaemonSet, no agent ConfigMap or Service" \
  "$(q noagent "docs.filter(d => d.metadata.name === 'sluice-agent').length + ' ' + all('Deployment').length")" "0 1"
expect "nocollector: no collector workload, ConfigMap, Service or PodDisruptionBudget" \
  "$(q nocollector "docs.filter(d => d.metadata.name === 'sluice-collector').length + ' ' + all('DaemonSet').length")" "0 1"

# The collector.
D="find('Deployment','sluice-collector')"
S="find('StatefulSet','sluice-collector')"
gid="c => (c.env || []).find(e => e.name === 'SLUICE_GROUP_INSTANCE_ID')"
expect "static: the StatefulSet passes SLUICE_GROUP_INSTANCE_ID from metadata.name" \
  "$(q static "($gid)(containers($S)[0])?.valueFrom?.fieldRef?.fieldPath")" metadata.name
# shellcheck disable=SC2016  # a literal ${...}: Sluice expands it, not the shell
expect "static: the collector config uses it as its instance_id (group.instance.id)" \
  "$(q static "config('sluice-collector').pipelines.bronze.inputs[0].instance_id")" \
  '${SLUICE_GROUP_INSTANCE_ID}'
expect "static: the StatefulSet's serviceName is the headless collector Service" \
  "$(q static "(s => s && s.spec.clusterIP === 'None' ? s.metadata.name : '')(find('Service', $S.spec.serviceName))")" \
  sluice-collector
expect "static: replicas from values" "$(q static "$S.spec.replicas")" 3
expect "default: the Deployment does not use static membership (no SLUICE_GROUP_INSTANCE_ID)" \
  "$(q default "($gid)(containers($D)[0]) === undefined")" true
expect "default: the collector config asks for dynamic membership (instance_id: none)" \
  "$(q default "config('sluice-collector').pipelines.bronze.inputs[0].instance_id")" none
expect "default: the collector config is kafka input -> s3 output, brokers and bucket from values" \
  "$(q default "(p => [p.inputs[0].type, p.inputs[0].brokers, p.inputs[0].topics.join(), p.outputs[0].type, p.outputs[0].bucket].join(' '))(config('sluice-collector').pipelines.bronze)")" \
  "kafka b-1.kafka.example:9092,b-2.kafka.example:9092 spark-logs s3 spark-bronze"
expect "default: collector terminationGracePeriodSeconds = shutdown_timeout + 10 s" \
  "$(q default "podSpec($D).terminationGracePeriodSeconds - duration(config('sluice-collector').shutdown_timeout)")" 10
expect "default: the collector runs as non-root (runAsNonRoot, uid 10001)" \
  "$(q default "[podSpec($D).securityContext.runAsNonRoot, podSpec($D).securityContext.runAsUser].join(' ')")" "true 10001"
expect "default: collector liveness /health, readiness /ready" \
  "$(q default "(c => c.livenessProbe.httpGet.path + ' ' + c.readinessProbe.httpGet.path)(containers($D)[0])")" "/health /ready"
expect "default: the metrics Service has prometheus.io scrape, port and path annotations" \
  "$(q default "(a => [a['prometheus.io/scrape'], a['prometheus.io/port'], a['prometheus.io/path']].join(' '))(find('Service','sluice-collector').metadata.annotations)")" \
  "true 9600 /metrics"
expect "default: the PodDisruptionBudget allows one collector down" \
  "$(q default "find('PodDisruptionBudget','sluice-collector').spec.maxUnavailable")" 1
expect "default: a config change rolls the pods (checksum/config annotation)" \
  "$(q default "/^[0-9a-f]{64}\$/.test($D.spec.template.metadata.annotations['checksum/config'])")" true

# The agent DaemonSet.
A="find('DaemonSet','sluice-agent')"
hostmount() { # PATH: "HOSTPATH READONLY" of the mount at PATH
  q default "(c => (m => m ? podSpec($A).volumes.find(v => v.name === m.name)?.hostPath?.path + ' ' + (m.readOnly === true) : '')((c.volumeMounts || []).find(m => m.mountPath === '$1')))(containers($A)[0])"
}
expect "default: the DaemonSet mounts hostPath /var/log/pods read-only" "$(hostmount /var/log/pods)" "/var/log/pods true"
expect "default: the DaemonSet mounts hostPath /var/log/containers read-only" "$(hostmount /var/log/containers)" "/var/log/containers true"
expect "default: the agent's data_dir is the hostPath /var/lib/sluice (checkpoints survive restarts)" \
  "$(hostmount "$(q default "config('sluice-agent').data_dir")")" "/var/lib/sluice false"
expect "default: NODE_NAME from spec.nodeName" \
  "$(q default "containers($A)[0].env.find(e => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath")" spec.nodeName
expect "default: the agent tolerates every taint (runs on every node)" \
  "$(q default "podSpec($A).tolerations.some(t => t.operator === 'Exists' && !t.key)")" true
expect "default: every agent file input reads the CRI format under /var/log/pods" \
  "$(q default "config('sluice-agent').pipelines.pods.inputs.map(i => i.type + ':' + i.format + ':' + i.include.every(p => p.startsWith('/var/log/pods/'))).join(' ')")" \
  "file:cri:true file:cri:true"
expect "default: the agent does not ship its own logs" \
  "$(q default "config('sluice-agent').pipelines.pods.inputs.every(i => i.exclude.includes('/var/log/pods/logging_sluice-agent-*/**'))")" true
expect "default: the agent config has the k8s and spark filters and a kafka output" \
  "$(q default "(p => p.filters.some(f => f.type === 'k8s') + ' ' + p.filters.some(f => f.type === 'spark') + ' ' + p.outputs[0].type + ' ' + p.outputs[0].topic)(config('sluice-agent').pipelines.pods)")" \
  "true true kafka spark-logs"
expect "default: agent terminationGracePeriodSeconds = shutdown_timeout + 10 s" \
  "$(q default "podSpec($A).terminationGracePeriodSeconds - duration(config('sluice-agent').shutdown_timeout)")" 10

# Elasticsearch, SASL, TLS, IRSA, extra librdkafka properties, tpl'd annotations.
expect "extras: the IRSA role annotation is on the ServiceAccount" \
  "$(q extras "find('ServiceAccount','sluice').metadata.annotations['eks.amazonaws.com/role-arn']")" \
  arn:aws:iam::111122223333:role/sluice-collector
expect "extras: a kibana pipeline with its own consumer group writes to Elasticsearch" \
  "$(q extras "(p => p.inputs[0].group_id + ' ' + p.outputs[0].type + ' ' + p.outputs[0].hosts.join())(config('sluice-collector').pipelines.kibana)")" \
  "sluice-elasticsearch elasticsearch https://es.example:9200"
expect "extras: SASL and TLS on every Kafka client" \
  "$(q extras "configs.flatMap(c => Object.values(c.config.pipelines).flatMap(p => [...p.inputs, ...p.outputs])).filter(x => x.type === 'kafka').map(x => x.sasl?.mechanism + '/' + x.tls?.enabled).join(' ')")" \
  "SCRAM-SHA-512/true SCRAM-SHA-512/true SCRAM-SHA-512/true"
expect "extras: KAFKA_PASSWORD and ES_API_KEY come from the Secrets" \
  "$(q extras "(e => e('KAFKA_PASSWORD') + ' ' + e('ES_API_KEY'))(n => containers($D)[0].env.find(x => x.name === n)?.valueFrom?.secretKeyRef?.name)")" \
  "msk-sluice es-sluice"
expect "extras: librdkafka properties from values" \
  "$(q extras "config('sluice-collector').pipelines.bronze.inputs[0].librdkafka['fetch.max.bytes']")" 52428800
expect "extras: podAnnotations are rendered with tpl" \
  "$(q extras "$D.spec.template.metadata.annotations.team")" sluice-logs
if "$work/helm_render" --set "kafka.brokers=$brokers" --set collector.elasticsearch.enabled=true "$chart" >/dev/null 2>"$work/nohosts.err"; then
  bad "collector.elasticsearch.enabled without hosts must fail"
else
  expect "collector.elasticsearch.enabled without hosts fails with a message" \
    "$(grep -c 'collector.elasticsearch.hosts is required' "$work/nohosts.err")" 1
fi

# NOTES.txt.
if "$work/helm_render" --notes --name sluice --namespace logging --set "kafka.brokers=$brokers" \
  --set collector.staticMembership=true "$chart" >"$work/notes.txt" 2>&1; then
  expect "NOTES.txt renders and names the release, namespace and the StatefulSet mode" \
    "$(grep -c -e 'release "sluice" in namespace "logging"' -e 'StatefulSet with Kafka static membership' "$work/notes.txt")" 2
else
  bad "NOTES.txt does not render: $(cat "$work/notes.txt")"
fi

# The Kubernetes schemas: every rendered object and every plain manifest.
mapfile -t plain < <(find "$root/packaging/kubernetes" -name '*.yaml' | sort)
rendered=()
for v in "${variants[@]}"; do rendered+=("$work/$v.yaml"); done
if node "$tools/validate.js" "${rendered[@]}" "${plain[@]}" >"$work/validate.out"; then
  ok "kubernetes-models: $(tail -1 "$work/validate.out") ($(grep -c '^ok' "$work/validate.out") objects: ${#variants[@]} renderings and ${#plain[@]} plain manifests)"
else
  bad "kubernetes-models validation:"
  grep -A3 '^FAIL' "$work/validate.out" | sed 's/^/     /'
fi

# The Sluice configs in the ConfigMaps.
mapfile -t configs < <(node "$tools/extract-configs.js" "$work/configs" "$work/default.yaml" "$work/static.yaml" \
  "$work/extras.yaml" "${plain[@]}")
expect "Sluice configs found in the ConfigMaps (agent and collector of 3 renderings, spark sidecar)" "${#configs[@]}" 7
if [[ -x $sluice ]]; then
  for c in "${configs[@]}"; do
    if env KAFKA_BROKERS=127.0.0.1:9092 NODE_NAME=node-1 SLUICE_GROUP_INSTANCE_ID=sluice-collector-0 \
      KAFKA_USER=user KAFKA_PASSWORD=secret ES_API_KEY=key \
      "$sluice" validate -c "$c" >"$work/sluice.out" 2>&1; then
      ok "sluice validate -c ${c##*/}"
    else
      bad "sluice validate -c ${c##*/}:"
      sed 's/^/     /' "$work/sluice.out"
    fi
  done
else
  echo "skip sluice validate of the ${#configs[@]} configs: no sluice binary at $sluice (pass its path as the first argument)"
fi

echo "$passed passed, $failed failed"
if (( failed > 0 )); then
  echo "helm_render_test: $failed check(s) failed" >&2
  exit 1
fi
