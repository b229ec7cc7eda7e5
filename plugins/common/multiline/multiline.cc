#include "plugins/common/multiline/multiline.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

namespace sluice::common {
namespace {

// A preset's pattern, compiled once (the constants compile: multiline_test checks them).
const config::Regex& PresetPattern(MultilinePreset preset) {
  static const auto* spark = new config::Regex(config::Regex::Compile(kSparkStart).value());
  static const auto* java = new config::Regex(config::Regex::Compile(kJavaContinuation).value());
  return preset == MultilinePreset::kSpark ? *spark : *java;
}

}  // namespace

const config::OptionSchema<MultilineOptions>& MultilineOptions::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<MultilineOptions>())
           .Add("preset", &MultilineOptions::preset,
                "Ready-made rules: `spark` starts an event at each line that begins with a log4j "
                "timestamp as Spark, YARN and Hadoop write them (`17/06/09 20:10:40` or "
                "`2017-06-09 20:10:40,123`), so a record and its stack trace are one event; "
                "`java` joins the lines of a Java stack trace (`at ...`, `... 12 more`, `Caused "
                "by: ...`, `Suppressed: ...`) to the line before them; `none` sets no rule. "
                "`start` and `continuation`, when given, replace the preset's.",
                {.example = "spark"})
           .Add("start", &MultilineOptions::start,
                "RE2 regular expression: a line it matches begins a new event, and the lines that "
                "do not match join it. It matches anywhere in the line unless anchored with `^`.",
                {.example = R"(^\d{4}-\d{2}-\d{2} )"})
           .Add("continuation", &MultilineOptions::continuation,
                "RE2 regular expression: a line it matches joins the event of the line before it, "
                "and any other line begins a new event. With `start` as well, a line begins an "
                "event when it matches `start` and not this.",
                {.example = R"(^\s)"})
           .Add("max_lines", &MultilineOptions::max_lines,
                "Most lines in one event: the line that would exceed it begins a new event and "
                "the cut event is tagged `_multiline_truncated`.",
                {.min = 1})
           .Add("max_bytes", &MultilineOptions::max_bytes,
                "Most bytes in one event (lines and the newlines between them): the line that "
                "would exceed it begins a new event and the cut event is tagged "
                "`_multiline_truncated`. A single longer line is kept whole (`max_line_bytes` "
                "bounds lines).",
                {.min = ByteSize{1024}})
           .Add("timeout", &MultilineOptions::timeout,
                "How long an event waits for more lines: once no line has joined it for this "
                "long it is sent as it is.",
                {.min = Duration{std::chrono::milliseconds(1)}});
  return *schema;
}

std::shared_ptr<const MultilineRules> MultilineRules::Make(const MultilineOptions& options) {
  auto rules = std::make_shared<MultilineRules>();
  rules->start_ = options.start;
  rules->continuation_ = options.continuation;
  if (options.preset == MultilinePreset::kSpark && rules->start_.empty()) {
    rules->start_ = PresetPattern(MultilinePreset::kSpark);
  } else if (options.preset == MultilinePreset::kJava && rules->continuation_.empty()) {
    rules->continuation_ = PresetPattern(MultilinePreset::kJava);
  }
  rules->max_lines_ = static_cast<size_t>(std::max<int64_t>(1, options.max_lines));
  rules->max_bytes_ = static_cast<size_t>(options.max_bytes.bytes);
  rules->timeout_ns_ = options.timeout.value.count();
  return rules;
}

bool MultilineRules::StartsEvent(std::string_view line) const {
  if (!continuation_.empty() && RE2::PartialMatch(line, *continuation_)) return false;
  if (!start_.empty()) return RE2::PartialMatch(line, *start_);
  return true;
}

}  // namespace sluice::common
