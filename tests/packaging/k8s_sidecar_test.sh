#!/usr/bin/env bash
# Checks the Spark-on-Kubernetes pod templates with the Sluice native sidecar
# (packaging/kubernetes/spark/): the sidecar is an init container with restartPolicy Always and
# the Spark container is named as spark-submit.sh says; the two share the emptyDir at the
# directory Spark's log4j2 file appender writes to, and the sidecar's file input reads that file;
# terminationGracePeriodSeconds >= the ConfigMap config's shutdown_timeout + 10 s; liveness and
# readiness probes on the admin port (the driver's readiness must not be /ready); the downward-API
# env, resources, non-root securityContext and data_dir on an emptyDir; and that spark-submit.sh
# passes both templates, both container names and the log4j2 option, prints the History Server's
# Kibana log URL, overrides the image, and is shellcheck-clean. With a sluice binary, also
# `sluice test` of the sidecar config's filters for a driver and an executor pod: the fields the
# Kibana link filters on (spark.app_id, spark.executor_id) and the pod metadata. One line per check.
#
# Needs: node (Debian nodejs) with tests/tools/k8s-validate installed
# (`cd tests/tools/k8s-validate && npm ci`), shellcheck (Debian).
# Run from anywhere: tests/packaging/k8s_sidecar_test.sh [PATH/TO/sluice]
#   (default: build/release/agent/sluice under the repository; the `sluice test` step is skipped
#   when there is no binary)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sluice=${1:-$root/build/release/agent/sluice}
spark=$root/packaging/kubernetes/spark
tools=$root/tests/tools/k8s-validate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=tests/packaging/check_lib.sh
source "$root/tests/packaging/check_lib.sh"

for tool in node shellcheck; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL $tool is not installed (Debian package: ${tool/node/nodejs})"
    exit 1
  fi
done
if [[ ! -d $tools/node_modules/kubernetes-models ]]; then
  echo "FAIL $tools/node_modules is missing: run (cd tests/tools/k8s-validate && npm ci)"
  exit 1
fi

manifests=("$spark"/*.yaml "$spark"/pod-templates/driver.yaml "$spark"/pod-templates/executor.yaml)
# q EXPRESSION: evaluates it over the ConfigMaps and both pod templates (tests/tools/k8s-validate/query.js).
q() { node "$tools/query.js" "${manifests[@]}" -- "$1" 2>&1 || echo "<query failed: $1>"; }

cm='sluice-spark-sidecar'
shutdown=$(q "duration(config('$cm').shutdown_timeout ?? '30s')")
log_file=$(q "(find('ConfigMap','spark-log4j2').data['log4j2.properties'].match(/^appender\\.file\\.fileName\\s*=\\s*(\\S+)/m) || [])[1] ?? ''")
log_dir=${log_file%/*}
expect "log4j2.properties has a file appender writing under a directory" "$([[ $log_file == /*/* ]] && echo yes)" yes

