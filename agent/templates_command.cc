#include "agent/templates_command.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "pipeline/checkpoint_store.h"
#include "pipeline/config.h"
#include "pipeline/json_encoder.h"
#include "pipeline/json_string.h"

namespace sluice::agent {
namespace {

struct Entry {
  std::string id;
  uint64_t count = 0;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  std::string text;
};

// `COUNT FIRST_SEEN LAST_SEEN TEMPLATE` (template_state.h).
bool Decode(const std::string& key, const std::string& value, Entry* e) {
  const char* p = value.data();
  const char* end = p + value.size();
  auto number = [&](auto* v) {
    auto [next, ec] = std::from_chars(p, end, *v);
    if (ec != std::errc() || next == end || *next != ' ') return false;
    p = next + 1;
    return true;
  };
  if (!number(&e->count) || !number(&e->first_seen) || !number(&e->last_seen)) return false;
  e->id = key;
  e->text.assign(p, end);
  return true;
}

std::string Time(int64_t seconds) {
  std::string out;
  AppendRfc3339(out, seconds * 1'000'000'000);
  return out;
}

void Print(const std::string& component, std::vector<Entry>& entries, const TemplatesFlags& f) {
  std::stable_sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    if (f.sort == "first") return a.first_seen < b.first_seen;
    if (f.sort == "last") return a.last_seen > b.last_seen;
    return a.count > b.count;
  });
  if (f.limit > 0 && entries.size() > f.limit) entries.resize(f.limit);
  if (f.format == "json") {
    for (const Entry& e : entries) {
      std::string line = "{\"component\":";
      AppendJsonString(line, component);
      line += ",\"id\":\"" + e.id + "\",\"count\":" + std::to_string(e.count) +
              ",\"first_seen\":\"" + Time(e.first_seen) + "\",\"last_seen\":\"" +
              Time(e.last_seen) + "\",\"template\":";
      AppendJsonString(line, e.text);
      std::printf("%s}\n", line.c_str());
    }
    return;
  }
  std::printf("%s: %zu templates\n%12s  %-20s  %-16s  %s\n", component.c_str(), entries.size(),
              "COUNT", "FIRST SEEN", "ID", "TEMPLATE");
  for (const Entry& e : entries) {
    std::printf("%12llu  %-20s  %-16s  %s\n", static_cast<unsigned long long>(e.count),
                Time(e.first_seen).c_str(), e.id.c_str(), e.text.c_str());
  }
}

}  // namespace

int TemplatesCommand(const TemplatesFlags& flags) {
  std::string data_dir = flags.data_dir;
  if (data_dir.empty()) {
    if (flags.config.empty()) {
      std::fprintf(stderr, "error: give --data-dir DIR or -c CONFIG (its data_dir)\n");
      return 2;
    }
    config::Diagnostics diags;
    config::Config c = config::LoadConfig(flags.config, diags);
    if (!diags.ok()) {
      std::fprintf(stderr, "%s", diags.ToString().c_str());
      return 2;
    }
    data_dir = c.process.data_dir;
  }
  namespace fs = std::filesystem;
  const fs::path root = fs::path(data_dir) / "templates";
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".state") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "no template state under %s (no template filter has saved yet)\n",
                 root.c_str());
    return 0;
  }
  int status = 0;
  const Logger logger("templates");
  for (const fs::path& file : files) {
    auto store = CheckpointStore::Open(file.string(), logger);
    if (!store.ok()) {
      std::fprintf(stderr, "error: %s\n", store.status().message().c_str());
      status = 3;
      continue;
    }
    std::vector<Entry> entries;
    for (const auto& [key, value] : store.value()->Entries()) {
      Entry e;
      if (Decode(key, value, &e)) entries.push_back(std::move(e));
    }
    // PIPELINE/ID
    const std::string component =
        file.parent_path().filename().string() + "/" + file.stem().string();
    Print(component, entries, flags);
  }
  return status;
}

}  // namespace sluice::agent
