#include "plugins/filters/sample.h"

#include "plugins/common/hash.h"

namespace sluice::filters {

SLUICE_REGISTER_FILTER(SampleFilter, "sample",
                       "Keeps 1 in N events, or all events of 1 in N keys (`key` template).");

const config::OptionSchema<SampleFilter::Options>& SampleFilter::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("rate", &Options::rate,
                "Keep 1 in `rate` events (or keys, with `key`); `1` keeps everything.",
                {.required = true, .min = int64_t{1}, .example = "100"})
           .Add("key", &Options::key,
                "Sample by key instead of by event: a template rendered per event "
                "(`{{spark.app_id}}`); all events with the same key are kept or dropped together, "
                "about 1 in `rate` keys is kept, the same on every worker, host and restart. "
                "Empty: every `rate`th event each worker sees is kept.",
                {.example = "'{{spark.app_id}}'"})
           .Add("rate_field", &Options::rate_field,
                "Field set to `rate` (an integer) on every kept event, so that counts can be "
                "scaled back up downstream. Empty: no field is added.",
                {.example = "sample.rate"})
           .Check([](const Options& o) -> std::string {
             if (!o.key.source().empty() && o.key.is_constant()) {
               return "sample: key '" + o.key.source() +
                      "' references no field and no time conversion, so every event would get "
                      "the same decision; use {{field}} references, or remove key";
             }
             return "";
           });
  return *schema;
}

Result<std::unique_ptr<SampleFilter>> SampleFilter::Build(const Options& options, PluginContext&) {
  return std::make_unique<SampleFilter>(options);
}

SampleFilter::SampleFilter(const Options& options)
    : options_(options), rate_(static_cast<uint64_t>(options.rate < 1 ? 1 : options.rate)) {}

uint64_t SampleFilter::KeyHash(std::string_view key) { return common::Mix64(common::Fnv1a(key)); }

FilterResult SampleFilter::Keep(Event& event) {
  if (!options_.rate_field.empty()) {
    event.SetView(options_.rate_field, Value::Int(static_cast<int64_t>(rate_)));
  }
  return FilterResult::kMatched;
}

FilterResult SampleFilter::Apply(Event& event) {
  if (options_.key.source().empty()) {
    bool keep = counter_ % rate_ == 0;
    ++counter_;
    return keep ? Keep(event) : FilterResult::kDropped;
  }
  key_buffer_.clear();
  if (!options_.key.Render(event, key_buffer_)) return FilterResult::kSkipped;
  return KeyHash(key_buffer_) % rate_ == 0 ? Keep(event) : FilterResult::kDropped;
}

}  // namespace sluice::filters
