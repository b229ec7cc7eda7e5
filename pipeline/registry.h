// The plugin registry: one table of factories keyed by (kind, type), filled by each plugin's own
// .cc through SLUICE_REGISTER_INPUT/FILTER/OUTPUT. A factory parses the plugin's options with its
// OptionSchema (parsing is separate from building so `validate` does no I/O) and builds instances.
// Thread-safety: registration happens during static initialization; afterwards read-only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pipeline/metric_set.h"
#include "pipeline/options/option_schema.h"
#include "pipeline/plugin.h"

namespace sluice {

class PluginFactory {
 public:
  PluginFactory(PluginKind kind, std::string type, std::string summary)
      : kind_(kind), type_(std::move(type)), summary_(std::move(summary)) {}
  virtual ~PluginFactory() = default;

  PluginKind kind() const { return kind_; }
  const std::string& type() const { return type_; }
  const std::string& summary() const { return summary_; }
  virtual const std::vector<config::OptionInfo>& options() const = 0;
  // The plugin's own metrics (its `Metrics` set), beyond the standard component ones.
  virtual std::vector<MetricInfo> metrics() const = 0;

  // Parses the plugin's options from `r`; errors go to r.diags(). Returns the typed options.
  virtual std::shared_ptr<const void> ParseOptions(
      const config::NodeReader& r, const std::vector<std::string>& reserved) const = 0;
  virtual Result<std::unique_ptr<Input>> BuildInput(const void*, PluginContext&) const {
    return Internal("not an input");
  }
  virtual Result<std::unique_ptr<Filter>> BuildFilter(const void*, PluginContext&) const {
    return Internal("not a filter");
  }
  virtual Result<std::unique_ptr<Output>> BuildOutput(const void*, PluginContext&) const {
    return Internal("not an output");
  }
  // Inputs: cuts `text` into events the way the input configured by `options` would (its
  // multiline rules), appending them to `out`; for `sluice test`. Without a plugin's own
  // P::FrameForTest(const Options&, std::string_view, EventBatch&), each line ('\n', a '\r'
  // before it dropped) is one event.
  virtual void FrameForTest(const void* options, std::string_view text, EventBatch& out) const;

 private:
  PluginKind kind_;
  std::string type_;
  std::string summary_;
};

class Registry {
 public:
  static Registry& Get();
  void Add(std::unique_ptr<PluginFactory> factory);
  const PluginFactory* Find(PluginKind kind, std::string_view type) const;
  // The types registered for `kind`, sorted.
  std::vector<std::string> Types(PluginKind kind) const;
  std::vector<const PluginFactory*> All() const;

 private:
  std::vector<std::unique_ptr<PluginFactory>> factories_;
};

// The factory for plugin class P, which provides: `struct Options` with `static const
// config::OptionSchema<Options>& Schema()`, and `static Result<std::unique_ptr<Base>>
// Build(const Options&, PluginContext&)`; and, when it keeps metrics of its own, `using Metrics`
// naming its metric set (pipeline/metric_set.h).
template <typename P, PluginKind K>
class TypedFactory final : public PluginFactory {
 public:
  using PluginFactory::PluginFactory;
  const std::vector<config::OptionInfo>& options() const override {
    return P::Options::Schema().infos();
  }
  std::vector<MetricInfo> metrics() const override {
    if constexpr (requires { P::Metrics::Infos(); }) {
      return P::Metrics::Infos();
    } else {
      return {};
    }
  }
  std::shared_ptr<const void> ParseOptions(
      const config::NodeReader& r, const std::vector<std::string>& reserved) const override {
    auto options = std::make_shared<typename P::Options>();
    std::string what = std::string(PluginKindName(K)) + " '" + type() + "'";
    P::Options::Schema().Parse(r, options.get(), what, reserved);
    return options;
  }
  void FrameForTest(const void* o, std::string_view text, EventBatch& out) const override {
    if constexpr (requires(const typename P::Options& options) {
                    P::FrameForTest(options, text, out);
                  }) {
      P::FrameForTest(*static_cast<const typename P::Options*>(o), text, out);
    } else {
      PluginFactory::FrameForTest(o, text, out);
    }
  }
  Result<std::unique_ptr<Input>> BuildInput(const void* o, PluginContext& c) const override {
    if constexpr (K == PluginKind::kInput) return Built<Input>(o, c);
    return Internal("not an input");
  }
  Result<std::unique_ptr<Filter>> BuildFilter(const void* o, PluginContext& c) const override {
    if constexpr (K == PluginKind::kFilter) return Built<Filter>(o, c);
    return Internal("not a filter");
  }
  Result<std::unique_ptr<Output>> BuildOutput(const void* o, PluginContext& c) const override {
    if constexpr (K == PluginKind::kOutput) return Built<Output>(o, c);
    return Internal("not an output");
  }

 private:
  template <typename Base>
  Result<std::unique_ptr<Base>> Built(const void* o, PluginContext& c) const {
    auto built = P::Build(*static_cast<const typename P::Options*>(o), c);
    if (!built.ok()) return built.status();
    return std::unique_ptr<Base>(std::move(built).value());
  }
};

template <typename P, PluginKind K>
struct Registration {
  Registration(const char* type, const char* summary) {
    Registry::Get().Add(std::make_unique<TypedFactory<P, K>>(K, type, summary));
  }
};

}  // namespace sluice

#define SLUICE_REGISTER_PLUGIN_(Class, kind, type, summary) \
  static const ::sluice::Registration<Class, kind> sluice_registration_##Class { type, summary }

#define SLUICE_REGISTER_INPUT(Class, type, summary) \
  SLUICE_REGISTER_PLUGIN_(Class, ::sluice::PluginKind::kInput, type, summary)
#define SLUICE_REGISTER_FILTER(Class, type, summary) \
  SLUICE_REGISTER_PLUGIN_(Class, ::sluice::PluginKind::kFilter, type, summary)
#define SLUICE_REGISTER_OUTPUT(Class, type, summary) \
  SLUICE_REGISTER_PLUGIN_(Class, ::sluice::PluginKind::kOutput, type, summary)
