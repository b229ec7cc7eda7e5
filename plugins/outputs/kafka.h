// kafka output: produces each event as one Kafka message with librdkafka (acks=all and the
// idempotent producer by default, zstd compression). The topic and the key are templates rendered
// per event; without a key, the event's source identity is the key, so one file's lines stay in
// one partition, in order. A batch is acked once librdkafka reported every one of its messages
// delivered (delivery reports), so checkpoints never pass data Kafka has not got.
// Broker outages and retriable errors are retried by librdkafka without limit
// (message.timeout.ms=0): its queue, bounded by `max_queue_bytes`, fills, Write() waits, and the
// pipeline's inputs stop reading. A message Kafka refuses for good (larger than the broker or
// `message_max_bytes` allows, an invalid topic name) is written to the dead-letter file
// (data_dir/dead_letter/PIPELINE/ID.ndjson), counted, and acked. Other delivery failures
// (authorization) are produced again with backoff, and the output is unready until they succeed.
// A fatal producer error (the idempotent producer lost its sequence with the broker) retires the
// producer: a new one takes over and produces again every message the old one had not delivered.
// Thread-safety: Write/Flush/Close run on the output's thread; delivery reports, retries and
// producer restarts run on the output's poll thread; healthy() from any thread.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "pipeline/json_encoder.h"
#include "pipeline/registry.h"
#include "pipeline/template.h"
#include "plugins/common/dead_letter.h"
#include "plugins/common/kafka/kafka_client.h"

namespace sluice::outputs {

#define SLUICE_KAFKA_OUTPUT_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                           \
  COUNTER(delivered, "sluice_kafka_output_delivered_messages_total",                             \
          "Messages Kafka acknowledged (delivery reports without error).")                       \
  COUNTER(retried, "sluice_kafka_output_retries_total",                                          \
          "Messages produced again after a delivery error librdkafka gave up on.")               \
  COUNTER(dead_lettered, "sluice_kafka_output_dead_letter_messages_total",                       \
          "Messages Kafka refused for good (too large, invalid topic), written to the "          \
          "dead-letter file.")                                                                   \
  COUNTER(queue_full_waits, "sluice_kafka_output_queue_full_waits_total",                        \
          "Writes that waited for room in librdkafka's queue (max_queue_bytes; backpressure).")  \
  COUNTER(producer_restarts, "sluice_kafka_output_producer_restarts_total",                      \
          "Producers replaced after a fatal error (their undelivered messages produced again).") \
  FAMILY(queue_messages, gauge, "sluice_kafka_output_queue_messages", "",                        \
         "Messages and requests librdkafka holds, not yet delivered.")
SLUICE_METRIC_SET(KafkaOutputMetrics, SLUICE_KAFKA_OUTPUT_METRICS);

class KafkaOutput final : public Output, public common::KafkaClientHooks {
 public:
  using Metrics = KafkaOutputMetrics;
  // librdkafka's partitioners (`partitioner`, named as librdkafka names them).
  enum class Partitioner : uint8_t {
    kMurmur2Random,
    kMurmur2,
    kConsistentRandom,
    kConsistent,
    kFnv1a,
    kFnv1aRandom,
    kRandom,
  };
  static constexpr config::EnumName<Partitioner> kPartitionerNames[] = {
      {"murmur2_random", Partitioner::kMurmur2Random},
      {"murmur2", Partitioner::kMurmur2},
      {"consistent_random", Partitioner::kConsistentRandom},
      {"consistent", Partitioner::kConsistent},
      {"fnv1a", Partitioner::kFnv1a},
      {"fnv1a_random", Partitioner::kFnv1aRandom},
      {"random", Partitioner::kRandom}};
  friend constexpr std::span<const config::EnumName<Partitioner>> OptionNames(Partitioner) {
    return kPartitionerNames;
  }
  // The codec of message batches (`compression`; librdkafka's `compression.codec` names).
  enum class Compression : uint8_t { kNone, kGzip, kSnappy, kLz4, kZstd };
  static constexpr config::EnumName<Compression> kCompressionNames[] = {
      {"none", Compression::kNone},
      {"gzip", Compression::kGzip},
      {"snappy", Compression::kSnappy},
      {"lz4", Compression::kLz4},
      {"zstd", Compression::kZstd}};
  friend constexpr std::span<const config::EnumName<Compression>> OptionNames(Compression) {
    return kCompressionNames;
  }
  // Broker acknowledgements a delivery needs (`acks`): every in-sync replica, the leader, none.
  enum class Acks : uint8_t { kAll, kLeader, kNone };
  static constexpr config::EnumName<Acks> kAcksNames[] = {
      {"all", Acks::kAll}, {"1", Acks::kLeader}, {"0", Acks::kNone}};
  friend constexpr std::span<const config::EnumName<Acks>> OptionNames(Acks) { return kAcksNames; }
  struct Options {
    std::string brokers;
    common::KafkaTlsOptions tls;
    common::KafkaSaslOptions sasl;
    std::map<std::string, std::string> librdkafka;
    Template topic;
    Template key;
    Partitioner partitioner = Partitioner::kMurmur2Random;
    Compression compression = Compression::kZstd;
    int64_t compression_level = 1;
    common::KafkaPayload encoding = common::KafkaPayload::kJson;
    std::map<std::string, Template> headers;
    Acks acks = Acks::kAll;
    bool idempotence = true;
    Duration linger{std::chrono::milliseconds(20)};
    ByteSize batch_size{1000000};
    ByteSize max_queue_bytes{64ull << 20};
    ByteSize message_max_bytes{1000000};
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<KafkaOutput>> Build(const Options& options, PluginContext& context);

