#include "pipeline/options/option_types.h"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace sluice::config {

bool OptionTraits<bool>::Parse(const NodeReader& r, bool* out) {
  std::string text;
  if (!r.Scalar(&text, "true or false")) return false;
  if (text == "true" || text == "yes" || text == "on") {
    *out = true;
  } else if (text == "false" || text == "no" || text == "off") {
    *out = false;
  } else {
    r.Error("expected true or false, got '" + text + "'");
    return false;
  }
  return true;
}

bool OptionTraits<int64_t>::Parse(const NodeReader& r, int64_t* out) {
  std::string text;
  if (!r.Scalar(&text, "an integer")) return false;
  std::string digits;
  for (char c : text) {
    if (c != '_') digits += c;  // 1_000_000 reads well in configs
  }
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    r.Error("expected an integer, got '" + text + "'");
    return false;
  }
  return true;
}

bool OptionTraits<double>::Parse(const NodeReader& r, double* out) {
  std::string text;
  if (!r.Scalar(&text, "a number")) return false;
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(*out)) {
    r.Error("expected a number, got '" + text + "'");
    return false;
  }
  return true;
}

std::string OptionTraits<double>::Format(double v) { return fmt::format("`{}`", v); }

ConfigValue OptionTraits<double>::Show(double v) {
  return ConfigValue::Number(fmt::format("{}", v));
}

bool OptionTraits<Duration>::Parse(const NodeReader& r, Duration* out) {
  std::string text;
  if (!r.Scalar(&text, "a duration such as 500ms, 5s, 2m or 1h30m")) return false;
  Result<Duration> d = Duration::Parse(text);
  if (!d.ok()) {
    r.Error(d.status().message());
    return false;
  }
  *out = d.value();
  return true;
}

bool OptionTraits<ByteSize>::Parse(const NodeReader& r, ByteSize* out) {
  std::string text;
  if (!r.Scalar(&text, "a size such as 512KiB, 64MiB or 1GB")) return false;
  Result<ByteSize> s = ByteSize::Parse(text);
  if (!s.ok()) {
    r.Error(s.status().message());
    return false;
  }
  *out = s.value();
  return true;
}

bool OptionTraits<Template>::Parse(const NodeReader& r, Template* out) {
  std::string text;
  if (!r.Scalar(&text, "a template string")) return false;
  Result<Template> t = Template::Compile(text);
  if (!t.ok()) {
    r.Error("bad template '" + text + "': " + t.status().message());
    return false;
  }
  *out = std::move(t).value();
  return true;
}

bool OptionTraits<std::vector<std::string>>::Parse(const NodeReader& r,
                                                   std::vector<std::string>* out) {
  out->clear();
  if (r.node().IsScalar()) {
    std::string one;
    if (!r.Scalar(&one, "a string")) return false;
    out->push_back(std::move(one));
    return true;
  }
  if (!r.node().IsSequence()) {
    r.Error("expected a list of strings, got " + r.Describe());
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < r.node().size(); ++i) {
    std::string item;
    if (r.Item(r.node()[i], i).Scalar(&item, "a string")) {
      out->push_back(std::move(item));
    } else {
      ok = false;
    }
  }
  return ok;
}

std::string OptionTraits<std::vector<std::string>>::Format(const std::vector<std::string>& v) {
  if (v.empty()) return "";
  std::string out = "`[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out + "]`";
}

ConfigValue OptionTraits<std::vector<std::string>>::Show(const std::vector<std::string>& v) {
  ConfigValue list = ConfigValue::List();
  for (const std::string& item : v) list.Append(ConfigValue::String(item));
  return list;
}

ConfigValue OptionTraits<std::map<std::string, std::string>>::Show(
    const std::map<std::string, std::string>& v) {
  ConfigValue map = ConfigValue::Map();
  for (const auto& [key, value] : v) map.Set(key, ConfigValue::String(value));
  return map;
}

ConfigValue OptionTraits<std::map<std::string, Template>>::Show(
    const std::map<std::string, Template>& v) {
  ConfigValue map = ConfigValue::Map();
  for (const auto& [key, value] : v) map.Set(key, ConfigValue::String(value.source()));
  return map;
}

bool OptionTraits<std::map<std::string, std::string>>::Parse(
    const NodeReader& r, std::map<std::string, std::string>* out) {
  if (!r.node().IsMap()) {
    r.Error("expected a map of strings, got " + r.Describe());
    return false;
  }
  bool ok = true;
  for (const auto& kv : r.node()) {
    std::string key = kv.first.Scalar();
    std::string value;
    if (r.Child(kv.second, key).Scalar(&value, "a string")) {
      (*out)[key] = std::move(value);
    } else {
      ok = false;
    }
  }
  return ok;
}

bool OptionTraits<std::map<std::string, Template>>::Parse(const NodeReader& r,
                                                          std::map<std::string, Template>* out) {
  if (!r.node().IsMap()) {
    r.Error("expected a map of template strings, got " + r.Describe());
    return false;
  }
  bool ok = true;
  for (const auto& kv : r.node()) {
    std::string key = kv.first.Scalar();
    Template value;
    if (OptionTraits<Template>::Parse(r.Child(kv.second, key), &value)) {
      (*out)[key] = std::move(value);
    } else {
      ok = false;
    }
  }
  return ok;
}

std::string OneOfError(std::string_view value, const std::vector<std::string>& names) {
  std::string list;
  for (const auto& c : names) list += (list.empty() ? "" : ", ") + c;
  return "expected one of " + list + "; got '" + std::string(value) + "'" +
         DidYouMean(value, names);
}

}  // namespace sluice::config
