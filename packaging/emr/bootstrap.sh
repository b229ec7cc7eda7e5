#!/bin/bash
# Amazon EMR bootstrap action: installs the Sluice agent on every node of an EMR 7.x cluster
# (Amazon Linux 2023), configures it to ship the YARN container logs (and optionally the Spark
# event logs) to Kafka, and starts it. See docs/deploy-emr.md.
#
#   bootstrap.sh s3://BUCKET/PATH/sluice-VERSION.x86_64.rpm --brokers HOST:PORT[,HOST:PORT...]
#                [--topic spark-logs] [--event-logs] [--extra-field NAME=VALUE]...
#                [--kafka-option KEY=VALUE]... [--dac-read-search] [--no-start]
#
# Bootstrap actions run as the hadoop user (passwordless sudo) on every node, before EMR installs
# and starts YARN and Spark. Running this script again is harmless: the same arguments write the
# same files, and the service is restarted only when its config changed.
#
# Testing: every path this script reads or writes on the node is under ${SLUICE_BOOTSTRAP_ROOT}
# (empty on a real node), and every external command (aws, dnf, rpm, sudo, systemctl, usermod,
# getent, hostname, getconf) is looked up through PATH, so tests/packaging/emr_bootstrap_test.sh
# runs it against a fake root with fake commands.
set -euo pipefail

readonly PROG=sluice-emr-bootstrap
readonly ROOT=${SLUICE_BOOTSTRAP_ROOT:-}
# jq or python3 for the EMR metadata files; "auto" uses jq when present (tests force each one).
readonly JSON_TOOL=${SLUICE_BOOTSTRAP_JSON_TOOL:-auto}
readonly INFO_DIR=${ROOT}/mnt/var/lib/info
readonly ETC_DIR=${ROOT}/etc/sluice
readonly CONFIG=${ETC_DIR}/agent.yaml
readonly UNIT_DIR=${ROOT}/etc/systemd/system
readonly DROPIN=${UNIT_DIR}/sluice.service.d/emr.conf
readonly GROUPS_UNIT=${UNIT_DIR}/sluice-emr-groups.service
readonly GROUPS_HELPER=${ROOT}/usr/local/libexec/sluice-emr-groups
readonly SLUICE_BIN=${ROOT}/usr/bin/sluice
# The first line of every config this script writes: a file without it is someone else's.
readonly MARKER="# Written by Sluice's EMR bootstrap action (packaging/emr/bootstrap.sh)."
# The groups YARN's log directories and files belong to (see docs/deploy-emr.md).
readonly LOG_GROUPS=(hadoop yarn)
# How long sluice-emr-groups.service waits for YARN to create those groups.
readonly GROUPS_WAIT_SECONDS=1800

log() { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$PROG" "$*"; }
warn() { printf '%s [%s] WARNING: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$PROG" "$*" >&2; }
die() {
  printf '%s [%s] ERROR: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$PROG" "$*" >&2
  exit 1
}

usage() {
  cat <<'EOF'
usage: bootstrap.sh s3://BUCKET/PATH/sluice-VERSION.x86_64.rpm --brokers HOST:PORT[,HOST:PORT...]
                    [--topic TOPIC] [--event-logs] [--extra-field NAME=VALUE]...
                    [--kafka-option KEY=VALUE]... [--dac-read-search] [--no-start]

Installs the Sluice agent on an EMR 7.x node, writes /etc/sluice/agent.yaml (YARN container logs
to Kafka) and starts sluice.service.

  --brokers LIST          Kafka bootstrap servers, comma separated (may be repeated; joined)
  --topic TOPIC           Kafka topic (default: spark-logs)
  --event-logs            also ship the Spark event logs in /var/log/spark/apps (JSON lines)
  --extra-field N=V       add field N with the literal value V to every event (repeatable)
  --kafka-option K=V      set option K of the kafka output (repeatable): compression=lz4,
                          tls.enabled=true, sasl.mechanism=SCRAM-SHA-512,
                          librdkafka.socket.keepalive.enable=true, headers.app={{spark.app_id}}
  --dac-read-search       let sluice read any file (AmbientCapabilities=CAP_DAC_READ_SEARCH)
                          instead of relying on the hadoop/yarn group memberships only
  --no-start              configure and enable, but do not start anything
  -h, --help              this text
EOF
}

usage_error() {
  printf '%s: %s\n\n' "$PROG" "$1" >&2
  usage >&2
  exit 2
}

# Runs a command as root: directly when already root, else through sudo (EMR's hadoop user has
# passwordless sudo; -n makes a missing rule an error instead of a password prompt).
as_root() {
  if [[ ${EUID} -eq 0 ]]; then
    "$@"
  else
    sudo -n "$@"
  fi
}

# Runs a command up to 3 times, 5 and 10 s apart (S3 and dnf hiccups while the node boots).
retry() {
  local attempt delay=${SLUICE_BOOTSTRAP_RETRY_SECONDS:-5}
  for attempt in 1 2 3; do
    if "$@"; then
      return 0
    fi
    if [[ ${attempt} -lt 3 ]]; then
      warn "attempt ${attempt} of 3 failed: $*; retrying in $((attempt * delay)) s"
      sleep $((attempt * delay))
    fi
  done
  return 1
}

# --- YAML writing ---------------------------------------------------------------------------
# Every value written into the config is a single-quoted YAML scalar. Sluice expands ${VAR} in
# every value, so a literal "${" is written "$${".
yaml_quote() {
  local s=$1
  s=${s//\'/\'\'}
  s=${s//"\${"/"\$\${"}
  printf "'%s'" "$s"
}

# A literal text as a mutate `set` value, which is a template: "%" becomes "%%". A "{{" cannot be
# written literally in a template, so such values are refused when the arguments are parsed.
template_literal() {
  local s=$1
  s=${s//%/%%}
  yaml_quote "$s"
}

reject_control_chars() {  # WHAT VALUE
  if [[ $2 =~ [[:cntrl:]] ]]; then
    usage_error "$1 must not contain control characters (newlines, tabs)"
  fi
}

# --- arguments ------------------------------------------------------------------------------
RPM_URI=
BROKERS=
TOPIC=spark-logs
EVENT_LOGS=false
NO_START=false
DAC_READ_SEARCH=false
EXTRA_NAMES=()
EXTRA_VALUES=()
KAFKA_KEYS=()
KAFKA_VALUES=()

# Splits NAME=VALUE into SPLIT_NAME and SPLIT_VALUE; a usage error when there is no "=".
split_assignment() {  # FLAG TEXT
  if [[ $2 != *=* || $2 == =* ]]; then
    usage_error "$1 expects NAME=VALUE, got '$2'"
  fi
  SPLIT_NAME=${2%%=*}
  SPLIT_VALUE=${2#*=}
}

add_extra_field() {
  split_assignment --extra-field "$1"
  if [[ ! ${SPLIT_NAME} =~ ^[A-Za-z_@][A-Za-z0-9_@-]*(\.[A-Za-z0-9_@-]+)*$ ]]; then
    usage_error "--extra-field: bad field name '${SPLIT_NAME}' (letters, digits, _ @ -, dotted: team.name)"
  fi
  if [[ ${SPLIT_NAME} == message || ${SPLIT_NAME} == tags ]]; then
    usage_error "--extra-field: '${SPLIT_NAME}' cannot be set this way"
  fi
  if [[ ${SPLIT_VALUE} == *'{{'* ]]; then
    usage_error "--extra-field ${SPLIT_NAME}: values are literal text and cannot contain '{{'"
  fi
  reject_control_chars "--extra-field ${SPLIT_NAME}" "${SPLIT_VALUE}"
  EXTRA_NAMES+=("${SPLIT_NAME}")
  EXTRA_VALUES+=("${SPLIT_VALUE}")
}

add_kafka_option() {
  split_assignment --kafka-option "$1"
  local key=${SPLIT_NAME}
  if [[ ! ${key} =~ ^[A-Za-z0-9_-]+(\.[A-Za-z0-9_.-]+)?$ ]]; then
    usage_error "--kafka-option: bad option name '${key}'"
  fi
  case ${key} in
    type | id | when) usage_error "--kafka-option: '${key}' cannot be set" ;;
    brokers | topic) usage_error "--kafka-option: use --${key} to set '${key}'" ;;
  esac
  reject_control_chars "--kafka-option ${key}" "${SPLIT_VALUE}"
  KAFKA_KEYS+=("${key}")
  KAFKA_VALUES+=("${SPLIT_VALUE}")
}

parse_args() {
  local arg value
  while [[ $# -gt 0 ]]; do
    arg=$1
    shift
    value=
    case ${arg} in
      --brokers=* | --topic=* | --extra-field=* | --kafka-option=*)
        set -- "${arg#*=}" "$@"
        arg=${arg%%=*}
        ;;
    esac
    case ${arg} in
      -h | --help)
        usage
        exit 0
        ;;
      --event-logs) EVENT_LOGS=true ;;
      --no-start) NO_START=true ;;
      --dac-read-search) DAC_READ_SEARCH=true ;;
      --brokers | --topic | --extra-field | --kafka-option)
        [[ $# -gt 0 ]] || usage_error "${arg} needs a value"
        value=$1
        shift
        case ${arg} in
          --brokers) BROKERS=${BROKERS:+${BROKERS},}${value} ;;
          --topic) TOPIC=${value} ;;
          --extra-field) add_extra_field "${value}" ;;
          --kafka-option) add_kafka_option "${value}" ;;
        esac
        ;;
      -*) usage_error "unknown option '${arg}'" ;;
      *)
        [[ -z ${RPM_URI} ]] || usage_error "unexpected argument '${arg}' (the rpm is '${RPM_URI}')"
        RPM_URI=${arg}
        ;;
    esac
  done

  [[ -n ${RPM_URI} ]] || usage_error "missing the S3 URI of the sluice rpm"
  [[ ${RPM_URI} =~ ^s3://[^/]+/.+\.rpm$ ]] ||
    usage_error "expected the rpm as s3://BUCKET/PATH/sluice-VERSION.x86_64.rpm, got '${RPM_URI}'"
  [[ -n ${BROKERS} ]] || usage_error "missing --brokers HOST:PORT[,HOST:PORT...]"
  local broker
  local -a brokers
  IFS=, read -r -a brokers <<<"${BROKERS}"
  for broker in "${brokers[@]}"; do
    [[ ${broker} =~ ^[A-Za-z0-9._-]+:[0-9]+$ || ${broker} =~ ^\[[0-9A-Fa-f:.]+\]:[0-9]+$ ]] ||
      usage_error "--brokers: expected HOST:PORT, got '${broker}'"
  done
  [[ -n ${TOPIC} ]] || usage_error "--topic must not be empty"
  reject_control_chars --topic "${TOPIC}"
}

# Warns about broker ports that need options the command line did not give. MSK listens on 9092
# (plaintext), 9094 (TLS), 9096 (SASL/SCRAM over TLS), 9098 (IAM over TLS).
check_broker_ports() {
  local i has_tls=false has_sasl=false
  for i in "${!KAFKA_KEYS[@]}"; do
    [[ ${KAFKA_KEYS[i]} == tls.enabled && ${KAFKA_VALUES[i]} =~ ^(true|yes|on)$ ]] && has_tls=true
    [[ ${KAFKA_KEYS[i]} == sasl.mechanism && -n ${KAFKA_VALUES[i]} ]] && has_sasl=true
  done
  if [[ ,${BROKERS}, =~ :9098, ]]; then
    warn "port 9098 is MSK's IAM listener; the kafka output cannot authenticate with IAM" \
      "(no SASL/OAUTHBEARER SigV4 tokens): use SCRAM on 9096 or mutual TLS on 9094" \
      "(docs/plugins/outputs/kafka.md#tls-and-sasl)"
  fi
  if [[ ,${BROKERS}, =~ :909[468], && ${has_tls} == false ]]; then
    warn "MSK ports 9094, 9096 and 9098 take TLS only: add --kafka-option tls.enabled=true"
  fi
  if [[ ,${BROKERS}, =~ :9096, && ${has_sasl} == false ]]; then
    warn "MSK port 9096 is SASL/SCRAM: add --kafka-option sasl.mechanism=SCRAM-SHA-512 and the" \
      "sasl.username/sasl.password options"
  fi
}

# --- node checks and EMR metadata -----------------------------------------------------------
# The packaged binary needs glibc 2.34 (Amazon Linux 2023, EMR 7.x). EMR 6.x runs Amazon Linux 2
# (glibc 2.26), where it cannot run: say so before installing anything.
check_glibc() {
  local version major minor
  version=$(getconf GNU_LIBC_VERSION 2>/dev/null || true)  # "glibc 2.34"
  version=${version##* }
  if [[ ! ${version} =~ ^([0-9]+)\.([0-9]+) ]]; then
    warn "cannot tell this node's glibc version; the sluice package needs glibc >= 2.34"
    return 0
  fi
  major=${BASH_REMATCH[1]}
  minor=${BASH_REMATCH[2]}
  if ((major < 2 || (major == 2 && minor < 34))); then
    die "this node has glibc ${version}; the sluice package needs glibc >= 2.34 (EMR 7.x," \
      "Amazon Linux 2023). EMR 6.x (Amazon Linux 2, glibc 2.26) is not supported."
  fi
}

json_tool() {
  if [[ ${JSON_TOOL} != auto ]]; then
    echo "${JSON_TOOL}"
  elif command -v jq >/dev/null 2>&1; then
    echo jq
  elif command -v python3 >/dev/null 2>&1; then
    echo python3
  else
    echo none
  fi
}

# Prints one value of an EMR metadata file (empty when absent); fails when the file is not JSON.
#   json_query FILE cluster_id          job-flow.json: jobFlowId
#   json_query FILE instance_role       instance.json: instanceRole
#   json_query FILE group_id            instance.json: instanceGroupId (or instanceFleetId)
#   json_query FILE is_master           instance.json: isMaster, "true" or "false"
#   json_query FILE group_role GROUP    job-flow.json: the role of instance group (or fleet) GROUP
json_query() {
  local file=$1 query=$2 arg=${3:-} tool filter
  tool=$(json_tool)
  case ${tool} in
    jq)
      case ${query} in
        cluster_id) filter='.jobFlowId // empty' ;;
        instance_role) filter='.instanceRole // empty' ;;
        group_id) filter='.instanceGroupId // .instanceFleetId // empty' ;;
        is_master) filter='if .isMaster == true then "true" elif .isMaster == false then "false" else empty end' ;;
        group_role)
          # shellcheck disable=SC2016 # $id is jq's variable
          filter='[((.instanceGroups // [])[] | select(.instanceGroupId == $id)
                     | (.instanceRole // .instanceGroupType // .instanceGroupName)),
                   ((.instanceFleets // [])[] | select(.instanceFleetId == $id)
                     | (.instanceFleetType // .instanceRole))] | map(select(. != null)) | first // empty'
          ;;
        *) die "internal error: unknown query ${query}" ;;
      esac
      jq -r --arg id "${arg}" "${filter}" "${file}"
      ;;
    python3)
      python3 - "${file}" "${query}" "${arg}" <<'PY'
import json
import sys

path, query, arg = sys.argv[1:4]
with open(path, encoding="utf-8") as f:
    doc = json.load(f)
if not isinstance(doc, dict):
    sys.exit("not a JSON object")


def text(value):
    return value if isinstance(value, str) else ""


value = ""
if query == "cluster_id":
    value = text(doc.get("jobFlowId"))
elif query == "instance_role":
    value = text(doc.get("instanceRole"))
elif query == "group_id":
    value = text(doc.get("instanceGroupId")) or text(doc.get("instanceFleetId"))
elif query == "is_master":
    if doc.get("isMaster") is True:
        value = "true"
    elif doc.get("isMaster") is False:
        value = "false"
elif query == "group_role":
    for group in doc.get("instanceGroups") or []:
        if isinstance(group, dict) and group.get("instanceGroupId") == arg:
            value = value or text(group.get("instanceRole")) or text(
                group.get("instanceGroupType")) or text(group.get("instanceGroupName"))
    for fleet in doc.get("instanceFleets") or []:
        if isinstance(fleet, dict) and fleet.get("instanceFleetId") == arg:
            value = value or text(fleet.get("instanceFleetType")) or text(fleet.get("instanceRole"))
else:
    sys.exit("unknown query " + query)
print(value)
PY
      ;;
    *) return 1 ;;
  esac
}

