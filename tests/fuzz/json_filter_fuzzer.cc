// Fuzz target: the json filter. The input is the message of one event, run through json filters
// built from typical options (parsed by the filter's own schema): the defaults (flatten into the
// top level), `target` with `flatten: false`, `max_depth` with `message_field`, and a filter
// reading a string field it then removes. The event is then encoded as the outputs would
// (JsonEncoder).
// Checks, besides no crash, leak or undefined behaviour: the encoded event is one valid JSON object
// (raw JSON values the filter stored included) whose keys never repeat where the encoder made the
// objects.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "pipeline/event_batch.h"
#include "plugins/filters/json.h"
#include "tests/fuzz/filter_fuzz_support.h"

namespace {

using sluice::filters::JsonFilter;

constexpr char kTarget[] = "json_filter_fuzzer";

std::unique_ptr<JsonFilter> Build(const std::string& yaml) {
  return sluice::fuzz::BuildFixedFilter<JsonFilter>(kTarget, yaml);
}

struct Filters {
  std::unique_ptr<JsonFilter> flat = Build("{}");
  std::unique_ptr<JsonFilter> whole = Build("{target: json, flatten: false}");
  std::unique_ptr<JsonFilter> shallow = Build("{max_depth: 2, message_field: msg}");
  std::unique_ptr<JsonFilter> from_field =
      Build("{field: payload, target: doc, remove_field: true, message_field: ''}");
};

// Encodes `event` and checks that the text is a JSON object without repeated keys. Raw JSON values
// holding objects are written verbatim and may repeat keys of their own: then only validity is
// checked.
void CheckEncoded(const sluice::Event& event) {
  bool raw_objects = false;
  for (const sluice::Field& field : event.fields()) {
    raw_objects |= field.value.kind() == sluice::Value::Kind::kJson &&
                   field.value.as_string().find('{') != std::string_view::npos;
  }
  sluice::fuzz::CheckEncoded(kTarget, event, /*check_keys=*/!raw_objects);
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
