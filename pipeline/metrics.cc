#include "pipeline/metrics.h"

#include <fmt/format.h>

namespace sluice {
namespace {

void AppendEscapedLabelValue(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

std::string FormatValue(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v))) {
    return fmt::format("{}", static_cast<int64_t>(v));
  }
  return fmt::format("{}", v);
}

}  // namespace

double MetricsRegistry::Series::Read() const {
  if (counter) return static_cast<double>(counter->value());
  if (gauge) return static_cast<double>(gauge->value());
  return read ? read() : 0.0;
}

MetricsRegistry::Series& MetricsRegistry::GetSeries(std::string_view name, std::string_view help,
                                                    std::string_view type, const Labels& labels) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{std::string(help), std::string(type), {}})
             .first;
  }
  for (auto& s : it->second.series) {
    if (s->labels == labels) return *s;
  }
  auto& s = it->second.series.emplace_back(std::make_unique<Series>());
  s->labels = labels;
  return *s;
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const Labels& labels) {
  std::lock_guard lock(mu_);
  Series& s = GetSeries(name, help, "counter", labels);
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 const Labels& labels) {
  std::lock_guard lock(mu_);
  Series& s = GetSeries(name, help, "gauge", labels);
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

void MetricsRegistry::AddGaugeFunction(std::string_view name, std::string_view help,
                                       const Labels& labels, std::function<double()> read) {
  std::lock_guard lock(mu_);
  GetSeries(name, help, "gauge", labels).read = std::move(read);
}

void MetricsRegistry::AddCounterFunction(std::string_view name, std::string_view help,
                                         const Labels& labels, std::function<double()> read) {
  std::lock_guard lock(mu_);
  GetSeries(name, help, "counter", labels).read = std::move(read);
}

void MetricsRegistry::RemoveFunction(std::string_view name, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  std::erase_if(it->second.series, [&](const std::unique_ptr<Series>& s) {
    return s->labels == labels && !s->counter && !s->gauge;
  });
}

std::vector<MetricsRegistry::Sample> MetricsRegistry::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<Sample> out;
  for (const auto& [name, family] : families_) {
    for (const auto& s : family.series) out.push_back(Sample{name, s->labels, s->Read()});
  }
  return out;
}

std::string MetricsRegistry::PrometheusText() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, family.help, name,
                   family.type);
    for (const auto& s : family.series) {
      out += name;
      if (!s->labels.empty()) {
        out += '{';
        for (size_t i = 0; i < s->labels.size(); ++i) {
          if (i > 0) out += ',';
          out += s->labels[i].first;
          out += "=\"";
          AppendEscapedLabelValue(out, s->labels[i].second);
          out += '"';
        }
        out += '}';
      }
      out += ' ';
      out += FormatValue(s->Read());
      out += '\n';
    }
  }
  return out;
}

ComponentMetrics::ComponentMetrics(MetricsRegistry& registry, Labels labels)
    : received_events(registry.GetCounter("sluice_component_received_events_total",
                                          "Events the component received.", labels)),
      received_bytes(registry.GetCounter("sluice_component_received_bytes_total",
                                         "Message bytes the component received.", labels)),
      sent_events(registry.GetCounter(
          "sluice_component_sent_events_total",
          "Events the component passed on (outputs: acknowledged by the destination).", labels)),
      sent_bytes(registry.GetCounter("sluice_component_sent_bytes_total",
                                     "Message bytes the component passed on.", labels)),
      errors(registry.GetCounter(
          "sluice_component_errors_total",
          "Errors the component met (failed writes, batches an output gave up on).", labels)),
      busy_ns(registry.GetCounter("sluice_component_busy_nanoseconds_total",
                                  "Time spent in the component's Process or Write calls.", labels)),
      registry_(registry),
      labels_(std::move(labels)) {}

Counter& ComponentMetrics::discarded(std::string_view reason) {
  Labels l = labels_;
  l.emplace_back("reason", std::string(reason));
  return registry_.GetCounter("sluice_component_discarded_events_total",
                              "Events the component discarded, by reason.", l);
}

}  // namespace sluice
