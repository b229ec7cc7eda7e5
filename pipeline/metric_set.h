// Metric sets: a component's metrics declared once, in one macro list that gives each metric its
// member name, Prometheus name, type and help text (Envoy's stats macros, done the same way). From
// that list come the struct the component uses (members bound to its labels), the registration,
// and the docs table (`sluice plugins --markdown`; scripts/gen-docs copies it between the
// `<!-- metrics:begin -->` markers, and a unit test fails when a table is stale). A metric
// registered any other way is one a reader of the docs never hears of: don't.
//
//   #define SLUICE_KAFKA_OUTPUT_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)
//     COUNTER(delivered, "sluice_kafka_output_delivered_messages_total", "Messages ...")
//     FAMILY(queue_messages, gauge, "sluice_kafka_output_queue_messages", "", "Messages ...")
//   SLUICE_METRIC_SET(KafkaOutputMetrics, SLUICE_KAFKA_OUTPUT_METRICS);
//
//   KafkaOutputMetrics metrics_{*context.metrics};   // or (registry, labels)
//   metrics_.delivered.Add(n);
//   metrics_.queue_messages.AddFunction(metrics_.queue_messages.labels(), [this] { ... });
//
// (The list is one macro: its lines end in backslashes.)
// COUNTER, GAUGE and HISTOGRAM (latency buckets, Histogram::LatencySeconds) are one series each,
// labelled with the component's labels. FAMILY(member, counter|gauge, name, extra_labels, help)
// is for series made later: with extra labels ("topic, partition"; the docs list them) or read
// from a function at export time.
// A plugin names its set `using Metrics = ...;` so that the registry can list it.
// Thread-safety: as MetricsRegistry: construct anywhere, update lock-free.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "pipeline/metrics.h"

namespace sluice {

// What the docs know of one declared metric.
struct MetricInfo {
  std::string name;
  std::string type;    // counter, gauge or histogram
  std::string labels;  // labels beyond the component's, e.g. "reason"; "" when none
  std::string help;
};

// A declared metric whose series are made later (extra labels, or read from a function).
class MetricFamily {
 public:
  MetricFamily(MetricsRegistry& registry, const Labels& labels, MetricInfo info)
      : registry_(registry), labels_(labels), info_(std::move(info)) {}

  // The component's labels, then `extra`.
  Labels LabelsWith(const Labels& extra) const {
    Labels l = labels_;
    l.insert(l.end(), extra.begin(), extra.end());
    return l;
  }
  const Labels& labels() const { return labels_; }
  const std::string& name() const { return info_.name; }

  // The series for `labels` (pass LabelsWith(...)); the family must be a counter / a gauge.
  Counter& counter(const Labels& labels) const {
    return registry_.GetCounter(info_.name, info_.help, labels);
  }
  Gauge& gauge(const Labels& labels) const {
    return registry_.GetGauge(info_.name, info_.help, labels);
  }
  // A series read from `read` at export time, of the family's type.
  void AddFunction(const Labels& labels, std::function<double()> read) const {
    if (info_.type == "counter") {
      registry_.AddCounterFunction(info_.name, info_.help, labels, std::move(read));
    } else {
      registry_.AddGaugeFunction(info_.name, info_.help, labels, std::move(read));
    }
  }
  void Remove(const Labels& labels) const { registry_.RemoveFunction(info_.name, labels); }

 private:
  MetricsRegistry& registry_;
  Labels labels_;
  MetricInfo info_;
};

// The markdown table of `infos` for docs/ (metric, type, labels, meaning).
std::string MetricsMarkdown(const std::vector<MetricInfo>& infos);

}  // namespace sluice

#define SLUICE_METRIC_FIELD_C_(member, name, help) ::sluice::Counter& member;
#define SLUICE_METRIC_FIELD_G_(member, name, help) ::sluice::Gauge& member;
#define SLUICE_METRIC_FIELD_H_(member, name, help) ::sluice::Histogram& member;
#define SLUICE_METRIC_FIELD_F_(member, type, name, extra, help) ::sluice::MetricFamily member;
#define SLUICE_METRIC_INIT_C_(member, name, help) member(registry.GetCounter(name, help, labels)),
#define SLUICE_METRIC_INIT_G_(member, name, help) member(registry.GetGauge(name, help, labels)),
#define SLUICE_METRIC_INIT_H_(member, name, help) member(registry.GetHistogram(name, help, labels)),
#define SLUICE_METRIC_INIT_F_(member, type, name, extra, help) \
  member(registry, labels, ::sluice::MetricInfo{name, #type, extra, help}),
#define SLUICE_METRIC_INFO_C_(member, name, help) ::sluice::MetricInfo{name, "counter", "", help},
#define SLUICE_METRIC_INFO_G_(member, name, help) ::sluice::MetricInfo{name, "gauge", "", help},
#define SLUICE_METRIC_INFO_H_(member, name, help) ::sluice::MetricInfo{name, "histogram", "", help},
#define SLUICE_METRIC_INFO_F_(member, type, name, extra, help) \
  ::sluice::MetricInfo{name, #type, extra, help},

// Defines `struct Struct` from the metric list macro LIST (see the top of this file).
#define SLUICE_METRIC_SET(Struct, LIST)                                                 \
  struct Struct {                                                                       \
    Struct(::sluice::MetricsRegistry& registry, const ::sluice::Labels& labels)         \
        : LIST(SLUICE_METRIC_INIT_C_, SLUICE_METRIC_INIT_G_, SLUICE_METRIC_INIT_H_,     \
               SLUICE_METRIC_INIT_F_) registry_(registry) {}                            \
    template <typename Component>                                                       \
    explicit Struct(const Component& component)                                         \
        : Struct(component.registry(), component.labels()) {}                           \
    static std::vector<::sluice::MetricInfo> Infos() {                                  \
      return {LIST(SLUICE_METRIC_INFO_C_, SLUICE_METRIC_INFO_G_, SLUICE_METRIC_INFO_H_, \
                   SLUICE_METRIC_INFO_F_)};                                             \
    }                                                                                   \
    LIST(SLUICE_METRIC_FIELD_C_, SLUICE_METRIC_FIELD_G_, SLUICE_METRIC_FIELD_H_,        \
         SLUICE_METRIC_FIELD_F_)                                                        \
    ::sluice::MetricsRegistry& registry_;                                               \
  }
