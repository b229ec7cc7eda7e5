// TimeZone: a time zone given as an option (`UTC`, a fixed offset `+02:00`, or an IANA name
// `Europe/Paris` from the system's tzdata), loaded once where the config names it: an unknown zone
// is an error at the key's line:column, and the plugin receives the loaded zone.
// Thread-safety: immutable once parsed; absl::TimeZone is thread-safe.
#pragma once

#include <absl/time/time.h>

#include <string>

#include "pipeline/options/option_types.h"
#include "plugins/common/time_parse.h"

namespace sluice::common {

struct TimeZone {
  std::string name = "UTC";
  absl::TimeZone zone = absl::UTCTimeZone();

  bool is_utc() const { return name == "UTC" || name == "Z"; }
};

}  // namespace sluice::common

namespace sluice::config {

template <>
struct OptionTraits<common::TimeZone> {
  static constexpr const char* kType = "time zone";
  static bool Parse(const NodeReader& r, common::TimeZone* out) {
    std::string text;
    if (!r.Scalar(&text, "a time zone")) return false;
    Result<absl::TimeZone> zone = common::LoadZone(text);
    if (!zone.ok()) {
      r.Error(zone.status().message());
      return false;
    }
    *out = common::TimeZone{text, zone.value()};
    return true;
  }
  static std::string Format(const common::TimeZone& v) { return "`" + v.name + "`"; }
};

}  // namespace sluice::config
