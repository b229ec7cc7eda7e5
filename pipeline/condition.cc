// Condition: the public face of the condition language. The work is done by its internal parts:
// condition_lexer (tokens), condition_parser (text to tree, every syntax check), condition_tree
// (the parsed tree) and condition_eval (the tree walk). The language is specified in
// docs/conditions.md; keep the two in step.
#include "pipeline/condition.h"

#include "pipeline/condition_eval.h"
#include "pipeline/condition_parser.h"
#include "pipeline/condition_tree.h"

namespace sluice {

Condition::Condition() = default;
Condition::~Condition() = default;
Condition::Condition(Condition&&) noexcept = default;
Condition& Condition::operator=(Condition&&) noexcept = default;

Result<Condition> Condition::Parse(std::string_view text, size_t* error_offset) {
  std::string error;
  size_t offset = 0;
  std::unique_ptr<Node> root = condition_internal::ParseTree(text, &error, &offset);
  if (root == nullptr) {
    if (error_offset) *error_offset = offset;
    return InvalidArgument(error);
  }
  Condition c;
  c.source_ = std::string(text);
  c.root_ = std::move(root);
  return c;
}

bool Condition::Matches(const Event& event) const {
  return root_ == nullptr || condition_internal::Eval(*root_, event);
}

}  // namespace sluice
