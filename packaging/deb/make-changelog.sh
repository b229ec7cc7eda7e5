#!/usr/bin/env bash
# Writes the package's changelog.Debian.gz (Debian policy 12.7) for VERSION.
# Usage: make-changelog.sh VERSION OUT.gz
set -euo pipefail
version="${1:?usage: $0 VERSION OUT.gz}"
out="${2:?usage: $0 VERSION OUT.gz}"
date="${SOURCE_DATE_EPOCH:+@$SOURCE_DATE_EPOCH}"
{
  echo "sluice ($version) unstable; urgency=medium"
  echo
  echo "  * Release $version; see /usr/share/doc/sluice/README.md and docs/."
  echo
  echo " -- Sluice developers <sluice-dev@example.org>  $(LC_ALL=C date -R -u -d "${date:-2026-12-01}")"
} | gzip -9n >"$out"
