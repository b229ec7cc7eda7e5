#include "plugins/inputs/file/file_input.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipeline/clock.h"
#include "pipeline/thread_name.h"
#include "plugins/common/event_id.h"
#include "plugins/common/host_name.h"
#include "plugins/common/line_splitter.h"
#include "plugins/inputs/file/file_commit.h"
#include "plugins/inputs/file/file_cri.h"
#include "plugins/inputs/file/file_glob.h"
#include "plugins/inputs/file/file_gzip.h"
#include "plugins/inputs/file/file_identity.h"
#include "plugins/inputs/file/file_tailer.h"
#include "plugins/inputs/file/file_watcher.h"

namespace sluice::inputs {

SLUICE_REGISTER_INPUT(FileInput, "file",
                      "Tails log files (globs, rotation, multiline), checkpointed by acks.");

namespace {

// Rescans for inotify events come at most this often (a directory being written to all the time
// must not turn into a rescan loop); a new file is still found well within a second.
constexpr int64_t kEventScanGapNs = 200'000'000;
// The longest an idle file in a watched directory goes unpolled: the bound on noticing growth that
// inotify does not report (writes through mmap, or from another host on a network file system).
constexpr int64_t kIdlePollMaxNs = 2'000'000'000;

// Whether two paths are in the same directory.
bool SameDirectory(std::string_view a, std::string_view b) {
  return a.substr(0, a.rfind('/')) == b.substr(0, b.rfind('/'));
}

// The source id of new content replacing a file's content at the same offsets (a truncation in
// place, or a file replaced while Sluice was stopped): derived from the id it replaces, so that
// both ways of noticing it (live, or at a restart whose checkpoint still holds the old content)
// give the same event ids, and a replay after a crash repeats ids instead of inventing new ones.
uint64_t NextSourceId(const std::string& key, uint64_t previous) {
  return file::Fnv1a(key, previous ^ 0x9e3779b97f4a7c15ULL) | 1;
}

using file::CopyDetector;
using file::FileCommit;
using file::FileTailer;
using file::SavedFile;
using file::TruncatedOrigin;

}  // namespace

class FileInput::Runner final : public FileTailer::Sink {
 public:
  Runner(const Options& options, PluginContext& plugin,
         std::shared_ptr<const file::MultilineRules> rules);

  void Run(InputContext& context);
  void Wake() { watcher_.Wake(); }
  std::atomic<bool> stop{false};

  // FileTailer::Sink
  void OnEvent(FileTailer& f, const file::MultilineEvent& e, const file::CriMeta* cri) override;
  void OnLine(FileTailer& f) override;

 private:
  void Rescan(bool first);
  // An inotify event in a watched directory: a created, deleted or moved entry, or a written one
  // that matches the globs but is not tracked, asks for a rescan (at most every kEventScanGapNs).
  void OnDirectoryEvent(std::string_view dir, std::string_view name, bool moved);
  // A new file (not resumed from a checkpoint) is a copytruncate copy of a truncated file:
  // it starts with what the original started with, its whole fingerprint, or, for an original
  // shorter than fingerprint_bytes, all of it and then only beside it (a short prefix, such as a
  // common first line, is too weak a sign across directories).
  std::optional<file::TruncatedOrigin> CopyOrigin(const FileTailer& f);
  // Whether new file `f` starts like a live file that is not truncated (yet): a likely copy.
  bool LooksLikeACopy(const FileTailer& f) const;
  void Track(const std::string& path, const struct stat& st, bool first);
  void Open(FileTailer& f);
  bool ReadTurn();
  bool ReadFile(FileTailer& f);
  // Hands the batch being built (all events of `f`) to the pipeline, doing housekeeping while
  // the pipeline is full. Returns false when the input must stop.
  bool EmitBatch(FileTailer& f);
  void Housekeeping();
  // Gives up deleted files held past close_removed_after (safe while a batch is being emitted:
  // entries are only marked, Housekeeping() drops them). `check_links`: fstat every open file to
  // notice deletions (ReadFile() does that when reading goes on).
  void EnforceRemovedDeadline(bool check_links);
  void FlushPending(FileTailer& f, bool force);
  void Forget(FileTailer& f);
  // Starts a new checkpoint generation reading at `offset`, with `checkpoint` (<= offset) as the
  // acked position until new acks arrive.
  void NewGeneration(FileTailer& f, uint64_t offset, uint64_t checkpoint);
  void NewGeneration(FileTailer& f, uint64_t offset) { NewGeneration(f, offset, offset); }
  bool AllDone() const;
  // The input's labels plus the file's identity key and the path it was found under.
  Labels FileLabels(const FileTailer& f) const {
    return metrics_.file_lag.LabelsWith({{"file", f.key()}, {"path", f.path()}});
  }
  int OpenCount() const;