for role in driver executor; do
  pod="Pod/spark-$role-template"
  name="spark-$role-template"
  spark_container="spark-kubernetes-$role"
  P="find('Pod','$name')"
  S="containers($P).find(c => c.name === 'sluice')"
  X="containers($P).find(c => c.name === '$spark_container')"

  expect "$pod: the sidecar 'sluice' is an init container" "$(q "$S?.init")" true
  expect "$pod: the sidecar has restartPolicy Always (native sidecar)" "$(q "$S?.restartPolicy")" Always
  expect "$pod: no other container runs Sluice" \
    "$(q "containers($P).filter(c => (c.image || '').includes('sluice')).length")" 1
  expect "$pod: the Spark container '$spark_container' is a regular container" "$(q "$X?.init")" false
  expect "$pod: the sidecar image is the placeholder ghcr.io/sluice-dev/sluice:0.1.0" \
    "$(q "$S?.image")" ghcr.io/sluice-dev/sluice:0.1.0
  expect "$pod: the sidecar keeps the image's entrypoint (tini -- sluice): no command" "$(q "$S?.command === undefined")" true
  expect "$pod: the sidecar runs 'run -c /etc/sluice/sidecar.yaml'" \
    "$(q "[...($S?.command || []), ...($S?.args || [])].slice(-3).join(' ')")" "run -c /etc/sluice/sidecar.yaml"

  # The shared log directory.
  spark_vol=$(q "($X?.volumeMounts || []).find(m => m.mountPath === '$log_dir')?.name ?? ''")
  expect "$pod: the Spark container mounts a volume at $log_dir (log4j2's file appender directory)" \
    "$([[ -n $spark_vol ]] && echo yes)" yes
  expect "$pod: that volume ($spark_vol) is an emptyDir" \
    "$(q "!!podSpec($P).volumes.find(v => v.name === '$spark_vol')?.emptyDir")" true
  sidecar_dir=$(q "($S?.volumeMounts || []).find(m => m.name === '$spark_vol')?.mountPath ?? ''")
  expect "$pod: the sidecar mounts the same emptyDir at the same path" "$sidecar_dir" "$log_dir"
  expect "$pod: the Spark container can write the log directory" \
    "$(q "($X?.volumeMounts || []).find(m => m.name === '$spark_vol')?.readOnly === true")" false

  # The log4j2 config is mounted where -Dlog4j.configurationFile points (spark-submit.sh).
  l4j=$(sed -n 's/^LOG4J2_OPTS=-Dlog4j.configurationFile=file:\(.*\)$/\1/p' "$spark/spark-submit.sh")
  expect "$pod: the Spark container mounts ConfigMap spark-log4j2 at ${l4j%/*} (spark-submit.sh's -Dlog4j.configurationFile)" \
    "$(q "podSpec($P).volumes.find(v => v.name === ($X?.volumeMounts || []).find(m => m.mountPath === '${l4j%/*}')?.name)?.configMap?.name ?? ''")" \
    spark-log4j2

  # Shutdown: the pod's grace period covers Sluice's drain.
  grace=$(q "podSpec($P).terminationGracePeriodSeconds ?? 30")
  expect "$pod: terminationGracePeriodSeconds $grace >= shutdown_timeout ${shutdown}s + 10s margin" \
    "$(( grace >= shutdown + 10 ))" 1
  prestop=$(q "$S?.lifecycle?.preStop?.sleep?.seconds ?? 0")
  expect "$pod: the preStop pause (${prestop}s) and shutdown_timeout fit in the grace period" \
    "$(( grace >= shutdown + prestop ))" 1

  # Probes on the admin API.
  expect "$pod: livenessProbe httpGet /health on port 9600" \
    "$(q "[$S?.livenessProbe?.httpGet?.path, $S?.livenessProbe?.httpGet?.port].join(' ')")" "/health 9600"
  readiness=$(q "[$S?.readinessProbe?.httpGet?.path, $S?.readinessProbe?.httpGet?.port].join(' ')")
  if [[ $role == executor ]]; then
    expect "$pod: readinessProbe httpGet /ready on port 9600" "$readiness" "/ready 9600"
  else
    # The driver's readiness decides whether its headless Service resolves (executors connect to
    # it); /ready is 503 while Kafka is down, which must not cut executors off the driver.
    expect "$pod: readinessProbe httpGet /health on port 9600 (not /ready: driver DNS)" "$readiness" "/health 9600"
  fi
  expect "$pod: no startupProbe (it would hold Spark back while Sluice is not up)" "$(q "!!$S?.startupProbe")" false

  # Downward API and Kafka env.
  for pair in POD_NAME=metadata.name POD_NAMESPACE=metadata.namespace POD_UID=metadata.uid \
    NODE_NAME=spec.nodeName "SPARK_APPLICATION_ID=metadata.labels['spark-app-selector']" \
    "SPARK_ROLE=metadata.labels['spark-role']" "SPARK_EXECUTOR_ID=metadata.labels['spark-exec-id']"; do
    var=${pair%%=*}
    expect "$pod: env $var from fieldRef ${pair#*=}" \
      "$(q "($S?.env || []).find(e => e.name === '$var')?.valueFrom?.fieldRef?.fieldPath ?? ''")" "${pair#*=}"
  done
  expect "$pod: env CONTAINER_NAME is the Spark container's name" \
    "$(q "($S?.env || []).find(e => e.name === 'CONTAINER_NAME')?.value ?? ''")" "$spark_container"
  for pair in KAFKA_BROKERS=kafka.brokers KAFKA_TOPIC=kafka.topic; do
    var=${pair%%=*}
    expect "$pod: env $var from ConfigMap $cm key ${pair#*=}, which exists" \
      "$(q "(e => e?.name === '$cm' && find('ConfigMap','$cm').data[e.key] !== undefined ? e.key : '')(($S?.env || []).find(e => e.name === '$var')?.valueFrom?.configMapKeyRef)")" \
      "${pair#*=}"
  done
  expect "$pod: the downward-API volume holds the pod labels for the k8s filter" \
    "$(q "podSpec($P).volumes.find(v => v.name === ($S?.volumeMounts || []).find(m => m.mountPath === '/etc/podinfo')?.name)?.downwardAPI?.items?.find(i => i.path === 'labels')?.fieldRef?.fieldPath ?? ''")" \
    metadata.labels

  # Resources (docs/deploy-eks.md) and security.
  expect "$pod: resources requests cpu 50m memory 64Mi, limits cpu 100m memory 100Mi" \
    "$(q "[$S?.resources?.requests?.cpu, $S?.resources?.requests?.memory, $S?.resources?.limits?.cpu, $S?.resources?.limits?.memory].join(' ')")" \
    "50m 64Mi 100m 100Mi"
  expect "$pod: runAsNonRoot, runAsUser 10001, readOnlyRootFilesystem, no privilege escalation, drop ALL" \
    "$(q "(s => [s.runAsNonRoot, s.runAsUser, s.readOnlyRootFilesystem, s.allowPrivilegeEscalation, (s.capabilities?.drop || []).join()].join(' '))($S?.securityContext || {})")" \
    "true 10001 true false ALL"
  data_dir=$(q "String(config('$cm').data_dir).replace(/^\\\$\\{[A-Z_]+:-(.*)\\}\$/, '\$1')")
  expect "$pod: data_dir $data_dir is an emptyDir mounted in the sidecar" \
    "$(q "!!podSpec($P).volumes.find(v => v.name === ($S?.volumeMounts || []).find(m => m.mountPath === '$data_dir')?.name)?.emptyDir")" \
    true
