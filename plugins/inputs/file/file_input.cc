#include "plugins/inputs/file/file_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "pipeline/clock.h"
#include "pipeline/thread_name.h"
#include "plugins/common/line_splitter.h"
#include "plugins/inputs/file/file_cri.h"
#include "plugins/inputs/file/file_glob.h"
#include "plugins/inputs/file/file_identity.h"

namespace sluice::inputs {

SLUICE_REGISTER_INPUT(FileInput, "file",
                      "Tails log files (globs, rotation, multiline), checkpointed by acks.");

namespace {

using file::Fingerprint;
using file::SavedFile;

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

constexpr char kHex[] = "0123456789abcdef";
constexpr char kFileLagMetric[] = "sluice_file_input_file_lag_bytes";
constexpr int kCopyDeferrals = 3;                        // scans a likely copy is held back
constexpr int64_t kTruncatedMemoryNs = 600'000'000'000;  // how long a truncation is remembered

}  // namespace

const config::OptionSchema<FileInput::Options>& FileInput::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("include", &Options::include,
                "Files to read: absolute glob patterns (`*`, `?`, `[...]`, `{a,b}`, `**` for any "
                "number of directories).",
                {.required = true, .example = "[/var/log/hadoop-yarn/containers/*/*/stderr]"})
           .Add("exclude", &Options::exclude,
                "Patterns of files not to read; a pattern without `/` matches the base name.",
                {.example = "['*.gz']"})
           .Add("read_from", &Options::read_from,
                "Where to start in files found at the very first start (no checkpoint yet): "
                "`beginning` or `end`. Files that appear later are always read from their start.",
                {.one_of = {"beginning", "end"}})
           .Add("scan_interval", &Options::scan_interval,
                "How often the globs are expanded again (inotify events trigger reads at once; "
                "the rescan catches what events miss).",
                {.min = Duration{std::chrono::milliseconds(10)}})
           .Add("max_open_files", &Options::max_open_files,
                "Most files open at once; others wait their turn (idle files are closed after "
                "`close_inactive`).",
                {.min = 1})
           .Add("max_read_bytes", &Options::max_read_bytes,
                "Most bytes read from one file per turn, so one busy file cannot starve others.",
                {.min = ByteSize{4096}})
           .Add("max_line_bytes", &Options::max_line_bytes,
                "Longest line kept whole; longer lines are cut into pieces of this size, tagged "
                "`_line_truncated`.",
                {.min = ByteSize{16}})
           .Add("fingerprint_bytes", &Options::fingerprint_bytes,
                "How many leading bytes identify a file besides its inode (detects inode reuse).",
                {.min = ByteSize{16}, .max = ByteSize{1 << 20}})
           .Add("partial_timeout", &Options::partial_timeout,
                "How long a last line without newline may go without growing before it is sent "
                "as it is.",
                {.min = Duration{std::chrono::milliseconds(1)}})
           .Add("ignore_older", &Options::ignore_older,
                "Skip files not modified for this long when they are found (0: read all).")
           .Add("close_inactive", &Options::close_inactive,
                "Close a file read to its end that has not grown for this long (reopened when it "
                "grows).",
                {.min = Duration{std::chrono::milliseconds(1)}})
           .Add("rotate_wait", &Options::rotate_wait,
                "How long a renamed (rotated) file is kept open after its last growth, for late "
                "writes, once it is read to its end.",
                {.min = Duration{std::chrono::milliseconds(0)}})
           .Add("close_removed_after", &Options::close_removed_after,
                "How long a deleted file may be held open while the pipeline cannot take its "
                "data; then its unread bytes are abandoned (metric and warning).",
                {.min = Duration{std::chrono::milliseconds(1)}})
           .Add("exit_on_eof", &Options::exit_on_eof,
                "Finish once every matched file is read to its end (one-shot backfills, "
                "benchmarks): `sluice run` then drains and exits.")
           .Add("format", &Options::format,
                "How the files' lines are framed: `raw` (each line is a message) or `cri` "
                "(Kubernetes container logs under /var/log/pods: the runtime's time becomes the "
                "event time, `stream` is set, partial lines are joined; lines that are not CRI "
                "are kept whole and tagged `_cri_parse_failure`). Multiline applies after.",
                {.one_of = {"raw", "cri"}})
           .Add("multiline", &Options::multiline,
                "Join lines into events (stack traces); see the multiline options below.")
           .Add("host", &Options::host, "Value of `host.name` (default: the machine's hostname).")
           .Add("batch_events", &Options::batch_events,
                "Most events per batch handed to the pipeline.", {.min = 1})
           .Check([](const Options& o) -> std::string {
             Result<file::GlobSet> globs = file::GlobSet::Compile(o.include, o.exclude);
             return globs.ok() ? "" : globs.status().message();
           });
  return *schema;
}

// What the commit callbacks (output threads) and the reader share about one file. A truncation
// starts a new generation: acks of batches read before it carry offsets into content that is gone
// and are ignored, so they can never move the checkpoint past the new content's start.
struct FileCommit {
  std::mutex mu;
  std::string key;
  SavedFile saved;  // offset: the last acked one of the current generation
  uint64_t generation = 0;
  uint64_t emitted = 0;  // end offset of the last batch handed to the pipeline
  bool gone = false;     // deleted and done: its checkpoint entry is erased
  // copytruncate: the copy that took over the content of generation `handed_over` (the same
  // bytes at the same offsets). Late acks of that generation move the copy's checkpoint.
  std::shared_ptr<FileCommit> successor;
  uint64_t handed_over = 0;
  uint64_t successor_generation = 0;
  uint64_t previous_generation_acked = 0;  // newest ack of generation - 1 (before a copy matched)
};

