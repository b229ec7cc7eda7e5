// Multiline: joins the lines of one file (or S3 object) into events: a Spark/log4j record with its
// Java stack trace is one event. Two modes, which may be combined:
//  - start: a line matching `start` begins a new event; other lines join the current one;
//  - continuation: a line matching `continuation` joins the previous line's event; other lines
//    begin a new event.
// With both, a line begins a new event when it matches `start` and not `continuation`.
// An event is also cut at `max_lines` lines or `max_bytes` bytes (what follows starts a new event;
// the cut event is flagged multiline_truncated), and a pending event is flushed once no line has
// joined it for `timeout`. Presets: `spark` (start: the log4j timestamps Spark and YARN write),
// `java` (continuation: `\tat ...`, `Caused by: ...`, `\t... N more`, `Suppressed: ...`,
// `\t... N common frames omitted`); the exact patterns are kSparkStart and kJavaContinuation.
// State is per file (one aggregator per open file); the compiled rules are shared.
// Thread-safety: Rules are immutable; an aggregator belongs to one file's reader.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "pipeline/options/option_schema.h"
#include "pipeline/options/regex_option.h"
#include "pipeline/units.h"

namespace sluice::common {

// The start pattern of the `spark` preset: a line beginning with `yy/MM/dd HH:mm:ss` (Spark's
// log4j layout) or `yyyy-MM-dd HH:mm:ss` / `yyyy-MM-ddTHH:mm:ss` (YARN, Hadoop, log4j ISO8601).
inline constexpr std::string_view kSparkStart =
    R"(^(?:\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}))";
// The continuation pattern of the `java` preset: the lines Throwable.printStackTrace writes after
// the first (`\tat frame`, `\t... N more`, `Caused by: ...`, `\tSuppressed: ...`, nested ones
// indented further) and logback's `\t... N common frames omitted`.
inline constexpr std::string_view kJavaContinuation =
    R"(^\s+at |^\s+\.\.\. \d+ (?:more|common frames omitted)|^\s*Caused by:|^\s*Suppressed:)";

// Ready-made rules (`preset`): none, the `spark` start pattern, the `java` continuation pattern.
enum class MultilinePreset : uint8_t { kNone, kSpark, kJava };
inline constexpr config::EnumName<MultilinePreset> kMultilinePresetNames[] = {
    {"none", MultilinePreset::kNone},
    {"spark", MultilinePreset::kSpark},
    {"java", MultilinePreset::kJava}};
constexpr std::span<const config::EnumName<MultilinePreset>> OptionNames(MultilinePreset) {
  return kMultilinePresetNames;
}

struct MultilineOptions {
  MultilinePreset preset = MultilinePreset::kNone;
  config::Regex start;         // empty for none (or the preset's)
  config::Regex continuation;  // empty for none (or the preset's)
  int64_t max_lines = 500;
  ByteSize max_bytes{1 << 20};
  Duration timeout{std::chrono::seconds(2)};
  static const config::OptionSchema<MultilineOptions>& Schema();
};

class MultilineRules {
 public:
  // The rules of `options`: its patterns as parsing compiled them (shared, not compiled again),
  // a preset's filling start/continuation where they are not given. No preset and no pattern:
  // disabled (Enabled() is false, every line is its own event).
  static std::shared_ptr<const MultilineRules> Make(const MultilineOptions& options);

  bool Enabled() const { return !start_.empty() || !continuation_.empty(); }
  // True when `line` begins a new event: with only `start`, when it matches start; with only
  // `continuation`, when it does not match continuation; with both, when it matches start and not
  // continuation; with neither, always.
  bool StartsEvent(std::string_view line) const;

  size_t max_lines() const { return max_lines_; }
  size_t max_bytes() const { return max_bytes_; }
  int64_t timeout_ns() const { return timeout_ns_; }

 private:
  config::Regex start_;
  config::Regex continuation_;
  size_t max_lines_ = 500;
  size_t max_bytes_ = 1 << 20;
  int64_t timeout_ns_ = 2'000'000'000;
};

// One event as the aggregator hands it out: the joined lines ('\n' between them), the file offsets
// of its first byte and just past its last line (including that line's newline), and flags.
struct MultilineEvent {
  std::string_view message;
  uint64_t begin_offset;
  uint64_t end_offset;
  bool line_truncated;       // holds a line cut by max_line_bytes (tag `_line_truncated`)
  bool multiline_truncated;  // cut by max_lines/max_bytes (tag `_multiline_truncated`)
};

class MultilineAggregator {
 public:
  explicit MultilineAggregator(std::shared_ptr<const MultilineRules> rules)
      : rules_(std::move(rules)) {}

  // Feeds one line (without its newline) that spans [line_begin, line_end) in the file, read at
  // `now_ns`. `truncated` says the line was cut by max_line_bytes. Calls on_event(const
  // MultilineEvent&) for every event this completes (the view is valid during the call only).
  // With disabled rules every line is passed straight through (no copy). Otherwise a line that
  // starts an event completes the pending one and becomes pending itself; any other line joins
  // the pending event, or becomes pending alone when there is none (a file that begins with
  // `\tat ...`). When joining would make the event longer than max_lines lines or max_bytes bytes
  // (counting the '\n' between lines), the pending event is completed with multiline_truncated
  // and the line becomes pending alone; a single line longer than max_bytes is kept whole (the
  // reader's max_line_bytes bounds lines).
  template <typename OnEvent>
  void Push(std::string_view line, uint64_t line_begin, uint64_t line_end, bool truncated,
            int64_t now_ns, OnEvent&& on_event);

  // Hands out the pending event when at least the timeout has passed since its last line joined
  // (now_ns - time of that line >= timeout), or at once with `force` (e.g. at EOF of a removed
  // file or at shutdown). Does nothing when nothing is pending.
  template <typename OnEvent>
  void Flush(int64_t now_ns, bool force, OnEvent&& on_event);

  bool pending() const { return lines_ > 0; }
  // File offset where the pending event begins (meaningful when pending()).
  uint64_t pending_begin() const { return begin_; }

 private:
  // Buffers larger than this are released after their event, so that one huge event does not pin
  // its memory for the life of the file.
  static constexpr size_t kKeepCapacity = 64 << 10;

  // Makes `line` the pending event.
  void Begin(std::string_view line, uint64_t line_begin, uint64_t line_end, bool truncated,
             int64_t now_ns);
  // Hands out the pending event (there must be one) and clears it.
  template <typename OnEvent>
  void Complete(OnEvent& on_event);

  std::shared_ptr<const MultilineRules> rules_;
  std::string buffer_;
  uint64_t begin_ = 0;
  uint64_t end_ = 0;
  size_t lines_ = 0;
  bool line_truncated_ = false;
  bool multiline_truncated_ = false;
  int64_t last_line_ns_ = 0;
};

}  // namespace sluice::common

#include "plugins/common/multiline/multiline_inl.h"  // IWYU pragma: keep
