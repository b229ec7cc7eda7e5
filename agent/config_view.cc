#include "agent/config_view.h"

#include "pipeline/registry.h"

namespace sluice::agent {
namespace {

using config::ConfigValue;

// Appends the entries of map `from` to map `to`.
void Merge(ConfigValue& to, const ConfigValue& from) {
  for (const auto& [key, value] : from.entries()) to.Set(key, value);
}

ConfigValue ShowPlugin(const config::PluginConfig& plugin) {
  ConfigValue shown = ConfigValue::Map();
  shown.Set("type", ConfigValue::String(plugin.type));
  shown.Set("id", ConfigValue::String(plugin.id));
  if (plugin.when) {
    shown.Set("when", ConfigValue::String(config::MaskUrlPasswords(plugin.when->source())));
  }
  if (plugin.kind == PluginKind::kOutput) {
    shown.Set("buffer", buffer::BufferOptions::Schema().Show(plugin.buffer));
  }
  if (plugin.factory != nullptr && plugin.options != nullptr) {
    Merge(shown, config::ShowOptions(plugin.factory->options(), plugin.options.get()));
  }
  return shown;
}

ConfigValue ShowPlugins(const std::vector<config::PluginConfig>& plugins) {
  ConfigValue list = ConfigValue::List();
  for (const config::PluginConfig& plugin : plugins) list.Append(ShowPlugin(plugin));
  return list;
}

}  // namespace

ConfigValue ShowConfig(const config::Config& config) {
  ConfigValue shown = config::ProcessOptions::Schema().Show(config.process);
  ConfigValue pipelines = ConfigValue::Map();
  for (const config::PipelineConfig& p : config.pipelines) {
    ConfigValue pipeline = config::PipelineOptions::Schema().Show(p.options);
    pipeline.Set("inputs", ShowPlugins(p.inputs));
    pipeline.Set("filters", ShowPlugins(p.filters));
    pipeline.Set("outputs", ShowPlugins(p.outputs));
    pipelines.Set(p.name, std::move(pipeline));
  }
  shown.Set("pipelines", std::move(pipelines));
  return shown;
}

}  // namespace sluice::agent