namespace {

// Applies an ack of `generation` to `commit` (its checkpoint store entry follows); acks of an
// older generation go to the copy that took its content over, if any.
void ApplyAck(FileCommit& commit, uint64_t generation, uint64_t acked, CheckpointStore* store,
              std::atomic<int64_t>* lag) {
  std::lock_guard lock(commit.mu);
  if (commit.gone) return;
  if (commit.generation != generation) {
    if (!commit.successor && generation + 1 == commit.generation) {
      commit.previous_generation_acked = std::max(commit.previous_generation_acked, acked);
    }
    if (!commit.successor || commit.handed_over != generation) return;
    FileCommit& next = *commit.successor;
    std::lock_guard next_lock(next.mu);  // order: original, then copy (never the reverse)
    if (next.gone || next.generation != commit.successor_generation) return;
    if (acked <= next.saved.offset || acked > next.emitted) return;
    if (lag) lag->fetch_sub(static_cast<int64_t>(acked - next.saved.offset));
    next.saved.offset = acked;
    if (store) store->Set(next.key, next.saved.Encode());
    return;
  }
  if (lag) lag->fetch_sub(static_cast<int64_t>(acked - commit.saved.offset));
  commit.saved.offset = acked;
  if (store) store->Set(commit.key, commit.saved.Encode());
}

}  // namespace

// The state of one file being tailed.
struct TailedFile {
  std::string key;  // "dev:ino"
  std::string path;
  int fd = -1;
  Fingerprint fingerprint;
  uint64_t source_id = 0;
  uint64_t offset = 0;       // next byte to read
  uint64_t line_offset = 0;  // first byte not yet handed out as (part of) a line
  uint64_t size = 0;         // at the last fstat
  common::LineSplitter splitter;
  file::MultilineAggregator multiline;
  std::unique_ptr<file::CriDecoder> cri;  // format: cri only
  // format: cri: the time and stream of each container line given to `multiline` and not yet in
  // an event, by its file offset (an event takes those of its first line).
  struct CriMeta {
    uint64_t begin;
    int64_t time_ns;
    bool stderr_stream;
    bool malformed;
  };
  std::deque<CriMeta> cri_lines;
  int64_t cri_partial_since_mono = 0;  // when a partial container line last grew (0: none)
  std::shared_ptr<SourceTracker> source;
  std::shared_ptr<FileCommit> commit = std::make_shared<FileCommit>();
  int64_t last_growth_mono = 0;
  int64_t partial_since_mono = 0;  // when bytes without a newline last grew (0: none pending)
  bool rotated = false;            // its path now names another file, or none
  bool removed = false;            // deleted (no links left)
  int64_t removed_mono = 0;
  bool seen = false;       // found by the current rescan
  bool abandoned = false;  // deleted, given up on: dropped at the next housekeeping
  Labels lag_labels;       // of its sluice_file_input_file_lag_bytes series

  TailedFile(size_t max_line, std::shared_ptr<const file::MultilineRules> rules, bool cri_format)
      : splitter(max_line),
        multiline(std::move(rules)),
        cri(cri_format ? std::make_unique<file::CriDecoder>(max_line) : nullptr) {}
  // Bytes read but not yet in an event: a partial line, a partial container line, a pending
  // multiline event.
  bool HasPending() const {
    return splitter.pending_bytes() > 0 || multiline.pending() || (cri && cri->pending());
  }
  // Where the bytes not yet in an event begin: what a checkpoint may not pass.
  uint64_t PendingBegin(uint64_t line_offset) const {
    uint64_t begin = multiline.pending() ? multiline.pending_begin() : line_offset;
    if (cri && cri->pending()) begin = std::min(begin, cri->pending_begin());
    return begin;
  }
};

class FileInput::Tailer {
 public:
  Tailer(const Options& options, PluginContext& plugin,
         std::shared_ptr<const file::MultilineRules> rules, file::GlobSet globs);
  ~Tailer();

  void Run(InputContext& context);
  void Wake() {
    std::lock_guard lock(wake_mu_);  // the loop cannot close the handle meanwhile
    if (async_ready_) uv_async_send(&wake_async_);
  }
  std::atomic<bool> stop{false};

 private:
  void Rescan(bool first);
  void Track(const std::string& path, const struct stat& st, bool first);
  bool Open(TailedFile& f);
  void Close(TailedFile& f);
  bool ReadTurn();
  bool ReadFile(TailedFile& f);
  void OnLine(TailedFile& f, std::string_view line, bool truncated, size_t consumed);
  // Gives one (container) line to the file's multiline aggregator.
  void PushLine(TailedFile& f, std::string_view line, uint64_t begin, uint64_t end, bool truncated,
                const file::CriLine* cri);
  void AddEvent(TailedFile& f, const file::MultilineEvent& e);
  // Hands the batch being built (all events of `f`) to the pipeline, doing housekeeping while
  // the pipeline is full. Returns false when the input must stop.
  bool EmitBatch(TailedFile& f);
  void Housekeeping();
  // Gives up deleted files held past close_removed_after (safe while a batch is being emitted:
  // entries are only marked, Housekeeping() drops them). `check_links`: fstat every open file to
  // notice deletions (ReadFile() does that when reading goes on).
  void EnforceRemovedDeadline(bool check_links);
  void FlushPending(TailedFile& f, bool force);
  void Forget(TailedFile& f);
  // Starts a new checkpoint generation reading at `offset`, with `checkpoint` (<= offset) as the
  // acked position until new acks arrive.
  void NewGeneration(TailedFile& f, uint64_t offset, uint64_t checkpoint);
  void NewGeneration(TailedFile& f, uint64_t offset) { NewGeneration(f, offset, offset); }
  bool AllDone() const;
  void UpdateWatches(const std::vector<std::string>& dirs);
  // The input's labels plus the file's identity key and the path it was found under.
  Labels FileLabels(const TailedFile& f) const {
    Labels l = labels_;
    l.emplace_back("file", f.key);
    l.emplace_back("path", f.path);
    return l;
  }
  int OpenCount() const;

