#!/bin/bash
# Tests packaging/emr/bootstrap.sh (the EMR bootstrap action) against a fake root, with fake aws,
# dnf, rpm, sudo, systemctl, usermod, getent and hostname first on PATH, and the real sluice
# binary to validate and test the configs it writes. Nothing outside a temporary directory is
# touched.
#
#   tests/packaging/emr_bootstrap_test.sh build/release/agent/sluice
#
# Needs bash, coreutils, python3 or jq (both paths are tested when both exist) and, for the lint
# part, shellcheck (skipped with a notice when it is not installed).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "${here}/../.." && pwd)
bootstrap=${repo}/packaging/emr/bootstrap.sh
fixtures=${here}/fixtures/emr
rpm_uri=s3://example-artifacts/sluice/sluice-0.1.0.x86_64.rpm
fqdn=ip-10-0-1-42.eu-west-1.compute.internal

if [[ $# -ne 1 || ! -x ${1:-} || -d ${1:-} ]]; then
  echo "usage: $0 SLUICE_BINARY   (e.g. build/release/agent/sluice; it validates the configs)" >&2
  [[ $# -eq 1 ]] && echo "error: '$1' is not an executable file" >&2
  exit 2
fi
sluice=$(realpath "$1")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/emr-bootstrap-test.XXXXXX")
trap 'rm -rf "${tmp}"' EXIT
passed=0
usage_case=0

fail() {
  echo "FAIL [${case_name:-setup}]: $*" >&2
  if [[ -n ${case_dir:-} ]]; then
    local f
    for f in out err calls; do
      [[ -s ${case_dir}/${f} ]] || continue
      echo "--- ${f}:" >&2
      sed 's/^/    /' "${case_dir}/${f}" >&2
    done
  fi
  exit 1
}

# --- fake commands ------------------------------------------------------------------------------
# One script, linked under each name; it records "NAME ARGS..." in $FAKE_CALLS. Group and user
# databases are files of the case ($FAKE_STATE/group, $FAKE_STATE/passwd) so that usermod changes
# what getent answers, as on a real node.
mkdir -p "${tmp}/bin" "${tmp}/bin-nodnf" "${tmp}/bin-oldglibc"
cat >"${tmp}/bin/fake" <<'EOF'
#!/bin/bash
set -euo pipefail
name=${0##*/}
printf '%s' "${name}" >>"${FAKE_CALLS}"
printf ' %s' "$@" >>"${FAKE_CALLS}"
printf '\n' >>"${FAKE_CALLS}"

install_package() {  # what the sluice rpm puts on the node
  mkdir -p "${FAKE_ROOT}/usr/bin" "${FAKE_ROOT}/etc/sluice" "${FAKE_ROOT}/usr/lib/systemd/system"
  ln -sfn "${FAKE_SLUICE}" "${FAKE_ROOT}/usr/bin/sluice"
  # %config(noreplace): an existing agent.yaml is left alone
  [[ -e ${FAKE_ROOT}/etc/sluice/agent.yaml ]] ||
    cp "${FAKE_DEFAULT_CONFIG}" "${FAKE_ROOT}/etc/sluice/agent.yaml"
  printf '[Service]\nUser=sluice\nExecStart=/usr/bin/sluice run -c /etc/sluice/agent.yaml\n' \
    >"${FAKE_ROOT}/usr/lib/systemd/system/sluice.service"
}

case ${name} in
  aws)  # aws s3 cp [--only-show-errors] SRC DST
    [[ $1 == s3 && $2 == cp ]] || exit 1
    src=${*: -2:1}
    dst=${*: -1}
    [[ ${src} != *missing* ]] || { echo "fatal error: 404 Not Found" >&2; exit 1; }
    printf 'fake rpm of %s\n' "${src}" >"${dst}"
    ;;
  dnf)
    [[ $1 == install && -s ${*: -1} ]] || exit 1
    install_package
    ;;
  rpm)
    [[ $1 == -U && -s ${*: -1} ]] || exit 1
    install_package
    ;;
  sudo)
    while [[ $# -gt 0 && $1 == -* ]]; do shift; done
    exec "$@"
    ;;
  systemctl) ;;
  usermod)  # usermod -aG GROUP USER
    [[ $1 == -aG ]] || exit 1
    awk -F: -v OFS=: -v g="$2" -v u="$3" \
      '$1 == g { $4 = ($4 == "" ? u : $4 "," u) } { print }' \
      "${FAKE_STATE}/group" >"${FAKE_STATE}/group.new"
    mv "${FAKE_STATE}/group.new" "${FAKE_STATE}/group"
    ;;
  getent)  # getent group|passwd NAME
    grep -m1 "^$2:" "${FAKE_STATE}/$1" 2>/dev/null || exit 2
    ;;
  hostname) echo "${FAKE_HOSTNAME}" ;;
  getconf) echo "glibc 2.26" ;;  # Amazon Linux 2 (EMR 6.x)
  *) exit 1 ;;
