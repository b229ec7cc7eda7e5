// The evaluator of the condition language: value resolution, the comparison rules, and the tree
// walk. The language is specified in docs/conditions.md; keep the two in step.
#include "pipeline/condition_eval.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace sluice::condition_internal {

void ParseNumber(Val* v) {
  const char* begin = v->s.data();
  const char* end = begin + v->s.size();
  v->num = Val::Num::kNone;
  if (begin == end) return;
  auto [p, ec] = std::from_chars(begin, end, v->i);
  if (ec == std::errc() && p == end) {
    v->num = Val::Num::kInt;
    return;
  }
  auto [q, ec2] = std::from_chars(begin, end, v->d);
  if (ec2 == std::errc() && q == end && std::isfinite(v->d)) v->num = Val::Num::kFloat;
}

namespace {

using Node = Condition::Node;

// -1, 0, 1, or 2 when unordered (NaN).
constexpr int kUnordered = 2;

int Sign(auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); }

// Exact comparison of an integer with a double (no rounding of large integers).
int CompareIntFloat(int64_t i, double d) {
  if (std::isnan(d)) return kUnordered;
  if (d >= 9223372036854775808.0) return -1;
  if (d < -9223372036854775808.0) return 1;
  double t = std::trunc(d);
  int c = Sign(i, static_cast<int64_t>(t));
  if (c != 0) return c;
  return Sign(0.0, d - t);
}

int CompareNumbers(bool a_int, int64_t ai, double ad, bool b_int, int64_t bi, double bd) {
  if (a_int && b_int) return Sign(ai, bi);
  if (a_int) return CompareIntFloat(ai, bd);
  if (b_int) {
    int c = CompareIntFloat(bi, ad);
    return c == kUnordered ? c : -c;
  }
  if (std::isnan(ad) || std::isnan(bd)) return kUnordered;
  return Sign(ad, bd);
}

bool IsNullish(const Val& v) { return v.kind == Val::Kind::kMissing || v.kind == Val::Kind::kNull; }

// The number in `v` (a number, or text holding one); false when there is none.
bool AsNumber(Val& v, bool* is_int, int64_t* i, double* d) {
  if (v.kind == Val::Kind::kText) {
    if (v.num == Val::Num::kUnknown) ParseNumber(&v);
    if (v.num == Val::Num::kNone) return false;
    *is_int = v.num == Val::Num::kInt;
  } else {
    *is_int = v.kind == Val::Kind::kInt;
  }
  *i = v.i;
  *d = v.d;
  return true;
}

bool Compare(Val a, Val b, Op op) {
  bool equality = op == Op::kEq || op == Op::kNe;
  if (IsNullish(a) || IsNullish(b)) {
    if (!equality) return false;
    return (op == Op::kEq) == (IsNullish(a) && IsNullish(b));
  }
  if (a.kind == Val::Kind::kBool || b.kind == Val::Kind::kBool) {
    if (!equality) return false;
    return (op == Op::kEq) == (a.kind == b.kind && a.b == b.b);
  }
  int c;
  if (a.kind == Val::Kind::kText && b.kind == Val::Kind::kText) {
    int r = a.s.compare(b.s);  // char_traits<char>::compare: bytewise, as unsigned
    c = r < 0 ? -1 : (r > 0 ? 1 : 0);
  } else {
    bool ai, bi;
    int64_t an, bn;
    double ad, bd;
    if (AsNumber(a, &ai, &an, &ad) && AsNumber(b, &bi, &bn, &bd)) {
      c = CompareNumbers(ai, an, ad, bi, bn, bd);
    } else {
      c = kUnordered;
    }
  }
  switch (op) {
    case Op::kEq:
      return c == 0;
    case Op::kNe:
      return c != 0;
    case Op::kLt:
      return c == -1;
    case Op::kLe:
      return c == -1 || c == 0;
    case Op::kGt:
      return c == 1;
    case Op::kGe:
      return c == 1 || c == 0;
  }
  return false;
}

