#include "plugins/filters/template/template_state.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace sluice::filters::templates {

std::string TemplateState::PathFor(const std::string& data_dir, const std::string& pipeline,
                                   const std::string& id) {
  return data_dir + "/templates/" + pipeline + "/" + id + ".state";
}

Result<std::unique_ptr<TemplateState>> TemplateState::Open(const std::string& path,
                                                           const Logger& logger) {
  auto store = CheckpointStore::Open(path, logger);
  if (!store.ok()) return store.status();
  return std::unique_ptr<TemplateState>(new TemplateState(std::move(store).value()));
}

std::string TemplateState::Encode(const TemplateInfo& t) {
  return std::to_string(t.count) + " " + std::to_string(t.first_seen) + " " +
         std::to_string(t.last_seen) + " " + t.text;
}

bool TemplateState::Decode(const std::string& key, const std::string& value, TemplateInfo* out) {
  const char* p = value.data();
  const char* end = value.data() + value.size();
  auto number = [&](auto* v) {
    auto [next, ec] = std::from_chars(p, end, *v);
    if (ec != std::errc() || next == end || *next != ' ') return false;
    p = next + 1;
    return true;
  };
  if (!number(&out->count) || !number(&out->first_seen) || !number(&out->last_seen)) return false;
  out->text.assign(p, end);
  if (out->text.empty() || key.size() != 16) return false;
  auto [next, ec] = std::from_chars(key.data(), key.data() + key.size(), out->id, 16);
  return ec == std::errc() && next == key.data() + key.size();
}

std::vector<TemplateInfo> TemplateState::Load() const {
  std::vector<TemplateInfo> out;
  for (const auto& [key, value] : store_->Entries()) {
    TemplateInfo t;
    if (Decode(key, value, &t)) out.push_back(std::move(t));
  }
  std::stable_sort(out.begin(), out.end(), [](const TemplateInfo& a, const TemplateInfo& b) {
    return a.last_seen < b.last_seen;
  });
  return out;
}

Status TemplateState::Save(const std::vector<TemplateInfo>& templates) {
  std::set<std::string> keep;
  for (const TemplateInfo& t : templates) {
    std::string key = Miner::IdText(t.id);
    store_->Set(key, Encode(t));
    keep.insert(std::move(key));
  }
  for (const auto& [key, value] : store_->Entries()) {
    if (!keep.contains(key)) store_->Erase(key);
  }
  return store_->Persist();
}

}  // namespace sluice::filters::templates
