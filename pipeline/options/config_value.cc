#include "pipeline/options/config_value.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "pipeline/json_string.h"

namespace sluice::config {
namespace {

// Whether YAML (1.1 or 1.2) reads `s`, written plain, back as the string `s`: a conservative
// allow-list (no spaces, quotes, flow or comment indicators), minus the words and shapes that read
// as booleans, nulls or numbers.
bool IsPlainSafe(std::string_view s) {
  if (s.empty()) return false;
  auto c0 = static_cast<unsigned char>(s[0]);
  if (!std::isalnum(c0) && c0 != '_' && c0 != '/' && c0 != '.') return false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (!std::isalnum(c) && std::strchr("_./-+@=%:,", ch) == nullptr) return false;
  }
  if (s.back() == ':') return false;
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* word :
       {"true", "false", "yes", "no", "on", "off", "y", "n", "null", ".inf", ".nan"}) {
    if (lower == word) return false;
  }
  // Integers, decimals, sexagesimals (1:30) and dotted numbers: quoted, whatever a reader makes
  // of them.
  if (s.find_first_not_of("0123456789._:+-") == std::string_view::npos) return false;
  if (s.size() > 2 && s[0] == '0' && std::strchr("xXoObB", s[1]) != nullptr) return false;
  // YAML 1.1 timestamps (2001-12-14t21:59:43.10-05:00).
  if (s.size() > 4 && s[4] == '-' &&
      std::all_of(s.begin(), s.begin() + 4, [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  char* end = nullptr;
  std::strtod(lower.c_str(), &end);  // 1e3, inf, nan
  return end != lower.c_str() + lower.size();
}

void AppendYamlScalar(std::string& out, const ConfigValue& v) {
  switch (v.kind()) {
    case ConfigValue::Kind::kNull:
      out += "null";
      return;
    case ConfigValue::Kind::kBool:
    case ConfigValue::Kind::kNumber:
      out += v.text();
      return;
    case ConfigValue::Kind::kString:
      if (IsPlainSafe(v.text())) {
        out += v.text();
      } else {
        AppendJsonString(out, v.text());
      }
      return;
    case ConfigValue::Kind::kList:
      out += "[]";
      return;
    case ConfigValue::Kind::kMap:
      out += "{}";
      return;
  }
}

void AppendYamlKey(std::string& out, const std::string& key) {
  if (IsPlainSafe(key)) {
    out += key;
  } else {
    AppendJsonString(out, key);
  }
}

bool IsContainer(const ConfigValue& v) {
  return (v.kind() == ConfigValue::Kind::kList || v.kind() == ConfigValue::Kind::kMap) &&
         !v.entries().empty();
}

}  // namespace

ConfigValue ConfigValue::Bool(bool value) {
  ConfigValue v;
  v.kind_ = Kind::kBool;
  v.text_ = value ? "true" : "false";
  return v;
}

ConfigValue ConfigValue::Number(std::string text) {
  ConfigValue v;
  v.kind_ = Kind::kNumber;
  v.text_ = std::move(text);
  return v;
}

ConfigValue ConfigValue::String(std::string text) {
  ConfigValue v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(text);
  return v;
}

ConfigValue ConfigValue::List() {
  ConfigValue v;
  v.kind_ = Kind::kList;
  return v;
}

ConfigValue ConfigValue::Map() {
  ConfigValue v;
  v.kind_ = Kind::kMap;
  return v;
}

ConfigValue& ConfigValue::Append(ConfigValue item) {
  entries_.emplace_back(std::string(), std::move(item));
  return *this;
}

ConfigValue& ConfigValue::Set(std::string key, ConfigValue value) {
  entries_.emplace_back(std::move(key), std::move(value));
  return *this;
}

const ConfigValue* ConfigValue::Find(std::string_view key) const {
  if (kind_ != Kind::kMap) return nullptr;
  for (const auto& [k, v] : entries_) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string ConfigValue::ToYaml() const {
  std::string out;
  if (IsContainer(*this)) {
    AppendYaml(out, 0);
  } else {
    AppendYamlScalar(out, *this);
    out += '\n';
  }
  return out;
}

// A non-empty list or map, each line indented by `indent` spaces.
void ConfigValue::AppendYaml(std::string& out, int indent) const {
  const std::string pad(static_cast<size_t>(indent), ' ');
  for (const auto& [key, value] : entries_) {
    if (kind_ == Kind::kMap) {
      out += pad;
      AppendYamlKey(out, key);
      out += ':';
      if (IsContainer(value)) {
        out += '\n';
        value.AppendYaml(out, indent + 2);
      } else {
        out += ' ';
        AppendYamlScalar(out, value);
        out += '\n';
      }
      continue;
    }
    if (!IsContainer(value)) {
      out += pad + "- ";
      AppendYamlScalar(out, value);
      out += '\n';
      continue;
    }
    // An item that is a list or map: its first line starts on the dash's line.
    std::string item;
    value.AppendYaml(item, indent + 2);
    item[static_cast<size_t>(indent)] = '-';
    out += item;
  }
}

std::string ConfigValue::ToJson() const {
  std::string out;
  AppendJson(out, 0);
  out += '\n';
  return out;
}

void ConfigValue::AppendJson(std::string& out, int indent) const {
  switch (kind_) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
    case Kind::kNumber:
      out += text_;
      return;
    case Kind::kString:
      AppendJsonString(out, text_);
      return;
    case Kind::kList:
    case Kind::kMap:
      break;
  }
  const bool map = kind_ == Kind::kMap;
  if (entries_.empty()) {
    out += map ? "{}" : "[]";
    return;
  }
  out += map ? "{\n" : "[\n";
  const std::string pad(static_cast<size_t>(indent) + 2, ' ');
  for (size_t i = 0; i < entries_.size(); ++i) {
    out += pad;
    if (map) {
      AppendJsonString(out, entries_[i].first);
      out += ": ";
    }
    entries_[i].second.AppendJson(out, indent + 2);
    out += i + 1 < entries_.size() ? ",\n" : "\n";
  }
  out += std::string(static_cast<size_t>(indent), ' ');
  out += map ? '}' : ']';
}

}  // namespace sluice::config
