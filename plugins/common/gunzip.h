// Gunzip: inflates gzip data (RFC 1952; several members one after the other, as `cat a.gz b.gz`
// makes, are one stream) with zlib, handing the bytes out in chunks so that a large file is never
// whole in memory twice. IsGzip() tells gzip data by its magic bytes.
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace sluice::common {

// True when `data` starts with gzip's magic bytes (1f 8b).
bool IsGzip(std::string_view data);

// Inflates `in`, calling `out` with each chunk (at most 256 KiB; the view is valid during the
// call). Returns "" when the data ended with a complete member, else what is wrong ("corrupt gzip
// data: ...", or "truncated gzip data" when the input ends mid-member); the chunks before the
// problem were handed out.
std::string Gunzip(std::string_view in, const std::function<void(std::string_view)>& out);

}  // namespace sluice::common
