// FileTailer: one file the file input reads. It holds the file's descriptor, identity (key,
// fingerprint, source id), read position and framing state: lines cut by a LineSplitter, container
// lines decoded (format: cri, file_cri.h), lines joined into events
// (plugins/common/multiline/multiline.h); events go to a Sink (the input's batch builder). It
// notices what happens to the file: deletion (no links left), truncation (size below the read
// offset), a reused inode when reopened, a short file growing past its fingerprint. What to do
// about those (new checkpoint generations, copytruncate, giving files up) is the input's; what may
// be checkpointed is its FileCommit's. Failures are not errors: a file that cannot be opened,
// stat'ed or read is reported by the return values and tried again by the input's next turn or
// scan. Thread-safety: used by the input's thread only (its FileCommit is shared with output
// threads).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/metrics.h"
#include "pipeline/source_tracker.h"
#include "plugins/common/line_splitter.h"
#include "plugins/common/multiline/multiline.h"
#include "plugins/inputs/file/file_commit.h"
#include "plugins/inputs/file/file_cri.h"
#include "plugins/inputs/file/file_identity.h"
#include "plugins/inputs/file/file_options.h"
#include "plugins/inputs/file/file_poll.h"

namespace sluice::inputs::file {

// format: cri: the time and stream of a container line given to multiline, by its file offset.
struct CriMeta {
  uint64_t begin;
  int64_t time_ns;
  bool stderr_stream;
  bool malformed;
};

class FileTailer {
 public:
  // Where a tailer's events go.
  class Sink {
   public:
    virtual ~Sink() = default;
    // One event of `file` (the view is valid during the call only). `cri`: the time and stream of
    // its first container line (format: cri; null when raw, or when there is none).
    virtual void OnEvent(FileTailer& file, const MultilineEvent& event, const CriMeta* cri) = 0;
    // After each line given to multiline (a chance to hand on a full batch).
    virtual void OnLine(FileTailer& file) = 0;
  };

  // A file found at `path` with identity `key` ("dev:ino"); not open yet. `options` and `sink`
  // must outlive it.
  FileTailer(std::string key, std::string path, const FileOptions& options,
             std::shared_ptr<const MultilineRules> rules, std::shared_ptr<FileCommit> commit,
             Sink* sink);
  ~FileTailer() { Close(); }
  FileTailer(const FileTailer&) = delete;
  FileTailer& operator=(const FileTailer&) = delete;

  // Opens path() and fingerprints its first fingerprint_bytes. False when it cannot: `*open_errno`
  // is then the errno of the failed open(), or 0 when reading the first bytes failed (closed).
  bool OpenNew(int* open_errno);
  enum class Reopened { kNo, kSame, kNewFile };
  // Opens the file again (it was closed for want of a slot, or inactive). kNo when the path names
  // another file now (or none). kNewFile when the inode was freed and reused while closed (its
  // first bytes differ): the file is fingerprinted again, given a new source id and is neither
  // rotated nor removed; the caller starts a new generation at offset 0.
  Reopened Reopen();
  void Close();
  bool is_open() const { return fd_ >= 0; }
  // Whether the open file's first bytes are `prefix` (a saved fingerprint): false for a reused
  // inode, or when they cannot be read.
  bool StartsWith(const Fingerprint& prefix) const;

  // Where the open file is now (it may have been renamed since it was found), from
  // /proc/self/fd; empty when it is closed, deleted, or the name cannot be read.
  std::string CurrentPath() const;
  // fstat()s the open file: updates size(), and marks it removed (at `now_mono`) when it has no
  // links left. False when fstat fails.
  bool Refresh(int64_t now_mono);
  // Truncated: shorter than what was read (Refresh() first).
  bool truncated() const { return size_ < offset_; }
  // Fingerprints the file again over fingerprint_bytes (after a truncation: new content).
  void Refingerprint();
  // A file shorter than fingerprint_bytes when found has grown: fingerprints more of it (saved with
  // the next checkpoint). Reading goes on where it was.
  void GrowFingerprint();
  // Reads the next bytes (at most buffer.size()) at offset() into `buffer`. Returns how many
  // (0 at the end; -1 on an error). Marks the file grown at `now_mono` when there were some.
  ssize_t ReadChunk(std::vector<char>& buffer, int64_t now_mono);
  // Frames `data` (the bytes ReadChunk() just read) into lines and events, read at `read_time_ns`.
  void Feed(std::string_view data, int64_t read_time_ns);
  // Hands out a last line without newline that has not grown for partial_timeout (or at once with
  // `force`), and a partial container line whose last part has not come for partial_timeout.
  void FlushPartial(int64_t now_mono, bool force, int64_t read_time_ns);
  // Hands out the pending multiline event when its timeout passed (or at once with `force`).
  void FlushEvents(int64_t now_ns, bool force);
  // Lines split since the last call (for the lines-read metric).
  uint64_t TakeLineCount() { return std::exchange(lines_, 0); }
  // Starts reading again at `offset` with empty framing state (a new checkpoint generation).
  void Restart(uint64_t offset);
  // Drops the file's pages before `acked` (what every output acked) from the page cache
  // (posix_fadvise DONTNEED): when at least 1 MiB more is acked than was dropped, or whatever
  // more is acked when `settled` (the file is read to its end). Returns the bytes newly covered.
  // An `acked` below what was dropped (a truncation started the file over) starts over.
  uint64_t DropCache(uint64_t acked, bool settled);
  // Whether DropCache() may have anything to do: what was handed out in events differs from
  // what was dropped (acks never pass the former; a restart at 0 makes it smaller). Lock-free,
  // so that idle files cost no lock of their commit on every turn.
  bool MayDropCache() const { return line_offset_ != dropped_; }

