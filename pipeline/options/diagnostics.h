// Diagnostics: the errors found while reading a config, all of them, each with file:line:column.
// `sluice validate` prints every one; `sluice run` refuses to start when there is any. It also
// collects the files found to hold secrets (pipeline/options/secret.h), which are not errors.
// Thread-safety: none; one per load.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/status.h"

namespace sluice::config {

// A file holding a secret: a config file where a secret option is set to a literal value, or the
// file a SecretFile option (`token_file`) reads. Sluice warns when others can read it.
struct SecretFileUse {
  std::string file;      // the file holding the secret
  SourceLocation where;  // where the config sets the option
  std::string option;    // the option's path in the config: `admin.token`
};

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

  // Replaces every occurrence of `secret` (when not empty) by the mask in the messages of the
  // errors from index `first` on (only those at `*at` when given): an error about a secret option
  // never echoes its value.
  void Redact(size_t first, std::string_view secret, const SourceLocation* at = nullptr);

  void NoteSecretFile(SecretFileUse use) { secret_files_.push_back(std::move(use)); }
  const std::vector<SecretFileUse>& secret_files() const { return secret_files_; }

 private:
  std::vector<Status> errors_;
  std::vector<SecretFileUse> secret_files_;
};

// The closest of `candidates` to `name` by edit distance, or "" when none is close enough to be a
// plausible typo. Used for "did you mean" hints.
std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates);
// The hint every "unknown name" message ends with: "; did you mean 'x'?", or "" when no candidate
// is close.
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace sluice::config