done

# The sidecar config.
C="config('$cm')"
expect "sidecar config: admin.listen on 0.0.0.0:9600 (kubelet probes the pod IP)" \
  "$(q "String($C.admin?.listen).replace(/^\\\$\\{[A-Z_]+:-(.*)\\}\$/, '\$1')")" 0.0.0.0:9600
includes=$(q "$C.pipelines.spark.inputs.find(i => i.type === 'file')?.include?.join(' ') ?? ''")
read_ok=no
for glob in $includes; do
  # shellcheck disable=SC2053  # $glob is a pattern on purpose
  if [[ $log_file == $glob ]]; then read_ok=yes; fi
done
expect "sidecar config: the file input's include ($includes) matches log4j2's file $log_file" "$read_ok" yes
agent_start=$(node "$tools/query.js" "$root/config/agent.yaml" -- \
  "docs[0].pipelines.spark.inputs.find(i => i.type === 'file').multiline.start" 2>&1)
expect "sidecar config: multiline.start is config/agent.yaml's" \
  "$(q "$C.pipelines.spark.inputs.find(i => i.type === 'file')?.multiline?.start")" "$agent_start"
for f in grok timestamp spark k8s; do
  expect "sidecar config: has a $f filter" "$(q "($C.pipelines.spark.filters || []).some(f => f.type === '$f')")" true
done
expect "sidecar config: kafka output brokers and topic from KAFKA_BROKERS and KAFKA_TOPIC" \
  "$(q "(o => /^\\\$\\{KAFKA_BROKERS[:}]/.test(o?.brokers) && /^\\\$\\{KAFKA_TOPIC[:}]/.test(o?.topic))($C.pipelines.spark.outputs.find(o => o.type === 'kafka'))")" \
  true
expect "sidecar config: max_inflight_bytes + kafka max_queue_bytes fit in half the 100Mi limit" \
  "$(q "(p => { const b = s => { const m = String(s).match(/^(\\d+)(KiB|MiB)\$/); return m ? Number(m[1]) * (m[2] === 'MiB' ? 1048576 : 1024) : Infinity; }; \
     return b(p.max_inflight_bytes) + b(p.outputs.find(o => o.type === 'kafka').max_queue_bytes) <= 50 * 1048576; })($C.pipelines.spark)")" \
  true

# The generic structural checks (tests/tools/k8s-validate/check.js) on the sidecar.
if node "$tools/check.js" --containers sluice "${manifests[@]}" >"$work/check.out"; then
  ok "check.js: $(tail -1 "$work/check.out") (sidecar structure: mounts, config path, ports, grace)"
else
  bad "check.js found problems:"
  grep '^FAIL' "$work/check.out" | sed 's/^/     /'
fi

