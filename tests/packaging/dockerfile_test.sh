#!/usr/bin/env bash
# Checks packaging/docker/Dockerfile without a Docker engine (none runs here): its build stage
# installs every library package scripts/deps.sh installs for the build (a CMake find_package that
# the image lacks fails `docker build` at configure time, as libbenchmark-dev once did), and the
# run stage keeps what issue 15 asks for: Debian 12 slim, tini as PID 1, a non-root user, a
# HEALTHCHECK on /health and STOPSIGNAL SIGTERM.
# Usage: dockerfile_test.sh
# `ok` and `fail` always succeed, so `check && ok ... || fail ...` is an if-else here.
# shellcheck disable=SC2015
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dockerfile="$root/packaging/docker/Dockerfile"
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }

# The build stage: from its FROM line to the next one.
build_stage="$(sed -n '/^FROM debian:12 AS build/,/^FROM /p' "$dockerfile")"
[ -n "$build_stage" ] && ok "build stage FROM debian:12" || fail "no 'FROM debian:12 AS build' stage"
# deps.sh's C and C++ library packages (lib*-dev), but clang's fuzzing runtime, which only the
# fuzz build uses.
libraries="$(sed -n '/^packages=(/,/^)/p' "$root/scripts/deps.sh" | sed 's/#.*//' | tr ' ' '\n' |
  grep -E '^lib[a-z0-9.+-]*-dev$' | grep -v '^libclang-rt-' || true)"
[ -n "$libraries" ] || fail "found no lib*-dev package in scripts/deps.sh"
for package in $libraries; do
  grep -qw -- "$package" <<<"$build_stage" && ok "build stage installs $package" \
    || fail "the Dockerfile's build stage lacks $package (scripts/deps.sh installs it)"
done

# With continuation lines joined, so that an instruction is one line.
run_stage="$(sed -n '/^FROM debian:12-slim/,$p' "$dockerfile" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta')"
[ -n "$run_stage" ] && ok "run stage FROM debian:12-slim" || fail "no 'FROM debian:12-slim' stage"
expect() {  # expect WHAT REGEX: a line of the run stage matches REGEX
  grep -qE -- "$2" <<<"$run_stage" && ok "$1" || fail "the run stage lacks $1 (/$2/)"
}
expect "tini as PID 1" '^ENTRYPOINT \["/usr/bin/tini", "--", "/usr/bin/sluice"\]'
expect "a non-root USER" '^USER [1-9][0-9]*$'
expect "STOPSIGNAL SIGTERM" '^STOPSIGNAL SIGTERM$'
expect "a HEALTHCHECK on /health" '^HEALTHCHECK .*GET /health'
exit "$failed"
