#include "plugins/filters/drop.h"

#include <cmath>
#include <string_view>

#include "plugins/common/hash.h"

namespace sluice::filters {

SLUICE_REGISTER_FILTER(DropFilter, "drop",
                       "Removes the events its `when:` selects (optionally a stable percentage).");

namespace {

constexpr uint64_t kAllBits53 = uint64_t{1} << 53;

}  // namespace

const config::OptionSchema<DropFilter::Options>& DropFilter::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("percentage", &Options::percentage,
                "Share of the selected events to drop, in percent. Below 100 the events are "
                "picked by a hash of the message and the source position, so replaying the same "
                "data drops the same events.",
                {.min = 0.0, .max = 100.0, .example = "90"});
  return *schema;
}

Result<std::unique_ptr<DropFilter>> DropFilter::Build(const Options& options, PluginContext&) {
  return std::make_unique<DropFilter>(options);
}

DropFilter::DropFilter(const Options& options)
    : threshold_(static_cast<uint64_t>(
          std::llround(options.percentage / 100.0 * static_cast<double>(kAllBits53)))),
      drop_all_(options.percentage >= 100.0) {}

uint64_t DropFilter::EventHash(const Event& event) {
  uint64_t h = common::Fnv1a(event.message());
  h = common::Fnv1aU64(event.metadata().source_id, h);
  h = common::Fnv1aU64(event.metadata().offset, h);
  return common::Mix64(h);
}

FilterResult DropFilter::Apply(Event& event) {
  if (drop_all_) return FilterResult::kDropped;
  if (threshold_ == 0) return FilterResult::kSkipped;
  return (EventHash(event) >> 11) < threshold_ ? FilterResult::kDropped : FilterResult::kSkipped;
}

}  // namespace sluice::filters