  const Options& options_;
  PluginContext& plugin_;
  std::shared_ptr<const file::MultilineRules> rules_;
  const file::GlobSet& globs_;  // the options' own
  const std::string host_;
  InputContext* context_ = nullptr;
  std::vector<char> buffer_;
  std::map<std::string, std::unique_ptr<FileTailer>> files_;  // by "dev:ino"
  EventBatch batch_;
  std::string_view batch_path_;  // the path of the batch's file, copied into its arena once
  int64_t read_time_ns_ = 0;
  int64_t next_reopen_check_mono_ = 0;
  CopyDetector copies_;  // copytruncate: truncated files, new files held back as likely copies
  int64_t next_scan_mono_ = 0;
  int64_t last_scan_mono_ = 0;
  bool discover_ = false;  // an inotify event may mean a new file: rescan soon
  // The paths tracked files are found under (rotated ones excepted): writes to them need no rescan.
  // The path of every tracked file that still has it (not rotated or removed) → its identity key.
  std::map<std::string, std::string, std::less<>> tracked_paths_;
  std::string event_path_;  // reused by OnDirectoryEvent()

  file::DirectoryWatcher watcher_;  // inotify events, wake-ups and the polling timer

  FileInput::Metrics metrics_;
  file::GzipFiles gz_;  // `.gz` files: read once, whole (file_gzip.h)
  RateLimiter warn_log_;
  // Bytes handed to the pipeline but not acked yet, over every file (checkpoint lag).
  std::shared_ptr<std::atomic<int64_t>> lag_bytes_ = std::make_shared<std::atomic<int64_t>>(0);
};

FileInput::Runner::Runner(const Options& options, PluginContext& plugin,
                          std::shared_ptr<const file::MultilineRules> rules)
    : options_(options),
      plugin_(plugin),
      rules_(std::move(rules)),
      globs_(*options.globs),
      host_(options.host.empty() ? common::HostName() : options.host),
      buffer_(options.max_read_bytes.bytes),
      batch_(static_cast<size_t>(options.batch_events)),
      metrics_(*plugin.metrics),
      gz_(options, rules_, plugin.checkpoints, plugin.logger, host_) {
  std::weak_ptr<std::atomic<int64_t>> lag = lag_bytes_;
  metrics_.checkpoint_lag.AddFunction(metrics_.checkpoint_lag.labels(), [lag] {
    auto l = lag.lock();
    return l ? static_cast<double>(l->load()) : 0.0;
  });
}

int FileInput::Runner::OpenCount() const {
  int n = 0;
  for (const auto& [key, f] : files_) n += f->is_open() ? 1 : 0;
  return n;
}

void FileInput::Runner::NewGeneration(FileTailer& f, uint64_t offset, uint64_t checkpoint) {
  std::shared_ptr<FileCommit> commit = f.commit();
  uint64_t generation =
      commit->NewGeneration(offset, checkpoint, f.fingerprint(), f.source_id(), f.path());
  f.set_source(context_->AddSource(
      f.path(), [commit, generation](uint64_t acked) { commit->Ack(generation, acked); }));
  f.Restart(offset);
}

void FileInput::Runner::Track(const std::string& path, const struct stat& st, bool first) {
  std::string key = file::IdentityKey(st);
  auto it = files_.find(key);
  if (it != files_.end()) {
    FileTailer& f = *it->second;
    f.set_seen(true);
    if (f.path() != path) {
      struct stat old;
      if (::stat(f.path().c_str(), &old) != 0 || file::IdentityKey(old) != key) {
        // Renamed to another matched name (app.log -> app.log.1 with a `*.log*` glob): still one
        // file, read once, now named by its new path.
        f.set_path(path);
        f.set_rotated(false);
        metrics_.rotations.Add();
        f.commit()->SetPath(path);
      }
    }
    if (!f.is_open()) {
      f.set_size(static_cast<uint64_t>(st.st_size));
      if (f.size() != f.offset()) watcher_.MarkDirty();
    }
    return;
  }
  if (file::IsGzipPath(path)) {  // a compressed rolled file: read once, whole, when complete
    gz_.Found(key, path);
    return;
  }
  // An empty file found after the start is tracked once it has content (its first write is an
  // inotify event): copytruncate creates its copy empty, and a copy tracked then would be read
  // from its start once filled.
  if (!first && st.st_size == 0) return;
  bool has_checkpoint = plugin_.checkpoints && plugin_.checkpoints->Get(key).has_value();
  if (options_.ignore_older.value.count() > 0 && !has_checkpoint) {
    int64_t age_ns =
        WallNs() - (static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec);
    if (age_ns > options_.ignore_older.value.count()) return;
  }
  auto f = std::make_unique<FileTailer>(
      key, path, options_, rules_,
      std::make_shared<FileCommit>(key, plugin_.checkpoints, lag_bytes_), this);
  f->set_seen(true);
  int open_errno = 0;
  if (!f->OpenNew(&open_errno)) {
    if (open_errno != 0) {
      plugin_.logger.Limited(warn_log_, LogLevel::kWarn, "cannot open '{}': {}", path,
                             std::strerror(open_errno));
    }
    return;
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint64_t start = 0;
  bool resumed = false;
  if (plugin_.checkpoints) {
    SavedFile saved;
    std::optional<std::string> text = plugin_.checkpoints->Get(key);
    if (text && SavedFile::Decode(*text, &saved)) {
      // The same file if its first bytes are those fingerprinted then (inode reuse otherwise).
      if (f->StartsWith(saved.fingerprint) && saved.offset <= size) {
        start = saved.offset;
        f->set_source_id(saved.source_id);
        resumed = true;
      } else {
        // Truncated or replaced while Sluice was stopped: its copy (if the globs match one)
        // continues from this checkpoint; its new content gets the next source id.
        metrics_.truncations.Add();
        f->set_source_id(NextSourceId(key, saved.source_id));
        copies_.Truncated(TruncatedOrigin{.fingerprint = saved.fingerprint,
                                          .path = saved.path,
                                          .read_offset = saved.offset,
                                          .acked_offset = saved.offset,
                                          .source_id = saved.source_id,
                                          .mono = MonoNs()});
      }
    }
  }
  uint64_t checkpoint = start;
  std::optional<TruncatedOrigin> origin;
  if (!resumed) {
    // copytruncate's copy, matched by the globs: another inode starting like a file truncated
    // recently (or while Sluice was stopped): see file::ContinueCopy().
    origin = CopyOrigin(*f);
    if (origin) {
      file::CopyStart copy = file::ContinueCopy(*origin, size);
      start = copy.offset;
      checkpoint = copy.checkpoint;
      f->set_source_id(origin->source_id);
      resumed = true;
    }
  }
  if (!resumed && LooksLikeACopy(*f)) {
    // Most likely a copy whose original is about to be truncated. Held back for a few scan
    // intervals; if it still matches nothing truncated then, it is a file of its own, read from
    // its start.
    const int64_t hold_ns = CopyDetector::kDeferrals * options_.scan_interval.value.count();
    if (copies_.HoldBack(key, MonoNs(), hold_ns)) return;  // closes it
  }
  copies_.Decided(key);
  if (!resumed && first && options_.read_from == file::ReadFrom::kEnd) start = size;
  if (f->source_id() == 0) {
    f->set_source_id(file::Fnv1a(key, f->fingerprint().hash) | 1);
  }
  f->set_size(size);
  f->set_last_growth_mono(MonoNs());
  FileTailer& ref = *f;
  files_.emplace(key, std::move(f));
  NewGeneration(ref, start, checkpoint);
  if (origin && origin->commit) {
    // The original's batches still in flight carry this content: their acks now count here.
    origin->commit->HandOver(origin->generation, ref.commit());
  }
  std::weak_ptr<FileCommit> weak = ref.commit();
  ref.set_lag_labels(FileLabels(ref));
  metrics_.file_lag.AddFunction(ref.lag_labels(), [weak] {
    auto c = weak.lock();
    return c ? static_cast<double>(c->lag()) : 0.0;
  });
  if (OpenCount() > options_.max_open_files) ref.Close();  // waits for a free slot
  watcher_.MarkDirty();
  plugin_.logger.Debug("tailing '{}' ({}) from offset {}", path, key, start);
}

std::optional<file::TruncatedOrigin> FileInput::Runner::CopyOrigin(const FileTailer& f) {
  if (f.fingerprint().length == 0) return std::nullopt;
  const uint64_t full = options_.fingerprint_bytes.bytes;
  return copies_.TakeOrigin([&](const TruncatedOrigin& origin) {
    const uint32_t length = origin.fingerprint.length;
    return length > 0 && (length == full || SameDirectory(origin.path, f.path())) &&
           f.StartsWith(origin.fingerprint);
  });
}

bool FileInput::Runner::LooksLikeACopy(const FileTailer& f) const {
  const file::Fingerprint& print = f.fingerprint();
  if (print.length == 0) return false;
  const bool full = print.length == options_.fingerprint_bytes.bytes;
  for (const auto& [other_key, other] : files_) {
    if (full ? other->fingerprint() == print
             : other->is_open() && SameDirectory(other->path(), f.path()) &&
                   other->StartsWith(print)) {
      return true;
    }
  }
  return false;
}

void FileInput::Runner::OnDirectoryEvent(std::string_view dir, std::string_view name, bool moved) {
  if (name.empty()) {  // the event queue overflowed: anything may have changed
    for (auto& [key, f] : files_) f->poll().Poke();
    discover_ = true;
    return;
  }
  event_path_.assign(dir).append("/").append(name);
  if (auto it = tracked_paths_.find(event_path_); it != tracked_paths_.end()) {
    if (auto f = files_.find(it->second); f != files_.end()) f->second->poll().Poke();
    if (moved) discover_ = true;
    return;
  }
  if (moved || (!discover_ && globs_.Matches(event_path_))) discover_ = true;
}

void FileInput::Runner::Rescan(bool first) {
  last_scan_mono_ = MonoNs();
  for (auto& [key, f] : files_) f->set_seen(false);
  std::set<std::string> found;  // identities of every matched file, tracked or not
  std::vector<std::string> paths, dirs;
  globs_.ExpandWithWatchDirectories(&paths, &dirs);  // one walk of the tree for both
  for (const std::string& path : paths) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    found.insert(file::IdentityKey(st));
    Track(path, st, first);
  }
  // Files no longer found under their path: renamed away (rotated) or deleted.
  for (auto& [key, f] : files_) {
    if (f->seen() || f->rotated()) continue;
    struct stat st;
    if (::stat(f->path().c_str(), &st) != 0 || file::IdentityKey(st) != key) {
      f->set_rotated(true);
      metrics_.rotations.Add();
      // Renamed out of the globs (app.log -> app.log.1 with `*.log`): what is still read from it
      // carries the name it has now.
      std::string now = f->CurrentPath();
      if (!now.empty() && now != f->path()) {
        f->set_path(now);
        f->commit()->SetPath(now);
      }
    }
  }
  copies_.EndScan(found, MonoNs());
  if (first && plugin_.checkpoints) {
    // Entries of files that are gone (deleted, or rotated out of the globs before this start).
    // (Files found but skipped, by ignore_older or an open error, keep theirs.)
    const int64_t now_s = WallNs() / 1'000'000'000;
    for (const auto& [key, value] : plugin_.checkpoints->Entries()) {
      file::GoneRecord gone;
      if (key.starts_with(file::GoneRecord::kPrefix)) {
        if (!file::GoneRecord::Decode(value, &gone) ||
            now_s - gone.unix_seconds > file::GoneRecord::kKeepSeconds) {
          plugin_.checkpoints->Erase(key);
        }
        continue;
      }
      if (found.count(key)) continue;
      SavedFile saved;
      if (SavedFile::Decode(value, &saved) && saved.fingerprint.length > 0 &&
          globs_.Matches(saved.path + ".gz")) {
        // Gone while stopped (rotated and compressed, most likely): remembered for its .gz.
        plugin_.checkpoints->Set(file::GoneRecord::Key(saved.fingerprint),
                                 file::GoneRecord{saved.offset, saved.source_id, now_s}.Encode());
      }
      plugin_.checkpoints->Erase(key);
    }
  }
  metrics_.files_watched.Set(static_cast<int64_t>(files_.size()));
  tracked_paths_.clear();
  for (const auto& [key, f] : files_) {
    if (!f->rotated() && !f->removed()) tracked_paths_.emplace(f->path(), key);
  }
  watcher_.Watch(dirs);
  gz_.ReadFound(
      *context_,
      [this](const file::Fingerprint& print) {
        for (const auto& [key, f] : files_) {
          if (f->fingerprint() == print && !f->commit()->gone()) return true;
        }
        return false;
      },
      stop);
  for (auto& [key, f] : files_) {
    const std::string& path = f->path();
    const size_t slash = path.rfind('/');
    f->set_watched(slash != std::string::npos &&
                   watcher_.Watching(std::string_view(path).substr(0, slash == 0 ? 1 : slash)));
  }
}

void FileInput::Runner::Open(FileTailer& f) {
  if (f.Reopen() == FileTailer::Reopened::kNewFile) NewGeneration(f, 0);
  f.poll().Poke();  // reopened because it grew: read it this turn
}

void FileInput::Runner::Forget(FileTailer& f) {
  f.Close();
  if (f.commit()->gone()) return;
  metrics_.file_lag.Remove(f.lag_labels());
  f.commit()->Forget();
  if (plugin_.checkpoints && f.fingerprint().length > 0 && globs_.Matches(f.path() + ".gz")) {
    // Its compressed copy (app.log.1.gz), if one comes, continues from here (file_gzip.h). Only
    // when the globs would match that copy: a node's many short-lived files (YARN containers')
    // leave no records.
    plugin_.checkpoints->Set(
        file::GoneRecord::Key(f.fingerprint()),
        file::GoneRecord{f.offset(), f.source_id(), WallNs() / 1'000'000'000}.Encode());
  }
}

void FileInput::Runner::OnEvent(FileTailer& f, const file::MultilineEvent& e,
                                const file::CriMeta* cri) {
  const bool cri_time = cri != nullptr && !cri->malformed;
  Event& event = batch_.Add(cri_time ? cri->time_ns : read_time_ns_, e.message);
  if (batch_path_.empty()) batch_path_ = batch_.arena().Copy(f.path());
  event.AddView("log.file.path", Value::String(batch_path_));
  event.AddView("log.offset", Value::Int(static_cast<int64_t>(e.begin_offset)));
  event.AddView("host.name", Value::String(host_));
  // A stable id: the same bytes of the same file get the same id after any restart or replay.
  char* hex = static_cast<char*>(batch_.arena().Allocate(16, 1));
  common::FormatHex64(common::StableEventId(f.source_id(), e.begin_offset), hex);
  event.AddView("event.id", Value::String(std::string_view(hex, 16)));
  event.metadata().source_id = f.source_id();
  event.metadata().offset = e.begin_offset;
  if (e.line_truncated) event.AddTag("_line_truncated");
  if (e.multiline_truncated) event.AddTag("_multiline_truncated");
  if (f.cri()) {
    if (cri_time) {
      event.AddView("stream", Value::String(cri->stderr_stream ? "stderr" : "stdout"));
    } else {
      event.AddTag("_cri_parse_failure");
    }
  }
}

void FileInput::Runner::OnLine(FileTailer& f) {
  // Batches stay small enough to be cheap to build and free (one read may hold 10,000 lines).
  if (batch_.size() >= static_cast<size_t>(options_.batch_events)) EmitBatch(f);
}

void FileInput::Runner::FlushPending(FileTailer& f, bool force) {
  if (!f.HasPending()) return;
  f.FlushPartial(MonoNs(), force, read_time_ns_);
  read_time_ns_ = WallNs();
  f.FlushEvents(read_time_ns_, force);
  metrics_.lines_read.Add(f.TakeLineCount());
}

bool FileInput::Runner::EmitBatch(FileTailer& f) {
  // Everything before `safe` is in this batch or an earlier one: the checkpoint it may reach.
  uint64_t safe = f.PendingBegin();
  if (batch_.empty()) return true;
  size_t bytes = batch_.MemoryBytes();
  for (bool waited = false; !context_->WaitForCapacity(bytes, 100, waited); waited = true) {
    if (stop.load() && context_->stopping()) break;  // Emit() below waits for the drain
    EnforceRemovedDeadline(/*check_links=*/true);
  }
  f.commit()->Emitted(safe);
  const size_t arena_bytes = batch_.NextArenaBytes();
  bool ok = context_->Emit(std::move(batch_), f.source(), safe);
  batch_ = EventBatch(static_cast<size_t>(options_.batch_events), arena_bytes);
  batch_path_ = {};
  return ok;
}

bool FileInput::Runner::ReadFile(FileTailer& f) {
  if (!f.Refresh(MonoNs())) return false;
  if (f.truncated()) {
    // Truncated (copytruncate, or `> file`): what was read stays delivered; read the new content
    // from 0, as a new generation so that late acks of the old content cannot move the checkpoint.
    metrics_.truncations.Add();
    FlushPending(f, /*force=*/true);
    if (!EmitBatch(f)) return false;
    // copytruncate copied the file before truncating it: the copy, when a rescan finds it,
    // continues from here (Track()).
    FileCommit::State commit = f.commit()->state();
    copies_.Truncated(TruncatedOrigin{.fingerprint = f.fingerprint(),
                                      .path = f.path(),
                                      .read_offset = f.line_offset(),
                                      .acked_offset = commit.acked,
                                      .source_id = f.source_id(),
                                      .mono = MonoNs(),
                                      .commit = f.commit(),
                                      .generation = commit.generation});
    next_scan_mono_ = 0;  // look for the copy at once
    f.Refingerprint();
    // New content at the same offsets: a new source id, or its events would get the ids of the
    // old content's (an Elasticsearch `create` would refuse them as duplicates, `index` would
    // overwrite the old documents). The copy keeps the old id, with the old content.
    f.set_source_id(NextSourceId(f.key(), f.source_id()));
    NewGeneration(f, 0);
  }
  if (f.size() == f.offset()) return false;
  f.GrowFingerprint();  // a short file grew: fingerprint more of it (still read from where it was)
  ssize_t n = f.ReadChunk(buffer_, MonoNs());
  if (n <= 0) return false;
  metrics_.bytes_read.Add(static_cast<uint64_t>(n));
  read_time_ns_ = WallNs();
  f.Feed(std::string_view(buffer_.data(), static_cast<size_t>(n)), read_time_ns_);
  metrics_.lines_read.Add(f.TakeLineCount());
  EmitBatch(f);
  return true;
}

bool FileInput::Runner::ReadTurn() {
  bool progress = false;
  // Reopen closed files that grew, while there are free slots (a stat per closed file: at most
  // every 250ms, not on every turn of a busy loop).
  int64_t now = MonoNs();
  if (now >= next_reopen_check_mono_) {
    next_reopen_check_mono_ = now + 250'000'000;
    int open = OpenCount();
    for (auto& [key, f] : files_) {
      if (f->is_open() || f->rotated() || f->abandoned()) continue;
      struct stat st;
      if (::stat(f->path().c_str(), &st) != 0 || file::IdentityKey(st) != key) continue;
      f->set_size(static_cast<uint64_t>(st.st_size));
      if (f->size() == f->offset() || open >= options_.max_open_files) continue;
      Open(*f);
      if (f->is_open()) ++open;
    }
  }
  // Open files are polled for growth while they grow; idle ones less and less often, down to every
  // kIdlePollMaxNs when inotify watches their directory (its events poke them at once), so that
  // a thousand idle files cost a few hundred fstats a second, not four thousand. exit_on_eof polls
  // every file every turn: it must not finish before a file's last growth is seen.
  for (auto& [key, f] : files_) {
    if (stop.load()) break;
    if (!f->is_open()) continue;
    if (!options_.exit_on_eof && !f->poll().Due(now)) continue;
    const bool read = ReadFile(*f);
    if (read) progress = true;
    const bool may_wait = f->watched() && !f->rotated() && !f->removed();
    f->poll().Polled(now, read, may_wait ? kIdlePollMaxNs : file::PollSchedule::kMinWaitNs);
  }
  metrics_.files_open.Set(OpenCount());
  return progress;
}

void FileInput::Runner::EnforceRemovedDeadline(bool check_links) {
  int64_t now = MonoNs();
  for (auto& [key, f] : files_) {
    if (f->abandoned() || !f->is_open()) continue;
    // While blocked no ReadFile() runs, so deletions are noticed here.
    if ((check_links || f->removed()) && !f->Refresh(now)) continue;
    if (!f->removed() || f->offset() >= f->size()) continue;
    if (now - f->removed_mono() < options_.close_removed_after.value.count()) continue;
    uint64_t lost = f->size() - f->offset();
    metrics_.abandoned_bytes.Add(lost);
    plugin_.logger.Warn(
        "'{}' was deleted and its last {} bytes could not be read within "
        "close_removed_after ({}): abandoned",
        f->path(), lost, options_.close_removed_after.ToString());
    f->Abandon();
    Forget(*f);
    metrics_.files_open.Set(OpenCount());
  }
}

void FileInput::Runner::Housekeeping() {
  EnforceRemovedDeadline(/*check_links=*/false);
  int64_t now = MonoNs();
  // Files waiting for a free slot (max_open_files): files read to their end make room at once.
  bool waiting = false;
  for (const auto& [key, f] : files_) {
    if (!f->is_open() && !f->rotated() && !f->abandoned() && f->offset() < f->size()) {
      waiting = true;
    }
  }
  for (auto it = files_.begin(); it != files_.end();) {
    FileTailer& f = *it->second;
    if (f.abandoned()) {
      it = files_.erase(it);
      continue;
    }
    if (f.is_open()) {
      FlushPending(f, /*force=*/false);
      EmitBatch(f);
    }
    bool at_end = !f.is_open() || f.offset() >= f.size();
    if (options_.drop_cache && f.is_open() && f.MayDropCache()) {
      f.DropCache(f.commit()->state().acked, /*settled=*/at_end && !f.HasPending());
    }
    int64_t quiet = now - f.last_growth_mono();
    if (at_end && !f.HasPending()) {
      if (f.removed()) {  // deleted and read to its end: done with it for good
        Forget(f);
        it = files_.erase(it);
        continue;
      }
      if (f.rotated() && quiet >= options_.rotate_wait.value.count()) {
        if (!f.is_open() && f.offset() < f.size()) {
          // Closed (no free slot, or inactive) and then renamed out of the globs before it could
          // be reopened: what it held beyond the offset cannot be reached any more.
          metrics_.abandoned_bytes.Add(f.size() - f.offset());
          plugin_.logger.Warn(
              "'{}' was rotated away while closed; its last {} bytes are "
              "abandoned (raise max_open_files or close_inactive)",
              f.path(), f.size() - f.offset());
        }
        Forget(f);
        it = files_.erase(it);
        continue;
      }
      if (f.is_open() &&
          ((waiting && !f.rotated()) || quiet >= options_.close_inactive.value.count())) {
        f.Close();
      }
    }
    ++it;
  }
  metrics_.files_watched.Set(static_cast<int64_t>(files_.size()));
  metrics_.files_open.Set(OpenCount());
}

bool FileInput::Runner::AllDone() const {
  if (copies_.holding()) return false;
  for (const auto& [key, f] : files_) {
    if (f->offset() < f->size()) return false;
    if (f->HasPending()) return false;
  }
  return true;
}

void FileInput::Runner::Run(InputContext& context) {
  context_ = &context;
  watcher_.Open([this](std::string_view dir, std::string_view name, bool moved) {
    OnDirectoryEvent(dir, name, moved);
  });

  Rescan(/*first=*/true);
  next_scan_mono_ = MonoNs() + options_.scan_interval.value.count();
  while (!stop.load()) {
    watcher_.ClearDirty();
    bool progress = ReadTurn();
    Housekeeping();
    if (discover_) {
      discover_ = false;
      next_scan_mono_ = std::min(next_scan_mono_, last_scan_mono_ + kEventScanGapNs);
    }
    if (MonoNs() >= next_scan_mono_) {
      Rescan(/*first=*/false);
      next_scan_mono_ = MonoNs() + options_.scan_interval.value.count();
    }
    if (options_.exit_on_eof && !progress && copies_.holding()) {
      next_scan_mono_ = 0;  // held-back files must get their scans to be decided
    }
    if (options_.exit_on_eof && !progress) {
      // Everything matched is read: hand out partial lines and pending multiline events too.
      for (auto& [key, f] : files_) {
        if (!f->is_open() || f->offset() < f->size()) continue;
        FlushPending(*f, /*force=*/true);
        EmitBatch(*f);
      }
      if (AllDone()) {
        context.Finished();
        break;
      }
    }
    if (progress || watcher_.dirty()) {
      watcher_.Poll();
      continue;
    }
    // Nothing to read: sleep until an fs event, a wake-up, or the next timer (fallback polling of
    // growth each 250ms; partial-line and multiline timeouts are checked then too), or the rescan
    // an event asked for.
    const int64_t until_scan_ms = (next_scan_mono_ - MonoNs()) / 1'000'000;
    watcher_.Wait(static_cast<uint64_t>(std::clamp<int64_t>(until_scan_ms, 1, 250)));
  }
  // Stopping: hand out complete events only; partial lines and pending multiline events are read
  // again after a restart (the checkpoint is before them).
  watcher_.Close();
}

FileInput::FileInput(const Options& options, PluginContext& context,
                     std::shared_ptr<const file::MultilineRules> rules)
    : options_(options), plugin_(context), rules_(std::move(rules)) {}

Result<std::unique_ptr<FileInput>> FileInput::Build(const Options& options,
                                                    PluginContext& context) {
  if (options.globs == nullptr) return Internal("file input options not parsed by their schema");
  return std::unique_ptr<FileInput>(
      new FileInput(options, context, file::MultilineRules::Make(options.multiline)));
}

void FileInput::FrameForTest(const Options& options, std::string_view text, EventBatch& out) {
  file::MultilineAggregator aggregator(file::MultilineRules::Make(options.multiline));
  auto add = [&out](const file::MultilineEvent& e) {
    Event& event = out.Add(0, e.message);
    if (e.line_truncated) event.AddTag("_line_truncated");
    if (e.multiline_truncated) event.AddTag("_multiline_truncated");
  };
  uint64_t offset = 0;
  std::unique_ptr<file::CriDecoder> cri;
  if (options.format == file::FileFormat::kCri) {
    cri = std::make_unique<file::CriDecoder>(options.max_line_bytes.bytes);
  }
  auto to_aggregator = [&](const file::CriLine& c) {
    aggregator.Push(c.text, c.begin, c.end, c.truncated, 0, add);
  };
  auto push = [&](std::string_view line, bool truncated, size_t consumed) {
    if (cri) {
      cri->Push(line, offset, offset + consumed, truncated, to_aggregator);
    } else {
      aggregator.Push(line, offset, offset + consumed, truncated, 0, add);
    }
    offset += consumed;
  };
  common::LineSplitter splitter(options.max_line_bytes.bytes);
  splitter.Feed(text, push);
  splitter.Finish(push);
  if (cri) cri->Flush(to_aggregator);
  aggregator.Flush(0, /*force=*/true, add);
}

FileInput::~FileInput() {
  Stop();
  Join();
}

Status FileInput::Start(InputContext& context) {
  runner_ = std::make_unique<Runner>(options_, plugin_, rules_);
  thread_ = std::thread([this, &context] {
    NameThisThread("in", plugin_.id);
    runner_->Run(context);
  });
  return Status::Ok();
}

void FileInput::Stop() {
  if (!runner_) return;
  runner_->stop = true;
  runner_->Wake();
}

void FileInput::Join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace sluice::inputs
