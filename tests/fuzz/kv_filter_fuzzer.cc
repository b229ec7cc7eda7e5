// Fuzz target: the kv filter. The input is the message of one event, run through kv filters built
// from typical options (parsed by the filter's own schema): the defaults (`key=value` pairs split
// by spaces), and a Logstash-style setup with several split characters, trimming, brackets,
// `duplicate_keys: array`, lowercased and prefixed keys under a target, and a small max_pairs. The
// event is then encoded as the outputs would (JsonEncoder).
// Checks, besides no crash, leak or undefined behaviour: every raw JSON value the filter stored (a
// duplicate key's array) is valid JSON, and the encoded event is one valid JSON object whose keys
// never repeat.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "pipeline/event_batch.h"
#include "plugins/filters/kv.h"
#include "tests/fuzz/filter_fuzz_support.h"

namespace {

using sluice::filters::KvFilter;

constexpr char kTarget[] = "kv_filter_fuzzer";

// No metrics registry: the filter then counts into a counter of its own.
std::unique_ptr<KvFilter> Build(const std::string& yaml) {
  return sluice::fuzz::BuildFixedFilter<KvFilter>(kTarget, yaml);
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

// Checks the raw JSON values of `event`, then its encoding. A document nested deeper than
// simdjson's limit (each dot of a key nests) is not checked.
void Check(const sluice::Event& event) {
  static auto* parser = new simdjson::dom::parser();
  simdjson::dom::element root;
  for (const sluice::Field& field : event.fields()) {
    if (field.value.kind() != sluice::Value::Kind::kJson) continue;
    if (parser->parse(std::string(field.value.as_string())).get(root) != simdjson::SUCCESS) {
      sluice::fuzz::Fail(kTarget, "a raw JSON value is not valid JSON:", field.value.as_string());
    }
  }
  sluice::fuzz::CheckEncoded(kTarget, event, /*check_keys=*/true);
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