  // Bytes read but not yet in an event: a partial line, a partial container line, a pending
  // multiline event.
  bool HasPending() const {
    return splitter_.pending_bytes() > 0 || multiline_.pending() || (cri_ && cri_->pending());
  }
  // Where the bytes not yet in an event begin: what a checkpoint may not pass.
  uint64_t PendingBegin() const { return CheckpointLimit(line_offset_, multiline_, cri_.get()); }

  const std::string& key() const { return key_; }
  const std::string& path() const { return path_; }
  void set_path(std::string path) { path_ = std::move(path); }
  const Fingerprint& fingerprint() const { return fingerprint_; }
  uint64_t source_id() const { return source_id_; }
  void set_source_id(uint64_t id) { source_id_ = id; }
  bool cri() const { return cri_ != nullptr; }
  uint64_t offset() const { return offset_; }            // next byte to read
  uint64_t line_offset() const { return line_offset_; }  // first byte not handed out in a line
  uint64_t size() const { return size_; }                // at the last stat
  void set_size(uint64_t size) { size_ = size; }
  int64_t last_growth_mono() const { return last_growth_mono_; }
  void set_last_growth_mono(int64_t mono) { last_growth_mono_ = mono; }
  const std::shared_ptr<FileCommit>& commit() const { return commit_; }
  const std::shared_ptr<SourceTracker>& source() const { return source_; }
  void set_source(std::shared_ptr<SourceTracker> source) { source_ = std::move(source); }

  // Rotation and deletion, as the input's scans and this tailer's stats saw them.
  bool rotated() const { return rotated_; }  // its path now names another file, or none
  void set_rotated(bool rotated) { rotated_ = rotated; }
  bool removed() const { return removed_; }  // deleted (no links left)
  int64_t removed_mono() const { return removed_mono_; }
  bool seen() const { return seen_; }  // found by the current rescan
  void set_seen(bool seen) { seen_ = seen; }
  bool abandoned() const { return abandoned_; }  // deleted, given up on: no more lines
  void Abandon() { abandoned_ = true; }
  const Labels& lag_labels() const { return lag_labels_; }  // of its per-file lag series
  void set_lag_labels(Labels labels) { lag_labels_ = std::move(labels); }

  // When to fstat it for growth next (the input's read turns).
  PollSchedule& poll() { return poll_; }
  // Whether inotify watches its directory (set by the input's rescans): only then may its polling
  // wait longer than PollSchedule::kMinWaitNs.
  bool watched() const { return watched_; }
  void set_watched(bool watched) { watched_ = watched; }

 private:
  void OnSplitLine(std::string_view line, bool truncated, size_t consumed, int64_t read_time_ns);
  // Gives one (container) line to multiline.
  void PushLine(std::string_view line, uint64_t begin, uint64_t end, bool truncated,
                const CriLine* cri, int64_t read_time_ns);
  void HandOut(const MultilineEvent& event);

  const FileOptions& options_;
  std::shared_ptr<const MultilineRules> rules_;
  Sink* const sink_;
  const std::string key_;
  std::string path_;
  int fd_ = -1;
  Fingerprint fingerprint_;
  uint64_t source_id_ = 0;
  uint64_t offset_ = 0;
  uint64_t line_offset_ = 0;
  uint64_t size_ = 0;
  uint64_t dropped_ = 0;  // DropCache(): pages before this offset were dropped
  common::LineSplitter splitter_;
  MultilineAggregator multiline_;
  std::unique_ptr<CriDecoder> cri_;  // format: cri only
  // format: cri: the container lines given to multiline and not yet in an event (an event takes
  // those of its first line).
  std::deque<CriMeta> cri_lines_;
  int64_t cri_partial_since_mono_ = 0;  // when a partial container line last grew (0: none)
  uint64_t lines_ = 0;
  std::shared_ptr<SourceTracker> source_;
  std::shared_ptr<FileCommit> commit_;
  int64_t last_growth_mono_ = 0;
  int64_t partial_since_mono_ = 0;  // when bytes without a newline last grew (0: none pending)
  bool rotated_ = false;
  bool removed_ = false;
  int64_t removed_mono_ = 0;
  bool seen_ = false;
  bool abandoned_ = false;
  bool watched_ = false;
  PollSchedule poll_;
  Labels lag_labels_;
};

}  // namespace sluice::inputs::file
