#include "agent/top_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <tuple>

namespace sluice::agent {
namespace {

constexpr std::string_view kReceived = "sluice_component_received_events_total";
constexpr std::string_view kSent = "sluice_component_sent_events_total";
constexpr std::string_view kErrors = "sluice_component_errors_total";
constexpr std::string_view kInflight = "sluice_pipeline_inflight_bytes";
constexpr std::string_view kBufferBytes = "sluice_buffer_bytes";
constexpr std::string_view kKafkaLag = "sluice_kafka_input_consumer_lag_messages";
constexpr std::string_view kCheckpointLag = "sluice_file_input_checkpoint_lag_bytes";

std::string_view NameOf(std::string_view series) { return series.substr(0, series.find('{')); }

// 1234, 12.3k, 4.5M.
std::string Count(double v) {
  if (v < 0) v = 0;
  if (v < 10000) return fmt::format("{:.0f}", v);
  if (v < 10e6) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.1f}M", v / 1e6);
}

std::string Bytes(double v) {
  if (v < 1024) return fmt::format("{:.0f}B", std::max(v, 0.0));
  if (v < 1024.0 * 1024) return fmt::format("{:.1f}KiB", v / 1024);
  if (v < 1024.0 * 1024 * 1024) return fmt::format("{:.1f}MiB", v / (1024.0 * 1024));
  return fmt::format("{:.1f}GiB", v / (1024.0 * 1024 * 1024));
}

struct Row {
  std::string pipeline;
  int kind_order = 0;  // input, filter, output
  std::string id;
  std::string kind;
  std::string type;
  double in_rate = -1;  // -1: unknown
  double out_rate = -1;
  double errors = 0;
  double buffer_bytes = -1;
  double kafka_lag = -1;
  double checkpoint_lag = -1;
};

int KindOrder(std::string_view kind) { return kind == "input" ? 0 : kind == "filter" ? 1 : 2; }

// `line` cut to `width` columns (0: no limit), without trailing spaces.
std::string Fit(std::string line, int width) {
  if (width > 0 && line.size() > static_cast<size_t>(width)) line.resize(width);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace

std::string LabelOf(std::string_view series, std::string_view key) {
  size_t open = series.find('{');
  if (open == std::string_view::npos) return "";
  size_t pos = open + 1;
  while (pos < series.size()) {
    size_t eq = series.find("=\"", pos);
    if (eq == std::string_view::npos) return "";
    std::string_view name = series.substr(pos, eq - pos);
    std::string value;
    size_t i = eq + 2;
    for (; i < series.size() && series[i] != '"'; ++i) {
      if (series[i] == '\\' && i + 1 < series.size()) ++i;
      value += series[i];
    }
    if (name == key) return value;
    pos = i + 1;
    if (pos < series.size() && series[pos] == ',') ++pos;
  }
  return "";
}

MetricsScrape ParsePrometheusText(std::string_view text, double at_seconds) {
  MetricsScrape scrape;
  scrape.at_seconds = at_seconds;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty() || line[0] == '#') continue;
    // The value follows the last space (label values may hold spaces).
    size_t space = line.rfind(' ');
    if (space == std::string_view::npos || space == 0) continue;
    std::string_view value = line.substr(space + 1);
    double v = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || ptr != value.data() + value.size()) continue;
    scrape.series[std::string(line.substr(0, space))] = v;
  }
  return scrape;
}

