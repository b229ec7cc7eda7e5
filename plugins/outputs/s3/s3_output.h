// s3 output: the collector's "bronze" writer. Events become NDJSON objects (gzip by default) under
// a time-partitioned, Hive-style prefix (`{{kafka.topic}}/dt=%Y-%m-%d/hour=%H/`). Objects of
// Kafka-sourced events hold one partition's contiguous offsets and are named
// `<topic>+<partition>+<first offset, 20 digits>.ndjson.gz`; after each upload a marker
// `_sluice/offsets/<topic>+<partition>` records the last offset stored. A replay (crash, restart,
// another collector taking the partition over) skips what the marker covers and starts the next
// object at the same first offset, so it overwrites instead of duplicating: every event is in
// bronze exactly once. Other events get `<host>-<open time>-<sequence>` names.
// An open object is compressed as it grows into a staging file under data_dir (bounded memory);
// it is closed by size (`max_object_size`), event count (`max_events`), event time
// (`flush_interval` after its first event), a time-bucket (prefix) change, age (`flush_interval`
// of wall time) or when the pipeline waits on it (Drain: all of them, or the largest ones first
// under the in-flight bound). Closed objects are uploaded by `upload_concurrency` upload threads,
// PutObject or multipart (`part_size`), retried with backoff and jitter without limit; the batches
// in an object are acked only after its upload (and its marker) succeeded. Objects of different
// groups (Kafka partitions) upload in parallel; those of one group one at a time, in the order they
// were closed, so a marker never names an offset whose earlier objects are not stored yet.
// `endpoint: file://DIR` writes the same layout into DIR/BUCKET/ (local bronze, for the demo).
// Pieces: an open object is an s3::StagedObject (s3_staged_object.h); objects and markers go to an
// s3::ObjectStore (s3_object_store.h): a BucketStore (S3 through S3Client) or a LocalStore.
// Thread-safety: Write/Flush/Drain/Close run on the output's thread; uploads on the upload
// threads; healthy() from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pipeline/json_encoder.h"
#include "pipeline/metric_set.h"
#include "pipeline/registry.h"
#include "pipeline/template.h"
#include "plugins/common/aws/aws_credentials.h"
#include "plugins/common/aws/s3_connection.h"
#include "plugins/common/compressor.h"
#include "plugins/common/time_zone_option.h"

namespace sluice::outputs {

namespace s3 {
class ObjectStore;
struct StagedObject;
}  // namespace s3

#define SLUICE_S3_OUTPUT_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                         \
  COUNTER(objects, "sluice_s3_output_objects_total",                                        \
          "Objects stored (uploaded, or written locally).")                                 \
  COUNTER(bytes, "sluice_s3_output_bytes_total", "Compressed bytes of the objects stored.") \
  COUNTER(upload_ms, "sluice_s3_output_upload_milliseconds_total",                          \
          "Time spent storing objects (divide by objects_total for the mean latency).")     \
  HISTOGRAM(upload_seconds, "sluice_s3_output_upload_seconds",                              \
            "Seconds to store one object: its successful attempt (every part, and the "     \
            "offset marker).")                                                              \
  COUNTER(retries, "sluice_s3_output_retries_total",                                        \
          "S3 requests tried again after a failure (object uploads, offset-marker reads).") \
  COUNTER(skipped, "sluice_s3_output_skipped_events_total",                                 \
          "Kafka events skipped because bronze already holds them (a replay after a crash " \
          "or a rebalance).")                                                               \
  COUNTER(unreadable_markers, "sluice_s3_output_unreadable_markers_total",                  \
          "Offset markers that did not hold an offset (empty or damaged objects): the "     \
          "partition was written again from its committed offset (possible duplicates).")   \
  GAUGE(open_objects, "sluice_s3_output_open_objects", "Objects being written.")            \
  GAUGE(staged_bytes, "sluice_s3_output_staged_bytes",                                      \
        "Compressed bytes of open and closed objects not yet stored.")
SLUICE_METRIC_SET(S3OutputMetrics, SLUICE_S3_OUTPUT_METRICS);

class S3Output final : public Output {
 public:
  using Metrics = S3OutputMetrics;
  // Server-side encryption: none (`sse: ""`, the default), S3-managed keys or KMS.
  enum class Sse : uint8_t { kNone, kAes256, kKms };
  static constexpr config::EnumName<Sse> kSseNames[] = {
      {"", Sse::kNone}, {"AES256", Sse::kAes256}, {"aws:kms", Sse::kKms}};
  friend constexpr std::span<const config::EnumName<Sse>> OptionNames(Sse) { return kSseNames; }
  // bucket, region, endpoint, credentials, TLS: common::S3Connection.
  struct Options : common::S3Connection {
    Template prefix = Template::Compile("{{kafka.topic}}/dt=%Y-%m-%d/hour=%H/").value();
    common::TimeZone timezone;
    common::Compression compression = common::Compression::kGzip;
    int64_t compression_level = 1;
    ByteSize max_object_size{64ull << 20};
    int64_t max_events = 0;
    Duration flush_interval{std::chrono::minutes(5)};
    int64_t upload_concurrency = 4;
    int64_t max_open_objects = 64;
    ByteSize part_size{16ull << 20};
    std::string storage_class;
    Sse sse = Sse::kNone;
    std::string sse_kms_key_id;
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<S3Output>> Build(const Options& options, PluginContext& context);

