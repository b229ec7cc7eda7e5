#!/usr/bin/env bash
# Submits a Spark application to Kubernetes (EKS) with Sluice as a native sidecar in the driver
# and executor pods: every --conf the sidecar needs, in one place. See docs/deploy-eks.md.
#
#   spark-submit.sh [--print] APP_RESOURCE [APP_ARGS...]   submit (--print: show the command only)
#   spark-submit.sh --history-server-conf                   print the History Server settings
#
# Before the first run, in the namespace of the Spark pods:
#   kubectl apply -n "$NAMESPACE" -f packaging/kubernetes/spark/     # the two ConfigMaps
#
# Environment (defaults in brackets):
#   K8S_API_SERVER   the API server, e.g. https://ABC.gr7.eu-west-1.eks.amazonaws.com  (required
#                    to submit; `kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}'`)
#   NAMESPACE        [spark-jobs]   namespace of the driver and executor pods
#   SERVICE_ACCOUNT  [spark]        the driver's service account (may create pods, services, configmaps)
#   SPARK_IMAGE      [apache/spark:3.5.3]   the Spark image
#   SLUICE_IMAGE     [ghcr.io/sluice-dev/sluice:0.1.0]   the sidecar image; another value is
#                    written into copies of the pod templates in a temporary directory
#   APP_NAME         [spark-app]
#   EVENT_LOG_DIR    [s3a://spark-events/]   event logs for the History Server
#   KIBANA_URL       [https://kibana.example.com]   Kibana, for the executor log links
#   KIBANA_FROM      [now-30d]      start of the Kibana time range of those links
#   SPARK_SUBMIT     [spark-submit] the spark-submit to run
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

NAMESPACE=${NAMESPACE:-spark-jobs}
SERVICE_ACCOUNT=${SERVICE_ACCOUNT:-spark}
SPARK_IMAGE=${SPARK_IMAGE:-apache/spark:3.5.3}
DEFAULT_SLUICE_IMAGE=ghcr.io/sluice-dev/sluice:0.1.0
SLUICE_IMAGE=${SLUICE_IMAGE:-$DEFAULT_SLUICE_IMAGE}
APP_NAME=${APP_NAME:-spark-app}
EVENT_LOG_DIR=${EVENT_LOG_DIR:-s3a://spark-events/}
KIBANA_URL=${KIBANA_URL:-https://kibana.example.com}
KIBANA_FROM=${KIBANA_FROM:-now-30d}
SPARK_SUBMIT=${SPARK_SUBMIT:-spark-submit}

# The container names in the pod templates: Spark takes the FIRST container of a template as the
# Spark container unless podTemplateContainerName names it; name it, so a reordering is harmless.
DRIVER_CONTAINER=spark-kubernetes-driver
EXECUTOR_CONTAINER=spark-kubernetes-executor
DRIVER_TEMPLATE=$here/pod-templates/driver.yaml
EXECUTOR_TEMPLATE=$here/pod-templates/executor.yaml

# log4j2 writes to the emptyDir the sidecar tails (spark-log4j2-configmap.yaml, mounted by the
# pod templates). Append your own JVM options to these two settings rather than replacing them.
LOG4J2_OPTS=-Dlog4j.configurationFile=file:/etc/spark-log4j2/log4j2.properties

# A Kibana Discover link to one executor's logs (data view on logs-spark-*, docs/kibana.md): KQL
# `spark.app_id:"APP" and spark.executor_id:"ID"`, percent-encoded. The History Server (and, in
# Spark 4, the live UI) replaces {{APP_ID}} and {{EXECUTOR_ID}} with each executor's values; the
# sidecar gives the driver's events spark.executor_id "driver", Spark's id for the driver.
KIBANA_LOG_URL="${KIBANA_URL}/app/discover#/?_g=(time:(from:${KIBANA_FROM},to:now))&_a=(query:(language:kuery,query:'spark.app_id:%22{{APP_ID}}%22%20and%20spark.executor_id:%22{{EXECUTOR_ID}}%22'))"

history_server_conf() {
  # For the History Server's spark-defaults.conf (or SPARK_HISTORY_OPTS as -D options). It is a
  # History Server setting: setting it on an application has no effect. The executors' attributes
  # APP_ID and EXECUTOR_ID come from the event log (Spark 4 records them on Kubernetes; for
  # Spark 3 the executor pod template sets SPARK_EXECUTOR_ATTRIBUTE_APP_ID/_EXECUTOR_ID).
  printf '%s %s\n' spark.history.custom.executor.log.url "$KIBANA_LOG_URL"
  # Also rewrite the links of applications still running (the default): their logs are in Kibana
  # as they are written.
  printf '%s %s\n' spark.history.custom.executor.log.url.applyIncompleteApplication true
}

usage() {
  sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

print_only=false
case "${1:-}" in
  --history-server-conf) history_server_conf; exit 0 ;;
  -h|--help) usage; exit 0 ;;
  --print) print_only=true; shift ;;
