// The cases of a config's `tests:` section (the language is shown in pipeline/test_runner.h and
// docs/testing-configs.md), read like every other config section: a typed struct per case and per
// expected event, each with its OptionSchema, so unknown keys get "did you mean", values are type
// checked and every error carries file:line:column. ReadConfigTestCases() adds what a schema
// cannot know: which of the config's pipelines a case runs.
// Thread-safety: the schemas are built once and then read-only; reading the cases is not
// thread-safe (one load at a time).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/config.h"

namespace sluice {

// An expected field value, as written.
struct ExpectedValue {
  std::string text;
  bool quoted = false;  // written in quotes: matches strings only
};

// A `fields:` map (field name to value), in the order written.
using ExpectedFields = std::vector<std::pair<std::string, ExpectedValue>>;

// One element of a case's `expect:` list.
struct ExpectedEvent {
  ExpectedFields fields;
  std::vector<std::string> absent;
  std::vector<std::string> tags;
  bool no_tags = false;
  std::optional<std::string> timestamp;
  std::optional<std::vector<std::string>> outputs;  // unset: not checked; []: routed to none

  static const config::OptionSchema<ExpectedEvent>& Schema();
};

// One element of the `tests:` list, as written. Unset optionals are keys left out.
struct ConfigTestCase {
  std::string name;
  std::optional<std::string> pipeline;
  std::optional<std::string> input;
  std::optional<std::vector<std::string>> events;
  ExpectedFields fields;
  std::optional<std::vector<ExpectedEvent>> expect;
  bool expect_dropped = false;

  static const config::OptionSchema<ConfigTestCase>& Schema();
};

// A case ready to run, or an invalid one (its errors are in the diagnostics).
struct LoadedTestCase {
  ConfigTestCase spec;
  SourceLocation where;  // the case's map
  // The pipeline the case runs; null when the case is invalid.
  const config::PipelineConfig* pipeline = nullptr;
  bool valid = false;  // read without errors (and so `pipeline` is set)
};

// Reads every case of every `tests:` section of `config`, in order. Every problem goes to `diags`
// with file:line:column; the cases that had one come back with `valid` false. A section that is
// not a list adds an error and no case.
std::vector<LoadedTestCase> ReadConfigTestCases(const config::Config& config,
                                                config::Diagnostics& diags);

}  // namespace sluice
