#include "pipeline/test_runner_cases.h"

#include <fmt/format.h>

namespace sluice::config {

// How OptionSchema reads the value types that only the `tests:` section has (specializations of
// the option machinery's traits, private to this file).

// A key left out stays unset; a key given is read as T.
template <typename T>
struct OptionTraits<std::optional<T>> {
  static constexpr const char* kType = OptionTraits<T>::kType;
  static bool Parse(const NodeReader& r, std::optional<T>* out) {
    T value{};
    if (!OptionTraits<T>::Parse(r, &value)) return false;
    *out = std::move(value);
    return true;
  }
  static std::string Format(const std::optional<T>& v) {
    return v ? OptionTraits<T>::Format(*v) : "";
  }
};

template <>
struct OptionTraits<ExpectedFields> {
  static constexpr const char* kType = "map of field values";
  static bool Parse(const NodeReader& r, ExpectedFields* out);
  static std::string Format(const ExpectedFields&) { return ""; }
};

template <>
struct OptionTraits<std::vector<ExpectedEvent>> {
  static constexpr const char* kType = "list of expected events";
  static bool Parse(const NodeReader& r, std::vector<ExpectedEvent>* out);
  static std::string Format(const std::vector<ExpectedEvent>&) { return ""; }
};

namespace {

bool ReadValue(const NodeReader& r, ExpectedValue* out) {
  if (!r.node().IsScalar()) {
    r.Error("expected a value (a string, number, bool or null), got " + r.Describe());
    return false;
  }
  out->quoted = r.node().Tag() == "!";
  return r.Scalar(&out->text, "a value");
}

}  // namespace

bool OptionTraits<ExpectedFields>::Parse(const NodeReader& r, ExpectedFields* out) {
  if (!r.node().IsMap()) {
    r.Error("expected a map of field name to value, got " + r.Describe());
    return false;
  }
  bool ok = true;
  for (const auto& kv : r.node()) {
    std::string name = kv.first.Scalar();
    ExpectedValue value;
    if (ReadValue(r.Child(kv.second, name), &value)) {
      out->emplace_back(std::move(name), std::move(value));
    } else {
      ok = false;
    }
  }
  return ok;
}

bool OptionTraits<std::vector<ExpectedEvent>>::Parse(const NodeReader& r,
                                                     std::vector<ExpectedEvent>* out) {
  if (!r.node().IsSequence()) {
    r.Error("expected a list of expected events ('- fields: {...}'), got " + r.Describe());
    return false;
  }
  size_t errors_before = r.diags().errors().size();
  for (size_t i = 0; i < r.node().size(); ++i) {
    NodeReader er = r.Item(r.node()[i], i);
    ExpectedEvent& event = out->emplace_back();
    if (!er.node().IsMap()) {
      er.Error(
          "expected an expected event (a map with fields/absent/tags/timestamp/outputs), got " +
          er.Describe());
      continue;
    }
    ExpectedEvent::Schema().Parse(er, &event, "an expected event");
  }
  return r.diags().errors().size() == errors_before;
}

}  // namespace sluice::config

namespace sluice {

const config::OptionSchema<ExpectedEvent>& ExpectedEvent::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<ExpectedEvent>())
           .Add("fields", &ExpectedEvent::fields,
                "Fields the event must have, with these values; `message` is the message. A plain "
                "value matches any type with that text, a quoted one only a string.",
                {.example = "{log.level: ERROR}"})
           .Add("absent", &ExpectedEvent::absent, "Fields the event must not have.")
           .Add("tags", &ExpectedEvent::tags, "Tags the event must have (others may be present).")
           .Add("no_tags", &ExpectedEvent::no_tags, "`true`: the event must have no tags at all.")
           .Add("timestamp", &ExpectedEvent::timestamp,
                "The event time, in RFC 3339 UTC as the outputs write `@timestamp`.",
                {.example = "2017-06-09T20:10:40Z"})
           .Add("outputs", &ExpectedEvent::outputs,
                "The ids of the outputs whose `when:` selects the event, in any order.",
                {.example = "[kafka]"});
  return *schema;
}