  S3Output(const Options& options, PluginContext& context);
  ~S3Output() override;

  Status Start() override;
  void Write(const EventBatch& batch, AckHandle ack) override;
  void Flush() override;
  void Drain(bool all) override;
  Status Close() override;
  bool healthy() const override { return healthy_.load(); }
  // Objects are named from `kafka.*` and the time (host.name only for events without them).
  bool reads_fields() const override {
    return options_.prefix.reads_fields(kDocumentSideFieldPrefix);
  }

 private:
  struct Partition;  // what is known of one Kafka partition

  // The open object for `group`, after closing it if `event` belongs elsewhere (another prefix, or
  // flush_interval later); a new one is named after `event` (`offset`: its Kafka offset).
  s3::StagedObject* OpenFor(const Event& event, const std::string& group, Partition* partition,
                            int64_t offset);
  void CloseObject(const std::string& group);
  void CloseAll();
  // The Kafka partition of `event` (its marker read on first sight), its group name and offset;
  // null for events that do not come from Kafka.
  Partition* PartitionOf(const Event& event, std::string* group, int64_t* offset);
  void RunUploader(s3::ObjectStore& store);
  // The first closed object whose group has no upload in flight, or closed_.end(). Holds mu_.
  std::deque<std::unique_ptr<s3::StagedObject>>::iterator NextUpload();
  // Stores one closed object (retrying until it succeeds or the output closes); true when stored.
  bool Upload(s3::StagedObject& object, s3::ObjectStore& store);

  const Options options_;
  PluginContext plugin_;
  std::string staging_dir_;
  std::unique_ptr<common::AwsCredentialsChain> credentials_;
  std::unique_ptr<s3::ObjectStore> writer_store_;                // output thread: markers
  std::vector<std::unique_ptr<s3::ObjectStore>> upload_stores_;  // one per upload thread
  JsonEncoder encoder_;
  std::string line_;
  std::string prefix_;  // the rendered prefix of the event being written
  std::string host_;
  uint64_t sequence_ = 0;          // names of non-Kafka objects
  uint64_t staging_sequence_ = 0;  // staging file names

  std::unordered_map<std::string, std::unique_ptr<s3::StagedObject>> open_;  // by group
  std::unordered_map<std::string, std::unique_ptr<Partition>> partitions_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<s3::StagedObject>>
      closed_;                                        // guarded by mu_: waiting for the uploader
  size_t uploading_ = 0;                              // guarded by mu_
  std::unordered_set<std::string> uploading_groups_;  // guarded by mu_: one upload per group
  bool stop_ = false;                                 // guarded by mu_
  bool give_up_ = false;  // guarded by mu_: uploads stop retrying (shutdown deadline)
  std::atomic<bool> closing_{false};
  std::vector<std::thread> uploaders_;
  std::atomic<bool> healthy_{true};

  Metrics metrics_;
  RateLimiter error_log_;
};

}  // namespace sluice::outputs