esac
EOF
chmod +x "${tmp}/bin/fake"
for cmd in aws dnf rpm sudo systemctl usermod getent hostname; do
  ln -s fake "${tmp}/bin/${cmd}"
  [[ ${cmd} == dnf ]] || ln -s ../bin/fake "${tmp}/bin-nodnf/${cmd}"
done
ln -s ../bin/fake "${tmp}/bin-oldglibc/getconf"

# --- cases --------------------------------------------------------------------------------------
# new_case NAME [FIXTURE]: a fresh fake root (with the fixture's /mnt/var/lib/info when given), a
# sluice user, and no hadoop/yarn groups yet (as when bootstrap actions run).
new_case() {
  case_name=$1
  case_dir=${tmp}/${case_name}
  root=${case_dir}/root
  mkdir -p "${root}" "${case_dir}/state" "${case_dir}/tmp"
  : >"${case_dir}/calls"
  if [[ -n ${2:-} ]]; then
    mkdir -p "${root}/mnt/var/lib/info"
    cp "${fixtures}/$2/job-flow.json" "${fixtures}/$2/instance.json" "${root}/mnt/var/lib/info/"
  fi
  # the sluice group's id is the test's own group, so that the bootstrap may chgrp to it
  printf 'root:x:0:\nadm:x:4:\nsluice:x:%s:\n' "$(id -g)" >"${case_dir}/state/group"
  printf 'sluice:x:990:990:Sluice:/var/lib/sluice:/sbin/nologin\n' >"${case_dir}/state/passwd"
  config=${root}/etc/sluice/agent.yaml
}

add_yarn_groups() {
  printf 'hadoop:x:985:hdfs,mapred,yarn\nyarn:x:984:\n' >>"${case_dir}/state/group"
}

# run_bootstrap [--path DIRS] [--json TOOL] ARGS...: runs the bootstrap against the case's root;
# its status is in $status, its output in out and err.
run_bootstrap() {
  local path=${tmp}/bin json_tool=auto
  while [[ $1 == --path || $1 == --json ]]; do
    [[ $1 == --path ]] && path=$2
    [[ $1 == --json ]] && json_tool=$2
    shift 2
  done
  status=0
  env SLUICE_BOOTSTRAP_ROOT="${root}" SLUICE_BOOTSTRAP_JSON_TOOL="${json_tool}" \
    PATH="${path}:${PATH}" TMPDIR="${case_dir}/tmp" SLUICE_BOOTSTRAP_RETRY_SECONDS=0 \
    FAKE_CALLS="${case_dir}/calls" FAKE_STATE="${case_dir}/state" FAKE_ROOT="${root}" \
    FAKE_SLUICE="${sluice}" FAKE_DEFAULT_CONFIG="${repo}/config/agent.yaml" \
    FAKE_HOSTNAME="${fqdn}" \
    bash "${bootstrap}" "$@" >"${case_dir}/out" 2>"${case_dir}/err" || status=$?
}

