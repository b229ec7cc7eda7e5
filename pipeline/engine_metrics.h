// The metrics the engine keeps for every component, filter and pipeline, declared once each
// (pipeline/metric_set.h): their docs tables in docs/operations.md are generated from these lists.
// ComponentMetrics: the standard set of one input, filter or output instance, labelled
// pipeline/kind/type/id; the engine moves them, plugins add discards and errors. FilterMetrics: a
// filter's events by outcome. PipelineMetrics: one pipeline's batches, in-flight bound and ack
// latency, labelled pipeline.
// Thread-safety: as MetricsRegistry.
#pragma once

#include <string_view>

#include "pipeline/metric_set.h"
#include "pipeline/metrics.h"

namespace sluice {

#define SLUICE_COMPONENT_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                               \
  COUNTER(received_events, "sluice_component_received_events_total",                              \
          "Events the component received. Outputs: events of the batches handed to the "          \
          "plugin. Filters: events entering the filter. Inputs: not used, stays 0.")              \
  COUNTER(received_bytes, "sluice_component_received_bytes_total",                                \
          "Message bytes of the events the component received.")                                  \
  COUNTER(sent_events, "sluice_component_sent_events_total",                                      \
          "Inputs: events handed to the pipeline (after the in-flight bound admitted them); "     \
          "filters: events left after the filter; outputs: events acked by the destination.")     \
  COUNTER(sent_bytes, "sluice_component_sent_bytes_total",                                        \
          "Message bytes of the events the component passed on.")                                 \
  COUNTER(errors, "sluice_component_errors_total",                                                \
          "Errors the component met. Outputs: +1 per batch failed (given up, or a handle "        \
          "dropped without ack; for `file`, the batches of a failed fsync); `file`: also +1 "     \
          "per failed open or write attempt; `stdin`: +1 on a read error.")                       \
  COUNTER(busy_ns, "sluice_component_busy_nanoseconds_total",                                     \
          "Time spent in the component's calls: filters in their chain stage (the `when:` "       \
          "checks and the filter of a batch), outputs in Write(). Inputs: stays 0. rate() of "    \
          "it / 1e9 is how many threads' worth of time the component takes.")                     \
  FAMILY(discarded_events, counter, "sluice_component_discarded_events_total", "reason",          \
         "Events thrown away on purpose or by failure, by reason; the engine uses "               \
         "reason=\"dropped\" for events a filter removed, outputs \"dead_letter\" for what they " \
         "wrote to their dead-letter file.")
SLUICE_METRIC_SET(ComponentMetricSet, SLUICE_COMPONENT_METRICS);

class ComponentMetrics : public ComponentMetricSet {
 public:
  ComponentMetrics(MetricsRegistry& registry, Labels labels)
      : ComponentMetricSet(registry, labels), labels_(std::move(labels)) {}
  // Events thrown away on purpose or by failure, by reason (e.g. "dropped", "dead_letter").
  Counter& discarded(std::string_view reason) {
    return discarded_events.counter(discarded_events.LabelsWith({{"reason", std::string(reason)}}));
  }
  MetricsRegistry& registry() const { return registry_; }
  const Labels& labels() const { return labels_; }

 private:
  Labels labels_;
};

#define SLUICE_FILTER_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                                 \
  FAMILY(events, counter, "sluice_filter_events_total", "outcome",                               \
         "Events a filter handled, by outcome: matched (parsed, set, kept), failed (could not "  \
         "handle: no match, invalid JSON, bad date; kept and tagged), skipped (not selected by " \
         "its when:, or nothing to do), dropped (removed: drop, sample).")
SLUICE_METRIC_SET(FilterMetrics, SLUICE_FILTER_METRICS);

#define SLUICE_PIPELINE_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                            \
  COUNTER(acked_batches, "sluice_pipeline_acked_batches_total",                               \
          "Batches acked by every output (a batch its filters emptied counts too).")          \
  COUNTER(failed_batches, "sluice_pipeline_failed_batches_total",                             \
          "Batches at least one output failed; their source's checkpoint stops before the "   \
          "first of them for the rest of the run, and `sluice run` ends with exit code 3.")   \
  HISTOGRAM(ack_seconds, "sluice_pipeline_ack_seconds",                                       \
            "Seconds from an input handing a batch over to every output having acked it: "    \
            "filters, output queues and the destinations' acknowledgements. Buckets 5 ms to " \
            "120 s. Batches an output failed are not observed.")                              \
  FAMILY(inflight_bytes, gauge, "sluice_pipeline_inflight_bytes", "",                         \
         "Bytes charged against max_inflight_bytes right now (batch memory, not message "     \
         "bytes).")                                                                           \
  FAMILY(inflight_batches, gauge, "sluice_pipeline_inflight_batches", "",                     \
         "Batches emitted and not yet settled by every output (checkpoint lag).")             \
  FAMILY(inflight_bytes_limit, gauge, "sluice_pipeline_inflight_bytes_limit", "",             \
         "The pipeline's max_inflight_bytes.")                                                \
  FAMILY(backpressure_waits, counter, "sluice_pipeline_backpressure_waits_total", "",         \
         "Times an input had to wait because max_inflight_bytes was reached.")
SLUICE_METRIC_SET(PipelineMetrics, SLUICE_PIPELINE_METRICS);

}  // namespace sluice
