// CheckpointStore: the durable key → value map an input keeps its checkpoints in (file offsets and
// fingerprints, Kafka offsets, ...), one file under data_dir. Persist() writes a new copy
// atomically (temp file, fsync, rename, fsync of the directory) and keeps the previous copy as
// `<file>.bak`. Open() checks the file's CRC32 trailer: a corrupt or truncated file is reported and
// the backup is used instead, so a crash mid-write never loses more than the newest checkpoints and
// never makes an input silently start over. Format (text): a header line `sluice-checkpoints 1`,
// one `key<TAB>value` line per entry (tab, newline and backslash escaped as \t \n \\), and a
// trailer `crc32 <8 hex digits>` over every byte before it. Thread-safety: every method may be
// called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "pipeline/log.h"
#include "pipeline/status.h"

namespace sluice {

class CheckpointStore {
 public:
  // What Open() found.
  enum class Origin { kNew, kPrimary, kBackup };

  // Loads `path` (or its backup). A missing file is a new, empty store; an unreadable or corrupt
  // one with a good backup loads the backup and logs a warning; when both are bad it fails, naming
  // both files, rather than starting over silently.
  static Result<std::unique_ptr<CheckpointStore>> Open(const std::string& path,
                                                       const Logger& logger);

  std::optional<std::string> Get(const std::string& key) const;
  void Set(const std::string& key, std::string value);
  void Erase(const std::string& key);
  std::map<std::string, std::string> Entries() const;

  // Writes the entries when they changed since the last Persist(). On failure the previous file is
  // intact and the error names the path. Concurrent calls are serialized.
  Status Persist();

  const std::string& path() const { return path_; }
  Origin origin() const { return origin_; }

 private:
  explicit CheckpointStore(std::string path) : path_(std::move(path)) {}

  const std::string path_;
  Origin origin_ = Origin::kNew;
  mutable std::mutex mu_;
  std::mutex persist_mu_;  // one Persist() at a time: they share the temp file
  std::map<std::string, std::string> entries_;
  bool dirty_ = false;
  bool primary_good_ = false;  // the file at path_ holds a valid copy (worth keeping as backup)
};

}  // namespace sluice
