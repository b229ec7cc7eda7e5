#include "pipeline/test_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "pipeline/filter_stage.h"
#include "pipeline/json_encoder.h"
#include "pipeline/json_string.h"
#include "pipeline/registry.h"
#include "pipeline/test_runner_cases.h"

namespace sluice {
namespace {

const std::vector<ExpectedEvent> kNoEvents;

// The filter instances of one pipeline, built for one case.
struct Chain {
  MetricsRegistry metrics;
  std::vector<std::unique_ptr<FilterStage>> stages;
  std::vector<std::unique_ptr<Filter>> filters;
  std::string error;  // why the chain could not be built
};

// The value a plain YAML scalar stands for: null, bool, int, float, or else a string.
Value PlainValue(const std::string& text) {
  if (text == "~" || text == "null" || text == "Null" || text == "NULL") return Value::Null();
  if (text == "true" || text == "True" || text == "TRUE") return Value::Bool(true);
  if (text == "false" || text == "False" || text == "FALSE") return Value::Bool(false);
  int64_t i = 0;
  auto [pi, ei] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (ei == std::errc() && pi == text.data() + text.size() && !text.empty()) return Value::Int(i);
  double d = 0;
  auto [pd, ed] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ed == std::errc() && pd == text.data() + text.size() && !text.empty()) {
    return Value::Float(d);
  }
  return Value::String(text);
}

std::string Describe(const Value& v) {
  std::string out;
  switch (v.kind()) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return v.as_bool() ? "true" : "false";
    case Value::Kind::kInt:
      return std::to_string(v.as_int());
    case Value::Kind::kFloat:
      return fmt::format("{}", v.as_float());
    case Value::Kind::kString:
      AppendJsonString(out, v.as_string());
      return out;
    case Value::Kind::kJson:
      return std::string(v.as_string());
  }
  return "?";
}

bool Matches(const Value& actual, const ExpectedValue& expected) {
  if (expected.quoted) return actual.is_string() && actual.as_string() == expected.text;
  if (actual.has_bytes()) return actual.as_string() == expected.text;
  Value want = PlainValue(expected.text);
  if (actual.kind() == Value::Kind::kFloat && want.kind() == Value::Kind::kInt) {
    return actual.as_float() == static_cast<double>(want.as_int());
  }
  return actual == want;
}

std::string DescribeExpected(const ExpectedValue& s) {
  if (!s.quoted) return s.text;
  std::string out;
  AppendJsonString(out, s.text);
  return out;
}

std::unique_ptr<Chain> BuildChain(const config::PipelineConfig& p) {
  auto chain = std::make_unique<Chain>();
  for (const auto& pc : p.filters) {
    chain->stages.push_back(std::make_unique<FilterStage>(
        pc, chain->metrics, Labels{{"pipeline", p.name}, {"id", pc.id}}));
    PluginContext ctx;
    ctx.pipeline = p.name;
    ctx.kind = pc.kind;
    ctx.type = pc.type;
    ctx.id = pc.id;
    ctx.metrics = &chain->stages.back()->metrics();
    ctx.shared = chain->stages.back()->shared_slot();
    ctx.logger = Logger(fmt::format("filter:{}:{}", pc.type, pc.id));
    auto built = pc.factory->BuildFilter(pc.options.get(), ctx);
    if (!built.ok()) {
      chain->error = fmt::format("cannot build filter '{}' ({}): {}", pc.id, pc.type,
                                 built.status().message());
      return chain;
    }
    chain->filters.push_back(std::move(built).value());
  }
  return chain;
}

