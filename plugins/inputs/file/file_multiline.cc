#include "plugins/inputs/file/file_multiline.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

namespace sluice::inputs::file {
namespace {

// The pattern compiled with the options every multiline rule uses: UTF-8 (invalid bytes simply
// do not match), and no logging to stderr on errors, since the error goes into a Status instead.
std::unique_ptr<RE2> CompilePattern(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  return std::make_unique<RE2>(pattern, options);
}

// "<key>: bad regular expression '<pattern>': <RE2's reason>", or "" when `pattern` compiles.
std::string PatternError(std::string_view key, std::string_view pattern, const RE2& re) {
  if (re.ok()) return "";
  return std::string(key) + ": bad regular expression '" + std::string(pattern) +
         "': " + re.error();
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
                {.one_of = {"none", "spark", "java"}, .example = "spark"})
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
                {.min = Duration{std::chrono::milliseconds(1)}})
           .Check([](const MultilineOptions& o) {
             for (auto [key, pattern] :
                  {std::pair<std::string_view, std::string_view>{"start", o.start},
                   {"continuation", o.continuation}}) {
               if (pattern.empty()) continue;
               std::string error = PatternError(key, pattern, *CompilePattern(pattern));
               if (!error.empty()) return error;
             }
             return std::string();
           });
  return *schema;
}

Result<std::shared_ptr<const MultilineRules>> MultilineRules::Compile(
    const MultilineOptions& options) {
  std::string_view start = options.start;
  std::string_view continuation = options.continuation;
  if (options.preset == "spark") {
    if (start.empty()) start = kSparkStart;
  } else if (options.preset == "java") {
    if (continuation.empty()) continuation = kJavaContinuation;
  } else if (options.preset != "none" && !options.preset.empty()) {
    return InvalidArgument("preset: unknown preset '" + options.preset + "'");
  }
  auto rules = std::make_shared<MultilineRules>();
  if (!start.empty()) {
    rules->start_ = CompilePattern(start);
    std::string error = PatternError("start", start, *rules->start_);
    if (!error.empty()) return InvalidArgument(std::move(error));
  }
  if (!continuation.empty()) {
    rules->continuation_ = CompilePattern(continuation);
    std::string error = PatternError("continuation", continuation, *rules->continuation_);
    if (!error.empty()) return InvalidArgument(std::move(error));
  }
  rules->max_lines_ = static_cast<size_t>(std::max<int64_t>(1, options.max_lines));
  rules->max_bytes_ = static_cast<size_t>(options.max_bytes.bytes);
  rules->timeout_ns_ = options.timeout.value.count();
  return std::shared_ptr<const MultilineRules>(std::move(rules));
}

bool MultilineRules::StartsEvent(std::string_view line) const {
  if (continuation_ != nullptr && RE2::PartialMatch(line, *continuation_)) return false;
  if (start_ != nullptr) return RE2::PartialMatch(line, *start_);
  return true;
}

}  // namespace sluice::inputs::file
