#include "pipeline/metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace sluice {
namespace {

// The object in `slot`, made from `args` if the slot is still empty.
template <typename T, typename... Args>
T& MakeOnce(std::unique_ptr<T>& slot, Args&&... args) {
  if (!slot) slot = std::make_unique<T>(std::forward<Args>(args)...);
  return *slot;
}

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

void AppendLabels(std::string& out, const Labels& labels, std::string_view le = {}) {
  if (labels.empty() && le.empty()) return;
  out += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first;
    out += "=\"";
    AppendEscapedLabelValue(out, labels[i].second);
    out += '"';
  }
  if (!le.empty()) {
    if (!labels.empty()) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double v) {
  size_t i =
      static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<double> Histogram::LatencySeconds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
}

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
  return MakeOnce(GetSeries(name, help, "counter", labels).counter);
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 const Labels& labels) {
  std::lock_guard lock(mu_);
  return MakeOnce(GetSeries(name, help, "gauge", labels).gauge);
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const Labels& labels, std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  return MakeOnce(GetSeries(name, help, "histogram", labels).histogram, std::move(bounds));
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
    for (const auto& s : family.series) {
      if (s->histogram) {
        out.push_back(
            Sample{name + "_count", s->labels, static_cast<double>(s->histogram->count())});
        out.push_back(Sample{name + "_sum", s->labels, s->histogram->sum()});
        continue;
      }
      out.push_back(Sample{name, s->labels, s->Read()});
    }
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
      if (s->histogram) {
        const Histogram& h = *s->histogram;
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= h.bounds().size(); ++i) {
          cumulative += h.bucket(i);
          out += name;
          out += "_bucket";
          AppendLabels(out, s->labels, i < h.bounds().size() ? FormatValue(h.bounds()[i]) : "+Inf");
          fmt::format_to(std::back_inserter(out), " {}\n", cumulative);
        }
        out += name;
        out += "_sum";
        AppendLabels(out, s->labels);
        out += ' ';
        out += FormatValue(h.sum());
        out += '\n';
        out += name;
        out += "_count";
        AppendLabels(out, s->labels);
        fmt::format_to(std::back_inserter(out), " {}\n", h.count());
        continue;
      }
      out += name;
      AppendLabels(out, s->labels);
      out += ' ';
      out += FormatValue(s->Read());
      out += '\n';
    }
  }
  return out;
}

}  // namespace sluice