  static void OnFsEvent(uv_fs_event_t* handle, const char*, int, int);
  static void OnWake(uv_async_t* handle);

  const Options& options_;
  PluginContext& plugin_;
  std::shared_ptr<const file::MultilineRules> rules_;
  file::GlobSet globs_;
  const std::string host_;
  InputContext* context_ = nullptr;
  std::vector<char> buffer_;
  std::map<std::string, std::unique_ptr<TailedFile>> files_;  // by "dev:ino"
  EventBatch batch_;
  std::string_view batch_path_;       // the path of the batch's file, copied into its arena once
  uint64_t lines_pending_count_ = 0;  // lines split since the metric was last moved (per read)
  int64_t read_time_ns_ = 0;
  bool dirty_ = true;
  int64_t next_reopen_check_mono_ = 0;
  // Files truncated recently (copytruncate), whose copies continue where they were read to.
  struct TruncatedOrigin {
    Fingerprint fingerprint;
    uint64_t read_offset;
    uint64_t acked_offset;
    uint64_t source_id;
    int64_t mono;
    std::shared_ptr<FileCommit> commit;  // the original's (null after a restart)
    uint64_t generation = 0;             // its generation that held this content
  };
  std::vector<TruncatedOrigin> truncated_;
  std::map<std::string, int> deferred_;  // new files held back as likely copies: scans so far
  int64_t next_scan_mono_ = 0;

  uv_loop_t loop_{};
  uv_async_t wake_async_{};
  uv_timer_t timer_{};
  std::mutex wake_mu_;
  bool async_ready_ = false;  // guarded by wake_mu_
  std::map<std::string, uv_fs_event_t*> watches_;

  MetricsRegistry& registry_;
  Labels labels_;
  Gauge& files_watched_;
  Gauge& files_open_;
  Counter& bytes_read_;
  Counter& lines_read_;
  Counter& rotations_;
  Counter& truncations_;
  Counter& abandoned_bytes_;
  RateLimiter warn_log_;
  // Bytes handed to the pipeline but not acked yet, over every file (checkpoint lag).
  std::shared_ptr<std::atomic<int64_t>> lag_bytes_ = std::make_shared<std::atomic<int64_t>>(0);
};

FileInput::Tailer::Tailer(const Options& options, PluginContext& plugin,
                          std::shared_ptr<const file::MultilineRules> rules, file::GlobSet globs)
    : options_(options),
      plugin_(plugin),
      rules_(std::move(rules)),
      globs_(std::move(globs)),
      host_(options.host.empty() ? HostName() : options.host),
      buffer_(options.max_read_bytes.bytes),
      batch_(static_cast<size_t>(options.batch_events)),
      registry_(plugin.metrics->registry()),
      labels_(plugin.metrics->labels()),
      files_watched_(registry_.GetGauge("sluice_file_input_files_watched",
                                        "Files the file input tracks.", labels_)),
      files_open_(registry_.GetGauge("sluice_file_input_files_open",
                                     "Files the file input holds open.", labels_)),
      bytes_read_(registry_.GetCounter("sluice_file_input_read_bytes_total",
                                       "Bytes read from files.", labels_)),
      lines_read_(registry_.GetCounter("sluice_file_input_read_lines_total",
                                       "Lines read from files.", labels_)),
      rotations_(registry_.GetCounter("sluice_file_input_rotations_total",
                                      "Files seen renamed away from their path (rotated).",
                                      labels_)),
      truncations_(registry_.GetCounter(
          "sluice_file_input_truncations_total",
          "Files seen shorter than the read offset (truncate, copytruncate): read again from 0.",
          labels_)),
      abandoned_bytes_(registry_.GetCounter(
          "sluice_file_input_abandoned_bytes_total",
          "Unread bytes of deleted files given up after close_removed_after.", labels_)) {
  std::weak_ptr<std::atomic<int64_t>> lag = lag_bytes_;
  registry_.AddGaugeFunction("sluice_file_input_checkpoint_lag_bytes",
                             "Bytes handed to the pipeline and not yet acked by every output.",
                             labels_, [lag] {
                               auto l = lag.lock();
                               return l ? static_cast<double>(l->load()) : 0.0;
                             });
}

FileInput::Tailer::~Tailer() {
  for (auto& [key, f] : files_) {
    if (f->fd >= 0) ::close(f->fd);
  }
}

// Events only trigger reads of the files already tracked. New files are found by the rescans
// (every scan_interval, and at once when a tracked file is truncated): tracking a file the moment
// it is created would catch copytruncate's copy half-written, before it can be recognised as a
// copy.
void FileInput::Tailer::OnFsEvent(uv_fs_event_t* handle, const char*, int, int) {
  static_cast<Tailer*>(handle->data)->dirty_ = true;
}

void FileInput::Tailer::OnWake(uv_async_t* handle) {
  static_cast<Tailer*>(handle->data)->dirty_ = true;
}

int FileInput::Tailer::OpenCount() const {
  int n = 0;
  for (const auto& [key, f] : files_) n += f->fd >= 0 ? 1 : 0;
  return n;
}

