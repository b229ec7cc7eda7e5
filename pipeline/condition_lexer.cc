// The lexer of the condition language: turns the text of a `when:` condition into tokens, with
// error messages that say what is wrong and how to write it.
#include "pipeline/condition_lexer.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace sluice::condition_internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c) || c == '-'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string Printable(std::string_view s, size_t limit) {
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

Token Lexer::Next() {
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

Token Lexer::Regex(size_t offset, bool* case_insensitive, bool* dot_nl) {
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

Token Lexer::Simple(Token& t, Tok kind, size_t length) {
  t.kind = kind;
  t.raw = text_.substr(pos_, length);
  pos_ += length;
  return std::move(t);
}

Token Lexer::Error(Token& t, std::string message) {
  t.kind = Tok::kError;
  t.value = std::move(message);
  pos_ = text_.size();
  return std::move(t);
}

Token Lexer::String(Token& t) {
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

Token Lexer::Bracket(Token& t) {
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

Token Lexer::Number(Token& t) {
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

Token Lexer::Ident(Token& t) {
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

}  // namespace sluice::condition_internal
