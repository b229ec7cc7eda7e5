// sample filter: keeps 1 in `rate` events and drops the rest.
// - Without `key`: a counter per filter instance keeps the 1st, (rate+1)th, ... event it sees. The
//   engine runs one instance per worker thread, so each worker keeps exactly 1 in `rate` of the
//   events it handles; which events is not stable across restarts (the counters start over).
// - With `key` (a template such as `{{spark.app_id}}`): an event is kept when the hash of its
//   rendered key falls in bucket 0 of `rate`, so all events of one key are kept or dropped
//   together, on every worker and host and after restarts. About 1 in `rate` keys is kept. Events
//   whose key references a field they lack are kept and not counted (kSkipped).
// Thread-safety: one instance per worker thread; Apply() uses the instance's own counter and
// buffer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "pipeline/registry.h"
#include "pipeline/template.h"

namespace sluice::filters {

class SampleFilter final : public Filter {
 public:
  struct Options {
    int64_t rate = 1;
    Template key;
    std::string rate_field;
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<SampleFilter>> Build(const Options& options,
                                                     PluginContext& context);

  explicit SampleFilter(const Options& options);

  // kMatched when the event is kept, kDropped when it is not, kSkipped when `key` references a
  // field the event lacks (kept, unsampled).
  FilterResult Apply(Event& event) override;

  // The keyed sampling hash: 64-bit FNV-1a of the rendered key, then the MurmurHash3 finalizer.
  // A key is kept when KeyHash(key) % rate == 0. Fixed across hosts, restarts and builds.
  static uint64_t KeyHash(std::string_view key);

 private:
  FilterResult Keep(Event& event);

  const Options options_;
  const uint64_t rate_;
  uint64_t counter_ = 0;
  std::string key_buffer_;
};

}  // namespace sluice::filters