void FileInput::Tailer::NewGeneration(TailedFile& f, uint64_t offset, uint64_t checkpoint) {
  std::shared_ptr<FileCommit> commit = f.commit;
  uint64_t generation;
  std::string encoded;
  {
    std::lock_guard lock(commit->mu);
    lag_bytes_->fetch_sub(static_cast<int64_t>(commit->emitted - commit->saved.offset));
    generation = ++commit->generation;
    commit->previous_generation_acked = commit->saved.offset;
    commit->successor.reset();
    commit->saved.offset = checkpoint;
    commit->saved.fingerprint = f.fingerprint;
    commit->saved.source_id = f.source_id;
    commit->saved.path = f.path;
    commit->emitted = offset;
    lag_bytes_->fetch_add(static_cast<int64_t>(offset - checkpoint));
    encoded = commit->saved.Encode();
  }
  if (plugin_.checkpoints) plugin_.checkpoints->Set(f.key, encoded);
  CheckpointStore* store = plugin_.checkpoints;
  std::weak_ptr<std::atomic<int64_t>> lag = lag_bytes_;
  f.source = context_->AddSource(f.path, [commit, generation, store, lag](uint64_t acked) {
    auto l = lag.lock();
    ApplyAck(*commit, generation, acked, store, l.get());
  });
  f.offset = offset;
  f.line_offset = offset;
  f.splitter.Reset();
  f.multiline = file::MultilineAggregator(rules_);
  if (f.cri) f.cri = std::make_unique<file::CriDecoder>(options_.max_line_bytes.bytes);
  f.cri_lines.clear();
  f.cri_partial_since_mono = 0;
  f.partial_since_mono = 0;
}

void FileInput::Tailer::Track(const std::string& path, const struct stat& st, bool first) {
  std::string key = file::IdentityKey(st);
  auto it = files_.find(key);
  if (it != files_.end()) {
    TailedFile& f = *it->second;
    f.seen = true;
    if (f.path != path) {
      struct stat old;
      if (::stat(f.path.c_str(), &old) != 0 || file::IdentityKey(old) != key) {
        // Renamed to another matched name (app.log -> app.log.1 with a `*.log*` glob): still one
        // file, read once, now named by its new path.
        f.path = path;
        f.rotated = false;
        rotations_.Add();
        std::lock_guard lock(f.commit->mu);
        f.commit->saved.path = path;
      }
    }
    if (f.fd < 0) {
      f.size = static_cast<uint64_t>(st.st_size);
      if (f.size != f.offset) dirty_ = true;
    }
    return;
  }
  bool has_checkpoint = plugin_.checkpoints && plugin_.checkpoints->Get(key).has_value();
  if (options_.ignore_older.value.count() > 0 && !has_checkpoint) {
    int64_t age_ns =
        WallNs() - (static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec);
    if (age_ns > options_.ignore_older.value.count()) return;
  }
  auto f =
      std::make_unique<TailedFile>(options_.max_line_bytes.bytes, rules_, options_.format == "cri");
  f->key = key;
  f->path = path;
  f->commit->key = key;
  f->seen = true;
  f->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f->fd < 0) {
    plugin_.logger.Limited(warn_log_, LogLevel::kWarn, "cannot open '{}': {}", path,
                           std::strerror(errno));
    return;
  }
  auto fp = file::ComputeFingerprint(f->fd, static_cast<uint32_t>(options_.fingerprint_bytes.bytes),
                                     path);
  if (!fp.ok()) {
    ::close(f->fd);
    return;
  }
  f->fingerprint = fp.value();
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint64_t start = 0;
  bool resumed = false;
  if (plugin_.checkpoints) {
    SavedFile saved;
    std::optional<std::string> text = plugin_.checkpoints->Get(key);
    if (text && SavedFile::Decode(*text, &saved)) {
      // The same file if its first bytes are those fingerprinted then (inode reuse otherwise).
      auto prefix = file::ComputeFingerprint(f->fd, saved.fingerprint.length, path);
      if (prefix.ok() && prefix.value() == saved.fingerprint && saved.offset <= size) {
        start = saved.offset;
        f->source_id = saved.source_id;
        resumed = true;
      } else {
        // Truncated or replaced while Sluice was stopped: its copy (if the globs match one)
        // continues from this checkpoint.
        truncations_.Add();
        truncated_.push_back(TruncatedOrigin{saved.fingerprint, saved.offset, saved.offset,
                                             saved.source_id, MonoNs()});
      }
    }
  }
  uint64_t checkpoint = start;
  std::optional<TruncatedOrigin> origin;
  bool full_fingerprint = f->fingerprint.length == options_.fingerprint_bytes.bytes;
  if (!resumed && full_fingerprint) {
    // copytruncate's copy, matched by the globs: another inode with the full fingerprint of a file
    // truncated recently (or while Sluice was stopped). It continues where the original was read
    // to, so the lines written between our last read and the truncation are not lost and nothing
    // is read twice; its checkpoint starts at what was acked of the original, so what was still in
    // flight is read again after a crash rather than lost. A copy shorter than what was read (the
    // original grew between the copy and the truncation) has nothing new: it starts at its end.
    for (auto it = truncated_.begin(); it != truncated_.end(); ++it) {
      if (it->fingerprint != f->fingerprint) continue;
      start = std::min(it->read_offset, size);
      checkpoint = std::min(it->acked_offset, start);
      f->source_id = it->source_id;
      resumed = true;
      origin = std::move(*it);
      truncated_.erase(it);
      break;
    }
  }
  if (!resumed && full_fingerprint) {
    // The same fingerprint as a live file that is not truncated (yet): most likely a copy whose
    // original is about to be truncated. Held back for a few scans; if it still matches nothing
    // truncated then, it is a file of its own, read from its start.
    for (const auto& [other_key, other] : files_) {
      if (other->fingerprint != f->fingerprint) continue;
      if (++deferred_[key] <= kCopyDeferrals) {
        ::close(f->fd);
        return;
      }
      break;
    }
  }
  deferred_.erase(key);
  if (!resumed && first && options_.read_from == "end") start = size;
  if (f->source_id == 0) {
    f->source_id = file::Fnv1a(key, f->fingerprint.hash) | 1;
  }
  f->size = size;
  f->last_growth_mono = MonoNs();
  TailedFile& ref = *f;
  files_.emplace(key, std::move(f));
  NewGeneration(ref, start, checkpoint);
  if (origin && origin->commit) {
    // The original's batches still in flight carry this content: their acks now count here.
    std::lock_guard lock(origin->commit->mu);
    origin->commit->successor = ref.commit;
    origin->commit->handed_over = origin->generation;
    std::lock_guard copy_lock(ref.commit->mu);
    origin->commit->successor_generation = ref.commit->generation;
    // Acks of that content that arrived between the truncation and now count here too.
    uint64_t late = origin->commit->previous_generation_acked;
    if (origin->commit->generation == origin->generation + 1 && late > ref.commit->saved.offset &&
        late <= ref.commit->emitted) {
      lag_bytes_->fetch_sub(static_cast<int64_t>(late - ref.commit->saved.offset));
      ref.commit->saved.offset = late;
      if (plugin_.checkpoints) plugin_.checkpoints->Set(ref.key, ref.commit->saved.Encode());
    }
  }
  std::weak_ptr<FileCommit> weak = ref.commit;
  ref.lag_labels = FileLabels(ref);
  registry_.AddGaugeFunction(kFileLagMetric,
                             "Bytes of one file handed to the pipeline and not yet acked.",
                             ref.lag_labels, [weak] {
                               auto c = weak.lock();
                               if (!c) return 0.0;
                               std::lock_guard lock(c->mu);
                               return static_cast<double>(c->emitted - c->saved.offset);
                             });
  if (OpenCount() > options_.max_open_files) Close(ref);  // waits for a free slot
  dirty_ = true;
  plugin_.logger.Debug("tailing '{}' ({}) from offset {}", path, key, start);
}

