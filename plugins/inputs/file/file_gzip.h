// file input, compressed rolled files: a file the globs match whose name ends in `.gz` (log4j2's
// RollingFile with `filePattern="...%i.log.gz"`, logrotate's `compress`) is not tailed: it is read
// once, whole, as the stream of its uncompressed bytes, when it is complete.
//  - Complete: it inflates to the end of a gzip member. One still being written (the stream stops
//    short) is left alone and tried again at the next scan.
//  - Not twice: a rolled file is usually the compressed copy of a file the input already read
//    (app.log -> app.log.1 -> app.log.1.gz). Its uncompressed first bytes are fingerprinted like a
//    plain file's; while a plain file with that fingerprint is still tracked, the .gz waits; when
//    one was read and forgotten (deleted after rotation; see GoneRecord), the .gz continues from
//    where that one was read to, with its source id (its events' ids continue too). Otherwise it
//    is read from its start.
//  - Checkpointed by the uncompressed offset its acked events reach (`gz OFFSET`, then
//    `gz OFFSET done`), under its own identity key; a restart skips a done one and reads the rest
//    of another (inflating it again from its start and skipping what was acked).
//  - Its events carry the .gz path, `log.offset` in the uncompressed bytes, a stable `event.id`.
// Thread-safety: the input's thread only; commit callbacks (output threads) touch the checkpoint
// store only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/checkpoint_store.h"
#include "pipeline/log.h"
#include "pipeline/plugin.h"
#include "plugins/inputs/file/file_identity.h"
#include "plugins/inputs/file/file_options.h"

namespace sluice::inputs::file {

// What the input remembers of a plain file it read and forgot (deleted, or gone while stopped),
// so that its compressed copy is not read again: the checkpoint store's `gone:HASH:LENGTH` entry
// (the fingerprint of its first bytes), value `OFFSET SOURCE_ID UNIX_SECONDS`. Kept a week.
struct GoneRecord {
  uint64_t offset = 0;
  uint64_t source_id = 0;
  int64_t unix_seconds = 0;
  static constexpr std::string_view kPrefix = "gone:";
  static constexpr int64_t kKeepSeconds = 7 * 24 * 3600;
  static std::string Key(const Fingerprint& print);
  std::string Encode() const;
  static bool Decode(std::string_view text, GoneRecord* out);
};

bool IsGzipPath(std::string_view path);

class GzipFiles {
 public:
  // Whether a plain file with this fingerprint is still tracked (the .gz then waits).
  using LiveFn = std::function<bool(const Fingerprint&)>;
  GzipFiles(const FileOptions& options, std::shared_ptr<const MultilineRules> rules,
            CheckpointStore* store, Logger logger, std::string host);

  // A .gz the globs matched, by identity key.
  void Found(const std::string& key, const std::string& path) { found_[key] = path; }
  // Reads the found ones that are complete and not done. False when the pipeline refused a batch
  // (shutting down).
  bool ReadFound(InputContext& context, const LiveFn& live, const std::atomic<bool>& stop);

 private:
  // Reads one; true when it is finished with (done, or nothing to do), false to try again later.
  bool ReadOne(InputContext& context, const std::string& key, const std::string& path,
               const LiveFn& live, const std::atomic<bool>& stop, bool* refused);

  const FileOptions& options_;
  std::shared_ptr<const MultilineRules> rules_;
  CheckpointStore* store_;
  Logger logger_;
  const std::string host_;
  std::map<std::string, std::string> found_;  // key → path, not finished with
};

}  // namespace sluice::inputs::file
