// template filter, part 3: the state file. The templates a filter knows, kept under data_dir
// (`templates/PIPELINE/ID.state`) in a CheckpointStore (atomic rewrite, CRC, a backup copy), one
// entry per template: key its id, value `COUNT FIRST_SEEN LAST_SEEN TEMPLATE` (unix seconds; the
// template text last, as it holds spaces). Read back at start so a restarted agent keeps its ids
// and does not flag known templates as new, and read by `sluice templates`.
// Thread-safety: as CheckpointStore (any thread).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pipeline/checkpoint_store.h"
#include "plugins/filters/template/template_miner.h"

namespace sluice::filters::templates {

class TemplateState {
 public:
  // The state file of filter `id` of `pipeline` under `data_dir`.
  static std::string PathFor(const std::string& data_dir, const std::string& pipeline,
                             const std::string& id);

  static Result<std::unique_ptr<TemplateState>> Open(const std::string& path, const Logger& logger);

  // The templates saved, oldest match first (the order Miner::Restore wants). Entries that do not
  // parse are skipped.
  std::vector<TemplateInfo> Load() const;

  // Replaces the saved templates with `templates` and writes the file.
  Status Save(const std::vector<TemplateInfo>& templates);

  const std::string& path() const { return store_->path(); }

  static std::string Encode(const TemplateInfo& t);
  static bool Decode(const std::string& key, const std::string& value, TemplateInfo* out);

 private:
  explicit TemplateState(std::unique_ptr<CheckpointStore> store) : store_(std::move(store)) {}

  std::unique_ptr<CheckpointStore> store_;
};

}  // namespace sluice::filters::templates