void FileInput::Tailer::Rescan(bool first) {
  for (auto& [key, f] : files_) f->seen = false;
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
    if (f->seen || f->rotated) continue;
    struct stat st;
    if (::stat(f->path.c_str(), &st) != 0 || file::IdentityKey(st) != key) {
      f->rotated = true;
      rotations_.Add();
    }
  }
  std::erase_if(deferred_, [&](const auto& d) { return !found.count(d.first); });
  int64_t now = MonoNs();
  std::erase_if(truncated_,
                [&](const TruncatedOrigin& t) { return now - t.mono > kTruncatedMemoryNs; });
  if (first && plugin_.checkpoints) {
    // Entries of files that are gone (deleted, or rotated out of the globs before this start).
    // (Files found but skipped, by ignore_older or an open error, keep theirs.)
    for (const auto& [key, value] : plugin_.checkpoints->Entries()) {
      if (!found.count(key)) plugin_.checkpoints->Erase(key);
    }
  }
  files_watched_.Set(static_cast<int64_t>(files_.size()));
  UpdateWatches(dirs);
}

void FileInput::Tailer::UpdateWatches(const std::vector<std::string>& dirs) {
  std::set<std::string> wanted(dirs.begin(), dirs.end());
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    uv_fs_event_stop(it->second);
    uv_close(reinterpret_cast<uv_handle_t*>(it->second),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_fs_event_t*>(h); });
    it = watches_.erase(it);
  }
  for (const std::string& dir : wanted) {
    if (watches_.count(dir)) continue;
    auto* handle = new uv_fs_event_t;
    uv_fs_event_init(&loop_, handle);
    handle->data = this;
    if (uv_fs_event_start(handle, &Tailer::OnFsEvent, dir.c_str(), 0) != 0) {
      // Out of inotify watches, or the directory went away: the periodic rescan still covers it.
      uv_close(reinterpret_cast<uv_handle_t*>(handle),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_fs_event_t*>(h); });
      continue;
    }
    watches_.emplace(dir, handle);
  }
}

bool FileInput::Tailer::Open(TailedFile& f) {
  int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  if (::fstat(fd, &st) != 0 || file::IdentityKey(st) != f.key) {
    ::close(fd);  // the path names another file now; the old one is gone for us
    return false;
  }
  // The inode may have been freed and reused while the file was closed: check its first bytes.
  auto prefix = file::ComputeFingerprint(fd, f.fingerprint.length, f.path);
  f.fd = fd;
  if (prefix.ok() && prefix.value() != f.fingerprint) {
    auto fp = file::ComputeFingerprint(fd, static_cast<uint32_t>(options_.fingerprint_bytes.bytes),
                                       f.path);
    if (fp.ok()) f.fingerprint = fp.value();
    f.source_id = file::Fnv1a(f.key, f.fingerprint.hash ^ static_cast<uint64_t>(WallNs())) | 1;
    f.rotated = false;
    f.removed = false;
    NewGeneration(f, 0);  // a new file on a reused inode: read from its start
  }
  return true;
}

void FileInput::Tailer::Close(TailedFile& f) {
  if (f.fd >= 0) ::close(f.fd);
  f.fd = -1;
}

void FileInput::Tailer::Forget(TailedFile& f) {
  Close(f);
  {
    std::lock_guard lock(f.commit->mu);
    if (f.commit->gone) return;
  }
  registry_.RemoveFunction(kFileLagMetric, f.lag_labels);
  {
    std::lock_guard lock(f.commit->mu);
    lag_bytes_->fetch_sub(static_cast<int64_t>(f.commit->emitted - f.commit->saved.offset));
    f.commit->gone = true;
  }
  if (plugin_.checkpoints) plugin_.checkpoints->Erase(f.key);
}

