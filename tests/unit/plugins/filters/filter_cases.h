// Table-driven filter tests: a case is a config and the events that one filter instance built from
// it runs on, in order, each with what it must come out as. Only what an event case states is
// checked: its result always, its fields, absent fields, message, time and tags when given.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/event_batch.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice {

// Values in gtest's messages: the kind and the value.
inline void PrintTo(const Value& v, std::ostream* os) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      *os << "null";
      break;
    case Value::Kind::kBool:
      *os << "bool " << (v.as_bool() ? "true" : "false");
      break;
    case Value::Kind::kInt:
      *os << "int " << v.as_int();
      break;
    case Value::Kind::kFloat:
      *os << "float " << v.as_float();
      break;
    case Value::Kind::kString:
      *os << "string \"" << v.as_string() << "\"";
      break;
    case Value::Kind::kJson:
      *os << "json " << v.as_string();
      break;
  }
}

namespace testing {

// One event through the filter.
struct EventCase {
  std::string message = "x";
  std::map<std::string, Value> set;  // fields the event has before (views of literals)
  int64_t time = 0;                  // its time before
  FilterResult result = FilterResult::kMatched;
  std::map<std::string, std::string> text;  // string fields afterwards
  std::map<std::string, Value> values;      // typed fields afterwards
  std::vector<std::string> absent;          // fields it must not have afterwards
  std::optional<std::string> message_after;
  std::optional<int64_t> time_after;
  std::optional<std::vector<std::string>> tags;  // all its tags afterwards, in order
  std::optional<size_t> field_count;
};

struct FilterCase {
  std::string name;
  std::string yaml;  // a valid config
  std::vector<EventCase> events;
};

inline void ExpectEvent(const Event& e, const EventCase& want) {
  for (const auto& [name, text] : want.text) {
    const Value* v = e.Get(name);
    ASSERT_NE(v, nullptr) << name;
    EXPECT_EQ(*v, Value::String(text)) << name;
  }
  for (const auto& [name, value] : want.values) {
    const Value* v = e.Get(name);
    ASSERT_NE(v, nullptr) << name;
    EXPECT_EQ(*v, value) << name;
  }
  for (const std::string& name : want.absent) EXPECT_EQ(e.Get(name), nullptr) << name;
  if (want.message_after) {
    EXPECT_EQ(e.message(), *want.message_after);
  }
  if (want.time_after) {
    EXPECT_EQ(e.timestamp_ns(), *want.time_after);
  }
  if (want.tags) {
    EXPECT_EQ(std::vector<std::string>(e.tags().begin(), e.tags().end()), *want.tags);
  }
  if (want.field_count) {
    EXPECT_EQ(e.fields().size(), *want.field_count);
  }
}

// Runs each of `events` in order, the i-th through filters[i % filters.size()], and checks it.
inline void ExpectEvents(const std::vector<Filter*>& filters,
                         const std::vector<EventCase>& events) {
  EventBatch batch;
  for (size_t i = 0; i < events.size(); ++i) {
    const EventCase& want = events[i];
    SCOPED_TRACE("event " + std::to_string(i) + ": " + want.message);
    Event& e = batch.Add(want.time, want.message);
    for (const auto& [name, value] : want.set) e.SetView(name, value);
    EXPECT_EQ(filters[i % filters.size()]->Apply(e), want.result);
    ExpectEvent(e, want);
  }
}

// Builds F from c.yaml and runs each event of `c` through it, in order.
template <typename F>
void ExpectCase(const FilterCase& c) {
  SCOPED_TRACE(c.name + " (" + c.yaml + ")");
  auto b = BuildFilter<F>(c.yaml);
  ASSERT_TRUE(b->filter) << b->error;
  ExpectEvents({b->filter.get()}, c.events);
}

// For filters whose options compile into a shared form (patterns, formats): options parsed once
// from `yaml` build instances that cannot fail, each with state of its own; `events` alternate
// between two of them. Options that were not parsed (nothing compiled) fail to build, an error
// rather than a crash.
template <typename F>
void ExpectBuiltFromParsedOptions(const std::string& yaml, const std::vector<EventCase>& events) {
  SCOPED_TRACE(yaml);
  typename F::Options options = ParseFilterOptions<F>(yaml);
  PluginContext context;
  auto first = F::Build(options, context);
  auto second = F::Build(options, context);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_TRUE(second.ok()) << second.status().message();
  ExpectEvents({first.value().get(), second.value().get()}, events);
  auto unparsed = F::Build(typename F::Options{}, context);
  ASSERT_FALSE(unparsed.ok());
  EXPECT_NE(unparsed.status().message().find("not parsed"), std::string::npos)
      << unparsed.status().message();
}

// For each (yaml, text): the errors F's schema reports for yaml contain text; an empty text: there
// is no error at all.
template <typename F>
void ExpectOptionErrors(const std::vector<std::pair<std::string, std::string>>& cases) {
  for (const auto& [yaml, text] : cases) {
    std::string errors = OptionErrors<F>(yaml);
    if (text.empty()) {
      EXPECT_EQ(errors, "") << yaml;
    } else {
      EXPECT_NE(errors.find(text), std::string::npos) << yaml << " → " << errors;
    }
  }
}

// The name of a case as gtest shows it (TEST_P's name generator).
inline std::string CaseName(const ::testing::TestParamInfo<FilterCase>& info) {
  return info.param.name;
}

inline void PrintTo(const FilterCase& c, std::ostream* os) { *os << c.name; }

}  // namespace testing
}  // namespace sluice