# master|core|task from EMR's spellings (Master, MASTER, Core, CORE, ...); empty otherwise.
normalize_role() {
  local role=${1,,}
  case ${role} in
    master | primary) echo master ;;
    core | task) echo "${role}" ;;
    *) echo "" ;;
  esac
}

# Sets CLUSTER_ID and NODE_ROLE from /mnt/var/lib/info (written by EMR before bootstrap actions
# run); "unknown", with a warning, for what cannot be read.
read_emr_metadata() {
  local job_flow=${INFO_DIR}/job-flow.json instance=${INFO_DIR}/instance.json
  local value group_id is_master
  CLUSTER_ID=
  NODE_ROLE=
  if [[ $(json_tool) == none ]]; then
    warn "neither jq nor python3 is installed: cannot read the EMR metadata files"
  else
    if [[ ! -r ${job_flow} ]]; then
      warn "${job_flow} is missing: emr.cluster_id will be 'unknown' (is this an EMR node?)"
    elif ! CLUSTER_ID=$(json_query "${job_flow}" cluster_id); then
      warn "cannot parse ${job_flow}: emr.cluster_id will be 'unknown'"
      CLUSTER_ID=
    fi

    if [[ ! -r ${instance} ]]; then
      warn "${instance} is missing: emr.node_role will be 'unknown'"
    elif ! value=$(json_query "${instance}" instance_role) ||
      ! group_id=$(json_query "${instance}" group_id) ||
      ! is_master=$(json_query "${instance}" is_master); then
      warn "cannot parse ${instance}: emr.node_role will be 'unknown'"
    else
      NODE_ROLE=$(normalize_role "${value}")
      # instance.json names the node's instance group; job-flow.json says what role it has.
      if [[ -z ${NODE_ROLE} && -n ${group_id} && -r ${job_flow} ]]; then
        if value=$(json_query "${job_flow}" group_role "${group_id}"); then
          NODE_ROLE=$(normalize_role "${value}")
        fi
      fi
      if [[ -z ${NODE_ROLE} && ${is_master} == true ]]; then
        NODE_ROLE=master
      fi
      if [[ -z ${NODE_ROLE} ]]; then
        warn "cannot tell this node's role from ${instance} (instance group '${group_id}')" \
          "and ${job_flow}: emr.node_role will be 'unknown'"
      fi
    fi
  fi
  CLUSTER_ID=${CLUSTER_ID:-unknown}
  NODE_ROLE=${NODE_ROLE:-unknown}
  reject_control_chars "the cluster id in ${job_flow}" "${CLUSTER_ID}"
}

