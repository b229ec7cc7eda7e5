// Value: a typed field value (null, bool, int, float, string, or raw JSON: an array or object kept
// as its JSON text, written verbatim by encoders). Strings are views; the batch's arena owns their
// bytes. Thread-safety: plain value.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice {

class Value {
 public:
  enum class Kind : uint8_t { kNull, kBool, kInt, kFloat, kString, kJson };

  constexpr Value() : kind_(Kind::kNull), int_(0) {}
  static constexpr Value Null() { return Value(); }
  static constexpr Value Bool(bool b) {
    Value v;
    v.kind_ = Kind::kBool;
    v.bool_ = b;
    return v;
  }
  static constexpr Value Int(int64_t i) {
    Value v;
    v.kind_ = Kind::kInt;
    v.int_ = i;
    return v;
  }
  static constexpr Value Float(double d) {
    Value v;
    v.kind_ = Kind::kFloat;
    v.float_ = d;
    return v;
  }
  // A view: the caller guarantees that `s` outlives the value (normally: it lives in the arena).
  static constexpr Value String(std::string_view s) {
    Value v;
    v.kind_ = Kind::kString;
    v.str_ = s;
    return v;
  }

  // Raw JSON text (an array or an object), a view like String(). The caller guarantees it is valid
  // JSON; encoders copy it as is.
  static constexpr Value Json(std::string_view json) {
    Value v;
    v.kind_ = Kind::kJson;
    v.str_ = json;
    return v;
  }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_string() const { return kind_ == Kind::kString; }
  // String or raw JSON: the value is a view on bytes (as_string() gives them).
  bool has_bytes() const { return kind_ == Kind::kString || kind_ == Kind::kJson; }
  bool as_bool() const { return bool_; }
  int64_t as_int() const { return int_; }
  double as_float() const { return float_; }
  std::string_view as_string() const { return str_; }

  friend bool operator==(const Value& a, const Value& b) {
    if (a.kind_ != b.kind_) return false;
    switch (a.kind_) {
      case Kind::kNull:
        return true;
      case Kind::kBool:
        return a.bool_ == b.bool_;
      case Kind::kInt:
        return a.int_ == b.int_;
      case Kind::kFloat:
        return a.float_ == b.float_;
      case Kind::kString:
      case Kind::kJson:
        return a.str_ == b.str_;
    }
    return false;
  }

 private:
  Kind kind_;
  union {
    bool bool_;
    int64_t int_;
    double float_;
    std::string_view str_;
  };
};

}  // namespace sluice
