// file input: tails log files (Spark driver/executor logs on EMR/YARN nodes, plain hosts, EKS
// sidecars) without losing or repeating lines across rotation, truncation, deletion and restarts.
//
// Discovery: `include`/`exclude` globs (with `**` and `{a,b}`), rescanned within 200 ms of an
// inotify event that can mean a new file (libuv fs events on the watched directories), and every
// `scan_interval` for what events miss. Identity: a file is
// its (device, inode) plus a fingerprint of its first `fingerprint_bytes` (file_identity.h), so a
// renamed file is still the same file and a reused inode is a new one. Reading: round-robin over
// open files, at most `max_read_bytes` per file per turn, big pread()s and memchr line splitting;
// lines longer than `max_line_bytes` are cut and tagged. Multiline joining per file
// (plugins/common/multiline/multiline.h). Rotation: a renamed file is read to its end and closed
// after `rotate_wait` of silence; a truncated file (size below the read offset) restarts at 0; a
// deleted file is read to its end, or given up after `close_removed_after` while the pipeline is
// blocked. Checkpoints: per file, the offset just past the last event every output acked, kept in
// the engine's checkpoint store (persisted atomically); a restart resumes there (at-least-once).
//
// Files: file_options (the options), file_glob (discovery patterns), file_identity (identity and
// the saved checkpoint), file_tailer (one file being read), file_commit (what may be checkpointed;
// copytruncate), file_cri and plugins/common/multiline (framing), file_gzip (`.gz` files, read
// once, whole, when complete); this file is the plugin and its loop.
//
// Thread-safety: the input runs one thread with its own libuv loop; Stop() may be called from any
// thread; commit callbacks run on output threads and only touch the checkpoint store.
#pragma once

#include <memory>
#include <string_view>
#include <thread>

#include "pipeline/registry.h"
#include "plugins/common/multiline/multiline.h"
#include "plugins/inputs/file/file_metrics.h"
#include "plugins/inputs/file/file_options.h"

namespace sluice::inputs {

class FileInput final : public Input {
 public:
  using Options = file::FileOptions;
  using Metrics = file::FileInputMetrics;
  // Fails only (Internal) for options the schema did not parse: they lack the compiled globs.
  static Result<std::unique_ptr<FileInput>> Build(const Options& options, PluginContext& context);
  // For `sluice test`: the events this input would make of `text` (lines joined by its multiline
  // rules, lines cut at max_line_bytes), without file fields.
  static void FrameForTest(const Options& options, std::string_view text, EventBatch& out);

  ~FileInput() override;
  Status Start(InputContext& context) override;
  void Stop() override;
  void Join() override;

  class Runner;  // the state of the running input: discovery, reading turns, batches (.cc)

 private:
  FileInput(const Options& options, PluginContext& context,
            std::shared_ptr<const file::MultilineRules> rules);

  const Options options_;
  PluginContext plugin_;
  std::shared_ptr<const file::MultilineRules> rules_;
  std::unique_ptr<Runner> runner_;
  std::thread thread_;
};

}  // namespace sluice::inputs
