// Fuzz target: the `when:` condition language. The input is the text of a condition, parsed with
// Condition::Parse(); one that parses is evaluated with Matches() on a few fixed events (typed
// fields, dotted names, tags, odd bytes, an empty event).
// Checks, besides no crash, leak or undefined behaviour: a syntax error has a message and an offset
// within the text (the contract file:line:column reporting relies on), and `!(text)`, when it
// parses, matches exactly the events `text` does not.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/condition.h"
#include "pipeline/event_batch.h"

namespace {

using sluice::Value;

[[noreturn]] void Fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "condition_parser_fuzzer: %s: '%.*s'\n", what, static_cast<int>(text.size()),
               text.data());
  std::abort();
}

// The events every condition is evaluated on; built once.
const sluice::EventBatch& Events() {
  static const sluice::EventBatch* batch = [] {
    auto* b = new sluice::EventBatch();
    sluice::Event& spark =
        b->Add(1'496'996'240'000'000'000,
               "17/06/09 20:10:40 ERROR executor.Executor: java.lang.OutOfMemoryError\n\tat a.b");
    spark.Set("log.level", Value::String("ERROR"));
    spark.Set("log.logger", Value::String("executor.Executor"));
    spark.Set("spark.executor_id", Value::String("7"));
    spark.Set("bytes", Value::Int(1234));
    spark.Set("took", Value::Float(3.5));
    spark.Set("ok", Value::Bool(true));
    spark.Set("nothing", Value::Null());
    spark.Set("list", Value::Json("[1,\"a\"]"));
    spark.Set("number_text", Value::String("-12.5e1"));
    spark.AddTag("java_exception");
    spark.AddTag("_grokparsefailure");
    b->Add(0, "");  // no fields, no tags
    sluice::Event& odd = b->Add(-1, std::string_view("\xff\x00\x80 a\n", 6));
    odd.Set("a", Value::Int(-2));
    odd.Set("b.c", Value::Bool(false));
    odd.Set("x", Value::String("1e9"));
    odd.Set("", Value::String(std::string_view("\0", 1)));
    odd.AddTag("y");
    return b;
  }();
  return *batch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t offset = SIZE_MAX;
  sluice::Result<sluice::Condition> parsed = sluice::Condition::Parse(text, &offset);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) Fail("a syntax error without a message", text);
    if (offset > text.size()) Fail("a syntax error offset past the end of the text", text);
    return 0;
  }
  if (parsed->source() != text) Fail("source() is not the text parsed", text);

  const std::string negated_text = "!(" + std::string(text) + ")";
  sluice::Result<sluice::Condition> negated = sluice::Condition::Parse(negated_text);
  for (const sluice::Event& event : Events().events()) {
    const bool matches = parsed->Matches(event);
    if (negated.ok() && negated->Matches(event) == matches) {
      Fail("!(condition) matches like the condition", text);
    }
  }
  return 0;
}
