#!/usr/bin/env bash
# Writes /usr/share/doc/sluice/copyright: Sluice's notice, then the copyright and license of every
# library linked into the binary, from Debian's copyright files (/usr/share/doc/PKG/copyright) and,
# for those built from Debian's source by packaging/portable/static-deps.sh, from the copies it
# kept under STATIC_DEPS/licenses.
# Usage: make-copyright.sh STATIC_DEPS OUT
set -euo pipefail
static_deps="${1:?usage: $0 STATIC_DEPS OUT}"
out="${2:?usage: $0 STATIC_DEPS OUT}"
{
  cat <<'NOTICE'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: sluice
Comment: The sluice binary links the libraries below statically; their notices follow.

Files: *
Copyright: 2026 The Sluice developers
License: Proprietary
 No license has been granted yet; all rights reserved.
NOTICE
  for package in libssl-dev zlib1g-dev libzstd-dev libre2-dev libabsl-dev libyaml-cpp-dev \
    libuv1-dev libfmt-dev libcli11-dev libstdc++-12-dev libgcc-12-dev; do
    file="/usr/share/doc/$package/copyright"
    [ -f "$file" ] || { echo "make-copyright: $file is missing" >&2; exit 1; }
    printf '\n%s\n Statically linked from Debian package %s:\n' "Comment: $package" "$package"
    sed 's/^$/ ./; s/^/ /' "$file"
  done
  for file in "$static_deps"/licenses/*; do
    [ -f "$file" ] || { echo "make-copyright: no licenses in $static_deps/licenses" >&2; exit 1; }
    printf '\nComment: %s\n Built from Debian'"'"'s source package by static-deps.sh:\n' \
      "$(basename "$file")"
    sed 's/^$/ ./; s/^/ /' "$file"
  done
} >"$out"
