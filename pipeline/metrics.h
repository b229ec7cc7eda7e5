// Metrics: counters, gauges and histograms with labels, declared with help text, exported in the
// Prometheus text format and as JSON. Components declare theirs once, in a metric set
// (pipeline/metric_set.h); the engine's own are in pipeline/engine_metrics.h.
// Thread-safety: Counter/Gauge/Histogram updates are lock-free; registration and export take a
// lock. Returned references stay valid for the registry's lifetime.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Observations counted in buckets (Prometheus histogram): how many were at most each bound, their
// sum and their count.
class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, ascending; +Inf is implied.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  const std::vector<double>& bounds() const { return bounds_; }
  // Observations in bucket i (v <= bounds[i] and above the bound before); i == bounds().size() is
  // the +Inf bucket. Not cumulative.
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

  // Seconds from 5 ms to 2 minutes: request, upload and acknowledgement latencies.
  static std::vector<double> LatencySeconds();

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

class MetricsRegistry {
 public:
  // Returns the counter for (name, labels), creating it (and its family) on first use.
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels);
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels);
  // The histogram for (name, labels); `bounds` apply when it is created.
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels,
                          std::vector<double> bounds = Histogram::LatencySeconds());
  // A gauge whose value is read from `read` at export time.
  void AddGaugeFunction(std::string_view name, std::string_view help, const Labels& labels,
                        std::function<double()> read);
  // A counter kept elsewhere (it must only grow), read from `read` at export time.
  void AddCounterFunction(std::string_view name, std::string_view help, const Labels& labels,
                          std::function<double()> read);
  // Drops one function series (a gauge of a file that is gone). Counter/Gauge series stay: their
  // references may be held.
  void RemoveFunction(std::string_view name, const Labels& labels);

  // A histogram gives two samples: NAME_count and NAME_sum.
  struct Sample {
    std::string name;
    Labels labels;
    double value;
  };
  std::vector<Sample> Snapshot() const;
  // The Prometheus text exposition format, version 0.0.4.
  std::string PrometheusText() const;

 private:
  struct Series {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;
    double Read() const;
  };
  struct Family {
    std::string help;
    std::string type;  // "counter", "gauge" or "histogram"
    std::vector<std::unique_ptr<Series>> series;
  };
  Series& GetSeries(std::string_view name, std::string_view help, std::string_view type,
                    const Labels& labels);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace sluice
