// drop filter: removes the events it is applied to. Which events is the engine's `when:` condition
// (`when: 'log.level == "DEBUG"'`); without one, every event. `percentage` drops only that share of
// them, chosen by a hash of the event's message and source position (source id and offset), so a
// replay of the same bytes drops the same events.
// Thread-safety: one instance per worker thread; Apply() touches only immutable state.
#pragma once

#include <cstdint>
#include <memory>

#include "pipeline/registry.h"

namespace sluice::filters {

class DropFilter final : public Filter {
 public:
  struct Options {
    double percentage = 100;
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<DropFilter>> Build(const Options& options, PluginContext& context);

  explicit DropFilter(const Options& options);

  // kDropped for the events picked (all of them at percentage 100), kSkipped for the rest.
  FilterResult Apply(Event& event) override;

  // The 64-bit hash the drop decision is based on: FNV-1a over the message bytes, then over the
  // source id and offset (8 bytes each, little-endian), then the MurmurHash3 finalizer. Fixed
  // across hosts, restarts and builds. Exposed for tests.
  static uint64_t EventHash(const Event& event);

 private:
  // An event is dropped when EventHash() >> 11 (53 bits) is below this; 2^53 drops everything.
  uint64_t threshold_;
  bool drop_all_;
};

}  // namespace sluice::filters
