// Condition: a hand-written lexer and recursive-descent parser producing a small tree, and a
// tree-walking evaluator. Everything that can be done once (number literals, regex compilation,
// type checks that do not depend on the event) is done by Parse(); Matches() only looks fields up
// and compares. The language is specified in docs/conditions.md; keep the two in step.
#include "pipeline/condition.h"

#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/options/diagnostics.h"

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

// Parses all of `s` as a number: an int64 when it is one, else a finite double. Sets v->num.
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
bool IsNumber(const Val& v) { return v.kind == Val::Kind::kInt || v.kind == Val::Kind::kFloat; }

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

}  // namespace condition_internal

using condition_internal::Op;
using condition_internal::Operand;
using condition_internal::Val;

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
  Op op = Op::kEq;
  bool negate = false;
  bool constant = false;
  Operand lhs;
  Operand rhs;
  std::unique_ptr<RE2> re;
  std::vector<std::unique_ptr<Node>> children;
};

namespace {

using condition_internal::Compare;
using condition_internal::kMaxDepth;
using condition_internal::ParseNumber;
using condition_internal::Resolve;
using condition_internal::TextOf;
using Node = Condition::Node;

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

// ---- Lexer ----

enum class Tok : uint8_t {
  kEnd,
  kError,
  kLParen,
  kRParen,
  kNot,  // ! not
  kAnd,  // && and
  kOr,   // || or
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kMatch,    // =~
  kNoMatch,  // !~
  kContains,
  kTrue,
  kFalse,
  kNull,
  kString,
  kNumber,
  kIdent,         // a dotted field path (or a function name when followed by '(')
  kBracketField,  // [a][b]
  kSlash,         // the start of a regular expression
};

struct Token {
  Tok kind = Tok::kEnd;
  size_t offset = 0;
  std::string_view raw;  // as written
  std::string value;    // kString: decoded bytes; kIdent/kBracketField: field name; kError: message
  bool is_int = false;  // kNumber
  int64_t i = 0;
  double d = 0;
  bool followed_by_paren = false;  // kIdent
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c) || c == '-'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// `s` for an error message: at most `limit` bytes, non-printable bytes as \xNN.
std::string Printable(std::string_view s, size_t limit = 40) {
  std::string out;
  size_t n = std::min<size_t>(s.size(), limit);
  for (size_t k = 0; k < n; ++k) {
    unsigned char c = static_cast<unsigned char>(s[k]);
    if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (n < s.size()) out += "...";
  return out;
}

std::string Quoted(std::string_view s) { return "'" + Printable(s) + "'"; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Token Next() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
    Token t;
    t.offset = pos_;
    if (pos_ == text_.size()) return t;
    char c = text_[pos_];
    char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    switch (c) {
      case '(':
        return Simple(t, Tok::kLParen, 1);
      case ')':
        return Simple(t, Tok::kRParen, 1);
      case '!':
        if (next == '=') return Simple(t, Tok::kNe, 2);
        if (next == '~') return Simple(t, Tok::kNoMatch, 2);
        return Simple(t, Tok::kNot, 1);
      case '=':
        if (next == '=') return Simple(t, Tok::kEq, 2);
        if (next == '~') return Simple(t, Tok::kMatch, 2);
        return Error(t, "'=' is not an operator; use '==' to compare or '=~' to match");
      case '<':
        return next == '=' ? Simple(t, Tok::kLe, 2) : Simple(t, Tok::kLt, 1);
      case '>':
        return next == '=' ? Simple(t, Tok::kGe, 2) : Simple(t, Tok::kGt, 1);
      case '&':
        if (next == '&') return Simple(t, Tok::kAnd, 2);
        return Error(t, "'&' is not an operator; use '&&' (or 'and')");
      case '|':
        if (next == '|') return Simple(t, Tok::kOr, 2);
        return Error(t, "'|' is not an operator; use '||' (or 'or')");
      case '/':
        return Simple(t, Tok::kSlash, 1);
      case '"':
      case '\'':
        return String(t);
      case '[':
        return Bracket(t);
      default:
        break;
    }
    if (c == '-' || IsDigit(c)) return Number(t);
    if (IsIdentStart(c)) return Ident(t);
    return Error(t, "unexpected character " + Quoted(text_.substr(pos_, 1)));
  }

  // Reads the regular expression whose opening '/' is at `offset`, with its flags.
  Token Regex(size_t offset, bool* case_insensitive, bool* dot_nl) {
    Token t;
    t.offset = offset;
    pos_ = offset + 1;
    while (pos_ < text_.size() && text_[pos_] != '/') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        if (text_[pos_ + 1] != '/') t.value += '\\';
        t.value += text_[pos_ + 1];
        pos_ += 2;
        continue;
      }
      t.value += text_[pos_++];
    }
    if (pos_ >= text_.size()) {
      pos_ = offset;
      return Error(t, "unterminated regular expression starting here; end it with '/'");
    }
    ++pos_;
    while (pos_ < text_.size() && IsIdentChar(text_[pos_])) {
      char f = text_[pos_];
      if (f == 'i') {
        *case_insensitive = true;
      } else if (f == 's') {
        *dot_nl = true;
      } else {
        t.offset = pos_;
        return Error(t, "unknown regular expression flag " + Quoted(text_.substr(pos_, 1)) +
                            "; the flags are i (ignore case) and s ('.' matches '\\n')");
      }
      ++pos_;
    }
    t.kind = Tok::kSlash;
    t.raw = text_.substr(offset, pos_ - offset);
    return t;
  }

 private:
  Token Simple(Token& t, Tok kind, size_t length) {
    t.kind = kind;
    t.raw = text_.substr(pos_, length);
    pos_ += length;
    return std::move(t);
  }

  Token Error(Token& t, std::string message) {
    t.kind = Tok::kError;
    t.value = std::move(message);
    pos_ = text_.size();
    return std::move(t);
  }

  Token String(Token& t) {
    char quote = text_[pos_];
    size_t p = pos_ + 1;
    while (p < text_.size()) {
      char c = text_[p];
      if (c == quote) {
        t.kind = Tok::kString;
        t.raw = text_.substr(pos_, p + 1 - pos_);
        pos_ = p + 1;
        return std::move(t);
      }
      if (c == '\\') {
        if (p + 1 >= text_.size()) break;
        char e = text_[p + 1];
        switch (e) {
          case '"':
          case '\'':
          case '\\':
          case '/':
            t.value += e;
            break;
          case 'n':
            t.value += '\n';
            break;
          case 't':
            t.value += '\t';
            break;
          case 'r':
            t.value += '\r';
            break;
          default:
            t.offset = p;
            return Error(t, "unknown escape " + Quoted(text_.substr(p, 2)) +
                                " in a string; the escapes are \\\" \\' \\\\ \\/ \\n \\t \\r");
        }
        p += 2;
        continue;
      }
      t.value += c;
      ++p;
    }
    return Error(t, "unterminated string starting here; end it with " +
                        std::string(quote == '"' ? "'\"'" : "\"'\""));
  }

  Token Bracket(Token& t) {
    size_t p = pos_;
    while (p < text_.size() && text_[p] == '[') {
      size_t q = p + 1;
      while (q < text_.size() && text_[q] != ']' && text_[q] != '[') ++q;
      if (q == text_.size()) {
        t.offset = p;
        return Error(t, "unterminated field reference starting here; end it with ']'");
      }
      if (text_[q] == '[') {
        t.offset = q;
        return Error(t, "unexpected '[' inside a field reference");
      }
      if (q == p + 1) {
        t.offset = p;
        return Error(t, "empty field name '[]'");
      }
      if (!t.value.empty()) t.value += '.';
      t.value.append(text_.substr(p + 1, q - p - 1));
      p = q + 1;
    }
    t.kind = Tok::kBracketField;
    t.raw = text_.substr(pos_, p - pos_);
    pos_ = p;
    return std::move(t);
  }

  Token Number(Token& t) {
    size_t start = pos_;
    size_t p = pos_;
    if (text_[p] == '-') {
      ++p;
      if (p >= text_.size() || !IsDigit(text_[p])) {
        return Error(t, "expected a digit after '-' (a negative number such as -1)");
      }
    }
    auto digits = [&] {
      while (p < text_.size() && IsDigit(text_[p])) ++p;
    };
    auto at = [&](size_t k) { return k < text_.size() ? text_[k] : '\0'; };
    digits();
    bool is_int = true;
    if (at(p) == '.' && IsDigit(at(p + 1))) {
      ++p;
      digits();
      is_int = false;
    }
    if (at(p) == 'e' || at(p) == 'E') {
      size_t k = p + 1;
      if (at(k) == '+' || at(k) == '-') ++k;
      if (IsDigit(at(k))) {
        p = k;
        digits();
        is_int = false;
      }
    }
    if (IsIdentChar(at(p)) || at(p) == '.') {
      while (IsIdentChar(at(p)) || at(p) == '.') ++p;
      std::string_view bad = text_.substr(start, p - start);
      return Error(t, "invalid number " + Quoted(bad) + "; to compare text, quote it: \"" +
                          Printable(bad) + "\"");
    }
    std::string_view raw = text_.substr(start, p - start);
    const char* b = raw.data();
    const char* e = b + raw.size();
    if (is_int) {
      auto [end, ec] = std::from_chars(b, e, t.i);
      if (ec != std::errc() || end != e) {
        return Error(t, "integer " + Quoted(raw) +
                            " does not fit in 64 bits; write it as a float (with '.0')");
      }
    } else {
      auto [end, ec] = std::from_chars(b, e, t.d);
      if (ec != std::errc() || end != e || !std::isfinite(t.d)) {
        return Error(t, "number " + Quoted(raw) + " is out of range");
      }
    }
    t.kind = Tok::kNumber;
    t.is_int = is_int;
    t.raw = raw;
    pos_ = p;
    return std::move(t);
  }

  Token Ident(Token& t) {
    size_t p = pos_;
    while (true) {
      while (p < text_.size() && IsIdentChar(text_[p])) ++p;
      if (p < text_.size() && text_[p] == '.') {
        if (p + 1 < text_.size() && IsIdentChar(text_[p + 1])) {
          ++p;
          continue;
        }
        t.offset = p;
        return Error(t, "expected a name after '.' in " + Quoted(text_.substr(pos_, p + 1 - pos_)));
      }
      break;
    }
    std::string_view word = text_.substr(pos_, p - pos_);
    t.raw = word;
    pos_ = p;
    if (word == "and") {
      t.kind = Tok::kAnd;
    } else if (word == "or") {
      t.kind = Tok::kOr;
    } else if (word == "not") {
      t.kind = Tok::kNot;
    } else if (word == "contains") {
      t.kind = Tok::kContains;
    } else if (word == "true") {
      t.kind = Tok::kTrue;
    } else if (word == "false") {
      t.kind = Tok::kFalse;
    } else if (word == "null") {
      t.kind = Tok::kNull;
    } else {
      t.kind = Tok::kIdent;
      t.value = std::string(word);
      while (p < text_.size() && IsSpace(text_[p])) ++p;
      t.followed_by_paren = p < text_.size() && text_[p] == '(';
    }
    return std::move(t);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// ---- Parser ----

bool IsOperandStart(Tok k) {
  return k == Tok::kIdent || k == Tok::kBracketField || k == Tok::kString || k == Tok::kNumber ||
         k == Tok::kTrue || k == Tok::kFalse || k == Tok::kNull;
}

bool IsComparison(Tok k) {
  return k == Tok::kEq || k == Tok::kNe || k == Tok::kLt || k == Tok::kLe || k == Tok::kGt ||
         k == Tok::kGe;
}

const char* const kOperators = "'==', '!=', '<', '<=', '>', '>=', '=~', '!~' or 'contains'";

class Parser {
 public:
  explicit Parser(std::string_view text) : lex_(text) {}

  std::unique_ptr<Node> ParseAll() {
    if (!Advance()) return nullptr;
    if (tok_.kind == Tok::kEnd) {
      return Fail(tok_.offset,
                  "empty condition; write one such as 'log.level == \"ERROR\"' or remove 'when:'");
    }
    auto root = ParseOr(0);
    if (root == nullptr) return nullptr;
    if (tok_.kind != Tok::kEnd) {
      std::string hint;
      if (tok_.kind == Tok::kIdent) hint = DidYouMean(tok_.raw, {"and", "or"});
      return Fail(tok_.offset, "unexpected " + Describe(tok_) +
                                   " after a complete condition; expected '&&', '||' or the end" +
                                   hint);
    }
    return root;
  }

  const std::string& error() const { return error_; }
  size_t error_offset() const { return error_offset_; }

 private:
  bool Advance() {
    prev_ = tok_.raw;
    tok_ = lex_.Next();
    if (tok_.kind == Tok::kError) Fail(tok_.offset, tok_.value);
    return !failed_;
  }

  std::nullptr_t Fail(size_t offset, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_ = std::move(message);
      error_offset_ = offset;
    }
    return nullptr;
  }

  static std::string Describe(const Token& t) {
    return t.kind == Tok::kEnd ? "the end of the condition" : Quoted(t.raw);
  }

  static std::string DidYouMean(std::string_view word, const std::vector<std::string>& names) {
    std::string best = config::ClosestName(word, names);
    return best.empty() ? "" : "; did you mean '" + best + "'?";
  }

  std::string After() const { return prev_.empty() ? "" : " after " + Quoted(prev_); }

  std::unique_ptr<Node> ParseOr(int depth) {
    auto first = ParseAnd(depth);
    if (first == nullptr || tok_.kind != Tok::kOr) return first;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kOr;
    node->children.push_back(std::move(first));
    while (tok_.kind == Tok::kOr) {
      if (!Advance()) return nullptr;
      auto next = ParseAnd(depth);
      if (next == nullptr) return nullptr;
      node->children.push_back(std::move(next));
    }
    return node;
  }

  std::unique_ptr<Node> ParseAnd(int depth) {
    auto first = ParseUnary(depth, {});
    if (first == nullptr || tok_.kind != Tok::kAnd) return first;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kAnd;
    node->children.push_back(std::move(first));
    while (tok_.kind == Tok::kAnd) {
      if (!Advance()) return nullptr;
      auto next = ParseUnary(depth, {});
      if (next == nullptr) return nullptr;
      node->children.push_back(std::move(next));
    }
    return node;
  }

  // `negation`: the '!' or 'not' just before, if any (to reject `!a == b`).
  std::unique_ptr<Node> ParseUnary(int depth, std::string_view negation) {
    if (tok_.kind != Tok::kNot) return ParsePrimary(depth, negation);
    if (depth >= kMaxDepth) return TooDeep();
    std::string_view this_negation = tok_.raw;
    if (!Advance()) return nullptr;
    auto child = ParseUnary(depth + 1, this_negation);
    if (child == nullptr) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kNot;
    node->children.push_back(std::move(child));
    return node;
  }

  std::nullptr_t TooDeep() {
    return Fail(tok_.offset, "the condition nests too deeply (more than " +
                                 std::to_string(kMaxDepth) + " levels of '(' and '!')");
  }

  std::unique_ptr<Node> ParsePrimary(int depth, std::string_view negation) {
    if (tok_.kind == Tok::kLParen) {
      if (depth >= kMaxDepth) return TooDeep();
      if (!Advance()) return nullptr;
      auto inner = ParseOr(depth + 1);
      if (inner == nullptr) return nullptr;
      if (tok_.kind != Tok::kRParen) {
        std::string hint;
        if (tok_.kind == Tok::kIdent) hint = DidYouMean(tok_.raw, {"and", "or"});
        return Fail(tok_.offset, "expected ')' to close '(', got " + Describe(tok_) + hint);
      }
      if (!Advance()) return nullptr;
      return inner;
    }
    if (tok_.kind == Tok::kIdent && tok_.value == "exists") return ParseExists();
    if (tok_.kind == Tok::kIdent && tok_.followed_by_paren) {
      std::string hint = DidYouMean(tok_.raw, {"exists"});
      if (hint.empty()) hint = "; the only function is exists(field)";
      return Fail(tok_.offset, "unknown function " + Quoted(tok_.raw) + hint);
    }
    if (tok_.kind == Tok::kSlash) {
      return Fail(tok_.offset, "a regular expression /.../ must follow '=~' or '!~'");
    }
    if (!IsOperandStart(tok_.kind)) {
      return Fail(tok_.offset, "expected a condition" + After() + ", got " + Describe(tok_));
    }
    Operand lhs;
    if (!TakeOperand(&lhs)) return nullptr;
    Tok k = tok_.kind;
    if (IsComparison(k) || k == Tok::kMatch || k == Tok::kNoMatch || k == Tok::kContains) {
      if (!negation.empty()) {
        return Fail(tok_.offset, Quoted(negation) + " applies to " + Quoted(lhs.raw) +
                                     " alone here; to negate " + Quoted(tok_.raw) + ", write '" +
                                     std::string(negation) + (negation == "not" ? " (" : "(") +
                                     Printable(lhs.raw) + " " + Printable(tok_.raw) + " ...)'");
      }
      if (IsComparison(k)) return ParseComparison(std::move(lhs));
      if (k == Tok::kContains) return ParseContains(std::move(lhs));
      return ParseRegex(std::move(lhs));
    }
    return Bare(std::move(lhs));
  }

  // A field or literal alone: a field tests truthiness, true and false are constants.
  std::unique_ptr<Node> Bare(Operand lhs) {
    if (IsOperandStart(tok_.kind) || tok_.kind == Tok::kSlash) {
      std::string hint;
      if (tok_.kind == Tok::kIdent) hint = DidYouMean(tok_.raw, {"contains", "and", "or"});
      return Fail(tok_.offset, "expected an operator (" + std::string(kOperators) + ") after " +
                                   Quoted(lhs.raw) + ", got " + Describe(tok_) + hint);
    }
    auto node = std::make_unique<Node>();
    if (lhs.kind == Operand::Kind::kLiteral) {
      if (lhs.literal.kind != Val::Kind::kBool) {
        return Fail(lhs.offset, "the value " + Quoted(lhs.raw) +
                                    " alone is not a condition; compare it with a field, such as "
                                    "'status == 500'");
      }
      node->kind = Node::Kind::kConst;
      node->constant = lhs.literal.b;
      return node;
    }
    node->kind = Node::Kind::kTruthy;
    node->lhs = std::move(lhs);
    return node;
  }

  // Takes the current token as an operand (the caller checked IsOperandStart) and advances.
  bool TakeOperand(Operand* o) {
    o->offset = tok_.offset;
    o->raw = tok_.raw;
    switch (tok_.kind) {
      case Tok::kIdent:
      case Tok::kBracketField:
        if (tok_.value == "@timestamp") {
          Fail(tok_.offset,
               "'@timestamp' (the event time) cannot be used in conditions; compare a field "
               "instead");
          return false;
        }
        if (tok_.value == "message") {
          o->kind = Operand::Kind::kMessage;
        } else if (tok_.value == "tags") {
          o->kind = Operand::Kind::kTags;
        } else {
          o->kind = Operand::Kind::kField;
          o->name = std::move(tok_.value);
        }
        break;
      case Tok::kString:
        o->text = std::move(tok_.value);
        o->literal.kind = Val::Kind::kText;
        o->literal.s = o->text;
        ParseNumber(&o->literal);
        o->literal.s = {};
        break;
      case Tok::kNumber:
        o->literal.kind = tok_.is_int ? Val::Kind::kInt : Val::Kind::kFloat;
        o->literal.i = tok_.i;
        o->literal.d = tok_.d;
        break;
      case Tok::kTrue:
      case Tok::kFalse:
        o->literal.kind = Val::Kind::kBool;
        o->literal.b = tok_.kind == Tok::kTrue;
        break;
      case Tok::kNull:
        o->literal.kind = Val::Kind::kNull;
        break;
      default:
        Fail(tok_.offset, "expected a value" + After() + ", got " + Describe(tok_));
        return false;
    }
    return Advance();
  }

  // A value operand after `op_raw`; rejects function calls and regular expressions.
  bool TakeValue(Operand* o) {
    if (!IsOperandStart(tok_.kind) || (tok_.kind == Tok::kIdent && tok_.followed_by_paren)) {
      std::string got = Describe(tok_);
      if (tok_.kind == Tok::kIdent)
        got = "the function call " + Quoted(std::string(tok_.raw) + "(");
      if (tok_.kind == Tok::kSlash) got += " (a regular expression goes after '=~' or '!~')";
      Fail(tok_.offset, "expected a value" + After() + ", got " + got);
      return false;
    }
    return TakeOperand(o);
  }

  std::nullptr_t TagsMisused(const Operand& tags, std::string_view op) {
    return Fail(tags.offset, "'tags' is the event's list of tags and cannot be compared with " +
                                 Quoted(op) +
                                 "; test it with 'tags contains \"name\"', 'tags =~ /re/' or "
                                 "'exists(tags)'");
  }

  std::unique_ptr<Node> ParseComparison(Operand lhs) {
    Token op_tok = tok_;
    Op op = Op::kEq;
    switch (op_tok.kind) {
      case Tok::kNe:
        op = Op::kNe;
        break;
      case Tok::kLt:
        op = Op::kLt;
        break;
      case Tok::kLe:
        op = Op::kLe;
        break;
      case Tok::kGt:
        op = Op::kGt;
        break;
      case Tok::kGe:
        op = Op::kGe;
        break;
      default:
        break;
    }
    if (lhs.kind == Operand::Kind::kTags) return TagsMisused(lhs, op_tok.raw);
    if (!Advance()) return nullptr;
    Operand rhs;
    if (!TakeValue(&rhs)) return nullptr;
    if (rhs.kind == Operand::Kind::kTags) return TagsMisused(rhs, op_tok.raw);
    if (op != Op::kEq && op != Op::kNe) {
      for (const Operand* o : {&lhs, &rhs}) {
        if (o->kind == Operand::Kind::kLiteral &&
            (o->literal.kind == Val::Kind::kBool || o->literal.kind == Val::Kind::kNull)) {
          return Fail(op_tok.offset, Quoted(op_tok.raw) + " does not apply to " + Quoted(o->raw) +
                                         ": true, false and null compare only with '==' and "
                                         "'!='");
        }
      }
    }
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kCompare;
    node->op = op;
    node->lhs = std::move(lhs);
    node->rhs = std::move(rhs);
    return node;
  }

  std::unique_ptr<Node> ParseContains(Operand lhs) {
    if (!Advance()) return nullptr;
    bool text_literal = tok_.kind == Tok::kString;
    bool field =
        (tok_.kind == Tok::kIdent && !tok_.followed_by_paren) || tok_.kind == Tok::kBracketField;
    if (!text_literal && !field) {
      std::string hint;
      if (tok_.kind == Tok::kNumber) hint = "; quote a number: \"" + Printable(tok_.raw) + "\"";
      return Fail(tok_.offset,
                  "expected a string or a field after 'contains', got " + Describe(tok_) + hint);
    }
    Operand rhs;
    if (!TakeOperand(&rhs)) return nullptr;
    if (rhs.kind == Operand::Kind::kTags) {
      return Fail(rhs.offset, "'tags' can only be on the left of 'contains' (tags contains \"x\")");
    }
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kContains;
    node->lhs = std::move(lhs);
    node->rhs = std::move(rhs);
    return node;
  }

  std::unique_ptr<Node> ParseRegex(Operand lhs) {
    std::string op_raw(tok_.raw);
    bool negate = tok_.kind == Tok::kNoMatch;
    if (!Advance()) return nullptr;
    if (tok_.kind != Tok::kSlash) {
      return Fail(tok_.offset, "expected a regular expression /.../ after '" + op_raw + "', got " +
                                   Describe(tok_));
    }
    bool case_insensitive = false;
    bool dot_nl = false;
    Token re_tok = lex_.Regex(tok_.offset, &case_insensitive, &dot_nl);
    if (re_tok.kind == Tok::kError) return Fail(re_tok.offset, re_tok.value);
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(!case_insensitive);
    options.set_dot_nl(dot_nl);
    auto re = std::make_unique<RE2>(re_tok.value, options);
    if (!re->ok()) {
      std::string_view raw = re_tok.raw.substr(0, re_tok.raw.rfind('/') + 1);
      return Fail(re_tok.offset, "invalid regular expression " + Printable(raw) + ": " +
                                     Printable(re->error(), 200));
    }
    tok_.raw = re_tok.raw;  // so that prev_ names the regex
    if (!Advance()) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kRegex;
    node->negate = negate;
    node->lhs = std::move(lhs);
    node->re = std::move(re);
    return node;
  }

  std::unique_ptr<Node> ParseExists() {
    if (!Advance()) return nullptr;
    if (tok_.kind != Tok::kLParen) {
      return Fail(tok_.offset,
                  "expected '(' after 'exists' (exists(field)), got " + Describe(tok_));
    }
    if (!Advance()) return nullptr;
    bool field =
        (tok_.kind == Tok::kIdent && !tok_.followed_by_paren) || tok_.kind == Tok::kBracketField;
    if (!field) {
      return Fail(tok_.offset, "expected a field name in exists(...), got " + Describe(tok_));
    }
    Operand o;
    if (!TakeOperand(&o)) return nullptr;
    if (tok_.kind != Tok::kRParen) {
      return Fail(tok_.offset,
                  "expected ')' after 'exists(" + Printable(o.raw) + "', got " + Describe(tok_));
    }
    if (!Advance()) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kExists;
    node->lhs = std::move(o);
    return node;
  }

  Lexer lex_;
  Token tok_;
  std::string_view prev_;
  bool failed_ = false;
  std::string error_;
  size_t error_offset_ = 0;
};

}  // namespace

Condition::Condition() = default;
Condition::~Condition() = default;
Condition::Condition(Condition&&) noexcept = default;
Condition& Condition::operator=(Condition&&) noexcept = default;

Result<Condition> Condition::Parse(std::string_view text, size_t* error_offset) {
  Parser parser(text);
  std::unique_ptr<Node> root = parser.ParseAll();
  if (root == nullptr) {
    if (error_offset) *error_offset = parser.error_offset();
    return InvalidArgument(parser.error());
  }
  Condition c;
  c.source_ = std::string(text);
  c.root_ = std::move(root);
  return c;
}

bool Condition::Matches(const Event& event) const {
  return root_ == nullptr || Eval(*root_, event);
}

}  // namespace sluice
