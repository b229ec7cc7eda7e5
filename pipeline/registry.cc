#include "pipeline/registry.h"

#include <algorithm>

namespace sluice {

void PluginFactory::FrameForTest(const void*, std::string_view text, EventBatch& out) const {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.Add(0, line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

Registry& Registry::Get() {
  static Registry* registry = new Registry();  // never destroyed: used during static init/exit
  return *registry;
}

void Registry::Add(std::unique_ptr<PluginFactory> factory) {
  factories_.push_back(std::move(factory));
}

const PluginFactory* Registry::Find(PluginKind kind, std::string_view type) const {
  for (const auto& f : factories_) {
    if (f->kind() == kind && f->type() == type) return f.get();
  }
  return nullptr;
}

std::vector<std::string> Registry::Types(PluginKind kind) const {
  std::vector<std::string> types;
  for (const auto& f : factories_) {
    if (f->kind() == kind) types.push_back(f->type());
  }
  std::sort(types.begin(), types.end());
  return types;
}

std::vector<const PluginFactory*> Registry::All() const {
  std::vector<const PluginFactory*> all;
  for (const auto& f : factories_) all.push_back(f.get());
  std::sort(all.begin(), all.end(), [](auto* a, auto* b) {
    return std::pair(a->kind(), a->type()) < std::pair(b->kind(), b->type());
  });
  return all;
}

}  // namespace sluice