node_hostname() {
  local name
  name=$(hostname -f 2>/dev/null || true)
  [[ -n ${name} && ${name} != localhost* ]] || name=$(hostname 2>/dev/null || true)
  [[ -n ${name} ]] || die "cannot read this node's hostname"
  printf '%s' "${name}"
}

# --- package --------------------------------------------------------------------------------
install_package() {
  local workdir=$1 rpm
  rpm=${workdir}/${RPM_URI##*/}
  log "downloading ${RPM_URI}"
  retry aws s3 cp --only-show-errors "${RPM_URI}" "${rpm}" ||
    die "cannot download ${RPM_URI}: does the instance profile allow s3:GetObject on it?"
  [[ -s ${rpm} ]] || die "${RPM_URI} downloaded as an empty file"
  if command -v dnf >/dev/null 2>&1; then
    log "installing ${rpm##*/} with dnf"
    retry as_root dnf install -y "${rpm}" || die "dnf could not install ${rpm##*/}"
  else
    log "installing ${rpm##*/} with rpm (no dnf on this node)"
    # --replacepkgs: installing the same version again (a second run) is not an error.
    as_root rpm -U --replacepkgs "${rpm}" || die "rpm could not install ${rpm##*/}"
  fi
  [[ -x ${SLUICE_BIN} ]] || die "the package did not install /usr/bin/sluice"
  if [[ ! -e ${ROOT}/usr/lib/systemd/system/sluice.service && ! -e ${UNIT_DIR}/sluice.service ]]; then
    die "the package did not install sluice.service"
  fi
}

# --- config ---------------------------------------------------------------------------------
# Writes the kafka output element (indented for a pipeline's outputs: list) to stdout.
write_kafka_output() {
  local i j key section sub
  local -a top_keys=() sections=()
  printf '      - type: kafka\n'
  printf '        brokers: %s\n' "$(yaml_quote "${BROKERS}")"
  printf '        topic: %s\n' "$(yaml_quote "${TOPIC}")"
  # Later occurrences of an option win; sections (tls.*, sasl.*, headers.*, librdkafka.*) are
  # written as nested maps.
  for i in "${!KAFKA_KEYS[@]}"; do
    key=${KAFKA_KEYS[i]}
    for ((j = i + 1; j < ${#KAFKA_KEYS[@]}; j++)); do
      [[ ${KAFKA_KEYS[j]} != "${key}" ]] || continue 2
    done
    if [[ ${key} == *.* ]]; then
      section=${key%%.*}
      [[ " ${sections[*]} " == *" ${section} "* ]] || sections+=("${section}")
    else
      top_keys+=("${i}")
    fi
  done
  for i in "${top_keys[@]}"; do
    printf '        %s: %s\n' "${KAFKA_KEYS[i]}" "$(yaml_quote "${KAFKA_VALUES[i]}")"
  done
  for section in "${sections[@]}"; do
    printf '        %s:\n' "${section}"
    for i in "${!KAFKA_KEYS[@]}"; do
      key=${KAFKA_KEYS[i]}
      [[ ${key} == "${section}".* ]] || continue
      for ((j = i + 1; j < ${#KAFKA_KEYS[@]}; j++)); do
        [[ ${KAFKA_KEYS[j]} != "${key}" ]] || continue 2
      done
      sub=${key#*.}
      printf '          %s: %s\n' "${sub}" "$(yaml_quote "${KAFKA_VALUES[i]}")"
    done
  done
}

# Writes the mutate filter that labels every event with where it comes from.
write_node_fields() {  # DATASET (empty: none)
  local i j name
  local -a names=(cloud.provider emr.cluster_id emr.node_role host.name)
  local -a values=(aws "${CLUSTER_ID}" "${NODE_ROLE}" "${HOSTNAME_FQDN}")
  if [[ -n $1 ]]; then
    names+=(event.dataset)
    values+=("$1")
  fi
  names+=("${EXTRA_NAMES[@]}")
  values+=("${EXTRA_VALUES[@]}")
  printf '      - type: mutate\n'
  printf '        id: emr_fields\n'
  printf '        set:\n'
  # A name given twice: the last one wins (an --extra-field may replace a built-in field).
  for i in "${!names[@]}"; do
    name=${names[i]}
    for ((j = i + 1; j < ${#names[@]}; j++)); do
      [[ ${names[j]} != "${name}" ]] || continue 2
    done
    printf '          %s: %s\n' "${name}" "$(template_literal "${values[i]}")"
  done
}

write_config() {
  local yarn='/var/log/hadoop-yarn/containers/application_*/container_*/{stderr,stdout}'
  cat <<EOF
${MARKER}
# Do not edit: running the bootstrap action again rewrites it. The package's own default
# config is kept next to it as agent.yaml.rpm-default. Check this one on the node with
#   sluice validate -c /etc/sluice/agent.yaml && sluice test -c /etc/sluice/agent.yaml
# Cluster ${CLUSTER_ID}, ${NODE_ROLE} node.
data_dir: /var/lib/sluice
admin:
  listen: 127.0.0.1:9600
pipelines:
  # The YARN container logs: Spark drivers (cluster mode) and executors, log4j and Spark 4 JSON.
  spark:
    inputs:
      - type: file
        id: yarn_containers
        include:
          # YARN creates these directories only when it runs containers; the globs are expanded
          # again every scan_interval, so nothing needs to exist when sluice starts.
          - ${yarn}
          # EMR's physical location of the same files (/var/log/hadoop-yarn links to it); a file
          # reached by both paths is read once (same device and inode).
          - /mnt${yarn}
        # Short-lived containers: find new files within 5 s (YARN deletes them after log
        # aggregation; a file found before that is read to its end).
        scan_interval: 5s
        multiline:
          # A record starts with a log4j date (Spark yy/MM/dd, Hadoop/YARN yyyy-MM-dd) or is a
          # Spark 4 JSON line; other lines (stack traces) join the record before them.
          start: '^(?:\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}|\{)'
          max_lines: 500
          timeout: 2s
    filters:
      - type: grok
        id: log4j
        when: 'message !~ /^\{/'
        patterns: ['^%{SPARK_LOG4J}', '^%{HADOOP_LOG4J}']
      - type: json  # Spark 4 structured logging (spark.log.structuredLogging.enabled=true)
        id: spark4_json
        when: 'message =~ /^\{/'
        message_field: msg
      - type: mutate  # Spark 4's names to the log4j ones
        id: spark4_names
        when: exists(ts) && exists(level)
        rename: {level: log.level, logger: log.logger, ts: timestamp}
      - type: timestamp
        id: event_time
        when: exists(timestamp)
        field: timestamp
        formats:
          - '%y/%m/%d %H:%M:%S'
          - '%y/%m/%d %H:%M:%S.%f'
          - '%y/%m/%d %H:%M:%S,%f'
          - '%Y-%m-%d %H:%M:%S,%f'
          - '%Y-%m-%d %H:%M:%S.%f'
          - ISO8601
        timezone: UTC  # EMR nodes run in UTC
      - type: spark  # app id, container id, role from the path; executor id from launch_container.sh
      - type: mutate
        id: exception_tag
        when: message =~ /\n\s+at /
        add_tags: [java_exception]
      - type: template  # log.template_id, log.template: the kind of message (docs/plugins/filters/template.md)
        id: templates
$(write_node_fields "")
    outputs:
$(write_kafka_output)
EOF
  if [[ ${EVENT_LOGS} == true ]]; then
    cat <<EOF
  # The Spark event logs (spark.eventLog.dir=file:///var/log/spark/apps): one JSON object per
  # line, no multiline, not parsed here (the line is the message).
  spark_event_logs:
    inputs:
      - type: file
        id: spark_event_logs
        include:
          - /var/log/spark/apps/*
          - /var/log/spark/apps/eventlog_v2_*/events_*  # spark.eventLog.rolling.enabled
        # Compressed event logs (spark.eventLog.compress) cannot be tailed; appstatus_* are
        # empty markers of rolling event logs.
        exclude: ['*.lz4', '*.lzf', '*.snappy', '*.zstd', 'appstatus_*']
        # One event can be a very long line (a query plan): keep it whole. A message larger
        # than the kafka output's message_max_bytes (1MB) goes to its dead-letter file.
        max_line_bytes: 16MiB
    filters:
      - type: regex  # the application id from the file name
        id: app_id
        field: log.file.path
        pattern: '(?P<spark__app_id>application_\d+_\d+)'
        tag_on_failure: []
$(write_node_fields spark.eventlog)
    outputs:
$(write_kafka_output)
EOF
  fi
  # Tests of this config: sluice test -c /etc/sluice/agent.yaml
  cat <<EOF
tests:
  - name: a YARN executor line gets its Spark and EMR fields
    pipeline: spark
    input: "17/06/09 20:11:02 INFO executor.Executor: Finished task 4.0 in stage 1.0 (TID 8)"
    fields:
      log.file.path: /var/log/hadoop-yarn/containers/application_1496969700420_0001/container_1496969700420_0001_01_000002/stderr
    expect:
      - fields:
          log.level: INFO
          spark.app_id: application_1496969700420_0001
          spark.role: executor
          cloud.provider: $(yaml_quote "$(field_value cloud.provider aws)")
          emr.cluster_id: $(yaml_quote "$(field_value emr.cluster_id "${CLUSTER_ID}")")
          emr.node_role: $(yaml_quote "$(field_value emr.node_role "${NODE_ROLE}")")
          host.name: $(yaml_quote "$(field_value host.name "${HOSTNAME_FQDN}")")
$(write_extra_expectations)
        timestamp: 2017-06-09T20:11:02Z
EOF
  if [[ ${EVENT_LOGS} == true ]]; then
    cat <<EOF
  - name: an event log line is shipped as it is, with its application id
    pipeline: spark_event_logs
    events: ['{"Event":"SparkListenerApplicationEnd","Timestamp":1496969800000}']
    fields:
      log.file.path: /var/log/spark/apps/application_1496969700420_0001.inprogress
    expect:
      - fields:
          message: '{"Event":"SparkListenerApplicationEnd","Timestamp":1496969800000}'
          spark.app_id: application_1496969700420_0001
          event.dataset: $(yaml_quote "$(field_value event.dataset spark.eventlog)")
          emr.node_role: $(yaml_quote "$(field_value emr.node_role "${NODE_ROLE}")")
        no_tags: true
EOF
  fi
}

# The value a built-in field ends up with: DEFAULT, or the last --extra-field of that name.
field_value() {  # NAME DEFAULT
  local i value=$2
  for i in "${!EXTRA_NAMES[@]}"; do
    [[ ${EXTRA_NAMES[i]} != "$1" ]] || value=${EXTRA_VALUES[i]}
  done
  printf '%s' "${value}"
}

# The other --extra-field values, as a test expects them (literally; the last of a name wins).
write_extra_expectations() {
  local i j
  for i in "${!EXTRA_NAMES[@]}"; do
    for ((j = i + 1; j < ${#EXTRA_NAMES[@]}; j++)); do
      [[ ${EXTRA_NAMES[j]} != "${EXTRA_NAMES[i]}" ]] || continue 2
    done
    case ${EXTRA_NAMES[i]} in
      cloud.provider | emr.cluster_id | emr.node_role | host.name | event.dataset) continue ;;
    esac
    printf '          %s: %s\n' "${EXTRA_NAMES[i]}" "$(yaml_quote "${EXTRA_VALUES[i]}")"
  done
}

# Validates the staged config, then puts it in place. Sets CONFIG_CHANGED.
install_config() {
  local workdir=$1 staged output
  staged=${workdir}/agent.yaml
  write_config >"${staged}"
  log "validating the generated config"
  if ! output=$("${SLUICE_BIN}" validate -c "${staged}" 2>&1); then
    printf '%s\n' "${output}" >&2
    if [[ ${output} == *GLIBC_* ]]; then
      die "/usr/bin/sluice cannot run on this node's glibc; it needs glibc >= 2.34 (EMR 7.x)"
    fi
    as_root install -D -m 0600 "${staged}" "${CONFIG}.rejected"  # it may hold a SASL password
    die "the generated config is invalid: the errors above, with their line numbers, are about" \
      "/etc/sluice/agent.yaml.rejected; check the --kafka-option and --extra-field arguments"
  fi

  # as root: a config this script wrote is readable by root and the sluice group only
  CONFIG_CHANGED=true
  if [[ -f ${CONFIG} ]] && as_root cmp -s "${staged}" "${CONFIG}"; then
    CONFIG_CHANGED=false
    log "/etc/sluice/agent.yaml is up to date"
    return 0
  fi
  if [[ -f ${CONFIG} ]]; then
    if [[ $(as_root head -n 1 "${CONFIG}") == "${MARKER}" ]]; then
      log "replacing the config a previous run wrote"
    else
      log "keeping the package's config as /etc/sluice/agent.yaml.rpm-default"
      # numbered backups: a different default kept by an earlier run is not overwritten
      as_root mv --backup=numbered "${CONFIG}" "${CONFIG}.rpm-default"
    fi
  fi
  # Readable by the sluice group only (it may hold a SASL password); the numeric id, from
  # getent like everything else this script asks about users and groups.
  local entry gid=
  if entry=$(getent group sluice 2>/dev/null); then
    gid=$(cut -d: -f3 <<<"${entry}")
  fi
  if [[ ${gid} =~ ^[0-9]+$ ]]; then
    as_root install -D -g "${gid}" -m 0640 "${staged}" "${CONFIG}"
  else
    warn "no sluice group: /etc/sluice/agent.yaml is world-readable (mode 0644)"
    as_root install -D -m 0644 "${staged}" "${CONFIG}"
  fi
  log "wrote /etc/sluice/agent.yaml"
}

# --- groups and systemd ---------------------------------------------------------------------
# Why a separate unit: YARN's log directories belong to the groups yarn and hadoop, which EMR
# creates when it installs Hadoop, after the bootstrap actions. SupplementaryGroups= cannot name
# them ahead of time: a group that does not exist makes every start of the unit fail
# (status=216/GROUP), so the drop-in lists only adm. Instead the sluice user is made a member
# (usermod, in /etc/group), which systemd applies to User= at each start, and a small unit
# waits for the groups (bounded), adds the membership and restarts sluice once. A unit rather
# than a background loop forked by this script: its output is in the journal, `systemctl status
# sluice-emr-groups` shows whether it finished, it is not tied to the bootstrap's process tree,
# and after a reboot it re-checks in a moment.
write_groups_helper() {
  cat <<EOF
#!/bin/bash
# Written by Sluice's EMR bootstrap action (packaging/emr/bootstrap.sh); run by
# sluice-emr-groups.service. Waits up to \$1 seconds for the groups ${LOG_GROUPS[*]} (EMR creates
# them when it installs Hadoop, after the bootstrap actions), adds the sluice user to each, and
# restarts sluice if any membership was added, so that it can read YARN's container logs.
set -euo pipefail
deadline=\$((SECONDS + \${1:-${GROUPS_WAIT_SECONDS}}))
changed=false
while :; do
  missing=()
  for group in ${LOG_GROUPS[*]}; do
    if ! entry=\$(getent group "\${group}"); then
      missing+=("\${group}")
    elif [[ ,\${entry##*:}, != *,sluice,* ]]; then
      usermod -aG "\${group}" sluice
      echo "added the sluice user to group \${group}"
      changed=true
    fi
  done
  [[ \${#missing[@]} -gt 0 ]] || break
  if ((SECONDS >= deadline)); then
    echo "gave up waiting for group(s) \${missing[*]}: sluice cannot read the YARN logs they own" >&2
    break
  fi
  sleep 10
done
if [[ \${changed} == true ]]; then
  systemctl try-restart sluice.service
  echo "restarted sluice with its new groups"
fi
EOF
}

write_groups_unit() {
  cat <<EOF
# Written by Sluice's EMR bootstrap action (packaging/emr/bootstrap.sh).
[Unit]
Description=Add the sluice user to the YARN log groups once EMR has created them
After=sluice.service

[Service]
# simple, not oneshot: nothing waits for it (multi-user.target is not held up for 30 minutes).
Type=simple
ExecStart=/usr/local/libexec/sluice-emr-groups ${GROUPS_WAIT_SECONDS}
RuntimeMaxSec=$((GROUPS_WAIT_SECONDS + 300))

[Install]
WantedBy=multi-user.target
EOF
}

write_dropin() {
  cat <<'EOF'
# Written by Sluice's EMR bootstrap action (packaging/emr/bootstrap.sh).
[Service]
# adm: the journal and the group-adm files under /var/log. The YARN groups (hadoop, yarn) are
# not listed: a group that does not exist yet makes the unit fail to start (status=216/GROUP),
# and EMR creates them after the bootstrap actions. The sluice user is added to them instead
# (usermod), at bootstrap or later by sluice-emr-groups.service.
SupplementaryGroups=adm
EOF
  if [[ ${DAC_READ_SEARCH} == true ]]; then
    cat <<'EOF'
# --dac-read-search: read any file and list any directory, whatever its owner and mode (YARN's
# container log directories are mode 0710 by default: their group may enter but not list them).
# sluice.service empties the bounding set; this adds the one capability back.
CapabilityBoundingSet=CAP_DAC_READ_SEARCH
AmbientCapabilities=CAP_DAC_READ_SEARCH
EOF
  fi
}

# Installs FILE_CONTENT_FUNCTION's output at PATH with MODE when it differs; sets UNITS_CHANGED.
install_generated() {  # WORKDIR FUNCTION PATH MODE
  local staged=$1/${2}.out
  "$2" >"${staged}"
  if [[ -f $3 ]] && cmp -s "${staged}" "$3"; then
    return 0
  fi
  as_root install -D -m "$4" "${staged}" "$3"
  log "wrote ${3#"${ROOT}"}"
  UNITS_CHANGED=true
}

setup_groups() {
  local workdir=$1 group entry
  local -a missing=()
  if ! getent passwd sluice >/dev/null 2>&1; then
    warn "there is no sluice user (does sluice.service run as root?): no group memberships added"
    return 0
  fi
  for group in "${LOG_GROUPS[@]}"; do
    if ! entry=$(getent group "${group}"); then
      missing+=("${group}")
    elif [[ ,${entry##*:}, == *,sluice,* ]]; then
      log "the sluice user is already in group ${group}"
    else
      log "adding the sluice user to group ${group}"
      as_root usermod -aG "${group}" sluice
    fi
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  log "group(s) ${missing[*]} do not exist yet (EMR installs Hadoop after the bootstrap actions):" \
    "sluice-emr-groups.service will add the sluice user to them"
  install_generated "${workdir}" write_groups_helper "${GROUPS_HELPER}" 0755
  install_generated "${workdir}" write_groups_unit "${GROUPS_UNIT}" 0644
  NEED_GROUPS_UNIT=true
}

main() {
  case ${JSON_TOOL} in
    auto | jq | python3) ;;
    *) die "SLUICE_BOOTSTRAP_JSON_TOOL must be auto, jq or python3, got '${JSON_TOOL}'" ;;
  esac
  parse_args "$@"
  check_broker_ports
  log "installing Sluice from ${RPM_URI} (brokers ${BROKERS}, topic ${TOPIC}," \
    "event logs ${EVENT_LOGS}${ROOT:+, root ${ROOT}})"
  check_glibc
  read_emr_metadata
  HOSTNAME_FQDN=$(node_hostname)
  log "cluster ${CLUSTER_ID}, node role ${NODE_ROLE}, host ${HOSTNAME_FQDN}"

  WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bootstrap.XXXXXX")
  trap 'rm -rf "${WORKDIR}"' EXIT

  install_package "${WORKDIR}"
  install_config "${WORKDIR}"

  UNITS_CHANGED=false
  NEED_GROUPS_UNIT=false
  install_generated "${WORKDIR}" write_dropin "${DROPIN}" 0644
  setup_groups "${WORKDIR}"

  log "reloading systemd"
  as_root systemctl daemon-reload
  if [[ ${NO_START} == true ]]; then
    as_root systemctl enable sluice.service
    if [[ ${NEED_GROUPS_UNIT} == true ]]; then
      as_root systemctl enable sluice-emr-groups.service
    fi
    if [[ ${NEED_GROUPS_UNIT} == true ]]; then
      log "enabled; not started (--no-start): sudo systemctl start sluice sluice-emr-groups"
    else
      log "enabled; not started (--no-start): sudo systemctl start sluice"
    fi
    return 0
  fi
  if [[ ${CONFIG_CHANGED} == true || ${UNITS_CHANGED} == true ]]; then
    # Already running (a second run with other arguments): pick up the new config and groups.
    as_root systemctl try-restart sluice.service
  fi
  log "starting sluice"
  as_root systemctl enable --now sluice.service
  if [[ ${NEED_GROUPS_UNIT} == true ]]; then
    # --no-block: it waits for the groups in the background; the bootstrap goes on.
    as_root systemctl enable sluice-emr-groups.service
    as_root systemctl start --no-block sluice-emr-groups.service
  fi
  log "done: check with 'systemctl status sluice' and 'curl -s 127.0.0.1:9600/ready'"
}

main "$@"
