// Internal to the condition language (pipeline/condition*.cc); include pipeline/condition.h
// instead. The parser: turns the text of a `when:` condition into its tree (condition_tree.h),
// checking everything that does not depend on an event.
// Thread-safety: ParseTree() is a pure function; it may run on several threads at once.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "pipeline/condition_tree.h"

namespace sluice::condition_internal {

// Parses `text`. Returns the root of its tree, or null on a syntax error: then `*error` receives
// the message (what is wrong and what was expected, e.g. "expected a value after '==', got ')'")
// and `*error_offset` the 0-based byte offset in `text` of the offending token (text.size() when
// the text ended too early). Empty text and nesting deeper than kMaxDepth levels of '(' and '!' are
// errors.
std::unique_ptr<Condition::Node> ParseTree(std::string_view text, std::string* error,
                                           size_t* error_offset);

}  // namespace sluice::condition_internal
