// Condition: the `when:` expression language of filters and outputs, e.g.
//   log.level == "ERROR" && message =~ /OutOfMemory/ && !exists(spark.executor_id)
// Operators: == != < <= > >= (strings and numbers), =~ /re/ and !~ /re/ (RE2, unanchored; flags
// /re/i and /re/s), `a contains b` (substring, or tag membership on `tags`), `exists(field)`, a
// field alone (true when present and neither null nor false), && || ! and their aliases and, or,
// not, parentheses. Precedence: ! binds tightest, then comparisons, then &&, then ||; `!a == b` is
// rejected (write `!(a == b)` or `a != b`). Literals: "strings" or 'strings' (escapes \" \' \\ \/
// \n \t \r), integers, floats (negative too), true, false, null. Fields are dotted paths
// (`log.file.path`) or Logstash-style `[log][file][path]`; `message` is the event's message and
// `tags` its tags. A missing field equals only null (`x == null` holds for a missing or null
// field); < <= > >= =~ and contains are false on it; != and !~ are always the exact negations of
// == and =~. A number compared with a string parses the string as a number (no allocation).
// docs/conditions.md is the full reference (keep it in step with condition.cc).
// Parsed once at config load (numbers resolved, regexes compiled); Matches() allocates nothing
// itself (RE2 may grow its own DFA cache on the first matches of a regex).
// Thread-safety: a parsed Condition is immutable; Matches() may run on several threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "pipeline/event.h"
#include "pipeline/status.h"

namespace sluice {

class Condition {
 public:
  struct Node;  // the parsed tree, private to condition.cc

  // Parses `text`. On a syntax error returns InvalidArgument whose message says what is wrong and
  // what was expected ("expected a value after '==', got ')'"), and `*error_offset` (when given)
  // receives the 0-based byte offset in `text` of the offending token (text.size() when the text
  // ended too early), for file:line:column reporting. Empty text and nesting deeper than 100 levels
  // of '(' and '!' are errors.
  static Result<Condition> Parse(std::string_view text, size_t* error_offset = nullptr);

  Condition();
  ~Condition();
  Condition(Condition&&) noexcept;
  Condition& operator=(Condition&&) noexcept;

  // Whether `event` satisfies the condition. A default-constructed Condition matches everything.
  bool Matches(const Event& event) const;
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::unique_ptr<Node> root_;
};

}  // namespace sluice
