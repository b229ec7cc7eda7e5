// Internal to the condition language (pipeline/condition*.cc); include pipeline/condition.h
// instead. The evaluator: walks a parsed tree (condition_tree.h) for one event, comparing values
// with the language's rules (a missing field equals only null, numbers compare exactly across int
// and float, text compared with a number is read as a number). It only looks fields up and
// compares; it allocates nothing (RE2 may grow its own DFA cache on the first matches of a regex).
// Thread-safety: pure functions of an immutable tree and a const event; safe on several threads.
#pragma once

#include "pipeline/condition_tree.h"
#include "pipeline/event.h"

namespace sluice::condition_internal {

// Parses all of `v->s` as a number: an int64 when it is one, else a finite double. Sets v->num
// (kNone when it is no number) and v->i or v->d. The parser calls it once for string literals; the
// evaluator lazily for text values compared with numbers.
void ParseNumber(Val* v);

// Whether `event` satisfies the condition rooted at `node`.
bool Eval(const Condition::Node& node, const Event& event);

}  // namespace sluice::condition_internal
