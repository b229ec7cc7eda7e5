// OptionTraits<T>: how one option type is read from YAML, named in docs and errors, printed as a
// default (Format), and shown back as a value (Show: `validate --print-config`, /api/v1/config;
// traits without one are shown as their Format text). Supported: std::string, bool, int64_t,
// double, Duration, ByteSize, Template, std::vector<std::string> (a list, or one string),
// std::map<std::string, std::string> (a map of strings), std::map<std::string, Template> (a map of
// templates, each compiled where it is written), enums with a name table (below), and any struct
// with a static Schema() (a nested map of options). A value is checked and compiled once, here,
// with its line:column: what parsing accepted, a plugin's Build() can use without checking again.
//
// Enum options: the enum's names are declared next to it and found by argument-dependent lookup;
// the docs list them, and a config gets "expected one of ...; did you mean ...".
//   enum class Acks { kAll, kOne };
//   inline constexpr config::EnumName<Acks> kAcksNames[] = {{"all", Acks::kAll}, {"1",
//   Acks::kOne}}; constexpr std::span<const config::EnumName<Acks>> OptionNames(Acks) { return
//   kAcksNames; }
// Thread-safety: pure functions.
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "pipeline/options/config_value.h"
#include "pipeline/options/node_reader.h"
#include "pipeline/template.h"
#include "pipeline/units.h"

