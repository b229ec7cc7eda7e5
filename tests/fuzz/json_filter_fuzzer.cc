// Fuzz target: the json filter. The input is the message of one event, run through json filters
// built from typical options (parsed by the filter's own schema): the defaults (flatten into the
// top level), `target` with `flatten: false`, `max_depth` with `message_field`, and a filter
// reading a string field it then removes. The event is then encoded as the outputs would
// (JsonEncoder).
// Checks, besides no crash, leak or undefined behaviour: the encoded event is one valid JSON object
// (raw JSON values the filter stored included) whose keys never repeat where the encoder made the
// objects.
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
#include "plugins/filters/json.h"

namespace {

using sluice::filters::JsonFilter;

[[noreturn]] void Fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "json_filter_fuzzer: %s %.*s\n", what,
               static_cast<int>(std::min<size_t>(detail.size(), 2000)), detail.data());
  std::abort();
}

// A filter from `yaml` (a map of its options), through its schema as a config would give it.
std::unique_ptr<JsonFilter> Build(const std::string& yaml) {
  static const std::string kFile = "fuzz.yaml";
  static const sluice::config::EnvLookup kNoEnv =
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  sluice::config::Diagnostics diags;
  JsonFilter::Options options;
  sluice::config::NodeReader r(YAML::Load(yaml), kFile, "", diags, kNoEnv);
  JsonFilter::Options::Schema().Parse(r, &options, "filter 'json'", {"type", "id", "when"});
  if (!diags.ok()) Fail("bad fixed options:", diags.ToString());
  sluice::PluginContext context;
  context.kind = sluice::PluginKind::kFilter;
  auto built = JsonFilter::Build(options, context);
  if (!built.ok()) Fail("the filter does not build:", built.status().message());
  return std::move(built).value();
}

struct Filters {
  std::unique_ptr<JsonFilter> flat = Build("{}");
  std::unique_ptr<JsonFilter> whole = Build("{target: json, flatten: false}");
  std::unique_ptr<JsonFilter> shallow = Build("{max_depth: 2, message_field: msg}");
  std::unique_ptr<JsonFilter> from_field =
      Build("{field: payload, target: doc, remove_field: true, message_field: ''}");
};

// Whether the objects in `element` repeat no key (recursively).
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

// Encodes `event` and checks that the text is a JSON object without repeated keys. Raw JSON values
// holding objects are written verbatim and may repeat keys of their own: then only validity is
// checked. A document nested deeper than simdjson's limit (dotted names nest) is not checked.
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
  bool raw_objects = false;
  for (const sluice::Field& field : event.fields()) {
    raw_objects |= field.value.kind() == sluice::Value::Kind::kJson &&
                   field.value.as_string().find('{') != std::string_view::npos;
  }
  if (!raw_objects && !KeysUnique(root)) Fail("the encoded event repeats a key:", out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Filters* filters = new Filters();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  sluice::EventBatch batch(4);
  for (JsonFilter* filter : {filters->flat.get(), filters->whole.get(), filters->shallow.get()}) {
    sluice::Event& event = batch.Add(0, text);
    (void)filter->Apply(event);
    CheckEncoded(event);
  }
  sluice::Event& event = batch.Add(0, "the message");
  event.Set("payload", sluice::Value::String(text));
  (void)filters->from_field->Apply(event);
  CheckEncoded(event);
  return 0;
}