  KafkaOutput(const Options& options, PluginContext& context);
  ~KafkaOutput() override;

  Status Start() override;
  void Write(const EventBatch& batch, AckHandle ack) override;
  Status Close() override;
  bool healthy() const override { return healthy_.load(); }

  // common::KafkaClientHooks
  const Logger& kafka_logger() const override { return plugin_.logger; }
  void OnKafkaError(rd_kafka_t* rk, rd_kafka_resp_err_t err, const std::string& reason,
                    bool fatal) override;

 private:
  struct Pending;  // one batch being delivered
  struct Retry;    // one message to produce again
  struct Message;  // where one event's parts are in the batch's buffers
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  void Delivered(const rd_kafka_message_t& message);
  // Produces one message, waiting while librdkafka's queue is full. librdkafka takes `headers`
  // only on success. Returns NO_ERROR or librdkafka's error.
  rd_kafka_resp_err_t Produce(rd_kafka_topic_t* topic, const char* value, size_t value_size,
                              const char* key, size_t key_size, int64_t timestamp_ms,
                              rd_kafka_headers_t* headers, Pending* pending);
  rd_kafka_topic_t* TopicHandle(const std::string& name);
  // The message is settled for good without delivery: dead-lettered (or failed if even that fails).
  void DeadLetter(Pending* pending, std::string_view reason, std::string_view topic,
                  std::string_view value);
  void Settle(Pending* pending, bool ok);
  // Produces `r` again after a backoff (from the poll thread); the output is unready meanwhile.
  void QueueRetry(Retry r, rd_kafka_resp_err_t err);
  void RunPoller();
  void ProduceRetries();
  Result<rd_kafka_t*> CreateProducer();
  // After a fatal error: swaps in a new producer, then drains the old one (its messages come back
  // as retries).
  void RestartProducer();

  const Options options_;
  PluginContext plugin_;
  const bool raw_;
  std::shared_ptr<common::EmbeddedKafka> embedded_;  // kept alive while producing to it
  std::string bootstrap_servers_;
  // The producer and its topic handles: used under a shared lock by the output thread, swapped
  // under the exclusive lock by the poll thread (which alone may use them without the lock).
  std::shared_mutex producer_mu_;
  rd_kafka_t* rk_ = nullptr;
  std::unordered_map<std::string, rd_kafka_topic_t*> topics_;
  std::string destination_;  // "kafka://brokers"
  JsonEncoder encoder_;
  std::vector<Message> messages_;        // scratch for Write()
  double encoded_per_message_byte_ = 3;  // of the last batch: encoded bytes / message bytes
  std::string topic_scratch_;
  common::DeadLetterFile dead_letter_;

  std::atomic<bool> healthy_{true};
  std::atomic<bool> setup_error_{false};  // an error only a fixed setup clears
  std::atomic<bool> closing_{false};
  std::atomic<bool> fatal_{false};        // the producer is dead: the poll thread replaces it
  std::atomic<int64_t> queue_length_{0};  // librdkafka's outq, as of the last poll
  std::mutex mu_;
  std::condition_variable cv_;  // signalled when librdkafka's queue drains a little
  std::deque<Retry> retries_;   // guarded by mu_
  bool stop_poller_ = false;
  std::thread poller_;

  Metrics metrics_;
  RateLimiter error_log_;
  RateLimiter unreachable_log_;
  RateLimiter setup_log_;  // apart from error_log_: a warning must not hold a setup error back
  RateLimiter retry_log_;
};

}  // namespace sluice::outputs