// The text of `v` for =~, !~ and contains: strings and JSON as they are, numbers and bools as
// templates render them (into `buf`, at least 40 bytes). False for missing and null.
bool TextOf(const Val& v, char* buf, size_t size, std::string_view* out) {
  switch (v.kind) {
    case Val::Kind::kMissing:
    case Val::Kind::kNull:
      return false;
    case Val::Kind::kText:
      *out = v.s;
      return true;
    case Val::Kind::kBool:
      *out = v.b ? "true" : "false";
      return true;
    case Val::Kind::kInt: {
      auto r = std::to_chars(buf, buf + size, v.i);
      *out = std::string_view(buf, static_cast<size_t>(r.ptr - buf));
      return true;
    }
    case Val::Kind::kFloat: {
      auto r = std::to_chars(buf, buf + size, v.d);
      *out = std::string_view(buf, static_cast<size_t>(r.ptr - buf));
      return true;
    }
  }
  return false;
}

Val Resolve(const Operand& o, const Event& e) {
  Val v;
  switch (o.kind) {
    case Operand::Kind::kLiteral:
      v = o.literal;
      if (v.kind == Val::Kind::kText) v.s = o.text;
      return v;
    case Operand::Kind::kMessage:
      v.kind = Val::Kind::kText;
      v.s = e.message();
      return v;
    case Operand::Kind::kTags:  // Parse() rejects tags where a value is needed
      return v;
    case Operand::Kind::kField:
      break;
  }
  const Value* value = e.Get(o.name);
  if (value == nullptr) return v;
  switch (value->kind()) {
    case Value::Kind::kNull:
      v.kind = Val::Kind::kNull;
      break;
    case Value::Kind::kBool:
      v.kind = Val::Kind::kBool;
      v.b = value->as_bool();
      break;
    case Value::Kind::kInt:
      v.kind = Val::Kind::kInt;
      v.i = value->as_int();
      break;
    case Value::Kind::kFloat:
      v.kind = Val::Kind::kFloat;
      v.d = value->as_float();
      break;
    case Value::Kind::kString:
    case Value::Kind::kJson:
      v.kind = Val::Kind::kText;
      v.s = value->as_string();
      break;
  }
  return v;
}

bool Exists(const Operand& o, const Event& e) {
  switch (o.kind) {
    case Operand::Kind::kMessage:
      return true;
    case Operand::Kind::kTags:
      return !e.tags().empty();
    case Operand::Kind::kField:
      return e.Get(o.name) != nullptr;
    case Operand::Kind::kLiteral:
      return true;
  }
  return false;
}

bool Truthy(const Operand& o, const Event& e) {
  if (o.kind != Operand::Kind::kField) return Exists(o, e);
  const Value* v = e.Get(o.name);
  return v != nullptr && !v->is_null() && !(v->kind() == Value::Kind::kBool && !v->as_bool());
}

bool RegexMatches(const Node& n, const Event& e) {
  if (n.lhs.kind == Operand::Kind::kTags) {
    for (std::string_view tag : e.tags()) {
      if (RE2::PartialMatch(tag, *n.re)) return true;
    }
    return false;
  }
  char buf[48];
  std::string_view text;
  if (!TextOf(Resolve(n.lhs, e), buf, sizeof(buf), &text)) return false;
  return RE2::PartialMatch(text, *n.re);
}

bool Contains(const Node& n, const Event& e) {
  char needle_buf[48];
  std::string_view needle;
  if (!TextOf(Resolve(n.rhs, e), needle_buf, sizeof(needle_buf), &needle)) return false;
  if (n.lhs.kind == Operand::Kind::kTags) return e.HasTag(needle);
  char buf[48];
  std::string_view text;
  if (!TextOf(Resolve(n.lhs, e), buf, sizeof(buf), &text)) return false;
  return text.find(needle) != std::string_view::npos;
}

}  // namespace

bool Eval(const Node& n, const Event& e) {
  switch (n.kind) {
    case Node::Kind::kAnd:
      for (const auto& c : n.children) {
        if (!Eval(*c, e)) return false;
      }
      return true;
    case Node::Kind::kOr:
      for (const auto& c : n.children) {
        if (Eval(*c, e)) return true;
      }
      return false;
    case Node::Kind::kNot:
      return !Eval(*n.children[0], e);
    case Node::Kind::kConst:
      return n.constant;
    case Node::Kind::kCompare:
      return Compare(Resolve(n.lhs, e), Resolve(n.rhs, e), n.op);
    case Node::Kind::kRegex:
      return RegexMatches(n, e) != n.negate;
    case Node::Kind::kContains:
      return Contains(n, e);
    case Node::Kind::kExists:
      return Exists(n.lhs, e);
    case Node::Kind::kTruthy:
      return Truthy(n.lhs, e);
  }
  return false;
}

}  // namespace sluice::condition_internal