void FileInput::Tailer::AddEvent(TailedFile& f, const file::MultilineEvent& e) {
  const TailedFile::CriMeta* cri = nullptr;
  if (f.cri) {
    while (!f.cri_lines.empty() && f.cri_lines.front().begin < e.begin_offset) {
      f.cri_lines.pop_front();
    }
    if (!f.cri_lines.empty() && f.cri_lines.front().begin == e.begin_offset) {
      cri = &f.cri_lines.front();
    }
  }
  const bool cri_time = cri != nullptr && !cri->malformed;
  Event& event = batch_.Add(cri_time ? cri->time_ns : read_time_ns_, e.message);
  if (batch_path_.empty()) batch_path_ = batch_.arena().Copy(f.path);
  event.AddView("log.file.path", Value::String(batch_path_));
  event.AddView("log.offset", Value::Int(static_cast<int64_t>(e.begin_offset)));
  event.AddView("host.name", Value::String(host_));
  // A stable id: the same bytes of the same file get the same id after any restart or replay.
  uint64_t id = file::Fnv1a(
      std::string_view(reinterpret_cast<const char*>(&e.begin_offset), sizeof(e.begin_offset)),
      f.source_id);
  char* hex = static_cast<char*>(batch_.arena().Allocate(16, 1));
  for (int i = 0; i < 16; ++i) hex[i] = kHex[(id >> (60 - 4 * i)) & 0xF];
  event.AddView("event.id", Value::String(std::string_view(hex, 16)));
  event.metadata().source_id = f.source_id;
  event.metadata().offset = e.begin_offset;
  if (e.line_truncated) event.AddTag("_line_truncated");
  if (e.multiline_truncated) event.AddTag("_multiline_truncated");
  if (f.cri) {
    if (cri_time) {
      event.AddView("stream", Value::String(cri->stderr_stream ? "stderr" : "stdout"));
    } else {
      event.AddTag("_cri_parse_failure");
    }
    while (!f.cri_lines.empty() && f.cri_lines.front().begin < e.end_offset) {
      f.cri_lines.pop_front();
    }
  }
}

void FileInput::Tailer::OnLine(TailedFile& f, std::string_view line, bool truncated,
                               size_t consumed) {
  if (f.abandoned) return;  // given up while this read was being split
  uint64_t begin = f.line_offset;
  f.line_offset += consumed;
  if (line.empty() && truncated) return;  // the end of a line already handed out in pieces
  ++lines_pending_count_;
  if (f.cri) {
    f.cri->Push(line, begin, f.line_offset, truncated, [&](const file::CriLine& c) {
      PushLine(f, c.text, c.begin, c.end, c.truncated, &c);
    });
    f.cri_partial_since_mono = f.cri->pending() ? MonoNs() : 0;
    return;
  }
  PushLine(f, line, begin, f.line_offset, truncated, nullptr);
}

void FileInput::Tailer::PushLine(TailedFile& f, std::string_view line, uint64_t begin, uint64_t end,
                                 bool truncated, const file::CriLine* cri) {
  if (cri != nullptr) {
    f.cri_lines.push_back({begin, cri->time_ns, cri->stream == "stderr", cri->malformed});
  }
  f.multiline.Push(line, begin, end, truncated, read_time_ns_,
                   [&](const file::MultilineEvent& e) { AddEvent(f, e); });
  // Batches stay small enough to be cheap to build and free (one read may hold 10,000 lines).
  if (batch_.size() >= static_cast<size_t>(options_.batch_events)) EmitBatch(f);
}

void FileInput::Tailer::FlushPending(TailedFile& f, bool force) {
  if (!f.HasPending()) return;
  int64_t now = MonoNs();
  bool partial_due = f.splitter.pending_bytes() > 0 && f.partial_since_mono != 0 &&
                     now - f.partial_since_mono >= options_.partial_timeout.value.count();
  if (force || partial_due) {
    f.splitter.Finish([&](std::string_view line, bool truncated, size_t consumed) {
      OnLine(f, line, truncated, consumed);
    });
    f.partial_since_mono = 0;
  }
  // A container line whose last part never came (the container was killed mid-line).
  if (f.cri && f.cri->pending() &&
      (force || now - f.cri_partial_since_mono >= options_.partial_timeout.value.count())) {
    f.cri->Flush(
        [&](const file::CriLine& c) { PushLine(f, c.text, c.begin, c.end, c.truncated, &c); });
    f.cri_partial_since_mono = 0;
  }
  read_time_ns_ = WallNs();
  f.multiline.Flush(read_time_ns_, force, [&](const file::MultilineEvent& e) { AddEvent(f, e); });
  lines_read_.Add(lines_pending_count_);
  lines_pending_count_ = 0;
}

bool FileInput::Tailer::EmitBatch(TailedFile& f) {
  // Everything before `safe` is in this batch or an earlier one: the checkpoint it may reach.
  uint64_t safe = f.PendingBegin(f.line_offset);
  if (batch_.empty()) return true;
  size_t bytes = batch_.MemoryBytes();
  for (bool waited = false; !context_->WaitForCapacity(bytes, 100, waited); waited = true) {
    if (stop.load() && context_->stopping()) break;  // Emit() below waits for the drain
    EnforceRemovedDeadline(/*check_links=*/true);
  }
  {
    std::lock_guard lock(f.commit->mu);
    if (!f.commit->gone) {
      lag_bytes_->fetch_add(static_cast<int64_t>(safe - f.commit->emitted));
      f.commit->emitted = safe;
    }
  }
  const size_t arena_bytes = batch_.NextArenaBytes();
  bool ok = context_->Emit(std::move(batch_), f.source, safe);
  batch_ = EventBatch(static_cast<size_t>(options_.batch_events), arena_bytes);
  batch_path_ = {};
  return ok;
}

