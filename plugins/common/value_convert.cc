#include "plugins/common/value_convert.h"

#include <charconv>
#include <cmath>

namespace sluice {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<ValueType> ValueTypeNamed(std::string_view name) {
  if (name == "string") return ValueType::kString;
  if (name == "int" || name == "integer") return ValueType::kInt;
  if (name == "float" || name == "double") return ValueType::kFloat;
  if (name == "bool" || name == "boolean") return ValueType::kBool;
  return std::nullopt;
}

const char* ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kInt:
      return "int";
    case ValueType::kFloat:
      return "float";
    case ValueType::kBool:
      return "bool";
  }
  return "?";
}

std::optional<Value> ConvertText(std::string_view text, ValueType type) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  switch (type) {
    case ValueType::kString:
      return Value::String(text);
    case ValueType::kInt: {
      if (!text.empty() && text.front() == '+') ++begin;
      int64_t v = 0;
      auto [p, ec] = std::from_chars(begin, end, v);
      if (ec != std::errc() || p != end || begin == end) return std::nullopt;
      return Value::Int(v);
    }
    case ValueType::kFloat: {
      if (!text.empty() && text.front() == '+') ++begin;
      double v = 0;
      auto [p, ec] = std::from_chars(begin, end, v);
      if (ec != std::errc() || p != end || begin == end || !std::isfinite(v)) return std::nullopt;
      return Value::Float(v);
    }
    case ValueType::kBool:
      for (std::string_view t : {"true", "yes", "on", "1"}) {
        if (EqualsIgnoreCase(text, t)) return Value::Bool(true);
      }
      for (std::string_view f : {"false", "no", "off", "0"}) {
        if (EqualsIgnoreCase(text, f)) return Value::Bool(false);
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace sluice
