// Fuzz target: the file input's framing with the `spark` multiline preset. The input is a file's
// bytes: cut into lines by the LineSplitter (max_line_bytes 512) in chunks, as reads deliver them,
// and the lines joined into events by a MultilineAggregator (preset spark, max_lines 20, max_bytes
// 1 KiB, timeout 2 s), as FileTailer does. The first byte sets the chunk size (1-256 bytes), the
// second how much time passes between chunks (0-4 s, so the timeout fires in some runs).
// Checks, besides no crash, leak or undefined behaviour: events come in file order, each spans
// bytes of the file; an event of several lines has at most max_lines lines and max_bytes bytes;
// everything is handed out once the file ends and the aggregator is flushed.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "plugins/common/line_splitter.h"
#include "plugins/common/multiline/multiline.h"

namespace {

namespace file = sluice::common;

constexpr size_t kMaxLineBytes = 512;
constexpr int64_t kMaxLines = 20;
constexpr uint64_t kMaxBytes = 1024;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "multiline_fuzzer: %s\n", what);
  std::abort();
}

const std::shared_ptr<const file::MultilineRules>& SparkRules() {
  static const auto* rules = [] {
    file::MultilineOptions options;
    options.preset = file::MultilinePreset::kSpark;
    options.max_lines = kMaxLines;
    options.max_bytes = sluice::ByteSize{kMaxBytes};
    options.timeout = sluice::Duration{std::chrono::seconds(2)};
    return new std::shared_ptr<const file::MultilineRules>(file::MultilineRules::Make(options));
  }();
  return *rules;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return -1;
  const size_t chunk = size_t{data[0]} + 1;
  const int64_t step_ns = int64_t{data[1]} * 16'000'000;
  const std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);

  if (!SparkRules()->Enabled()) Fail("the spark preset sets no rule");
  sluice::common::LineSplitter splitter(kMaxLineBytes);
  file::MultilineAggregator aggregator(SparkRules());
  uint64_t offset = 0;       // where the next line starts
  uint64_t last_end = 0;     // where the last event ended
  bool skipped_end = false;  // the splitter reported a line end with no bytes left
  int64_t now_ns = 1'000'000'000;

  auto on_event = [&](const file::MultilineEvent& e) {
    if (e.begin_offset < last_end || e.end_offset <= e.begin_offset || e.end_offset > offset) {
      Fail("an event outside the file or out of order");
    }
    last_end = e.end_offset;
    size_t lines = 1;
    for (char c : e.message) lines += c == '\n';
    if (lines > kMaxLines) Fail("an event of more than max_lines lines");
    if (lines > 1 && e.message.size() > kMaxBytes) Fail("an event of lines over max_bytes");
  };
  auto on_line = [&](std::string_view line, bool truncated, size_t consumed) {
    if (line.size() > kMaxLineBytes) Fail("a line over max_line_bytes");
    const uint64_t begin = offset;
    offset += consumed;
    if (line.empty() && truncated) {  // the end of a line handed out in pieces
      skipped_end = true;
      return;
    }
    aggregator.Push(line, begin, offset, truncated, now_ns, on_event);
  };

  for (size_t pos = 0; pos < text.size(); pos += chunk) {
    splitter.Feed(text.substr(pos, chunk), on_line);
    now_ns += step_ns;
    aggregator.Flush(now_ns, /*force=*/false, on_event);
  }
  splitter.Finish(on_line);
  aggregator.Flush(now_ns, /*force=*/true, on_event);

  if (offset != text.size()) Fail("the lines do not account for every byte");
  if (splitter.pending_bytes() != 0 || aggregator.pending()) Fail("something left pending");
  if (!text.empty() && !skipped_end && last_end != offset) {
    Fail("the last event does not end at the end");
  }
  return 0;
}
