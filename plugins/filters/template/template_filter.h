// template filter: gives every event the template of its message, learned online (Drain, see
// template_miner.h) after masking its values (template_masker.h): `log.template_id` (16 hex
// digits, a hash of the template text, so every agent gives one template the same id),
// `log.template` (`Finished task <*> in stage <*> (TID <*>). <*> bytes result sent to driver`) and
// `log.template_new: true` on the event that starts a template (an alerting hook). The templates
// are kept under data_dir (template_state.h), saved every `save_interval` and at shutdown, and
// restored at start.
// Thread-safety: the engine builds one instance per worker; the instances of one filter share one
// miner (PluginContext::shared), which locks; each instance masks into its own scratch.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/metric_set.h"
#include "pipeline/options/regex_option.h"
#include "pipeline/registry.h"
#include "pipeline/units.h"
#include "plugins/filters/template/template_masker.h"
#include "plugins/filters/template/template_miner.h"

namespace sluice::filters {

#define SLUICE_TEMPLATE_FILTER_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                       \
  GAUGE(templates, "sluice_template_templates",                                                 \
        "Templates the filter knows (one set for all the pipeline's workers).")                 \
  COUNTER(new_templates, "sluice_template_new_total",                                           \
          "Templates started: events marked `log.template_new`. Its rate is the new templates " \
          "per minute.")                                                                        \
  FAMILY(new_per_minute, gauge, "sluice_template_new_per_minute", "",                           \
         "Templates started in the last 60 seconds: a burst says new kinds of message.")        \
  COUNTER(evicted, "sluice_template_evicted_total",                                             \
          "Templates forgotten, the least recently matched first, to stay within "              \
          "`max_templates`.")                                                                   \
  COUNTER(save_failures, "sluice_template_save_failures_total",                                 \
          "Writes of the state file that failed (each is logged; the next save tries again).")
SLUICE_METRIC_SET(TemplateFilterMetrics, SLUICE_TEMPLATE_FILTER_METRICS);

class TemplateFilter final : public Filter {
 public:
  using Metrics = TemplateFilterMetrics;
  struct Options {
    std::string field = "message";
    std::vector<templates::Mask> masks = {templates::Mask::kPath,     templates::Mask::kIp,
                                          templates::Mask::kNumber,   templates::Mask::kHex,
                                          templates::Mask::kDuration, templates::Mask::kSize,
                                          templates::Mask::kSparkId,  templates::Mask::kId};
    std::vector<config::Regex> extra_masks;
    int64_t depth = 4;
    double similarity = 0.5;
    bool merge_words = false;
    int64_t max_children = 100;
    int64_t max_templates = 10000;
    int64_t max_tokens = 100;
    std::string id_field = "log.template_id";
    std::string template_field = "log.template";
    std::string new_field = "log.template_new";
    Duration save_interval{std::chrono::seconds(30)};
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<TemplateFilter>> Build(const Options& options,
                                                       PluginContext& context);

  // What the instances of one filter share: the masker, the miner, the state file, the metrics.
  class Shared;
  TemplateFilter(const Options& options, std::shared_ptr<Shared> shared);
  ~TemplateFilter() override;

  // kMatched: the template fields are set; kSkipped: the field is absent, not a string, or holds
  // no token.
  FilterResult Apply(Event& event) override;

 private:
  const Options options_;
  std::shared_ptr<Shared> shared_;
  templates::MaskedLine line_;
  templates::Miner::Match match_;
  std::string id_text_;
  uint64_t clock_reads_ = 0;
  int64_t now_ns_ = 0;
};

}  // namespace sluice::filters
