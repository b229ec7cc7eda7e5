// Fuzz target: the dissect filter. When the input's first line holds a key (`%{`), that line is the
// pattern and the rest the message: a filter is built from the pattern through the filter's own
// schema (which compiles it) and run on one event. Otherwise the whole input is the message of an
// event run through fixed filters: a Spark log4j dissection with an append, and one with padding,
// a reference pair (`%{?k}=%{&k}`), ordered appends and `convert_datatype`. The event is then
// encoded as the outputs would (JsonEncoder).
// Checks, besides no crash, leak or undefined behaviour: a pattern the schema rejects has an
// error message; the encoded event is one valid JSON object whose keys never repeat.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "pipeline/event_batch.h"
#include "plugins/filters/dissect.h"
#include "tests/fuzz/filter_fuzz_support.h"

namespace {

using sluice::filters::DissectFilter;

constexpr char kTarget[] = "dissect_filter_fuzzer";

std::unique_ptr<DissectFilter> BuildFixed(const std::string& yaml) {
  return sluice::fuzz::BuildFixedFilter<DissectFilter>(kTarget, yaml);
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

void CheckEncoded(const sluice::Event& event) {
  sluice::fuzz::CheckEncoded(kTarget, event, /*check_keys=*/true);
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
    std::unique_ptr<DissectFilter> filter =
        sluice::fuzz::BuildFilter<DissectFilter>(kTarget, options, &errors);
    if (filter == nullptr) {
      if (errors.empty()) sluice::fuzz::Fail(kTarget, "a rejected pattern without an error");
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