namespace sluice::config {

template <typename T>
struct OptionTraits;

// "expected one of a, b; got 'x'; did you mean 'a'?": a value outside a fixed set of names.
std::string OneOfError(std::string_view value, const std::vector<std::string>& names);

template <>
struct OptionTraits<std::string> {
  static constexpr const char* kType = "string";
  static bool Parse(const NodeReader& r, std::string* out) { return r.Scalar(out, "a string"); }
  static std::string Format(const std::string& v) { return v.empty() ? "" : "`" + v + "`"; }
  static ConfigValue Show(const std::string& v) { return ConfigValue::String(v); }
};

template <>
struct OptionTraits<bool> {
  static constexpr const char* kType = "bool";
  static bool Parse(const NodeReader& r, bool* out);
  static std::string Format(bool v) { return v ? "`true`" : "`false`"; }
  static ConfigValue Show(bool v) { return ConfigValue::Bool(v); }
};

template <>
struct OptionTraits<int64_t> {
  static constexpr const char* kType = "integer";
  static bool Parse(const NodeReader& r, int64_t* out);
  static std::string Format(int64_t v) { return "`" + std::to_string(v) + "`"; }
  static ConfigValue Show(int64_t v) { return ConfigValue::Number(std::to_string(v)); }
};

template <>
struct OptionTraits<double> {
  static constexpr const char* kType = "number";
  static bool Parse(const NodeReader& r, double* out);
  static std::string Format(double v);
  static ConfigValue Show(double v);
};

template <>
struct OptionTraits<Duration> {
  static constexpr const char* kType = "duration";
  static bool Parse(const NodeReader& r, Duration* out);
  static std::string Format(const Duration& v) { return "`" + v.ToString() + "`"; }
  static ConfigValue Show(const Duration& v) { return ConfigValue::String(v.ToString()); }
};

template <>
struct OptionTraits<ByteSize> {
  static constexpr const char* kType = "size";
  static bool Parse(const NodeReader& r, ByteSize* out);
  static std::string Format(const ByteSize& v) { return "`" + v.ToString() + "`"; }
  static ConfigValue Show(const ByteSize& v) { return ConfigValue::String(v.ToString()); }
};

template <>
struct OptionTraits<Template> {
  static constexpr const char* kType = "template";
  static bool Parse(const NodeReader& r, Template* out);
  static std::string Format(const Template& v) {
    return v.source().empty() ? "" : "`" + v.source() + "`";
  }
  static ConfigValue Show(const Template& v) { return ConfigValue::String(v.source()); }
};

template <>
struct OptionTraits<std::vector<std::string>> {
  static constexpr const char* kType = "list of strings";
  static bool Parse(const NodeReader& r, std::vector<std::string>* out);
  static std::string Format(const std::vector<std::string>& v);
  static ConfigValue Show(const std::vector<std::string>& v);
};

template <>
struct OptionTraits<std::map<std::string, std::string>> {
  static constexpr const char* kType = "map of strings";
  static bool Parse(const NodeReader& r, std::map<std::string, std::string>* out);
  static std::string Format(const std::map<std::string, std::string>& v) {
    return v.empty() ? "" : "(" + std::to_string(v.size()) + " entries)";
  }
  static ConfigValue Show(const std::map<std::string, std::string>& v);
};

template <>
struct OptionTraits<std::map<std::string, Template>> {
  static constexpr const char* kType = "map of templates";
  static bool Parse(const NodeReader& r, std::map<std::string, Template>* out);
  static std::string Format(const std::map<std::string, Template>& v) {
    return v.empty() ? "" : "(" + std::to_string(v.size()) + " entries)";
  }
  static ConfigValue Show(const std::map<std::string, Template>& v);
};

template <typename E>
struct EnumName {
  std::string_view name;
  E value;
};

template <typename E>
concept NamedEnum = std::is_enum_v<E> && requires(E e) {
  { OptionNames(e) } -> std::convertible_to<std::span<const EnumName<E>>>;
};

// The name of `value` in its enum's table ("" when it has none).
template <NamedEnum E>
std::string_view EnumNameOf(E value) {
  for (const EnumName<E>& n : std::span<const EnumName<E>>(OptionNames(value))) {
    if (n.value == value) return n.name;
  }
  return {};
}

template <NamedEnum E>
struct OptionTraits<E> {
  static constexpr const char* kType = "string";
  static std::vector<std::string> Names() {
    std::vector<std::string> names;
    for (const EnumName<E>& n : std::span<const EnumName<E>>(OptionNames(E{}))) {
      names.emplace_back(n.name);
    }
    return names;
  }
  static bool Parse(const NodeReader& r, E* out) {
    std::string text;
    if (!r.Scalar(&text, "a string")) return false;
    for (const EnumName<E>& n : std::span<const EnumName<E>>(OptionNames(E{}))) {
      if (n.name == text) {
        *out = n.value;
        return true;
      }
    }
    r.Error(OneOfError(text, Names()));
    return false;
  }
  static std::string Format(E v) {
    std::string_view name = EnumNameOf(v);
    return name.empty() ? "" : "`" + std::string(name) + "`";
  }
  static ConfigValue Show(E v) { return ConfigValue::String(std::string(EnumNameOf(v))); }
};

// Lists of another option type (a list of enum names, of regexes): a YAML list, or one value;
// every item is checked at its own line:column. The docs name it kListOf<T>.
template <typename T>
inline constexpr const char* kListOf = "list";
template <NamedEnum E>
inline constexpr const char* kListOf<E> = "list of strings";

template <typename T>
struct OptionTraits<std::vector<T>> {
  static constexpr const char* kType = kListOf<T>;
  static std::vector<std::string> Names() requires NamedEnum<T> { return OptionTraits<T>::Names(); }
  static bool Parse(const NodeReader& r, std::vector<T>* out) {
    out->clear();
    if (r.node().IsScalar()) return OptionTraits<T>::Parse(r, &out->emplace_back());
    if (!r.node().IsSequence()) {
      r.Error(std::string("expected a ") + kType + ", got " + r.Describe());
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < r.node().size(); ++i) {
      ok = OptionTraits<T>::Parse(r.Item(r.node()[i], i), &out->emplace_back()) && ok;
    }
    return ok;
  }
  static std::string Format(const std::vector<T>& v) {
    std::string text;
    for (const T& item : v) text += (text.empty() ? "" : ", ") + OptionTraits<T>::Format(item);
    return text;
  }
  static ConfigValue Show(const std::vector<T>& v) {
    ConfigValue list = ConfigValue::List();
    for (const T& item : v) list.Append(ShowOptionItem(item));
    return list;
  }

 private:
  static ConfigValue ShowOptionItem(const T& item) {
    if constexpr (requires { OptionTraits<T>::Show(item); }) {
      return OptionTraits<T>::Show(item);
    } else {
      return ConfigValue::String(OptionTraits<T>::Format(item));
    }
  }
};

// Nested option maps: any struct with `static const OptionSchema<T>& Schema()`.
template <typename T>
concept HasSchema = requires {
  T::Schema();
};

template <HasSchema T>
struct OptionTraits<T> {
  static constexpr const char* kType = "map";
  static bool Parse(const NodeReader& r, T* out) {
    size_t before = r.diags().errors().size();
    T::Schema().Parse(r, out, "");
    return r.diags().errors().size() == before;
  }
  static std::string Format(const T&) { return "see below"; }
  static ConfigValue Show(const T& v) { return T::Schema().Show(v); }
};

// How a value of type T is shown: its traits' Show, or else its Format text without backticks.
template <typename T>
ConfigValue ShowOption(const T& v) {
  if constexpr (requires { OptionTraits<T>::Show(v); }) {
    return OptionTraits<T>::Show(v);
  } else {
    std::string text = OptionTraits<T>::Format(v);
    std::erase(text, '`');
    return ConfigValue::String(std::move(text));
  }
}

}  // namespace sluice::config
