// Environment substitution in config values: `${VAR}` (an error when VAR is unset),
// `${VAR:-default}` (default when VAR is unset or empty), `${VAR:?message}` (an error carrying the
// message when VAR is unset or empty), and `$${` for a literal `${`. Applied to every scalar after
// YAML parsing, so error positions stay those of the file. Thread-safety: pure functions (the
// lookup decides).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/status.h"

namespace sluice::config {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment.
EnvLookup ProcessEnv();

// Returns `text` with every reference replaced, or an InvalidArgument error without a location (the
// caller adds it) that names the variable.
Result<std::string> SubstituteEnv(std::string_view text, const EnvLookup& env);

}  // namespace sluice::config
