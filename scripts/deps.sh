#!/usr/bin/env bash
# Installs the Debian 12 packages Sluice needs to build, test and demo, when any is missing.
# Idempotent: does nothing (and needs no network) when everything is there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache time python3 clang-format
  zlib1g-dev logrotate libyaml-cpp-dev libfmt-dev libcli11-dev libcpp-httplib-dev libuv1-dev libre2-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsimdjson-dev libabsl-dev tzdata
  librdkafka-dev kcat
  # `sluice top`'s terminal test; the fuzz targets (libFuzzer comes with clang's runtime)
  tmux clang libclang-rt-14-dev
  libcurl4-openssl-dev libssl-dev libzstd-dev awscli openssl
  # packaging: the portable build's static libraries from Debian's sources, CPack, the checks
  dpkg-dev debian-archive-keyring file binutils help2man rpm cpio lintian mmdebstrap systemd
  shellcheck yamllint umoci jq
  # the Helm chart's render test: Go's text/template with sprig (tests/tools/helm_render)
  golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev
)
# npm comes with the machine's Node.js; Debian's npm otherwise.
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${#missing[@]} packages (a few minutes on a fresh machine): ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # Progress without apt's full output: the download total, then a line every 25 packages set up
  # (with their dependencies, several hundred on a fresh machine). pipefail keeps apt's status.
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" | awk '
    /^Need to get/ { print "deps: downloading " $4 " " $5; fflush() }
    /^Setting up / { n++; if (n % 25 == 0) { print "deps: " n " packages set up"; fflush() } }
    END { print "deps: " n + 0 " packages set up" }' >&2
fi

# s3rver (npm), the S3 server of the integration tests, into tests/tools/s3rver/node_modules.
s3rver_dir="$(dirname "$0")/../tests/tools/s3rver"
if [ ! -x "$s3rver_dir/node_modules/.bin/s3rver" ]; then
  echo "deps: installing s3rver (npm)" >&2
  npm ci --prefix "$s3rver_dir" --no-audit --no-fund --loglevel=error >/dev/null
fi

# kubernetes-models (npm), which validates the Kubernetes objects of packaging/, into
# tests/tools/k8s-validate/node_modules.
k8s_dir="$(dirname "$0")/../tests/tools/k8s-validate"
if [ ! -d "$k8s_dir/node_modules/kubernetes-models" ]; then
  echo "deps: installing kubernetes-models (npm)" >&2
  npm ci --prefix "$k8s_dir" --no-audit --no-fund --loglevel=error >/dev/null
fi