expect_status() {
  [[ ${status} -eq $1 ]] || fail "bootstrap exited ${status}, expected $1"
}
has() {  # FILE TEXT: FILE contains the line fragment TEXT
  grep -qF -- "$2" "$1" || fail "${1#"${tmp}"/} lacks: $2"
}
lacks() {
  ! grep -qF -- "$2" "$1" || fail "${1#"${tmp}"/} should not contain: $2"
}
called() {  # REGEX: a fake command was called with a line matching it
  grep -qE -- "$1" "${case_dir}/calls" || fail "no call matching /$1/"
}
not_called() {
  ! grep -qE -- "$1" "${case_dir}/calls" || fail "unexpected call matching /$1/"
}
# The written config must pass `sluice validate` and its own tests (`sluice test`).
config_ok() {
  "${sluice}" validate -c "${config}" >"${case_dir}/validate" 2>&1 ||
    fail "sluice validate failed: $(cat "${case_dir}/validate")"
  "${sluice}" test -c "${config}" >"${case_dir}/sluice-test" 2>&1 ||
    fail "sluice test failed: $(cat "${case_dir}/sluice-test")"
}
ok() {
  echo "ok    ${case_name}"
  passed=$((passed + 1))
}

json_tools=()
command -v python3 >/dev/null 2>&1 && json_tools+=(python3)
command -v jq >/dev/null 2>&1 && json_tools+=(jq)
[[ ${#json_tools[@]} -gt 0 ]] || fail "neither python3 nor jq is installed"

# A core node, at bootstrap time: no YARN groups yet.
for tool in "${json_tools[@]}"; do
  new_case "core-node-${tool}" core
  run_bootstrap --json "${tool}" "${rpm_uri}" --brokers b-1.logs.kafka.eu-west-1.amazonaws.com:9094,b-2.logs.kafka.eu-west-1.amazonaws.com:9094 \
    --topic spark-logs-test --kafka-option tls.enabled=true --kafka-option compression=lz4 \
    --extra-field team=data-platform
  expect_status 0
  called "^aws s3 cp .*${rpm_uri} ${case_dir}/tmp/sluice-bootstrap\.[^/]+/sluice-0\.1\.0\.x86_64\.rpm$"
  called "^dnf install -y ${case_dir}/tmp/sluice-bootstrap\.[^/]+/sluice-0\.1\.0\.x86_64\.rpm$"
  if [[ ${EUID} -ne 0 ]]; then  # as EMR's hadoop user: root's work goes through sudo
    called "^sudo -n dnf install -y "
    called "^sudo -n systemctl enable --now sluice"
  fi
  has "${config}" "emr.cluster_id: 'j-2AXXXXXXGAPLF'"
  has "${config}" "emr.node_role: 'core'"
  has "${config}" "cloud.provider: 'aws'"
  has "${config}" "host.name: '${fqdn}'"
  has "${config}" "team: 'data-platform'"
  has "${config}" "brokers: 'b-1.logs.kafka.eu-west-1.amazonaws.com:9094,b-2.logs.kafka.eu-west-1.amazonaws.com:9094'"
  has "${config}" "topic: 'spark-logs-test'"
  has "${config}" "compression: 'lz4'"
  has "${config}" "enabled: 'true'"
  has "${config}" "- /var/log/hadoop-yarn/containers/application_*/container_*/{stderr,stdout}"
  has "${config}" "- /mnt/var/log/hadoop-yarn/containers/application_*/container_*/{stderr,stdout}"
  [[ $(stat -c %a:%g "${config}") == "640:$(id -g)" ]] ||
    fail "agent.yaml is $(stat -c %a:%g "${config}"), expected mode 640, group sluice"
  has "${config}" "data_dir: /var/lib/sluice"
  has "${config}" "listen: 127.0.0.1:9600"
  lacks "${config}" "/var/log/spark/apps"
  cmp -s "${root}/etc/sluice/agent.yaml.rpm-default" "${repo}/config/agent.yaml" ||
    fail "the package's default config was not kept as agent.yaml.rpm-default"
  config_ok
  has "${root}/etc/systemd/system/sluice.service.d/emr.conf" "SupplementaryGroups=adm"
  lacks "${root}/etc/systemd/system/sluice.service.d/emr.conf" "AmbientCapabilities"
  ! grep -qE '^SupplementaryGroups=.*(hadoop|yarn)' "${root}/etc/systemd/system/sluice.service.d/emr.conf" ||
    fail "the drop-in names groups that do not exist yet"
  # the YARN groups do not exist yet: the helper unit is installed and started, no usermod
  [[ -x ${root}/usr/local/libexec/sluice-emr-groups ]] || fail "no sluice-emr-groups helper"
  has "${root}/etc/systemd/system/sluice-emr-groups.service" "ExecStart=/usr/local/libexec/sluice-emr-groups 1800"
  not_called "^usermod"
  called "^systemctl daemon-reload$"
  called "^systemctl enable --now sluice(\.service)?$"
  called "^systemctl start --no-block sluice-emr-groups\.service$"
  grep -q WARNING "${case_dir}/err" && fail "unexpected warnings"
  ok
done

# The same node again: the same config, nothing restarted, the kept default untouched.
cp "${config}" "${case_dir}/first.yaml"
case_name=second-run
: >"${case_dir}/calls"
run_bootstrap "${rpm_uri}" --brokers b-1.logs.kafka.eu-west-1.amazonaws.com:9094,b-2.logs.kafka.eu-west-1.amazonaws.com:9094 \
  --topic spark-logs-test --kafka-option tls.enabled=true --kafka-option compression=lz4 \
  --extra-field team=data-platform
expect_status 0
cmp -s "${config}" "${case_dir}/first.yaml" || fail "the second run changed the config"
cmp -s "${root}/etc/sluice/agent.yaml.rpm-default" "${repo}/config/agent.yaml" ||
  fail "the second run changed agent.yaml.rpm-default"
[[ -z $(find "${root}/etc/sluice" -name '*~*') ]] || fail "the second run made backups"
has "${case_dir}/out" "is up to date"
called "^systemctl enable --now sluice(\.service)?$"
not_called "try-restart"
ok

# Other arguments on a running node: the config is replaced (not kept aside) and sluice restarted.
case_name=rerun-new-topic
: >"${case_dir}/calls"
run_bootstrap "${rpm_uri}" --brokers b-1.logs.kafka.eu-west-1.amazonaws.com:9094 --topic other \
  --kafka-option tls.enabled=true
expect_status 0
has "${config}" "topic: 'other'"
cmp -s "${root}/etc/sluice/agent.yaml.rpm-default" "${repo}/config/agent.yaml" ||
  fail "agent.yaml.rpm-default changed"
[[ -z $(find "${root}/etc/sluice" -name '*~*') ]] || fail "our own config was kept aside"
called "^systemctl try-restart sluice\.service$"
config_ok
ok

# Later, YARN is installed: the helper adds the memberships and restarts sluice, once.
case_name=groups-helper
add_yarn_groups
: >"${case_dir}/calls"
PATH="${tmp}/bin:${PATH}" FAKE_CALLS="${case_dir}/calls" FAKE_STATE="${case_dir}/state" \
  "${root}/usr/local/libexec/sluice-emr-groups" 0 >"${case_dir}/out" 2>"${case_dir}/err" ||
  fail "the groups helper failed"
called "^usermod -aG hadoop sluice$"
called "^usermod -aG yarn sluice$"
called "^systemctl try-restart sluice\.service$"
: >"${case_dir}/calls"
PATH="${tmp}/bin:${PATH}" FAKE_CALLS="${case_dir}/calls" FAKE_STATE="${case_dir}/state" \
  "${root}/usr/local/libexec/sluice-emr-groups" 0 >"${case_dir}/out" 2>"${case_dir}/err" ||
  fail "the groups helper failed on its second run"
not_called "usermod|systemctl"
ok

# ... and gives up, without failing, when they never come.
case_name=groups-helper-timeout
new_case groups-helper-timeout core
run_bootstrap "${rpm_uri}" --brokers b-1:9092 --no-start
expect_status 0
PATH="${tmp}/bin:${PATH}" FAKE_CALLS="${case_dir}/calls" FAKE_STATE="${case_dir}/state" \
  "${root}/usr/local/libexec/sluice-emr-groups" 0 >"${case_dir}/out" 2>"${case_dir}/err" ||
  fail "the groups helper failed when the groups never appear"
has "${case_dir}/err" "gave up waiting for group(s) hadoop yarn"
not_called "usermod|try-restart"
ok

# The primary node, groups already there, with the Spark event logs.
for tool in "${json_tools[@]}"; do
  new_case "master-node-event-logs-${tool}" master
  add_yarn_groups
  run_bootstrap --json "${tool}" "${rpm_uri}" --brokers=b-1:9092 --event-logs \
    --kafka-option librdkafka.socket.keepalive.enable=true --dac-read-search
  expect_status 0
  has "${config}" "emr.node_role: 'master'"
  has "${config}" "emr.cluster_id: 'j-2AXXXXXXGAPLF'"
  has "${config}" "spark_event_logs:"
  has "${config}" "id: spark_event_logs"
  has "${config}" "- /var/log/spark/apps/*"
  has "${config}" "socket.keepalive.enable: 'true'"
  config_ok
  called "^usermod -aG hadoop sluice$"
  called "^usermod -aG yarn sluice$"
  [[ ! -e ${root}/etc/systemd/system/sluice-emr-groups.service ]] ||
    fail "the groups unit was installed though the groups exist"
  not_called "sluice-emr-groups"
  has "${root}/etc/systemd/system/sluice.service.d/emr.conf" "AmbientCapabilities=CAP_DAC_READ_SEARCH"
  has "${root}/etc/systemd/system/sluice.service.d/emr.conf" "CapabilityBoundingSet=CAP_DAC_READ_SEARCH"
  called "^systemctl enable --now sluice(\.service)?$"
  ok
done

# No EMR metadata at all: still a valid config, "unknown", and warnings.
new_case no-metadata
run_bootstrap "${rpm_uri}" --brokers b-1:9092
expect_status 0
has "${config}" "emr.cluster_id: 'unknown'"
has "${config}" "emr.node_role: 'unknown'"
has "${case_dir}/err" "job-flow.json is missing"
has "${case_dir}/err" "instance.json is missing"
config_ok
ok

# instance.json with an instanceRole (it wins) and no job-flow.json.
new_case instance-role-only
mkdir -p "${root}/mnt/var/lib/info"
printf '{"isMaster": false, "instanceGroupId": "ig-2XQ29JGCTKLBL", "instanceRole": "TASK"}\n' \
  >"${root}/mnt/var/lib/info/instance.json"
run_bootstrap "${rpm_uri}" --brokers b-1:9092
expect_status 0
has "${config}" "emr.node_role: 'task'"
has "${config}" "emr.cluster_id: 'unknown'"
config_ok
ok

# Unparseable metadata: a warning and "unknown", not a failure.
new_case bad-metadata core
echo '{"jobFlowId": ' >"${root}/mnt/var/lib/info/job-flow.json"
run_bootstrap "${rpm_uri}" --brokers b-1:9092
expect_status 0
has "${config}" "emr.cluster_id: 'unknown'"
has "${case_dir}/err" "cannot parse"
ok

# Values are written literally: quotes, "%" (template conversions) and "${" (environment).
new_case literal-values core
run_bootstrap "${rpm_uri}" --brokers b-1:9092 \
  --extra-field "owner.note=it's 100% \${HOME}" --extra-field emr.node_role=edge
expect_status 0
config_ok
has "${config}" "owner.note: 'it''s 100%% \$\${HOME}'"
has "${config}" "emr.node_role: 'edge'"
ok

# --no-start: configured and enabled, nothing started.
new_case no-start core
run_bootstrap "${rpm_uri}" --brokers b-1:9092 --no-start
expect_status 0
config_ok
called "^systemctl enable sluice(\.service)?$"
called "^systemctl enable sluice-emr-groups\.service$"
not_called "^systemctl .*(start|--now)"
ok

# No dnf on the node: rpm -U.
if PATH="${tmp}/bin-nodnf:${PATH}" command -v dnf >/dev/null 2>&1 &&
  [[ $(PATH="${tmp}/bin-nodnf:${PATH}" command -v dnf) != "${tmp}"/* ]]; then
  echo "skip  rpm-without-dnf (this machine has a real dnf)"
else
  new_case rpm-without-dnf core
  run_bootstrap --path "${tmp}/bin-nodnf" "${rpm_uri}" --brokers b-1:9092
  expect_status 0
  called "^rpm -U --replacepkgs ${case_dir}/tmp/sluice-bootstrap\.[^/]+/sluice-0\.1\.0\.x86_64\.rpm$"
  not_called "^dnf"
  config_ok
  ok
fi

# Usage errors: exit 2 with the usage text, before anything is downloaded.
new_case missing-rpm core
run_bootstrap --brokers b-1:9092
expect_status 2
has "${case_dir}/err" "missing the S3 URI of the sluice rpm"
has "${case_dir}/err" "usage: bootstrap.sh s3://"
[[ ! -s ${case_dir}/calls ]] || fail "commands ran despite the usage error"
ok
for bad in "--brokers" "--brokers b-1" "--brokers b-1:9092 --kafka-option brokers=x" \
  "--brokers b-1:9092 --extra-field nonsense" "--brokers b-1:9092 --extra-field a={{b}}" \
  "--brokers b-1:9092 --frobnicate"; do
  new_case "usage-error-$((++usage_case))" core
  # shellcheck disable=SC2086 # split on purpose
  run_bootstrap "${rpm_uri}" ${bad}
  expect_status 2
  has "${case_dir}/err" "usage: bootstrap.sh"
  [[ ! -s ${case_dir}/calls ]] || fail "commands ran despite the usage error"
  ok
done
new_case not-an-rpm-uri core
run_bootstrap https://example.com/sluice.rpm --brokers b-1:9092
expect_status 2
ok

# A kafka option the output does not have: validate fails, the bootstrap fails, the package's
# config stays in place.
new_case invalid-config core
run_bootstrap "${rpm_uri}" --brokers b-1:9092 --kafka-option compresion=lz4
expect_status 1
has "${case_dir}/err" "did you mean 'compression'"
has "${case_dir}/err" "the generated config is invalid"
cmp -s "${config}" "${repo}/config/agent.yaml" || fail "the package's config was replaced"
[[ -e ${config}.rejected ]] || fail "the rejected config was not kept"
not_called "^systemctl"
ok

# The download fails: a clear error, nothing installed.
new_case download-fails core
run_bootstrap s3://example-artifacts/missing/sluice-0.1.0.x86_64.rpm --brokers b-1:9092
expect_status 1
has "${case_dir}/err" "cannot download s3://example-artifacts/missing/sluice-0.1.0.x86_64.rpm"
[[ $(grep -c '^aws s3 cp' "${case_dir}/calls") -eq 3 ]] || fail "the download was not tried 3 times"
not_called "^(dnf|rpm|systemctl)"
ok

# EMR 6.x (Amazon Linux 2, glibc 2.26): refused before downloading anything.
new_case emr6-glibc core
run_bootstrap --path "${tmp}/bin-oldglibc:${tmp}/bin" "${rpm_uri}" --brokers b-1:9092
expect_status 1
has "${case_dir}/err" "EMR 6.x (Amazon Linux 2, glibc 2.26) is not supported"
not_called "^(aws|dnf)"
ok

# Lint.
case_name=shellcheck
case_dir=
if command -v shellcheck >/dev/null 2>&1; then
  shellcheck "${bootstrap}" "${BASH_SOURCE[0]}" || fail "shellcheck found problems"
  # the helper the bootstrap writes, too
  shellcheck -s bash "${tmp}/core-node-${json_tools[0]}/root/usr/local/libexec/sluice-emr-groups" ||
    fail "shellcheck found problems in the generated sluice-emr-groups"
  ok
elif [ "${SLUICE_REQUIRE_PEERS:-}" = 1 ]; then
  fail "shellcheck is not installed (SLUICE_REQUIRE_PEERS=1; scripts/deps.sh installs it)"
else
  echo "skip  shellcheck (not installed; apt-get install shellcheck)"
fi

echo "emr_bootstrap_test: ${passed} passed"