const config::OptionSchema<ConfigTestCase>& ConfigTestCase::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<ConfigTestCase>())
           .Add("name", &ConfigTestCase::name, "The case's name, printed in the report.",
                {.required = true})
           .Add("pipeline", &ConfigTestCase::pipeline,
                "The pipeline whose filters run; may be left out when the config has one.")
           .Add("input", &ConfigTestCase::input,
                "Text, cut into events the way the pipeline's first input would.")
           .Add("events", &ConfigTestCase::events,
                "Instead of `input`: a list of messages, each one event as written.")
           .Add("fields", &ConfigTestCase::fields,
                "Fields set on every event before the first filter.")
           .Add("expect", &ConfigTestCase::expect,
                "The events that come out, in order (see the expected event options).")
           .Add("expect_dropped", &ConfigTestCase::expect_dropped,
                "`true`: every event must be dropped (same as `expect: []`).")
           .Check([](const ConfigTestCase& c) -> std::string {
             if (c.input && c.events) {
               return "give either 'input' (text framed like the pipeline's input) or 'events', "
                      "not both";
             }
             if (!c.input && !c.events) {
               return "a test case needs 'input' (text) or 'events' (a list of messages)";
             }
             return "";
           })
           .Check([](const ConfigTestCase& c) -> std::string {
             if (!c.expect && !c.expect_dropped) {
               return "a test case needs 'expect' (the events that come out) or "
                      "'expect_dropped: true'";
             }
             if (c.expect && c.expect_dropped && !c.expect->empty()) {
               return "'expect_dropped: true' contradicts a non-empty 'expect'";
             }
             return "";
           });
  return *schema;
}

namespace {

using config::NodeReader;

LoadedTestCase ReadCase(const NodeReader& r, const config::Config& config) {
  LoadedTestCase c;
  c.where = r.where();
  if (!r.node().IsMap()) {
    r.Error("expected a test case (a map with name, input and expect), got " + r.Describe());
    return c;
  }
  size_t errors_before = r.diags().errors().size();
  ConfigTestCase::Schema().Parse(r, &c.spec, "a test case");
  YAML::Node pipeline_node = r.node()["pipeline"];
  if (c.spec.pipeline) {
    std::vector<std::string> names;
    for (const auto& p : config.pipelines) {
      names.push_back(p.name);
      if (p.name == *c.spec.pipeline) c.pipeline = &p;
    }
    if (c.pipeline == nullptr) {
      r.Child(pipeline_node, "pipeline")
          .Error(fmt::format("no pipeline '{}'{}", *c.spec.pipeline,
                             config::DidYouMean(*c.spec.pipeline, names)));
    }
  } else if (!pipeline_node) {
    if (config.pipelines.size() == 1) {
      c.pipeline = &config.pipelines[0];
    } else {
      r.Error("the config has several pipelines; say which one this test runs with 'pipeline:'");
    }
  }
  c.valid = r.diags().errors().size() == errors_before;
  if (!c.valid) c.pipeline = nullptr;
  return c;
}

}  // namespace

std::vector<LoadedTestCase> ReadConfigTestCases(const config::Config& config,
                                                config::Diagnostics& diags) {
  std::vector<LoadedTestCase> cases;
  config::EnvLookup env = config::ProcessEnv();
  for (const auto& section : config.tests) {
    NodeReader r(section.node, section.file, "tests", diags, env);
    if (!r.node().IsSequence()) {
      r.Error("expected a list of test cases ('- name: ...'), got " + r.Describe());
      continue;
    }
    for (size_t i = 0; i < r.node().size(); ++i) {
      cases.push_back(ReadCase(r.Item(r.node()[i], i), config));
    }
  }
  return cases;
}

}  // namespace sluice
