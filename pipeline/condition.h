// Condition: the `when:` expression language of filters and outputs, e.g.
//   log.level == "ERROR" && message =~ /OutOfMemory/ && !exists(spark.executor_id)
// Operators: == != < <= > >= (strings and numbers), =~ /re/ and !~ /re/ (RE2, unanchored), &&, ||,
// !, parentheses, `exists(field)`, `a contains b` (substring of a string, or a tag in `tags`);
// literals: "strings" or 'strings' (with \" \\ \n \t escapes), integers, floats, true, false, null;
// field references are dotted paths (`log.file.path`). `message` is the event's message and `tags`
// its tags. See docs/conditions.md for the exact semantics (missing fields, mixed types).
// Parsed once at config load; Matches() allocates nothing.
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

  // Parses `text`. On a syntax error the status message says what is wrong and what was expected
  // ("expected a value after '==', got ')'"), and `*error_offset` (when given) receives the 0-based
  // byte offset in `text` where the error is, for file:line:column reporting.
  static Result<Condition> Parse(std::string_view text, size_t* error_offset = nullptr);

  Condition();
  ~Condition();
  Condition(Condition&&) noexcept;
  Condition& operator=(Condition&&) noexcept;

  bool Matches(const Event& event) const;
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::unique_ptr<Node> root_;
};

}  // namespace sluice
