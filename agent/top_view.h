// TopView: what `sluice top` shows, computed from two scrapes of a running instance's /metrics
// (Prometheus text): one row per pipeline (bytes in flight) and per component under it, with
// events/s in and out over the time between the scrapes, errors (total), and what waits: an
// output's disk buffer, an input's Kafka consumer lag or file checkpoint lag. Rendered as plain
// text lines cut to the terminal's width and height (80x24 at least), so it works over SSH and in
// scripts (`--once`).
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::agent {

// One scrape: series "name{labels}" (labels as the exposition wrote them) → value.
struct MetricsScrape {
  double at_seconds = 0;  // when it was taken (any monotonic clock)
  std::map<std::string, double> series;
};

// Parses the Prometheus text exposition format (comments and malformed lines skipped).
MetricsScrape ParsePrometheusText(std::string_view text, double at_seconds);

// The value of label `key` in a series name ("" when absent).
std::string LabelOf(std::string_view series, std::string_view key);

struct TopFrameOptions {
  std::string title;  // e.g. "127.0.0.1:9600"
  int width = 80;
  int height = 24;
};

// The frame's lines (each at most `width` columns, at most `height` lines): a header, then per
// pipeline its row and its components' rows, with rates between `before` and `now`.
std::vector<std::string> RenderTopFrame(const MetricsScrape& before, const MetricsScrape& now,
                                        const TopFrameOptions& options);

}  // namespace sluice::agent
