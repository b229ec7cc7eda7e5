// Fuzz target: the kafka input's message decoder (`decode: json`, the default). The input is a
// Kafka message's payload, decoded as KafkaInput::Consume does: common::JsonFields with
// event_keys (the document's `@timestamp` becomes the event time, `tags` its tags, `message` its
// message, nested objects dotted fields); a payload that is not a JSON object is kept as the raw
// message and tagged. The kafka.* fields are added as the input adds them.
// Checks, besides no crash, leak or undefined behaviour: the event encodes (JsonEncoder, what the
// kafka output sends) into one valid JSON object, and Sluice's JSON reads back as the event it
// was: decoding that encoding and encoding again gives the same text.
#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pipeline/event_batch.h"
#include "pipeline/json_encoder.h"
#include "plugins/common/json_fields.h"

namespace {

using sluice::Value;
using sluice::common::JsonFields;

constexpr int64_t kMessageTimeMs = 1'496'996'240'123;  // the Kafka message's timestamp

[[noreturn]] void Fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "kafka_json_decoder_fuzzer: %s %.*s\n", what,
               static_cast<int>(std::min<size_t>(detail.size(), 2000)), detail.data());
  std::abort();
}

// One message into `batch`, as KafkaInput::Consume turns it into an event.
sluice::Event& Decode(JsonFields& json, std::string_view payload, sluice::EventBatch& batch) {
  const int64_t ts_ns = kMessageTimeMs * 1'000'000;
  sluice::Event* e = nullptr;
  if (json.Parse(payload) == JsonFields::Parsed::kObject) {
    e = &batch.AddView(ts_ns, {});
    json.Store(*e);
  } else {
    e = &batch.Add(ts_ns, payload);
    e->AddTag("_jsonparsefailure");
  }
  e->SetView("kafka.topic", Value::String("spark-logs"));
  e->SetView("kafka.partition", Value::Int(3));
  e->SetView("kafka.offset", Value::Int(4711));
  e->Set("kafka.key", Value::String("ip-10-0-0-1/application_1496996240000_0001"));
  e->SetView("kafka.timestamp", Value::Int(kMessageTimeMs));
  return *e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* json = new JsonFields(JsonFields::Options{.event_keys = true});
  static auto* encoder = new sluice::JsonEncoder();
  static auto* parser = new simdjson::dom::parser();
  const std::string_view payload(reinterpret_cast<const char*>(data), size);

  sluice::EventBatch batch(2);
  std::string first;
  encoder->Encode(Decode(*json, payload, batch), first);
  simdjson::dom::element root;
  const simdjson::error_code error = parser->parse(first).get(root);
  // Dotted keys nest when encoded: past simdjson's depth limit the text cannot be read back.
  if (error == simdjson::DEPTH_ERROR) return 0;
  if (error != simdjson::SUCCESS) Fail("the encoded event is not valid JSON:", first);
  if (root.type() != simdjson::dom::element_type::OBJECT) Fail("not a JSON object:", first);

  std::string second;
  encoder->Encode(Decode(*json, first, batch), second);
  if (second != first) {
    Fail("the encoding does not read back as the same event:", first + "\nthen: " + second);
  }
  return 0;
}
