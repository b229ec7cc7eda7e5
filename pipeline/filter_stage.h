// FilterStage: one filter of a pipeline's chain as the engine runs it: the `when:` condition, the
// filter's metrics (shared by every worker's instance of it) and the loop that applies an instance
// to a batch, counts outcomes and removes dropped events. Used by the pipeline's workers and by
// `sluice test`.
// Thread-safety: a FilterStage is shared by the workers (its counters are atomic); Run() may be
// called from several threads at once, each with its own Filter instance and scratch.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "pipeline/condition.h"
#include "pipeline/config.h"
#include "pipeline/engine_metrics.h"
#include "pipeline/plugin.h"

namespace sluice {

class FilterStage {
 public:
  // Registers the stage's metrics, labelled `labels` (pipeline/kind/type/id).
  FilterStage(const config::PluginConfig& config, MetricsRegistry& registry, Labels labels);

  ComponentMetrics& metrics() { return *metrics_; }
  const config::PluginConfig& config() const { return config_; }
  // PluginContext::shared for the stage's filter instances.
  std::shared_ptr<void>* shared_slot() { return &shared_; }

  // Applies `filter` (an instance of this stage's plugin) to the events of `batch` that `when:`
  // selects, in order; removes the dropped ones. `dropped` is scratch space, reused.
  void Run(Filter& filter, EventBatch& batch, std::vector<uint8_t>& dropped);

 private:
  const config::PluginConfig& config_;
  std::unique_ptr<ComponentMetrics> metrics_;
  FilterMetrics filter_metrics_;
  Counter* outcomes_[4];  // by FilterResult
  std::shared_ptr<void> shared_;
};

}  // namespace sluice
