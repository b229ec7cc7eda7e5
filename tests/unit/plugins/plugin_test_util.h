// Helpers for plugin unit tests (filters, inputs and outputs alike): options from YAML through
// the plugin's real schema, a built instance, and one-event runs.
#pragma once

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>

#include "pipeline/engine_metrics.h"
#include "pipeline/event_batch.h"
#include "pipeline/options/diagnostics.h"
#include "pipeline/options/env.h"
#include "pipeline/options/node_reader.h"
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

// A string field's text, or "<unset>" when the field is absent or not a string.
inline std::string FieldText(const Event& e, std::string_view field) {
  const Value* v = e.Get(field);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : "<unset>";
}

// A filter built from `yaml` and applied to one event. The filter outlives the batch, as in the
// engine (field names may be views of the filter's strings).
template <typename F>
struct AppliedFilter {
  std::unique_ptr<BuiltFilter<F>> built;
  EventBatch batch;
  Event* event = nullptr;
  FilterResult result = FilterResult::kSkipped;
};

template <typename F>
std::unique_ptr<AppliedFilter<F>> ApplyFilter(const std::string& yaml, std::string_view message) {
  auto a = std::make_unique<AppliedFilter<F>>();
  a->built = BuildFilter<F>(yaml);
  EXPECT_TRUE(a->built->filter) << a->built->error;
  a->event = &a->batch.Add(0, message);
  if (a->built->filter) a->result = a->built->filter->Apply(*a->event);
  return a;
}

// The errors F's schema reports for `yaml` ("" when valid).
template <typename F>
std::string OptionErrors(const std::string& yaml) {
  std::string errors;
  ParseFilterOptions<F>(yaml, &errors);
  return errors;
}

}  // namespace sluice::testing