std::vector<std::string> RenderTopFrame(const MetricsScrape& before, const MetricsScrape& now,
                                        const TopFrameOptions& options) {
  const double dt = now.at_seconds - before.at_seconds;
  auto rate = [&](const std::string& series, double value) {
    auto it = before.series.find(series);
    if (it == before.series.end() || dt <= 0) return -1.0;
    return std::max(0.0, (value - it->second) / dt);
  };
  std::map<std::tuple<std::string, int, std::string>, Row> rows;
  std::map<std::string, double> inflight;  // per pipeline
  double total_in = 0;
  double total_out = 0;
  for (const auto& [series, value] : now.series) {
    std::string_view name = NameOf(series);
    std::string pipeline = LabelOf(series, "pipeline");
    if (pipeline.empty()) continue;
    if (name == kInflight) {
      inflight[pipeline] = value;
      continue;
    }
    std::string kind = LabelOf(series, "kind");
    std::string id = LabelOf(series, "id");
    if (kind.empty() || id.empty()) continue;
    const bool component = name == kReceived || name == kSent || name == kErrors;
    const bool waiting = name == kBufferBytes || name == kKafkaLag || name == kCheckpointLag;
    if (!component && !waiting) continue;
    Row& row = rows[{pipeline, KindOrder(kind), id}];
    row.pipeline = pipeline;
    row.kind = kind;
    row.id = id;
    if (row.type.empty()) row.type = LabelOf(series, "type");
    if (name == kReceived) row.in_rate = rate(series, value);
    if (name == kSent) {
      row.out_rate = rate(series, value);
      if (kind == "input" && row.out_rate > 0) total_in += row.out_rate;
      if (kind == "output" && row.out_rate > 0) total_out += row.out_rate;
    }
    if (name == kErrors) row.errors += value;
    if (name == kBufferBytes) row.buffer_bytes = std::max(row.buffer_bytes, 0.0) + value;
    if (name == kKafkaLag) row.kafka_lag = std::max(row.kafka_lag, 0.0) + value;
    if (name == kCheckpointLag) row.checkpoint_lag = std::max(row.checkpoint_lag, 0.0) + value;
  }
  for (const auto& [key, row] : rows) inflight.try_emplace(row.pipeline, -1);

  std::vector<std::string> lines;
  lines.push_back(
      Fit(fmt::format("sluice top  {}  {} pipeline(s)  in {} ev/s  out {} ev/s", options.title,
                      inflight.size(), Count(total_in), Count(total_out)),
          options.width));
  lines.push_back(Fit(fmt::format("{:<28} {:<6} {:>9} {:>9} {:>7}  {}", "PIPELINE / COMPONENT",
                                  "KIND", "IN/s", "OUT/s", "ERRORS", "WAITING"),
                      options.width));
  auto shown = [](double v) { return v < 0 ? std::string("-") : Count(v); };
  std::vector<std::string> body;
  for (const auto& [pipeline, bytes] : inflight) {
    body.push_back(Fit(fmt::format("{:<28} {:<6} {:>9} {:>9} {:>7}  {}", pipeline, "pipe", "", "",
                                   "", bytes < 0 ? "" : "inflight " + Bytes(bytes)),
                       options.width));
    for (const auto& [key, row] : rows) {
      if (row.pipeline != pipeline) continue;
      std::string label = "  " + row.id;
      if (!row.type.empty() && row.type != row.id) label += " (" + row.type + ")";
      if (label.size() > 28) label = label.substr(0, 27) + "~";
      std::string waiting;
      if (row.buffer_bytes >= 0) waiting = "buffer " + Bytes(row.buffer_bytes);
      if (row.kafka_lag >= 0) waiting = "lag " + Count(row.kafka_lag) + " msg";
      if (row.checkpoint_lag >= 0) waiting = "ckpt " + Bytes(row.checkpoint_lag);
      body.push_back(Fit(fmt::format("{:<28} {:<6} {:>9} {:>9} {:>7}  {}", label, row.kind,
                                     row.kind == "input" ? "" : shown(row.in_rate),
                                     shown(row.out_rate), Count(row.errors), waiting),
                         options.width));
    }
  }
  const size_t room = options.height > 2 ? static_cast<size_t>(options.height) - 2 : 0;
  if (body.size() > room && room > 0) {
    size_t hidden = body.size() - (room - 1);
    body.resize(room - 1);
    body.push_back(Fit(fmt::format("... {} more row(s): a taller terminal, or --once", hidden),
                       options.width));
  }
  lines.insert(lines.end(), body.begin(), body.end());
  return lines;
}

}  // namespace sluice::agent