esac
if [[ $# -lt 1 ]]; then
  usage >&2
  exit 2
fi

if [[ "$SLUICE_IMAGE" != "$DEFAULT_SLUICE_IMAGE" ]]; then
  # Copies of the templates with the other sidecar image (Spark reads them when submitting).
  tmp=$(mktemp -d)
  if [[ "$print_only" == true ]]; then
    echo "pod templates with $SLUICE_IMAGE kept in $tmp" >&2
  else
    trap 'rm -rf "$tmp"' EXIT
  fi
  for t in driver executor; do
    sed "s|image: ${DEFAULT_SLUICE_IMAGE}|image: ${SLUICE_IMAGE}|" \
      "$here/pod-templates/$t.yaml" >"$tmp/$t.yaml"
  done
  DRIVER_TEMPLATE=$tmp/driver.yaml
  EXECUTOR_TEMPLATE=$tmp/executor.yaml
fi

if [[ "$print_only" == true ]]; then
  K8S_API_SERVER=${K8S_API_SERVER:-https://KUBERNETES_API_SERVER}
fi

cmd=(
  "$SPARK_SUBMIT"
  --master "k8s://${K8S_API_SERVER:?set K8S_API_SERVER to the Kubernetes API server URL}"
  --deploy-mode cluster
  --name "$APP_NAME"
  --conf "spark.kubernetes.namespace=$NAMESPACE"
  --conf "spark.kubernetes.container.image=$SPARK_IMAGE"
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=$SERVICE_ACCOUNT"
  # The pod templates with the Sluice sidecar, and the name of the Spark container in each.
  --conf "spark.kubernetes.driver.podTemplateFile=$DRIVER_TEMPLATE"
  --conf "spark.kubernetes.executor.podTemplateFile=$EXECUTOR_TEMPLATE"
  --conf "spark.kubernetes.driver.podTemplateContainerName=$DRIVER_CONTAINER"
  --conf "spark.kubernetes.executor.podTemplateContainerName=$EXECUTOR_CONTAINER"
  # Spark's log4j2 also writes to the shared emptyDir.
  --conf "spark.driver.extraJavaOptions=$LOG4J2_OPTS"
  --conf "spark.executor.extraJavaOptions=$LOG4J2_OPTS"
  # Event logs, for the History Server and its links to the executors' logs in Kibana.
  --conf spark.eventLog.enabled=true
  --conf "spark.eventLog.dir=$EVENT_LOG_DIR"
  # Spark 4: the same links in the live UI's Executors tab (ignored by Spark 3).
  --conf "spark.ui.custom.executor.log.url=$KIBANA_LOG_URL"
  # Executor pods are deleted at the end (the default): their sidecars then drain and stop.
  --conf spark.kubernetes.executor.deleteOnTermination=true
  "$@"
)

if [[ "$print_only" == true ]]; then
  printf '%q ' "${cmd[@]}"
  printf '\n'
else
  # Not exec: the temporary templates (if any) must outlive spark-submit, then be removed.
  "${cmd[@]}"
fi
