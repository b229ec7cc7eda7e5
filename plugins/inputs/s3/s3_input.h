// s3 input: reads every object under a prefix of a bucket once, plain or gzip-compressed, into
// events: EMR's S3 log archive (s3://aws-logs-ACCOUNT-REGION/elasticmapreduce/j-.../containers/
// .../stderr.gz) backfilled into bronze or Elasticsearch from clusters that are gone.
//  - Listing: ListObjectsV2 under `prefix`, in key order, keys filtered by the `include` and
//    `exclude` globs; listed again every `poll_interval` for new objects, or, with
//    `exit_when_done`, once (then `sluice run` drains and exits). With `sqs_queue_url`, objects
//    are also read as S3's event notifications announce them (s3_input_sqs.h).
//  - Reading: GetObject, gunzip (by the gzip magic bytes with `decompress: auto`), lines cut as the
//    file input cuts them, joined by `multiline` (the file input's options), one batch of at most
//    `batch_events` events at a time. Events carry `log.file.path` (s3://BUCKET/KEY), `log.offset`
//    (the event's offset in the uncompressed object), `aws.s3.bucket.name`, `aws.s3.object.key`
//    and a stable `event.id` (the same bytes of the same object version get the same id).
//  - Checkpoints: one per key in the input's checkpoint store: the object's ETag and the offset
//    its acked events reach, `done` once all are acked. A restart skips done objects and reads
//    the others from their acked offset; an object whose ETag changed (rewritten) is read again
//    from its start.
// Objects are read whole into memory (bounded by `max_object_size`, compressed); a larger one is
// not read and is logged at every listing.
// Thread-safety: one thread of its own; Stop() from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "pipeline/metric_set.h"
#include "pipeline/registry.h"
#include "pipeline/units.h"
#include "plugins/common/aws/s3_connection.h"
#include "plugins/common/multiline/multiline.h"

namespace sluice::inputs {

namespace s3 {
class SqsQueue;
}

#define SLUICE_S3_INPUT_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                          \
  COUNTER(objects, "sluice_s3_input_objects_total", "Objects read to their end.")           \
  COUNTER(object_bytes, "sluice_s3_input_object_bytes_total",                               \
          "Bytes downloaded (as stored: compressed for gzip objects).")                     \
  COUNTER(failed_objects, "sluice_s3_input_failed_objects_total",                           \
          "Objects that could not be read whole: corrupt or truncated gzip (what could be " \
          "read was sent), or larger than `max_object_size` (not read). Each is logged.")   \
  COUNTER(request_failures, "sluice_s3_input_request_failures_total",                       \
          "ListObjectsV2 and GetObject requests that failed (retried at the next listing).")
SLUICE_METRIC_SET(S3InputMetrics, SLUICE_S3_INPUT_METRICS);

class S3Input final : public Input {
 public:
  using Metrics = S3InputMetrics;
  enum class Decompress : uint8_t { kAuto, kGzip, kNone };
  static constexpr config::EnumName<Decompress> kDecompressNames[] = {
      {"auto", Decompress::kAuto}, {"gzip", Decompress::kGzip}, {"none", Decompress::kNone}};
  friend constexpr std::span<const config::EnumName<Decompress>> OptionNames(Decompress) {
    return kDecompressNames;
  }
  // bucket, region, endpoint, credentials, TLS: common::S3Connection.
  struct Options : common::S3Connection {
    std::string prefix;
    std::vector<std::string> include;
    std::vector<std::string> exclude;
    Decompress decompress = Decompress::kAuto;
    common::MultilineOptions multiline;
    ByteSize max_line_bytes{1 << 20};
    ByteSize max_object_size{1ull << 30};
    int64_t batch_events = 1000;
    Duration poll_interval{std::chrono::seconds(60)};
    bool exit_when_done = false;
    std::string sqs_queue_url;
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<S3Input>> Build(const Options& options, PluginContext& context);

  S3Input(const Options& options, PluginContext& context);
  ~S3Input() override;

  Status Start(InputContext& context) override;
  void Stop() override;
  void Join() override;
  bool healthy() const override { return healthy_.load(); }

  // Whether `key` is read: it matches an `include` glob (or there are none) and no `exclude` glob
  // (fnmatch, `*` matching `/` too).
  bool Selected(const std::string& key) const;

 private:
  struct Object;  // one object being read

  void Run();
  // Lists the prefix and reads what is new; false when a request failed (listing again later).
  bool Pass();
  // Reads one object from `start` (an offset in its uncompressed bytes).
  bool Read(const common::S3ObjectInfo& info, uint64_t start);
  // Sleeps up to `ns`, or until Stop().
  void Wait(int64_t ns);
  // Reads what the queue's notifications announce until `until_mono`; false when the queue
  // cannot be read (the caller waits for the next listing).
  bool FollowQueue(int64_t until_mono);
  // Reads `info` unless it is done or not wanted; false when reading failed.
  bool ReadIfNew(const common::S3ObjectInfo& info);

  const Options options_;
  PluginContext plugin_;  // a copy: the one Build() gets does not outlive it
  std::optional<Metrics> metrics_;
  std::shared_ptr<const common::MultilineRules> rules_;
  std::unique_ptr<common::AwsCredentialsChain> credentials_;
  std::unique_ptr<common::S3Client> client_;
  std::unique_ptr<s3::SqsQueue> queue_;  // with sqs_queue_url
  // The objects (`KEY ETAG`) this process has read: not read again while their acks come (a
  // slow output, a notification of an object the listing found first).
  std::unordered_set<std::string> read_;
  bool queue_ok_ = true;
  InputContext* context_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> healthy_{true};
  std::mutex mu_;
  std::condition_variable wake_;
};

}  // namespace sluice::inputs