bool FileInput::Tailer::ReadFile(TailedFile& f) {
  struct stat st;
  if (::fstat(f.fd, &st) != 0) return false;
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (st.st_nlink == 0 && !f.removed) {
    f.removed = true;
    f.removed_mono = MonoNs();
  }
  if (size < f.offset) {
    // Truncated (copytruncate, or `> file`): what was read stays delivered; read the new content
    // from 0, as a new generation so that late acks of the old content cannot move the checkpoint.
    truncations_.Add();
    FlushPending(f, /*force=*/true);
    if (!EmitBatch(f)) return false;
    {
      // copytruncate copied the file before truncating it: the copy, when a rescan finds it,
      // continues from here (Track()).
      std::lock_guard lock(f.commit->mu);
      truncated_.push_back(TruncatedOrigin{f.fingerprint, f.line_offset, f.commit->saved.offset,
                                           f.source_id, MonoNs(), f.commit, f.commit->generation});
    }
    next_scan_mono_ = 0;  // look for the copy at once
    auto fp = file::ComputeFingerprint(
        f.fd, static_cast<uint32_t>(options_.fingerprint_bytes.bytes), f.path);
    if (fp.ok()) f.fingerprint = fp.value();
    NewGeneration(f, 0);
  }
  f.size = size;
  if (size == f.offset) return false;
  if (f.fingerprint.length < options_.fingerprint_bytes.bytes && size > f.fingerprint.length) {
    // A short file grew: fingerprint more of it (still read from where it was).
    auto fp = file::ComputeFingerprint(
        f.fd, static_cast<uint32_t>(options_.fingerprint_bytes.bytes), f.path);
    if (fp.ok()) {
      f.fingerprint = fp.value();
      std::lock_guard lock(f.commit->mu);
      f.commit->saved.fingerprint = f.fingerprint;
    }
  }
  size_t want = static_cast<size_t>(std::min<uint64_t>(size - f.offset, buffer_.size()));
  ssize_t n = ::pread(f.fd, buffer_.data(), want, static_cast<off_t>(f.offset));
  if (n <= 0) return false;
  f.offset += static_cast<uint64_t>(n);
  bytes_read_.Add(static_cast<uint64_t>(n));
  f.last_growth_mono = MonoNs();
  read_time_ns_ = WallNs();
  f.splitter.Feed(std::string_view(buffer_.data(), static_cast<size_t>(n)),
                  [&](std::string_view line, bool truncated, size_t consumed) {
                    OnLine(f, line, truncated, consumed);
                  });
  if (f.splitter.pending_bytes() == 0) {
    f.partial_since_mono = 0;
  } else {  // partial_timeout counts from the last growth: a slow writer is not cut
    f.partial_since_mono = f.last_growth_mono;
  }
  lines_read_.Add(lines_pending_count_);
  lines_pending_count_ = 0;
  EmitBatch(f);
  return true;
}

bool FileInput::Tailer::ReadTurn() {
  bool progress = false;
  // Reopen closed files that grew, while there are free slots (a stat per closed file: at most
  // every 250ms, not on every turn of a busy loop).
  int64_t now = MonoNs();
  if (now >= next_reopen_check_mono_) {
    next_reopen_check_mono_ = now + 250'000'000;
    int open = OpenCount();
    for (auto& [key, f] : files_) {
      if (f->fd >= 0 || f->rotated || f->abandoned) continue;
      struct stat st;
      if (::stat(f->path.c_str(), &st) != 0 || file::IdentityKey(st) != key) continue;
      f->size = static_cast<uint64_t>(st.st_size);
      if (f->size == f->offset || open >= options_.max_open_files) continue;
      if (Open(*f)) ++open;
    }
  }
  for (auto& [key, f] : files_) {
    if (stop.load()) break;
    if (f->fd < 0) continue;
    if (ReadFile(*f)) progress = true;
  }
  files_open_.Set(OpenCount());
  return progress;
}

void FileInput::Tailer::EnforceRemovedDeadline(bool check_links) {
  int64_t now = MonoNs();
  for (auto& [key, f] : files_) {
    if (f->abandoned || f->fd < 0) continue;
    if (check_links || f->removed) {
      // While blocked no ReadFile() runs, so deletions are noticed here.
      struct stat st;
      if (::fstat(f->fd, &st) != 0) continue;
      f->size = static_cast<uint64_t>(st.st_size);
      if (st.st_nlink == 0 && !f->removed) {
        f->removed = true;
        f->removed_mono = now;
      }
    }
    if (!f->removed || f->offset >= f->size) continue;
    if (now - f->removed_mono < options_.close_removed_after.value.count()) continue;
    uint64_t lost = f->size - f->offset;
    abandoned_bytes_.Add(lost);
    plugin_.logger.Warn(
        "'{}' was deleted and its last {} bytes could not be read within "
        "close_removed_after ({}): abandoned",
        f->path, lost, options_.close_removed_after.ToString());
    f->abandoned = true;
    Forget(*f);
    files_open_.Set(OpenCount());
  }
}

