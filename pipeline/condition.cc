// PLACEHOLDER: replaced by the real parser/evaluator.
#include "pipeline/condition.h"

namespace sluice {

struct Condition::Node {};

Condition::Condition() = default;
Condition::~Condition() = default;
Condition::Condition(Condition&&) noexcept = default;
Condition& Condition::operator=(Condition&&) noexcept = default;

Result<Condition> Condition::Parse(std::string_view, size_t* error_offset) {
  if (error_offset) *error_offset = 0;
  return InvalidArgument("conditions are not implemented yet");
}

bool Condition::Matches(const Event&) const { return true; }

}  // namespace sluice