// Runs one case; appends its diff to `report` when it fails. Returns whether it passed.
bool RunCase(const LoadedTestCase& c, Chain& chain, std::string& report) {
  const config::PipelineConfig& p = *c.pipeline;
  const ConfigTestCase& spec = c.spec;
  const std::vector<ExpectedEvent>& expect = spec.expect ? *spec.expect : kNoEvents;
  std::vector<std::string> problems;
  EventBatch batch;
  if (spec.input) {
    if (p.inputs.empty()) {
      batch.Add(0, *spec.input);
    } else {
      const auto& in = p.inputs.front();
      in.factory->FrameForTest(in.options.get(), *spec.input, batch);
    }
  } else if (spec.events) {
    for (const auto& e : *spec.events) batch.Add(0, e);
  }
  size_t in_events = batch.size();
  for (Event& e : batch.events()) {
    for (const auto& [name, scalar] : spec.fields) {
      e.Set(name, scalar.quoted ? Value::String(scalar.text) : PlainValue(scalar.text));
    }
  }
  std::vector<uint8_t> scratch;
  for (size_t i = 0; i < chain.filters.size() && !batch.empty(); ++i) {
    chain.stages[i]->Run(*chain.filters[i], batch, scratch);
  }
  const auto& out = batch.events();
  if (spec.expect_dropped || expect.empty()) {
    if (!out.empty()) {
      problems.push_back(
          fmt::format("expected every event dropped; {} of {} came out", out.size(), in_events));
    }
  } else if (out.size() != expect.size()) {
    problems.push_back(fmt::format("expected {} event(s), got {} (from {} input event(s))",
                                   expect.size(), out.size(), in_events));
  }
  for (size_t i = 0; i < std::min(out.size(), expect.size()); ++i) {
    const Event& e = out[i];
    const ExpectedEvent& x = expect[i];
    std::string at = fmt::format("event {}: ", i + 1);
    for (const auto& [name, want] : x.fields) {
      std::optional<Value> got;
      if (name == "message") {
        got = Value::String(e.message());
      } else if (const Value* v = e.Get(name)) {
        got = *v;
      }
      if (!got) {
        problems.push_back(at + fmt::format("{}: expected {}, but the field is missing", name,
                                            DescribeExpected(want)));
      } else if (!Matches(*got, want)) {
        problems.push_back(at + fmt::format("{}: expected {}, got {}", name, DescribeExpected(want),
                                            Describe(*got)));
      }
    }
    for (const auto& name : x.absent) {
      if (const Value* v = e.Get(name)) {
        problems.push_back(at + fmt::format("{}: expected absent, got {}", name, Describe(*v)));
      }
    }
    for (const auto& tag : x.tags) {
      if (!e.HasTag(tag)) problems.push_back(at + fmt::format("tag '{}' expected, missing", tag));
    }
    if (x.no_tags && !e.tags().empty()) {
      problems.push_back(at + fmt::format("expected no tags, got [{}]", fmt::join(e.tags(), ", ")));
    }
    if (x.timestamp) {
      std::string got;
      AppendRfc3339(got, e.timestamp_ns());
      if (got != *x.timestamp) {
        problems.push_back(at + fmt::format("timestamp: expected {}, got {}", *x.timestamp, got));
      }
    }
    if (x.outputs) {
      std::vector<std::string> routed;
      for (const auto& o : p.outputs) {
        if (o.when == nullptr || o.when->Matches(e)) routed.push_back(o.id);
      }
      std::vector<std::string> want = *x.outputs;
      std::sort(want.begin(), want.end());
      std::vector<std::string> got = routed;
      std::sort(got.begin(), got.end());
      if (want != got) {
        problems.push_back(at + fmt::format("outputs: expected [{}], routed to [{}]",
                                            fmt::join(*x.outputs, ", "), fmt::join(routed, ", ")));
      }
    }
  }
  if (problems.empty()) {
    report += fmt::format("ok    {}\n", spec.name);
    return true;
  }
  report += fmt::format("FAIL  {} ({})\n", spec.name, c.where.ToString());
  for (const auto& problem : problems) report += "      " + problem + "\n";
  JsonEncoder encoder;
  for (size_t i = 0; i < out.size(); ++i) {
    std::string json;
    encoder.Encode(out[i], json);
    report += fmt::format("      got event {}: {}\n", i + 1, json);
  }
  return false;
}

}  // namespace

ConfigTestResults RunConfigTests(const config::Config& config, config::Diagnostics& diags) {
  ConfigTestResults results;
  for (const LoadedTestCase& c : ReadConfigTestCases(config, diags)) {
    if (!c.valid || c.pipeline == nullptr) {
      ++results.failed;
      results.report +=
          fmt::format("FAIL  {} ({}): the test case is invalid (see above)\n",
                      c.spec.name.empty() ? "(unnamed)" : c.spec.name, c.where.ToString());
      continue;
    }
    auto chain = BuildChain(*c.pipeline);  // fresh per case: filters may keep state (sample)
    if (!chain->error.empty()) {
      ++results.failed;
      results.report +=
          fmt::format("FAIL  {} ({}): {}\n", c.spec.name, c.where.ToString(), chain->error);
      continue;
    }
    if (RunCase(c, *chain, results.report)) {
      ++results.passed;
    } else {
      ++results.failed;
    }
  }
  return results;
}

}  // namespace sluice
