#!/usr/bin/env bash
# Builds, as static archives under PREFIX, the libraries the portable sluice binary cannot take
# from Debian's own .a files:
#   curl        Debian's libcurl.a needs GSSAPI (Kerberos), LDAP, RTMP and SSH libraries, and
#               Debian ships Kerberos only as shared objects;
#   librdkafka  Debian's librdkafka.a needs Cyrus SASL, whose static archive carries its GSSAPI
#               plugin (Kerberos again);
#   simdjson    Debian ships it only as a shared object;
#   cpp-httplib Debian compiles it into a shared object; the header-only form is used instead.
# Each comes from Debian 12's own source package (apt-get source: Debian's patches, security fixes
# included, signatures checked against Debian's archive keyring) and is built with only the
# features sluice uses (HTTP/1.1 with OpenSSL; Kafka with TLS and SASL PLAIN/SCRAM/OAUTHBEARER but
# not GSSAPI). Everything else (OpenSSL, zlib, zstd, RE2, abseil, yaml-cpp, libuv) links from
# Debian's .a files. Idempotent: does nothing when PREFIX holds what this script version built.
# Usage: packaging/portable/static-deps.sh PREFIX
set -euo pipefail
prefix="$(mkdir -p "${1:?usage: $0 PREFIX}" && cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
stamp="$prefix/.built-by"
want="$(sha256sum "$here/static-deps.sh" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
jobs="$(nproc)"
work="$prefix/src"
apt_dir="$prefix/apt"
rm -rf "$work" "$apt_dir"
mkdir -p "$work" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$apt_dir/sources.list" <<SOURCES
deb-src [signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb-src [signed-by=$keyring] http://deb.debian.org/debian bookworm-updates main
deb-src [signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
SOURCES
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Sandbox::User=root)
log() { echo "static-deps: $*" >&2; }
# Runs a build step with its output in PREFIX/build.log, shown only when the step fails.
quietly() {
  if ! "$@" >>"$prefix/build.log" 2>&1; then
    tail -n 40 "$prefix/build.log" >&2
    log "failed: $* (whole log: $prefix/build.log)"
    exit 1
  fi
}
: >"$prefix/build.log"

log "fetching Debian's source packages (curl, librdkafka, simdjson, cpp-httplib)"
quietly apt-get -q "${apt_opts[@]}" update
(cd "$work" && quietly apt-get -q "${apt_opts[@]}" source curl librdkafka simdjson cpp-httplib)

log "building libcurl (HTTP/1.1, OpenSSL, zlib)"
(
  cd "$work"/curl-*/
  quietly ./configure -q --prefix="$prefix" --disable-shared --enable-static --disable-dependency-tracking \
    --with-openssl --with-zlib --without-zstd --without-brotli --without-libidn2 --without-libpsl \
    --without-nghttp2 --without-librtmp --without-libssh2 --without-gssapi --disable-ldap \
    --disable-ldaps --disable-rtsp --disable-dict --disable-telnet --disable-tftp --disable-pop3 \
    --disable-imap --disable-smb --disable-smtp --disable-gopher --disable-mqtt --disable-manual \
    --without-ca-bundle --without-ca-path --with-ca-fallback
  quietly make -j"$jobs" -C lib
  quietly make -C lib install
  quietly make -C include install
)

log "building librdkafka (TLS, SASL PLAIN/SCRAM/OAUTHBEARER, zstd, lz4; no GSSAPI)"
(
  cd "$work"/librdkafka-*/
  quietly ./configure --prefix="$prefix" --disable-gssapi --disable-curl --disable-lz4-ext \
    --enable-ssl --enable-zstd --enable-zlib --disable-debug-symbols
  quietly make -j"$jobs" -C src librdkafka.a
  mkdir -p "$prefix/include/librdkafka" "$prefix/lib"
  cp src/rdkafka.h src/rdkafka_mock.h "$prefix/include/librdkafka/"
  cp src/librdkafka.a "$prefix/lib/"
)

log "building simdjson"
(
  cd "$work"/simdjson-*/singleheader
  quietly c++ -std=c++17 -O2 -g -DNDEBUG -c simdjson.cpp -o simdjson.o
  quietly ar rcs "$prefix/lib/libsimdjson.a" simdjson.o
  cp simdjson.h "$prefix/include/"
)

log "cpp-httplib (header-only)"
cp "$work"/cpp-httplib-*/httplib.h "$prefix/include/"

log "keeping their copyright files (the package's copyright lists them)"
mkdir -p "$prefix/licenses"
for package in curl librdkafka simdjson cpp-httplib; do
  cp "$work/$package"-*/debian/copyright "$prefix/licenses/$package"
done

rm -rf "$work" "$apt_dir"
echo "$want" >"$stamp"
log "done: $prefix"
