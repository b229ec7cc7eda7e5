// Internal to the condition language (pipeline/condition*.cc); include pipeline/condition.h
// instead. The lexer: cuts the text of a `when:` condition into tokens, one at a time, as the
// parser asks. A '/' is only a kSlash token; the body of a regular expression is not made of
// tokens, so the parser reads it with Regex() where a regex is expected (after '=~' and '!~').
// A lexing error is a token of kind kError whose `value` is the message; the lexer then stays at
// the end of the text.
// Thread-safety: none; one Lexer per parse. It keeps a view of the text, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::condition_internal {

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

// `s` for an error message: at most `limit` bytes, non-printable bytes as \xNN.
std::string Printable(std::string_view s, size_t limit = 40);
// `s` for an error message, in single quotes: 'Printable(s)'.
std::string Quoted(std::string_view s);

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // The next token; kEnd at the end of the text (its offset is then text.size()), kError (with
  // the message in `value`, and the offset of the offending character) on a lexing error.
  Token Next();

  // Reads the regular expression whose opening '/' is at `offset`, with its flags. Returns a
  // kSlash token whose `value` is the pattern for RE2 (`\/` unescaped) and whose `raw` spans the
  // regex and its flags, or a kError token.
  Token Regex(size_t offset, bool* case_insensitive, bool* dot_nl);

 private:
  Token Simple(Token& t, Tok kind, size_t length);
  Token Error(Token& t, std::string message);
  Token String(Token& t);
  Token Bracket(Token& t);
  Token Number(Token& t);
  Token Ident(Token& t);

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace sluice::condition_internal
