#include "pipeline/test_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "pipeline/filter_stage.h"
#include "pipeline/json_encoder.h"
#include "pipeline/json_string.h"
#include "pipeline/registry.h"

namespace sluice {
namespace {

using config::NodeReader;

const std::vector<std::string> kCaseKeys = {"name",   "pipeline", "input",         "events",
                                            "fields", "expect",   "expect_dropped"};
const std::vector<std::string> kExpectKeys = {"fields",  "absent",    "tags",
                                              "no_tags", "timestamp", "outputs"};

struct Scalar {
  std::string text;
  bool quoted = false;  // written in quotes: matches strings only
};

struct ExpectedEvent {
  std::vector<std::pair<std::string, Scalar>> fields;
  std::vector<std::string> absent;
  std::vector<std::string> tags;
  bool no_tags = false;
  std::optional<std::string> timestamp;
  std::optional<std::vector<std::string>> outputs;
};

struct TestCase {
  std::string name;
  SourceLocation where;
  const config::PipelineConfig* pipeline = nullptr;
  std::optional<std::string> input;
  std::vector<std::string> events;
  std::vector<std::pair<std::string, Scalar>> fields;
  std::vector<ExpectedEvent> expect;
  bool expect_dropped = false;
  bool valid = true;
};

// The filter instances of one pipeline, built for one case.
struct Chain {
  MetricsRegistry metrics;
  std::vector<std::unique_ptr<FilterStage>> stages;
  std::vector<std::unique_ptr<Filter>> filters;
  std::string error;  // why the chain could not be built
};

bool CheckKeys(const NodeReader& r, const std::vector<std::string>& known, const char* what) {
  bool ok = true;
  for (const auto& kv : r.node()) {
    std::string key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string hint = config::ClosestName(key, known);
    r.ErrorAt(kv.first, fmt::format("unknown key '{}' in {}{}; known keys: {}", key, what,
                                    hint.empty() ? "" : "; did you mean '" + hint + "'?",
                                    fmt::join(known, ", ")));
    ok = false;
  }
  return ok;
}

bool ReadScalar(const NodeReader& r, Scalar* out) {
  if (!r.node().IsScalar()) {
    r.Error("expected a value (a string, number, bool or null), got " + r.Describe());
    return false;
  }
  out->quoted = r.node().Tag() == "!";
  return r.Scalar(&out->text, "a value");
}

// A list of strings (or one string), as the options read them.
bool ReadStringList(const NodeReader& r, std::vector<std::string>* out) {
  return config::OptionTraits<std::vector<std::string>>::Parse(r, out);
}

bool ReadFieldMap(const NodeReader& r, std::vector<std::pair<std::string, Scalar>>* out) {
  if (!r.node().IsMap()) {
    r.Error("expected a map of field name to value, got " + r.Describe());
    return false;
  }
  bool ok = true;
  for (const auto& kv : r.node()) {
    std::string name = kv.first.Scalar();
    Scalar value;
    if (ReadScalar(r.Child(kv.second, name), &value)) {
      out->emplace_back(std::move(name), std::move(value));
    } else {
      ok = false;
    }
  }
  return ok;
}

bool ReadExpected(const NodeReader& r, ExpectedEvent* out) {
  if (!r.node().IsMap()) {
    r.Error("expected an expected event (a map with fields/absent/tags/timestamp/outputs), got " +
            r.Describe());
    return false;
  }
  bool ok = CheckKeys(r, kExpectKeys, "an expected event");
  const YAML::Node& n = r.node();
  if (n["fields"]) ok = ReadFieldMap(r.Child(n["fields"], "fields"), &out->fields) && ok;
  if (n["absent"]) ok = ReadStringList(r.Child(n["absent"], "absent"), &out->absent) && ok;
  if (n["tags"]) ok = ReadStringList(r.Child(n["tags"], "tags"), &out->tags) && ok;
  if (n["no_tags"])
    ok = config::OptionTraits<bool>::Parse(r.Child(n["no_tags"], "no_tags"), &out->no_tags) && ok;
  if (n["timestamp"]) {
    std::string ts;
    ok = r.Child(n["timestamp"], "timestamp").Scalar(&ts, "an RFC 3339 time") && ok;
    out->timestamp = ts;
  }
  if (n["outputs"]) {
    out->outputs.emplace();
    ok = ReadStringList(r.Child(n["outputs"], "outputs"), &*out->outputs) && ok;
  }
  return ok;
}

TestCase ReadCase(const NodeReader& r, const config::Config& config) {
  TestCase c;
  c.where = r.where();
  if (!r.node().IsMap()) {
    r.Error("expected a test case (a map with name, input and expect), got " + r.Describe());
    c.valid = false;
    return c;
  }
  const YAML::Node& n = r.node();
  c.valid = CheckKeys(r, kCaseKeys, "a test case");
  if (!n["name"] || !r.Child(n["name"], "name").Scalar(&c.name, "a test name")) {
    if (!n["name"]) r.Error("a test case needs a 'name'");
    c.valid = false;
  }
  std::string pipeline;
  if (n["pipeline"]) {
    if (!r.Child(n["pipeline"], "pipeline").Scalar(&pipeline, "a pipeline name")) c.valid = false;
  } else if (config.pipelines.size() == 1) {
    pipeline = config.pipelines[0].name;
  } else {
    r.Error("the config has several pipelines; say which one this test runs with 'pipeline:'");
    c.valid = false;
  }
  std::vector<std::string> names;
  for (const auto& p : config.pipelines) {
    names.push_back(p.name);
    if (p.name == pipeline) c.pipeline = &p;
  }
  if (c.pipeline == nullptr && !pipeline.empty()) {
    std::string hint = config::ClosestName(pipeline, names);
    r.Child(n["pipeline"], "pipeline")
        .Error(fmt::format("no pipeline '{}'{}", pipeline,
                           hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    c.valid = false;
  }
  if (n["input"] && n["events"]) {
    r.Error("give either 'input' (text framed like the pipeline's input) or 'events', not both");
    c.valid = false;
  } else if (n["input"]) {
    std::string text;
    if (r.Child(n["input"], "input").Scalar(&text, "the input text")) {
      c.input = std::move(text);
    } else {
      c.valid = false;
    }
  } else if (n["events"]) {
    if (!ReadStringList(r.Child(n["events"], "events"), &c.events)) c.valid = false;
  } else {
    r.Error("a test case needs 'input' (text) or 'events' (a list of messages)");
    c.valid = false;
  }
  if (n["fields"] && !ReadFieldMap(r.Child(n["fields"], "fields"), &c.fields)) c.valid = false;
  if (n["expect_dropped"] &&
      !config::OptionTraits<bool>::Parse(r.Child(n["expect_dropped"], "expect_dropped"),
                                         &c.expect_dropped)) {
    c.valid = false;
  }
  if (n["expect"]) {
    NodeReader er = r.Child(n["expect"], "expect");
    if (!er.node().IsSequence()) {
      er.Error("expected a list of expected events ('- fields: {...}'), got " + er.Describe());
      c.valid = false;
    } else {
      for (size_t i = 0; i < er.node().size(); ++i) {
        ExpectedEvent e;
        if (!ReadExpected(er.Item(er.node()[i], i), &e)) c.valid = false;
        c.expect.push_back(std::move(e));
      }
    }
  }
  if (!n["expect"] && !c.expect_dropped) {
    r.Error("a test case needs 'expect' (the events that come out) or 'expect_dropped: true'");
    c.valid = false;
  }
  if (n["expect"] && c.expect_dropped && !c.expect.empty()) {
    r.Error("'expect_dropped: true' contradicts a non-empty 'expect'");
    c.valid = false;
  }
  return c;
}

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

bool Matches(const Value& actual, const Scalar& expected) {
  if (expected.quoted) return actual.is_string() && actual.as_string() == expected.text;
  if (actual.has_bytes()) return actual.as_string() == expected.text;
  Value want = PlainValue(expected.text);
  if (actual.kind() == Value::Kind::kFloat && want.kind() == Value::Kind::kInt) {
    return actual.as_float() == static_cast<double>(want.as_int());
  }
  return actual == want;
}

std::string DescribeExpected(const Scalar& s) {
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
bool RunCase(const TestCase& c, Chain& chain, std::string& report) {
  const config::PipelineConfig& p = *c.pipeline;
  std::vector<std::string> problems;
  EventBatch batch;
  if (c.input) {
    if (p.inputs.empty()) {
      batch.Add(0, *c.input);
    } else {
      const auto& in = p.inputs.front();
      in.factory->FrameForTest(in.options.get(), *c.input, batch);
    }
  } else {
    for (const auto& e : c.events) batch.Add(0, e);
  }
  size_t in_events = batch.size();
  for (Event& e : batch.events()) {
    for (const auto& [name, scalar] : c.fields) {
      e.Set(name, scalar.quoted ? Value::String(scalar.text) : PlainValue(scalar.text));
    }
  }
  std::vector<uint8_t> scratch;
  for (size_t i = 0; i < chain.filters.size() && !batch.empty(); ++i) {
    chain.stages[i]->Run(*chain.filters[i], batch, scratch);
  }
  const auto& out = batch.events();
  if (c.expect_dropped || c.expect.empty()) {
    if (!out.empty()) {
      problems.push_back(
          fmt::format("expected every event dropped; {} of {} came out", out.size(), in_events));
    }
  } else if (out.size() != c.expect.size()) {
    problems.push_back(fmt::format("expected {} event(s), got {} (from {} input event(s))",
                                   c.expect.size(), out.size(), in_events));
  }
  for (size_t i = 0; i < std::min(out.size(), c.expect.size()); ++i) {
    const Event& e = out[i];
    const ExpectedEvent& x = c.expect[i];
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
    report += fmt::format("ok    {}\n", c.name);
    return true;
  }
  report += fmt::format("FAIL  {} ({})\n", c.name, c.where.ToString());
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
  config::EnvLookup env = config::ProcessEnv();
  for (const auto& section : config.tests) {
    NodeReader r(section.node, section.file, "tests", diags, env);
    if (!r.node().IsSequence()) {
      r.Error("expected a list of test cases ('- name: ...'), got " + r.Describe());
      continue;
    }
    for (size_t i = 0; i < r.node().size(); ++i) {
      TestCase c = ReadCase(r.Item(r.node()[i], i), config);
      if (!c.valid || c.pipeline == nullptr) {
        ++results.failed;
        results.report += fmt::format("FAIL  {} ({}): the test case is invalid (see above)\n",
                                      c.name.empty() ? "(unnamed)" : c.name, c.where.ToString());
        continue;
      }
      auto chain = BuildChain(*c.pipeline);  // fresh per case: filters may keep state (sample)
      if (!chain->error.empty()) {
        ++results.failed;
        results.report +=
            fmt::format("FAIL  {} ({}): {}\n", c.name, c.where.ToString(), chain->error);
        continue;
      }
      if (RunCase(c, *chain, results.report)) {
        ++results.passed;
      } else {
        ++results.failed;
      }
    }
  }
  return results;
}

}  // namespace sluice
