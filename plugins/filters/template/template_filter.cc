#include "plugins/filters/template/template_filter.h"

#include <deque>
#include <mutex>

#include "pipeline/clock.h"
#include "plugins/filters/template/template_state.h"

namespace sluice::filters {

SLUICE_REGISTER_FILTER(TemplateFilter, "template",
                       "Learns the templates of the messages as they pass (Drain) and sets "
                       "log.template_id, log.template and log.template_new.");

const config::OptionSchema<TemplateFilter::Options>& TemplateFilter::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("field", &Options::field,
                "The text to find the template of: `message`, or a string field (e.g. the "
                "message grok left without its log4j header, which is `message` with the shipped "
                "patterns).",
                {.non_empty = true})
           .Add("masks", &Options::masks,
                "The kinds of values replaced by `<*>` before clustering (see "
                "docs/plugins/filters/template.md#masks). `[]`: none.")
           .Add("extra_masks", &Options::extra_masks,
                "More values to mask: RE2 expressions, each matched against a whole token "
                "without the brackets, quotes and punctuation around it.",
                {.example = "['[a-z]+-[a-z]+-[a-z]+']"})
           .Add("depth", &Options::depth,
                "Depth of Drain's tree: lines are grouped by token count, then by their first "
                "`depth - 2` tokens, before templates are compared.",
                {.min = int64_t{3}, .max = int64_t{16}})
           .Add("similarity", &Options::similarity,
                "Share of a line's tokens that must equal a template's (or meet its `<*>`) for "
                "the line to join it.",
                {.min = 0.0, .max = 1.0})
           .Add("merge_words", &Options::merge_words,
                "Let two different plain words at one position become a `<*>` (classic Drain). "
                "Off: they make two templates (`stored as bytes` / `stored as values`); values "
                "are masked first, so what differs in a word is most often the statement.")
           .Add("max_children", &Options::max_children,
                "Children of a tree node; a new token past this many goes down the `<*>` branch.",
                {.min = int64_t{1}})
           .Add("max_templates", &Options::max_templates,
                "Templates kept; past it, the least recently matched one is forgotten. Each costs "
                "a few times its text's length in memory.",
                {.min = int64_t{1}})
           .Add("max_tokens", &Options::max_tokens,
                "Tokens read from a line; the rest of a longer line is one `<*>`.",
                {.min = int64_t{2}})
           .Add("id_field", &Options::id_field,
                "Field set to the template id (16 hex digits). Empty: not set.")
           .Add("template_field", &Options::template_field,
                "Field set to the template text. Empty: not set.")
           .Add("new_field", &Options::new_field,
                "Field set to `true` on the event that starts a template. Empty: not set.")
           .Add("save_interval", &Options::save_interval,
                "How often the templates are written to data_dir (also at shutdown). `0s`: "
                "only at shutdown.");
  return *schema;
}

namespace {

// When templates were started, for sluice_template_new_per_minute.
class RecentStarts {
 public:
  void Add(int64_t now_ns) {
    std::lock_guard lock(mu_);
    Prune(now_ns);
    if (starts_.size() < kMaxKept) starts_.push_back(now_ns);
  }
  double Count(int64_t now_ns) {
    std::lock_guard lock(mu_);
    Prune(now_ns);
    return static_cast<double>(starts_.size());
  }

 private:
  static constexpr int64_t kWindowNs = 60'000'000'000;
  static constexpr size_t kMaxKept = 1'000'000;
  void Prune(int64_t now_ns) {
    while (!starts_.empty() && now_ns - starts_.front() > kWindowNs) starts_.pop_front();
  }
  std::mutex mu_;
  std::deque<int64_t> starts_;
};

}  // namespace

class TemplateFilter::Shared {
 public:
  Shared(const Options& o, PluginContext& context)
      : masker(o.masks, o.extra_masks, static_cast<size_t>(o.max_tokens)),
        miner({.depth = static_cast<size_t>(o.depth),
               .similarity = o.similarity,
               .max_children = static_cast<size_t>(o.max_children),
               .max_templates = static_cast<size_t>(o.max_templates),
               .merge_words = o.merge_words}),
        logger_(context.logger),
        save_interval_ns_(o.save_interval.value.count()) {
    if (context.metrics != nullptr) {
      metrics.emplace(*context.metrics);
      metrics->new_per_minute.AddFunction(metrics->new_per_minute.labels(),
                                          [weak = std::weak_ptr<RecentStarts>(recent)] {
                                            auto r = weak.lock();
                                            return r ? r->Count(MonoNs()) : 0.0;
                                          });
    }
  }

