// kafka input: consumes topics as a member of a Kafka consumer group (librdkafka), one event per
// message. Each assigned partition is a source: its offsets are committed to the group only for
// the contiguous prefix of messages every output has acked (never before), every
// `commit_interval` and when the partition is revoked or the input stops. So a crash re-reads from
// the last commit: at-least-once, duplicates bounded by what was in flight. A revoked partition's
// in-flight batches are awaited (up to `drain_timeout`) and committed before it goes; what is
// still unacked then is abandoned without a commit (the next owner reads it again). Under
// backpressure every assigned partition is paused (the consumer keeps polling, so it stays in its
// group) and resumed when the pipeline has room.
// `decode: json` reads Sluice's own JSON events back (nested objects as dotted fields,
// `@timestamp` as the event time, `tags`); a message that is not a JSON object is kept as a raw
// message and tagged. Every event gets kafka.topic, kafka.partition, kafka.offset, kafka.key and
// kafka.timestamp (ms since the epoch).
// Thread-safety: one consumer thread does the Kafka work; acks commit through atomics it reads.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pipeline/registry.h"
#include "plugins/common/json_fields.h"
#include "plugins/common/kafka/kafka_client.h"

namespace sluice::inputs {

#define SLUICE_KAFKA_INPUT_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                           \
  COUNTER(commits, "sluice_kafka_input_commits_total",                                          \
          "Offset commits sent to the consumer group.")                                         \
  COUNTER(commit_errors, "sluice_kafka_input_commit_errors_total",                              \
          "Offset commits the group coordinator refused (retried with the next commit).")       \
  COUNTER(decode_failures, "sluice_kafka_input_decode_failures_total",                          \
          "Messages `decode: json` could not read (kept raw and tagged).")                      \
  COUNTER(passthrough_events, "sluice_kafka_input_passthrough_events_total",                    \
          "Messages carried through as the JSON documents they are, not decoded into fields "   \
          "(`passthrough`).")                                                                   \
  COUNTER(rebalances, "sluice_kafka_input_rebalances_total",                                    \
          "Partition assignments and revocations this consumer went through.")                  \
  COUNTER(abandoned_batches, "sluice_kafka_input_abandoned_batches_total",                      \
          "Batches of revoked partitions still unacked after drain_timeout (read again by the " \
          "partition's next owner).")                                                           \
  COUNTER(consume_errors, "sluice_kafka_input_consume_errors_total",                            \
          "Errors the consumer reported (unknown topics, broker errors).")                      \
  COUNTER(pauses, "sluice_kafka_input_pauses_total",                                            \
          "Times fetching was paused because the pipeline was full (backpressure); resumed "    \
          "when it had room.")                                                                  \
  FAMILY(consumer_lag, gauge, "sluice_kafka_input_consumer_lag_messages", "topic, partition",   \
         "Messages of the partition not yet committed by this consumer (high watermark minus "  \
         "the committed offset).")
SLUICE_METRIC_SET(KafkaInputMetrics, SLUICE_KAFKA_INPUT_METRICS);

class KafkaInput final : public Input, public common::KafkaClientHooks {
 public:
  using Metrics = KafkaInputMetrics;
  // Where a group without committed offsets starts (`start`; librdkafka's `auto.offset.reset`,
  // which takes the same names).
  enum class Start : uint8_t { kEarliest, kLatest };
  static constexpr config::EnumName<Start> kStartNames[] = {{"earliest", Start::kEarliest},
                                                            {"latest", Start::kLatest}};
  friend constexpr std::span<const config::EnumName<Start>> OptionNames(Start) {
    return kStartNames;
  }
  struct Options {
    std::string brokers;
    common::KafkaTlsOptions tls;
    common::KafkaSaslOptions sasl;
    std::map<std::string, std::string> librdkafka;
    std::vector<std::string> topics;
    std::string group_id = "sluice";
    std::string instance_id = "none";
    Start start = Start::kEarliest;
    common::KafkaPayload decode = common::KafkaPayload::kJson;
    std::vector<std::string> tag_on_failure = {"_jsonparsefailure"};
    bool passthrough = true;
    int64_t batch_events = 1024;
    Duration commit_interval{std::chrono::seconds(1)};
    Duration drain_timeout{std::chrono::seconds(10)};
    Duration exit_on_idle{std::chrono::seconds(0)};
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<KafkaInput>> Build(const Options& options, PluginContext& context);

  KafkaInput(const Options& options, PluginContext& context);
  ~KafkaInput() override;

  Status Start(InputContext& context) override;
  void Stop() override { stop_ = true; }
  void Join() override;
  bool healthy() const override { return healthy_.load(); }
  // The group.instance.id `instance_id` stands for; "" for dynamic membership.
  std::string InstanceId() const;

  // common::KafkaClientHooks
  const Logger& kafka_logger() const override { return plugin_.logger; }
  void OnKafkaError(rd_kafka_t* rk, rd_kafka_resp_err_t err, const std::string& reason,
                    bool fatal) override;

 private:
  struct Partition;
  using PartitionKey = std::pair<std::string, int32_t>;

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void Rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  void Assigned(rd_kafka_topic_partition_list_t* partitions);
  // Waits (up to drain_timeout) for the partitions' emitted batches, commits, and forgets them.
  void Revoked(rd_kafka_topic_partition_list_t* partitions);
  void Run();
  // `now`: MonoNs() at the poll that returned `message`.
  void Consume(rd_kafka_message_t* message, int64_t now);
  // The partition `message` belongs to (partitions_.end() when not ours); the last one found is
  // remembered: a fetch brings runs of one partition's messages.
  std::map<PartitionKey, std::unique_ptr<Partition>>::iterator FindPartition(
      const rd_kafka_message_t* message);
  // Hands the partition's open batch to the pipeline, pausing the consumer while there is no room.
  // Returns false when the input is stopping or the partition went away meanwhile.
  bool EmitBatch(const PartitionKey& key);
  void EmitAll();
  // Commits each partition's acked prefix that moved since the last commit. `sync`: wait for it.
  void Commit(bool sync);
  void CommitPartitions(const std::vector<Partition*>& partitions, bool sync);
  void SetPaused(bool paused);
  void UpdateLagGauges();

  const Options options_;
  PluginContext plugin_;
  InputContext* context_ = nullptr;
  rd_kafka_t* rk_ = nullptr;
  std::shared_ptr<common::EmbeddedKafka> embedded_;  // kept alive while consuming from it
  std::string bootstrap_servers_;
  std::unique_ptr<common::JsonFields> json_;
  bool passthrough_ = false;  // documents carried through (Start() decides)
  std::map<PartitionKey, std::unique_ptr<Partition>> partitions_;  // consumer thread only
  // FindPartition()'s last answer (reset when partitions_ changes).
  const rd_kafka_topic_t* found_topic_ = nullptr;
  int32_t found_partition_ = -1;
  std::map<PartitionKey, std::unique_ptr<Partition>>::iterator found_;
  bool paused_ = false;
  bool emitting_ = false;  // inside EmitBatch()
  int64_t last_message_ns_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> healthy_{true};
  std::atomic<bool> closed_{false};
  std::thread thread_;

  Metrics metrics_;
  RateLimiter error_log_;
  RateLimiter unreachable_log_;
  RateLimiter setup_log_;  // apart from error_log_: a warning must not hold a setup error back
};

}  // namespace sluice::inputs
