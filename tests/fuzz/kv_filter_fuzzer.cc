// Fuzz target: the kv filter. The input is the message of one event, run through kv filters built
// from typical options (parsed by the filter's own schema): the defaults (`key=value` pairs split
// by spaces), and a Logstash-style setup with several split characters, trimming, brackets,
// `duplicate_keys: array`, lowercased and prefixed keys under a target, and a small max_pairs. The
// event is then encoded as the outputs would (JsonEncoder).
// Checks, besides no crash, leak or undefined behaviour: every raw JSON value the filter stored (a
// duplicate key's array) is valid JSON, and the encoded event is one valid JSON object whose keys
// never repeat.
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/event_batch.h"
#include "pipeline/json_encoder.h"
#include "pipeline/options/diagnostics.h"
#include "pipeline/options/env.h"
#include "pipeline/options/node_reader.h"
#include "plugins/filters/kv.h"

namespace {

using sluice::filters::KvFilter;

[[noreturn]] void Fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "kv_filter_fuzzer: %s %.*s\n", what,
               static_cast<int>(std::min<size_t>(detail.size(), 2000)), detail.data());
  std::abort();
}

// A filter from `yaml` (a map of its options), through its schema as a config would give it. No
// metrics registry: the filter then counts into a counter of its own.
std::unique_ptr<KvFilter> Build(const std::string& yaml) {
  static const std::string kFile = "fuzz.yaml";
  static const sluice::config::EnvLookup kNoEnv =
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  sluice::config::Diagnostics diags;
  KvFilter::Options options;
  sluice::config::NodeReader r(YAML::Load(yaml), kFile, "", diags, kNoEnv);
  KvFilter::Options::Schema().Parse(r, &options, "filter 'kv'", {"type", "id", "when"});
  if (!diags.ok()) Fail("bad fixed options:", diags.ToString());
  sluice::PluginContext context;
  context.kind = sluice::PluginKind::kFilter;
  auto built = KvFilter::Build(options, context);
  if (!built.ok()) Fail("the filter does not build:", built.status().message());
  return std::move(built).value();
}

struct Filters {
  std::unique_ptr<KvFilter> plain = Build("{}");
  std::unique_ptr<KvFilter> logstash = Build(R"({
    field_split: " ,&",
    value_split: "=:",
    trim_key: "<>[]",
    trim_value: ",;",
    include_brackets: true,
    duplicate_keys: array,
    allow_empty_values: true,
    lowercase_keys: true,
    exclude_keys: [password],
    prefix: kv_,
    target: parsed,
    max_pairs: 50
  })");
  std::unique_ptr<KvFilter> first =
      Build("{duplicate_keys: first, include_brackets: false, include_keys: [user, status, took]}");
};

bool KeysUnique(simdjson::dom::element element) {
  using simdjson::dom::element_type;
  if (element.type() == element_type::ARRAY) {
    // A copy: ranging over value_unsafe() of the temporary result would dangle.
    const simdjson::dom::array array = element.get_array().value_unsafe();
    for (simdjson::dom::element item : array) {
      if (!KeysUnique(item)) return false;
    }
    return true;
  }
  if (element.type() != element_type::OBJECT) return true;
  std::vector<std::string_view> keys;
  const simdjson::dom::object object = element.get_object().value_unsafe();
  for (simdjson::dom::key_value_pair member : object) {
    keys.push_back(member.key);
    if (!KeysUnique(member.value)) return false;
  }
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) == keys.end();
}

// Checks the raw JSON values of `event`, then its encoding. A document nested deeper than
// simdjson's limit (each dot of a key nests) is not checked.
void Check(const sluice::Event& event) {
  static auto* encoder = new sluice::JsonEncoder();
  static auto* parser = new simdjson::dom::parser();
  simdjson::dom::element root;
  for (const sluice::Field& field : event.fields()) {
    if (field.value.kind() != sluice::Value::Kind::kJson) continue;
    if (parser->parse(std::string(field.value.as_string())).get(root) != simdjson::SUCCESS) {
      Fail("a raw JSON value is not valid JSON:", field.value.as_string());
    }
  }
  std::string out;
  encoder->Encode(event, out);
  const simdjson::error_code error = parser->parse(out).get(root);
  if (error == simdjson::DEPTH_ERROR) return;
  if (error != simdjson::SUCCESS) Fail("the encoded event is not valid JSON:", out);
  if (root.type() != simdjson::dom::element_type::OBJECT) Fail("not a JSON object:", out);
  if (!KeysUnique(root)) Fail("the encoded event repeats a key:", out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Filters* filters = new Filters();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  sluice::EventBatch batch(3);
  for (KvFilter* filter : {filters->plain.get(), filters->logstash.get(), filters->first.get()}) {
    sluice::Event& event = batch.Add(0, text);
    (void)filter->Apply(event);
    Check(event);
  }
  return 0;
}
