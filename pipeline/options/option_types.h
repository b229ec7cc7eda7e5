// OptionTraits<T>: how one option type is read from YAML, named in docs and errors, and printed as
// a default. Supported: std::string, bool, int64_t, double, Duration, ByteSize, Template,
// std::vector<std::string> (a list, or one string), std::map<std::string, std::string> (a map of
// strings), and any struct with a static Schema() (a nested map of options).
// Thread-safety: pure functions.
#pragma once

#include <charconv>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/options/node_reader.h"
#include "pipeline/template.h"
#include "pipeline/units.h"

namespace sluice::config {

template <typename T>
struct OptionTraits;

template <>
struct OptionTraits<std::string> {
  static constexpr const char* kType = "string";
  static bool Parse(const NodeReader& r, std::string* out) { return r.Scalar(out, "a string"); }
  static std::string Format(const std::string& v) { return v.empty() ? "" : "`" + v + "`"; }
};

template <>
struct OptionTraits<bool> {
  static constexpr const char* kType = "bool";
  static bool Parse(const NodeReader& r, bool* out);
  static std::string Format(bool v) { return v ? "`true`" : "`false`"; }
};

template <>
struct OptionTraits<int64_t> {
  static constexpr const char* kType = "integer";
  static bool Parse(const NodeReader& r, int64_t* out);
  static std::string Format(int64_t v) { return "`" + std::to_string(v) + "`"; }
};

template <>
struct OptionTraits<double> {
  static constexpr const char* kType = "number";
  static bool Parse(const NodeReader& r, double* out);
  static std::string Format(double v);
};

template <>
struct OptionTraits<Duration> {
  static constexpr const char* kType = "duration";
  static bool Parse(const NodeReader& r, Duration* out);
  static std::string Format(const Duration& v) { return "`" + v.ToString() + "`"; }
};

template <>
struct OptionTraits<ByteSize> {
  static constexpr const char* kType = "size";
  static bool Parse(const NodeReader& r, ByteSize* out);
  static std::string Format(const ByteSize& v) { return "`" + v.ToString() + "`"; }
};

template <>
struct OptionTraits<Template> {
  static constexpr const char* kType = "template";
  static bool Parse(const NodeReader& r, Template* out);
  static std::string Format(const Template& v) {
    return v.source().empty() ? "" : "`" + v.source() + "`";
  }
};

template <>
struct OptionTraits<std::vector<std::string>> {
  static constexpr const char* kType = "list of strings";
  static bool Parse(const NodeReader& r, std::vector<std::string>* out);
  static std::string Format(const std::vector<std::string>& v);
};

template <>
struct OptionTraits<std::map<std::string, std::string>> {
  static constexpr const char* kType = "map of strings";
  static bool Parse(const NodeReader& r, std::map<std::string, std::string>* out);
  static std::string Format(const std::map<std::string, std::string>& v) {
    return v.empty() ? "" : "(" + std::to_string(v.size()) + " entries)";
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
};

}  // namespace sluice::config
