// Regex: an RE2 regular expression given as an option, compiled once where the config names it
// (an error there carries the key's line:column and RE2's reason), then shared read-only by the
// plugin that owns the options. Empty (no pattern) unless the config set one.
// RE2 runs with its defaults (UTF-8; invalid bytes in a subject simply do not match) and never
// logs to stderr: errors go to the config's diagnostics.
// Thread-safety: immutable once compiled; RE2 matching is thread-safe.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>

#include "pipeline/options/option_types.h"
#include "pipeline/status.h"

namespace sluice::config {

class Regex {
 public:
  Regex() = default;
  // Compiles `source`; the error reads "bad regular expression '<source>': <RE2's reason>".
  static Result<Regex> Compile(std::string_view source);

  bool empty() const { return re_ == nullptr; }
  const std::string& source() const { return source_; }
  // The compiled program; null when empty().
  const RE2* get() const { return re_.get(); }
  const RE2& operator*() const { return *re_; }

 private:
  std::string source_;
  std::shared_ptr<const RE2> re_;
};

template <>
struct OptionTraits<Regex> {
  static constexpr const char* kType = "regex";
  static bool Parse(const NodeReader& r, Regex* out);
  static std::string Format(const Regex& v) {
    return v.source().empty() ? "" : "`" + v.source() + "`";
  }
  static ConfigValue Show(const Regex& v) { return ConfigValue::String(v.source()); }
};
template <>
inline constexpr const char* kListOf<Regex> = "list of regexes";

}  // namespace sluice::config