# spark-submit.sh.
submit=$spark/spark-submit.sh
(cd "$work" && "$submit" --print local:///opt/spark/examples/jars/spark-examples.jar 10) >"$work/submit.out"
conf() { tr ' ' '\n' <"$work/submit.out" | sed -n "s/^$1=//p" | head -1; }
expect "spark-submit.sh: spark.kubernetes.driver.podTemplateFile is the driver template" \
  "$(conf spark.kubernetes.driver.podTemplateFile)" "$spark/pod-templates/driver.yaml"
expect "spark-submit.sh: spark.kubernetes.executor.podTemplateFile is the executor template" \
  "$(conf spark.kubernetes.executor.podTemplateFile)" "$spark/pod-templates/executor.yaml"
for role in driver executor; do
  expect "spark-submit.sh: spark.kubernetes.$role.podTemplateContainerName names the template's Spark container" \
    "$(conf "spark.kubernetes.$role.podTemplateContainerName")" \
    "$(q "podSpec(find('Pod','spark-$role-template')).containers[0].name")"
  expect "spark-submit.sh: spark.$role.extraJavaOptions loads log4j2.properties from the ConfigMap mount" \
    "$(conf "spark.$role.extraJavaOptions")" "-Dlog4j.configurationFile=file:$l4j"
done
"$submit" --history-server-conf >"$work/history.out"
url=$(sed -n 's/^spark.history.custom.executor.log.url //p' "$work/history.out")
expect "spark-submit.sh --history-server-conf: a Kibana Discover URL with {{APP_ID}} and {{EXECUTOR_ID}}" \
  "$([[ $url == */app/discover#* && $url == *spark.app_id*'{{APP_ID}}'* && $url == *spark.executor_id*'{{EXECUTOR_ID}}'* ]] && echo yes)" yes
expect "spark-submit.sh --history-server-conf: applyIncompleteApplication" \
  "$(sed -n 's/^spark.history.custom.executor.log.url.applyIncompleteApplication //p' "$work/history.out")" true
SLUICE_IMAGE=registry.example/sluice:9.9.9 TMPDIR=$work "$submit" --print app.jar >"$work/submit2.out" 2>/dev/null
copy=$(tr ' ' '\n' <"$work/submit2.out" | sed -n 's/^spark.kubernetes.executor.podTemplateFile=//p')
expect "spark-submit.sh: SLUICE_IMAGE puts another image into copies of the templates" \
  "$([[ $copy == "$work"/* ]] && grep -c 'image: registry.example/sluice:9.9.9' "$copy")" 1
if shellcheck "$submit"; then ok "spark-submit.sh is shellcheck-clean"; else bad "shellcheck spark-submit.sh"; fi

# The sidecar's filters, run by `sluice test` with a driver's and an executor's environment.
if [[ -x $sluice ]]; then
  node "$tools/extract-configs.js" "$work/configs" "$spark/sluice-sidecar-configmap.yaml" >"$work/configs.txt"
  sidecar_config=$(head -1 "$work/configs.txt")
  for role in driver executor; do
    if [[ $role == driver ]]; then exec_id=; want_id=driver; else exec_id=3; want_id='"3"'; fi
    { cat "$sidecar_config"; cat <<EOF
tests:
  - name: a $role record gets the application, executor and pod fields
    input: "24/06/01 10:11:12.345 ERROR Executor: Exception in task 0.0\n\tat org.apache.spark.X.run(X.scala:1)"
    expect:
      - fields:
          log.level: ERROR
          log.logger: Executor
          spark.app_id: spark-0a1b2c3d
          spark.role: $role
          spark.executor_id: $want_id
          kubernetes.pod.name: pi-$role
          kubernetes.namespace: spark-jobs
          kubernetes.pod.uid: 0b7e5c1a-4d2e-4f3a-9c1d-1234567890ab
          kubernetes.node.name: ip-10-0-1-23.ec2.internal
          kubernetes.container.name: spark-kubernetes-$role
        tags: [java_exception]
        timestamp: 2024-06-01T10:11:12.345Z
EOF
    } >"$work/$role-test.yaml"
    if env KAFKA_BROKERS=127.0.0.1:9092 SPARK_APPLICATION_ID=spark-0a1b2c3d SPARK_ROLE=$role \
      SPARK_EXECUTOR_ID=$exec_id POD_NAME=pi-$role POD_NAMESPACE=spark-jobs \
      POD_UID=0b7e5c1a-4d2e-4f3a-9c1d-1234567890ab NODE_NAME=ip-10-0-1-23.ec2.internal \
      CONTAINER_NAME=spark-kubernetes-$role \
      "$sluice" test -c "$work/$role-test.yaml" >"$work/$role-test.out" 2>&1; then
      ok "sluice test: the sidecar config labels the $role's events (spark.executor_id $want_id)"
    else
      bad "sluice test of the sidecar config for a $role:"
      sed 's/^/     /' "$work/$role-test.out"
    fi
  done
else
  echo "skip sluice test of the sidecar config: no sluice binary at $sluice (pass its path as the first argument)"
fi

echo "$passed passed, $failed failed"
if (( failed > 0 )); then
  echo "k8s_sidecar_test: $failed check(s) failed" >&2
  exit 1
fi
