// Loading config text in unit tests: a fake environment for `${VAR}`, the errors of a load, and a
// load that must succeed.
// Thread-safety: plain functions.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "pipeline/config.h"

namespace sluice::testing {

// An environment holding exactly `vars`.
inline config::EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// The errors of loading `yaml` as t.yaml ("" when none).
inline std::string Errors(const std::string& yaml, config::EnvLookup env = FakeEnv({})) {
  config::Diagnostics diags;
  config::LoadConfigText(yaml, "t.yaml", diags, env);
  return diags.ToString();
}

// Loads `yaml` as t.yaml into *out; fails with its errors when it has any.
inline ::testing::AssertionResult Loads(const std::string& yaml, config::Config* out,
                                        const config::EnvLookup& env = FakeEnv({})) {
  config::Diagnostics diags;
  *out = config::LoadConfigText(yaml, "t.yaml", diags, env);
  if (diags.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << diags.ToString();
}

}  // namespace sluice::testing