void FileInput::Tailer::Housekeeping() {
  EnforceRemovedDeadline(/*check_links=*/false);
  int64_t now = MonoNs();
  // Files waiting for a free slot (max_open_files): files read to their end make room at once.
  bool waiting = false;
  for (const auto& [key, f] : files_) {
    if (f->fd < 0 && !f->rotated && !f->abandoned && f->offset < f->size) waiting = true;
  }
  for (auto it = files_.begin(); it != files_.end();) {
    TailedFile& f = *it->second;
    if (f.abandoned) {
      it = files_.erase(it);
      continue;
    }
    if (f.fd >= 0) {
      FlushPending(f, /*force=*/false);
      EmitBatch(f);
    }
    bool at_end = f.fd < 0 || f.offset >= f.size;
    int64_t quiet = now - f.last_growth_mono;
    if (at_end && !f.HasPending()) {
      if (f.removed) {  // deleted and read to its end: done with it for good
        Forget(f);
        it = files_.erase(it);
        continue;
      }
      if (f.rotated && quiet >= options_.rotate_wait.value.count()) {
        if (f.fd < 0 && f.offset < f.size) {
          // Closed (no free slot, or inactive) and then renamed out of the globs before it could
          // be reopened: what it held beyond the offset cannot be reached any more.
          abandoned_bytes_.Add(f.size - f.offset);
          plugin_.logger.Warn(
              "'{}' was rotated away while closed; its last {} bytes are "
              "abandoned (raise max_open_files or close_inactive)",
              f.path, f.size - f.offset);
        }
        Forget(f);
        it = files_.erase(it);
        continue;
      }
      if (f.fd >= 0 &&
          ((waiting && !f.rotated) || quiet >= options_.close_inactive.value.count())) {
        Close(f);
      }
    }
    ++it;
  }
  files_watched_.Set(static_cast<int64_t>(files_.size()));
  files_open_.Set(OpenCount());
}

bool FileInput::Tailer::AllDone() const {
  if (!deferred_.empty()) return false;
  for (const auto& [key, f] : files_) {
    if (f->fd < 0 && f->offset < f->size) return false;
    if (f->fd >= 0 && f->offset < f->size) return false;
    if (f->HasPending()) return false;
  }
  return true;
}

void FileInput::Tailer::Run(InputContext& context) {
  context_ = &context;
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &wake_async_, &Tailer::OnWake);
  wake_async_.data = this;
  uv_timer_init(&loop_, &timer_);
  {
    std::lock_guard lock(wake_mu_);
    async_ready_ = true;
  }

  Rescan(/*first=*/true);
  next_scan_mono_ = MonoNs() + options_.scan_interval.value.count();
  while (!stop.load()) {
    dirty_ = false;
    bool progress = ReadTurn();
    Housekeeping();
    if (MonoNs() >= next_scan_mono_) {
      Rescan(/*first=*/false);
      next_scan_mono_ = MonoNs() + options_.scan_interval.value.count();
    }
    if (options_.exit_on_eof && !progress && !deferred_.empty()) {
      next_scan_mono_ = 0;  // held-back files must get their scans to be decided
    }
    if (options_.exit_on_eof && !progress) {
      // Everything matched is read: hand out partial lines and pending multiline events too.
      for (auto& [key, f] : files_) {
        if (f->fd < 0 || f->offset < f->size) continue;
        FlushPending(*f, /*force=*/true);
        EmitBatch(*f);
      }
      if (AllDone()) {
        context.Finished();
        break;
      }
    }
    if (progress || dirty_) {
      uv_run(&loop_, UV_RUN_NOWAIT);
      continue;
    }
    // Nothing to read: sleep until an fs event, a wake-up, or the next timer (fallback polling of
    // growth each 250ms; partial-line and multiline timeouts are checked then too).
    uv_timer_start(
        &timer_, [](uv_timer_t*) {}, 250, 0);
    uv_run(&loop_, UV_RUN_ONCE);
    uv_timer_stop(&timer_);
  }
  // Stopping: hand out complete events only; partial lines and pending multiline events are read
  // again after a restart (the checkpoint is before them).
  for (auto& [key, w] : watches_) {
    uv_fs_event_stop(w);
    uv_close(reinterpret_cast<uv_handle_t*>(w),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_fs_event_t*>(h); });
  }
  watches_.clear();
  {
    std::lock_guard lock(wake_mu_);
    async_ready_ = false;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_async_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

FileInput::FileInput(const Options& options, PluginContext& context,
                     std::shared_ptr<const file::MultilineRules> rules)
    : options_(options), plugin_(context), rules_(std::move(rules)) {}

Result<std::unique_ptr<FileInput>> FileInput::Build(const Options& options,
                                                    PluginContext& context) {
  auto rules = file::MultilineRules::Compile(options.multiline);
  if (!rules.ok()) return rules.status();
  return std::unique_ptr<FileInput>(new FileInput(options, context, rules.value()));
}

void FileInput::FrameForTest(const Options& options, std::string_view text, EventBatch& out) {
  auto rules = file::MultilineRules::Compile(options.multiline);
  if (!rules.ok()) return;  // the schema has rejected such options already
  file::MultilineAggregator aggregator(rules.value());
  auto add = [&out](const file::MultilineEvent& e) {
    Event& event = out.Add(0, e.message);
    if (e.line_truncated) event.AddTag("_line_truncated");
    if (e.multiline_truncated) event.AddTag("_multiline_truncated");
  };
  uint64_t offset = 0;
  std::unique_ptr<file::CriDecoder> cri;
  if (options.format == "cri")
    cri = std::make_unique<file::CriDecoder>(options.max_line_bytes.bytes);
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
  auto globs = file::GlobSet::Compile(options_.include, options_.exclude);
  if (!globs.ok()) return globs.status();
  tailer_ = std::make_unique<Tailer>(options_, plugin_, rules_, std::move(globs).value());
  thread_ = std::thread([this, &context] {
    NameThisThread("in", plugin_.id);
    tailer_->Run(context);
  });
  return Status::Ok();
}

void FileInput::Stop() {
  if (!tailer_) return;
  tailer_->stop = true;
  tailer_->Wake();
}

void FileInput::Join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace sluice::inputs
