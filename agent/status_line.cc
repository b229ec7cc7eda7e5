#include "agent/status_line.h"

#include <fmt/format.h>

#include <string_view>

namespace sluice::agent {
namespace {

std::string_view Label(const Labels& labels, std::string_view key) {
  for (const auto& [k, v] : labels) {
    if (k == key) return v;
  }
  return {};
}

std::string Bytes(double bytes) {
  if (bytes >= 1024.0 * 1024 * 1024)
    return fmt::format("{:.1f} GiB", bytes / (1024.0 * 1024 * 1024));
  if (bytes >= 1024.0 * 1024) return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024));
  if (bytes >= 1024.0) return fmt::format("{:.1f} KiB", bytes / 1024.0);
  return fmt::format("{:.0f} B", bytes);
}

}  // namespace

StatusTotals ReadStatusTotals(const MetricsRegistry& metrics, int64_t at_ns) {
  StatusTotals t;
  t.at_ns = at_ns;
  for (const auto& s : metrics.Snapshot()) {
    if (s.name == "sluice_component_sent_events_total") {
      std::string_view kind = Label(s.labels, "kind");
      if (kind == "input") t.in_events += s.value;
      if (kind == "output") t.out_events += s.value;
    } else if (s.name == "sluice_component_errors_total") {
      t.errors += s.value;
    } else if (s.name == "sluice_kafka_input_consumer_lag_messages") {
      t.lag_messages += s.value;
    } else if (s.name == "sluice_file_input_file_lag_bytes") {
      t.lag_bytes += s.value;
    }
  }
  return t;
}

std::string StatusLine(size_t pipelines, const StatusTotals& before, const StatusTotals& now) {
  const double seconds = static_cast<double>(now.at_ns - before.at_ns) / 1e9;
  auto rate = [&](double a, double b) { return seconds > 0 ? (b - a) / seconds : 0.0; };
  return fmt::format(
      "{} pipeline{}: in {:.0f} ev/s, out {:.0f} ev/s, lag {:.0f} messages + {} of files, {:.0f} "
      "errors",
      pipelines, pipelines == 1 ? "" : "s", rate(before.in_events, now.in_events),
      rate(before.out_events, now.out_events), now.lag_messages, Bytes(now.lag_bytes), now.errors);
}

}  // namespace sluice::agent
