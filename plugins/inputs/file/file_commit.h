// FileCommit: what may be checkpointed of one tailed file, given the batches handed to the pipeline
// and the acks that come back. The checkpoint (a SavedFile in the engine's checkpoint store, under
// the file's "dev:ino" key) is the offset just past the last event every output acked; a restart
// resumes there (at-least-once). A truncation starts a new generation: acks of batches read before
// it carry offsets into content that is gone and are ignored, so they can never move the
// checkpoint past the new content's start. With copytruncate the copy takes that content over
// (HandOver()): late acks of the original's old generation then move the copy's checkpoint.
// CopyDetector is the copytruncate bookkeeping of the input: which new file continues a truncated
// one, and which new files are held back as likely copies. CheckpointLimit() is where the bytes not
// yet in an event begin: no checkpoint lands inside a partial line, a partial container (CRI) line
// or a pending multiline event.
// No I/O: the store is written in memory (the engine persists it). Every method returns nothing to
// fail on.
// Thread-safety: FileCommit's methods may be called from any thread (Ack() runs on output
// threads, everything else on the input's thread); HandOver() locks the original, then the copy
// (never the reverse). CopyDetector and CheckpointLimit() belong to the input's thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipeline/checkpoint_store.h"
#include "plugins/common/multiline/multiline.h"
#include "plugins/inputs/file/file_cri.h"
#include "plugins/inputs/file/file_identity.h"

namespace sluice::inputs::file {

class FileCommit {
 public:
  // `store`: where the checkpoint is kept (null: nowhere). `lag`: the input's count of bytes
  // handed to the pipeline and not yet acked, over every file; this file's share is added and
  // taken off as it changes (acks after the input is gone leave it alone).
  FileCommit(std::string key, CheckpointStore* store, std::weak_ptr<std::atomic<int64_t>> lag)
      : key_(std::move(key)), store_(store), lag_(std::move(lag)) {}
  FileCommit(const FileCommit&) = delete;
  FileCommit& operator=(const FileCommit&) = delete;

  // Starts a new generation, the file now read from `offset`, with `checkpoint` (<= offset) as
  // the acked position until new acks arrive, and saves it. Forgets any copy the previous
  // generation was handed over to. Returns the new generation's number (the first is 1).
  uint64_t NewGeneration(uint64_t offset, uint64_t checkpoint, const Fingerprint& fingerprint,
                         uint64_t source_id, const std::string& path);
  // `end` (where the bytes not yet in an event begin) was handed to the pipeline.
  void Emitted(uint64_t end);
  // Every output acked the batches of `generation` up to `acked` (in order: the source tracker
  // calls this with growing offsets). Moves and saves the checkpoint when `generation` is the
  // current one; an older generation's ack moves the checkpoint of the copy that took its content
  // over (when it lies within what the copy handed on), or is ignored. No effect once forgotten.
  void Ack(uint64_t generation, uint64_t acked);
  // copytruncate: `copy` (in its first generation, started by NewGeneration()) holds the content
  // of this file's `generation`, at the same offsets. Later acks of that generation move the
  // copy's checkpoint, and so does the newest ack of it that arrived since the truncation.
  void HandOver(uint64_t generation, const std::shared_ptr<FileCommit>& copy);
  // The file is done with (deleted and read, abandoned, rotated away): its checkpoint entry is
  // erased and its share of the lag taken off; later calls change nothing.
  void Forget();
  bool gone() const;

  // The file was found under another name / its fingerprint grew: saved with the next ack.
  void SetPath(const std::string& path);
  void SetFingerprint(const Fingerprint& fingerprint);

  struct State {
    uint64_t generation = 0;
    uint64_t acked = 0;    // the checkpoint: the last acked offset of the current generation
    uint64_t emitted = 0;  // end offset of the last batch handed to the pipeline
  };
  State state() const;
  // Bytes handed to the pipeline and not yet acked (emitted - acked).
  uint64_t lag() const;
  // The checkpoint as it is saved (SavedFile::Encode() of it is the store's value).
  SavedFile saved() const;
  const std::string& key() const { return key_; }

 private:
  void AddLag(int64_t bytes) const;
  // Moves the checkpoint to `acked` and saves it; mu_ is held.
  void CommitLocked(uint64_t acked);

