// Durations ("250ms", "5s", "2m", "1h30m") and byte sizes ("512", "64KiB", "64MiB", "1GB") as
// config value types. Parsing errors say what was expected.
// Thread-safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/status.h"

namespace sluice {

struct Duration {
  std::chrono::nanoseconds value{0};

  int64_t millis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(value).count();
  }
  // Parses an integer with a unit: ns, us, ms, s, m, h, d (lower case); several may follow each
  // other and are added up ("1h30m"). "0" alone is allowed. No sign, spaces or decimals. Fails with
  // an InvalidArgument message (not a location) when the text does not match, is negative, or
  // does not fit in int64_t nanoseconds.
  static Result<Duration> Parse(std::string_view text);
  // Each non-zero unit from d down to ns, largest first: "5s", "1h30m", "1s500ms", "1d12h"; zero
  // is "0s", a negative value starts with "-". Parse(ToString()) gives a non-negative value back.
  std::string ToString() const;
  friend auto operator<=>(const Duration&, const Duration&) = default;
};

struct ByteSize {
  uint64_t bytes = 0;

  // Parses an integer (or decimal) with an optional unit: B, KB/MB/GB/TB (powers of 1000) or
  // KiB/MiB/GiB/TiB (powers of 1024); units are case-insensitive ("64mib" works). A decimal needs a
  // unit above B ("1.5MiB"; at most 18 decimals) and is rounded down to a whole byte. No sign or
  // spaces. Fails with an InvalidArgument message when the text does not match, is negative, or
  // does not fit in uint64_t.
  static Result<ByteSize> Parse(std::string_view text);
  // With the largest unit, binary or decimal, that divides exactly ("64MiB", "1GB", "7TB",
  // "1000KiB"), else the byte count ("1500", and "0"). Parse(ToString()) gives the value back.
  std::string ToString() const;
  friend auto operator<=>(const ByteSize&, const ByteSize&) = default;
};

}  // namespace sluice
