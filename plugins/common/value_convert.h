// Typed conversion of captured text (grok's `:int`, dissect/kv/mutate `convert`): the one place
// that decides what "42", "4.2e1" and "true" become. Allocates nothing: a string result is a view
// of the input text.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "pipeline/value.h"

namespace sluice {

enum class ValueType : uint8_t { kString, kInt, kFloat, kBool };

// "string", "int" (or "integer"), "float" (or "double"), "bool" (or "boolean"); nullopt otherwise.
std::optional<ValueType> ValueTypeNamed(std::string_view name);
const char* ValueTypeName(ValueType type);

// `text` as a value of `type`, or nullopt when it is not one: ints are optionally signed decimal
// integers that fit 64 bits, floats anything from_chars accepts in general format (no "inf"/"nan"),
// bools true/false/yes/no/on/off/1/0 (ASCII case-insensitive). Surrounding spaces are not allowed.
std::optional<Value> ConvertText(std::string_view text, ValueType type);

}  // namespace sluice
