// file output: appends events as lines (NDJSON by default) to files whose path is a template
// (`/data/spark/{{host.name}}/%Y-%m-%d.ndjson`, from each event's fields and time). Acks come after
// the data is fsynced (group commit: one fsync per file per burst of batches), so an acked event
// survives a crash. Write errors (disk full, permissions) are retried with backoff without limit:
// the pipeline sees backpressure and nothing is dropped.
// Thread-safety: every method runs on the output's thread.
#pragma once

#include <atomic>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "pipeline/registry.h"
#include "pipeline/template.h"
#include "plugins/common/event_codec.h"

namespace sluice::outputs {

#define SLUICE_FILE_OUTPUT_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                            \
  COUNTER(write_retries, "sluice_file_write_retries_total",                                      \
          "Failed opens or writes, each retried after a backoff (failed fsyncs are not retried " \
          "and not counted here).")                                                              \
  COUNTER(fsyncs, "sluice_file_fsyncs_total",                                                    \
          "fsync calls (one per written file per flush), failed ones included.")                 \
  COUNTER(missing_path_fields, "sluice_file_missing_path_fields_total",                          \
          "Events whose `path` template referenced a field they lack (rendered as empty).")
SLUICE_METRIC_SET(FileOutputMetrics, SLUICE_FILE_OUTPUT_METRICS);

class FileOutput final : public Output {
 public:
  using Metrics = FileOutputMetrics;
  struct Options {
    Template path;
    common::Codec codec = common::Codec::kJson;
    bool fsync = true;
    int64_t max_open_files = 64;
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<FileOutput>> Build(const Options& options, PluginContext& context);

  FileOutput(const Options& options, PluginContext& context);
  ~FileOutput() override;

  void Write(const EventBatch& batch, AckHandle ack) override;
  void Flush() override;
  Status Close() override;
  bool healthy() const override { return healthy_.load(); }
  bool reads_fields() const override {
    return options_.codec != common::Codec::kJson ||
           options_.path.reads_fields(kDocumentSideFieldPrefix);
  }

 private:
  struct OpenFile {
    int fd = -1;
    std::string buffer;  // encoded, not yet written
    bool dirty = false;  // written, not yet fsynced
    std::list<std::string>::iterator lru;
  };
  OpenFile& FileFor(const std::string& path);
  // Writes every buffer out, retrying with backoff until it succeeds.
  void WriteBuffers();
  // Writes the file's buffer; on failure keeps what was not written and sets *error.
  bool WriteAll(const std::string& path, OpenFile& file, std::string* error);
  void CloseFile(const std::string& path);

  const Options options_;
  PluginContext plugin_;
  common::EventCodec codec_;
  std::unordered_map<std::string, OpenFile> files_;
  std::list<std::string> lru_;  // most recently used first
  std::vector<AckHandle> pending_;
  std::string path_scratch_;
  Metrics metrics_;
  std::atomic<bool> healthy_{true};  // read by the admin API's threads
  RateLimiter error_log_;
  RateLimiter missing_field_log_;
};

}  // namespace sluice::outputs
