// Helpers for filter unit tests: options from YAML (through the plugin's real schema), a built
// instance, and one-event runs.
#pragma once

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>

#include "pipeline/config/diagnostics.h"
#include "pipeline/config/env.h"
#include "pipeline/config/node_reader.h"
#include "pipeline/metrics.h"
#include "pipeline/plugin.h"

namespace sluice::testing {

// Parses `yaml` (a map of the filter's options) with F's schema. Errors ("file:line:col: ...", one
// per line) go to `*errors` when given; otherwise any error fails the test.
template <typename F>
typename F::Options ParseFilterOptions(const std::string& yaml, std::string* errors = nullptr) {
  typename F::Options options;
  config::Diagnostics diags;
  static const std::string kFile = "test.yaml";
  config::EnvLookup env = [](const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  config::NodeReader r(YAML::Load(yaml), kFile, "", diags, env);
  F::Options::Schema().Parse(r, &options, "filter", {"type", "id", "when"});
  if (errors != nullptr) {
    *errors = diags.ToString();
  } else {
    EXPECT_TRUE(diags.ok()) << diags.ToString();
  }
  return options;
}

// A filter instance with its own metrics registry.
template <typename F>
struct BuiltFilter {
  MetricsRegistry registry;
  ComponentMetrics metrics{registry, {}};
  PluginContext context;
  std::unique_ptr<F> filter;
  std::string error;  // Build()'s error message, when it failed
};

template <typename F>
std::unique_ptr<BuiltFilter<F>> BuildFilter(const std::string& yaml) {
  auto b = std::make_unique<BuiltFilter<F>>();
  b->context.kind = PluginKind::kFilter;
  b->context.metrics = &b->metrics;
  auto options = ParseFilterOptions<F>(yaml);
  auto built = F::Build(options, b->context);
  if (built.ok()) {
    b->filter = std::move(built).value();
  } else {
    b->error = built.status().message();
  }
  return b;
}

}  // namespace sluice::testing
