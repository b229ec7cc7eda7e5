#include "pipeline/filter_stage.h"

#include "pipeline/clock.h"

namespace sluice {

FilterStage::FilterStage(const config::PluginConfig& config, MetricsRegistry& registry,
                         Labels labels)
    : config_(config),
      metrics_(std::make_unique<ComponentMetrics>(registry, labels)),
      filter_metrics_(registry, labels) {
  for (int r = 0; r < 4; ++r) {
    outcomes_[r] = &filter_metrics_.events.counter(filter_metrics_.events.LabelsWith(
        {{"outcome", FilterResultName(static_cast<FilterResult>(r))}}));
  }
}

void FilterStage::Run(Filter& filter, EventBatch& batch, std::vector<uint8_t>& dropped) {
  ComponentMetrics& m = *metrics_;
  const Condition* when = config_.when.get();
  m.received_events.Add(batch.size());
  m.received_bytes.Add(batch.MessageBytes());
  int64_t start = MonoNs();
  uint64_t counts[4] = {};
  std::vector<Event>& events = batch.events();
  dropped.assign(events.size(), 0);
  for (size_t e = 0; e < events.size(); ++e) {
    FilterResult r = FilterResult::kSkipped;
    if (when == nullptr || when->Matches(events[e])) r = filter.Apply(events[e]);
    ++counts[static_cast<int>(r)];
    if (r == FilterResult::kDropped) dropped[e] = 1;
  }
  uint64_t dropped_count = counts[static_cast<int>(FilterResult::kDropped)];
  if (dropped_count > 0) {  // compact in place, keeping order
    size_t w = 0;
    for (size_t e = 0; e < events.size(); ++e) {
      if (dropped[e]) continue;
      if (w != e) events[w] = std::move(events[e]);
      ++w;
    }
    events.erase(events.begin() + static_cast<std::ptrdiff_t>(w), events.end());
    m.discarded("dropped").Add(dropped_count);
  }
  m.busy_ns.Add(static_cast<uint64_t>(MonoNs() - start));
  for (int r = 0; r < 4; ++r) {
    if (counts[r] > 0) outcomes_[r]->Add(counts[r]);
  }
  m.sent_events.Add(batch.size());
  m.sent_bytes.Add(batch.MessageBytes());
}

}  // namespace sluice