  ~Shared() { Save(); }

  void Load(std::unique_ptr<templates::TemplateState> state) {
    state_ = std::move(state);
    for (const templates::TemplateInfo& t : state_->Load()) miner.Restore(t);
    logger_.Info("{} templates restored from {}", miner.size(), state_->path());
    if (metrics) metrics->templates.Set(static_cast<int64_t>(miner.size()));
    next_save_ns_ = WallNs() + save_interval_ns_;
  }

  // Saves when `save_interval` has passed; one worker at a time, the others go on.
  void MaybeSave(int64_t now_ns) {
    if (state_ == nullptr || save_interval_ns_ <= 0 ||
        now_ns < next_save_ns_.load(std::memory_order_relaxed)) {
      return;
    }
    std::unique_lock lock(save_mu_, std::try_to_lock);
    if (!lock.owns_lock()) return;
    next_save_ns_ = now_ns + save_interval_ns_;
    SaveLocked();
  }

  void Save() {
    std::lock_guard lock(save_mu_);
    SaveLocked();
  }

  const templates::Masker masker;
  templates::Miner miner;
  std::shared_ptr<RecentStarts> recent = std::make_shared<RecentStarts>();
  std::optional<Metrics> metrics;

 private:
  void SaveLocked() {
    if (state_ == nullptr) return;
    Status s = state_->Save(miner.Snapshot());
    if (!s.ok()) {
      if (metrics) metrics->save_failures.Add(1);
      logger_.Warn("cannot save the templates: {}", s.message());
    }
  }

  Logger logger_;
  const int64_t save_interval_ns_;
  std::unique_ptr<templates::TemplateState> state_;
  std::atomic<int64_t> next_save_ns_{0};
  std::mutex save_mu_;
};

Result<std::unique_ptr<TemplateFilter>> TemplateFilter::Build(const Options& options,
                                                              PluginContext& context) {
  std::shared_ptr<Shared> shared;
  if (context.shared != nullptr && *context.shared != nullptr) {
    shared = std::static_pointer_cast<Shared>(*context.shared);
  } else {
    shared = std::make_shared<Shared>(options, context);
    if (!context.data_dir.empty()) {
      auto state = templates::TemplateState::Open(
          templates::TemplateState::PathFor(context.data_dir, context.pipeline, context.id),
          context.logger);
      if (!state.ok()) return state.status();
      shared->Load(std::move(state).value());
    }
    if (context.shared != nullptr) *context.shared = shared;
  }
  return std::make_unique<TemplateFilter>(options, std::move(shared));
}

TemplateFilter::TemplateFilter(const Options& options, std::shared_ptr<Shared> shared)
    : options_(options), shared_(std::move(shared)) {}

TemplateFilter::~TemplateFilter() = default;

FilterResult TemplateFilter::Apply(Event& event) {
  std::optional<std::string_view> text = event.GetText(options_.field);
  if (!text) return FilterResult::kSkipped;
  shared_->masker.Apply(*text, &line_);
  if (line_.size() == 0) return FilterResult::kSkipped;
  if ((clock_reads_++ & 63) == 0) now_ns_ = WallNs();  // seconds matter: read it now and then
  shared_->miner.Add(line_, templates::Miner::LineHash(line_), now_ns_ / 1'000'000'000, &match_);
  Arena& arena = event.arena();
  if (!options_.id_field.empty()) {
    id_text_ = templates::Miner::IdText(match_.id);
    event.SetView(options_.id_field, Value::String(arena.Copy(id_text_)));
  }
  if (!options_.template_field.empty()) {
    event.SetView(options_.template_field, Value::String(arena.Copy(match_.text)));
  }
  if (match_.created) {
    if (!options_.new_field.empty()) event.SetView(options_.new_field, Value::Bool(true));
    if (shared_->metrics) {
      shared_->metrics->new_templates.Add(1);
      shared_->recent->Add(MonoNs());
      shared_->metrics->templates.Set(static_cast<int64_t>(shared_->miner.size()));
      if (match_.evicted) shared_->metrics->evicted.Add(1);
    }
  }
  shared_->MaybeSave(now_ns_);
  return FilterResult::kMatched;
}

}  // namespace sluice::filters
