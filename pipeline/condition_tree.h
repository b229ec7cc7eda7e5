// Internal to the condition language (pipeline/condition*.cc); include pipeline/condition.h
// instead. The parsed tree of a `when:` condition: what the parser (condition_parser.h) builds and
// the evaluator (condition_eval.h) walks. Everything the parser could resolve once is in the tree
// already: literals are typed (a string literal's number, if any, is parsed), regexes compiled.
// Thread-safety: a built tree is immutable; it may be evaluated on several threads at once.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/condition.h"

namespace sluice {
namespace condition_internal {

// Parentheses and '!' nest at most this deep, so hostile input cannot overflow the stack (of the
// parser, the evaluator or the destructor).
constexpr int kMaxDepth = 100;

// A value at evaluation time: a field's value, the message, or a literal.
struct Val {
  enum class Kind : uint8_t { kMissing, kNull, kBool, kInt, kFloat, kText };
  // For kText: whether the text was parsed as a number yet, and what it gave.
  enum class Num : uint8_t { kUnknown, kNone, kInt, kFloat };

  Kind kind = Kind::kMissing;
  Num num = Num::kUnknown;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string_view s;  // kText: strings and raw JSON
};

// One side of a comparison, the argument of exists(), or a bare operand.
struct Operand {
  enum class Kind : uint8_t { kField, kMessage, kTags, kLiteral };
  Kind kind = Kind::kLiteral;
  std::string name;  // kField: the dotted path
  std::string text;  // a string literal's bytes (the literal's `s` points here at evaluation)
  Val literal;       // kLiteral
  size_t offset = 0;
  std::string_view raw;  // as written, for error messages; valid only while parsing
};

enum class Op : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

}  // namespace condition_internal

struct Condition::Node {
  enum class Kind : uint8_t {
    kAnd,       // children, all true (short-circuit)
    kOr,        // children, any true (short-circuit)
    kNot,       // children[0] false
    kConst,     // `constant`
    kCompare,   // lhs op rhs
    kRegex,     // lhs =~ re (negate: !~)
    kContains,  // lhs contains rhs
    kExists,    // exists(lhs)
    kTruthy,    // lhs alone: present, not null, not false
  };
  Kind kind = Kind::kConst;
  condition_internal::Op op = condition_internal::Op::kEq;
  bool negate = false;
  bool constant = false;
  condition_internal::Operand lhs;
  condition_internal::Operand rhs;
  std::unique_ptr<RE2> re;
  std::vector<std::unique_ptr<Node>> children;
};

}  // namespace sluice