  const std::string key_;
  CheckpointStore* const store_;
  const std::weak_ptr<std::atomic<int64_t>> lag_;
  mutable std::mutex mu_;
  SavedFile saved_;  // offset: the last acked one of the current generation
  uint64_t generation_ = 0;
  uint64_t emitted_ = 0;
  bool gone_ = false;
  // copytruncate: the copy that took over the content of generation `handed_over_` (the same
  // bytes at the same offsets), in its generation `successor_generation_`.
  std::shared_ptr<FileCommit> successor_;
  uint64_t handed_over_ = 0;
  uint64_t successor_generation_ = 0;
  uint64_t previous_generation_acked_ = 0;  // newest ack of generation - 1 (before a copy matched)
};

// A file seen truncated (or replaced while Sluice was stopped), whose copy, when a rescan finds
// it, continues where the original was read to.
struct TruncatedOrigin {
  Fingerprint fingerprint;  // of the content before the truncation
  std::string path;  // where the original was (a copy of a short file is looked for beside it)
  uint64_t read_offset = 0;
  uint64_t acked_offset = 0;
  uint64_t source_id = 0;
  int64_t mono = 0;                    // when it was seen (MonoNs())
  std::shared_ptr<FileCommit> commit;  // the original's (null after a restart)
  uint64_t generation = 0;             // its generation that held this content
};

// Where a copy of a truncated file starts: it continues where the original was read to, so the
// lines written between the last read and the truncation are not lost and nothing is read twice;
// its checkpoint starts at what was acked of the original, so what was still in flight is read
// again after a crash rather than lost. A copy shorter than what was read (the original grew
// between the copy and the truncation) has nothing new: it starts at its end.
struct CopyStart {
  uint64_t offset = 0;
  uint64_t checkpoint = 0;
};
CopyStart ContinueCopy(const TruncatedOrigin& origin, uint64_t copy_size);

class CopyDetector {
 public:
  static constexpr int kDeferrals = 3;  // scan intervals a likely copy is held back
  static constexpr int64_t kMemoryNs = 600'000'000'000;  // how long a truncation is remembered

  void Truncated(TruncatedOrigin origin) { truncated_.push_back(std::move(origin)); }
  // The truncated file whose content a new file is a copy of, taken out of the list: of the
  // origins for which `is_copy(origin)` holds (the new file starts with the origin's fingerprint),
  // the one with the longest fingerprint; nullopt when there is none.
  std::optional<TruncatedOrigin> TakeOrigin(
      const std::function<bool(const TruncatedOrigin&)>& is_copy);
  // A new file `key` starts like a live file that is not truncated (yet): most likely a copy whose
  // original is about to be truncated. True while it should be held back: for `hold_ns` from when
  // it was first held back (at `now_mono`); then it is a file of its own. Held back by time, not
  // by scans: rescans come as fast as the directory changes while a big copy is being written.
  bool HoldBack(const std::string& key, int64_t now_mono, int64_t hold_ns) {
    auto [it, added] = deferred_.try_emplace(key, now_mono);
    return now_mono - it->second < hold_ns;
  }
  // `key` is tracked now (or was never held back).
  void Decided(const std::string& key) { deferred_.erase(key); }
  // After a rescan that found the files `found`: held-back files no longer found are dropped, and
  // truncations older than kMemoryNs (at `now_mono`) forgotten.
  void EndScan(const std::set<std::string>& found, int64_t now_mono);
  // Whether new files are being held back (exit_on_eof waits for them to be decided).
  bool holding() const { return !deferred_.empty(); }
  size_t remembered() const { return truncated_.size(); }

 private:
  std::vector<TruncatedOrigin> truncated_;
  std::map<std::string, int64_t> deferred_;  // new files held back as likely copies: since when
};

// Where the bytes read from a file but not yet in an event begin, the furthest a checkpoint may
// reach: `line_offset` (the first byte not handed out as a line), or the start of a pending
// multiline event or of a pending partial container line (`cri`: null unless format: cri).
uint64_t CheckpointLimit(uint64_t line_offset, const common::MultilineAggregator& multiline,
                         const CriDecoder* cri);

}  // namespace sluice::inputs::file
