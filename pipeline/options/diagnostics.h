// Diagnostics: the errors found while reading a config, all of them, each with file:line:column.
// `sluice validate` prints every one; `sluice run` refuses to start when there is any.
// Thread-safety: none; one per load.
#pragma once

#include <string>
#include <vector>

#include "pipeline/status.h"

namespace sluice::config {

class Diagnostics {
 public:
  void Error(SourceLocation where, std::string message) {
    errors_.emplace_back(StatusCode::kInvalidArgument, std::move(message), std::move(where));
  }
  void Add(Status status) {
    if (!status.ok()) errors_.push_back(std::move(status));
  }
  bool ok() const { return errors_.empty(); }
  const std::vector<Status>& errors() const { return errors_; }
  // One error per line, "file:line:col: message".
  std::string ToString() const;

 private:
  std::vector<Status> errors_;
};

// The closest of `candidates` to `name` by edit distance, or "" when none is close enough to be a
// plausible typo. Used for "did you mean" hints.
std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates);
// The hint every "unknown name" message ends with: "; did you mean 'x'?", or "" when no candidate
// is close.
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace sluice::config
