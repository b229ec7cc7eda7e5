// Fuzz target: the dissect filter. When the input's first line holds a key (`%{`), that line is the
// pattern and the rest the message: a filter is built from the pattern through the filter's own
// schema (which compiles it) and run on one event. Otherwise the whole input is the message of an
// event run through fixed filters: a Spark log4j dissection with an append, and one with padding,
// a reference pair (`%{?k}=%{&k}`), ordered appends and `convert_datatype`. The event is then
// encoded as the outputs would (JsonEncoder).
// Checks, besides no crash, leak or undefined behaviour: a pattern the schema rejects has an
// error message; the encoded event is one valid JSON object whose keys never repeat.
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
#include "plugins/filters/dissect.h"

namespace {

using sluice::filters::DissectFilter;

[[noreturn]] void Fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "dissect_filter_fuzzer: %s %.*s\n", what,
               static_cast<int>(std::min<size_t>(detail.size(), 2000)), detail.data());
  std::abort();
}

// A filter from `node` (a map of its options), through its schema as a config would give it; null
// with `*errors` set when the schema rejects the options.
std::unique_ptr<DissectFilter> Build(const YAML::Node& node, std::string* errors) {
  static const std::string kFile = "fuzz.yaml";
  static const sluice::config::EnvLookup kNoEnv =
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  sluice::config::Diagnostics diags;
  DissectFilter::Options options;
  sluice::config::NodeReader r(node, kFile, "", diags, kNoEnv);
  DissectFilter::Options::Schema().Parse(r, &options, "filter 'dissect'", {"type", "id", "when"});
  if (!diags.ok()) {
    *errors = diags.ToString();
    return nullptr;
  }
  sluice::PluginContext context;
  context.kind = sluice::PluginKind::kFilter;
  auto built = DissectFilter::Build(options, context);
  if (!built.ok()) Fail("options the schema accepted do not build:", built.status().message());
  return std::move(built).value();
}

std::unique_ptr<DissectFilter> BuildFixed(const std::string& yaml) {
  std::string errors;
  std::unique_ptr<DissectFilter> filter = Build(YAML::Load(yaml), &errors);
  if (filter == nullptr) Fail("bad fixed options:", errors);
  return filter;
}

struct Filters {
  std::unique_ptr<DissectFilter> spark =
      BuildFixed("{pattern: '%{date} %{+date} %{log.level} %{[log][logger]}: %{message}'}");
  std::unique_ptr<DissectFilter> mixed = BuildFixed(R"({
    pattern: '[%{ts->}] %{?key}=%{&key} %{+t/2},%{+t/1} %{bytes->} %{}|%{rest}',
    convert_datatype: {bytes: int, took: float},
    append_separator: '-'
  })");
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

// Encodes `event` and checks the text. A document nested deeper than simdjson's limit (each dot of
// a field name nests) is not checked.
void CheckEncoded(const sluice::Event& event) {
  static auto* encoder = new sluice::JsonEncoder();
  static auto* parser = new simdjson::dom::parser();
  std::string out;
  encoder->Encode(event, out);
  simdjson::dom::element root;
  const simdjson::error_code error = parser->parse(out).get(root);
  if (error == simdjson::DEPTH_ERROR) return;
  if (error != simdjson::SUCCESS) Fail("the encoded event is not valid JSON:", out);
  if (root.type() != simdjson::dom::element_type::OBJECT) Fail("not a JSON object:", out);
  if (!KeysUnique(root)) Fail("the encoded event repeats a key:", out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Filters* filters = new Filters();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view first_line = input.substr(0, newline);

  if (newline != std::string_view::npos && first_line.find("%{") != std::string_view::npos) {
    YAML::Node options(YAML::NodeType::Map);
    options["pattern"] = std::string(first_line);
    std::string errors;
    // Declared before the batch: a filter outlives the events it touched.
    std::unique_ptr<DissectFilter> filter = Build(options, &errors);
    if (filter == nullptr) {
      if (errors.empty()) Fail("a rejected pattern without an error");
      return 0;
    }
    sluice::EventBatch batch(1);
    sluice::Event& event = batch.Add(0, input.substr(newline + 1));
    (void)filter->Apply(event);
    CheckEncoded(event);
    return 0;
  }

  sluice::EventBatch batch(2);
  for (DissectFilter* filter : {filters->spark.get(), filters->mixed.get()}) {
    sluice::Event& event = batch.Add(0, input);
    (void)filter->Apply(event);
    CheckEncoded(event);
  }
  return 0;
}
