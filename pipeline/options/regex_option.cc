#include "pipeline/options/regex_option.h"

#include <utility>

namespace sluice::config {

Result<Regex> Regex::Compile(std::string_view source) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(source, options);
  if (!re->ok()) {
    return InvalidArgument("bad regular expression '" + std::string(source) + "': " + re->error());
  }
  Regex regex;
  regex.source_ = std::string(source);
  regex.re_ = std::move(re);
  return regex;
}

bool OptionTraits<Regex>::Parse(const NodeReader& r, Regex* out) {
  std::string text;
  if (!r.Scalar(&text, "a regular expression")) return false;
  if (text.empty()) {
    *out = Regex();
    return true;
  }
  Result<Regex> compiled = Regex::Compile(text);
  if (!compiled.ok()) {
    r.Error(compiled.status().message());
    return false;
  }
  *out = std::move(compiled).value();
  return true;
}

}  // namespace sluice::config
