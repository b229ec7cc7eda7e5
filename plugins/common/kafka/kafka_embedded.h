// EmbeddedKafka: librdkafka's in-process mock Kafka cluster (the real Kafka protocol, brokers
// listening on 127.0.0.1), for `brokers: embedded`: the demo and tests run the whole agent → Kafka
// → collector path in one process with no server to install. One cluster per process, shared by
// every pipeline that asks for it and stopped when the last user lets go. It is not durable: its
// topics and committed offsets live in memory and die with the process. librdkafka's mock keeps at
// most 5 MiB (of compressed batches) per partition and deletes older data, like a broker with
// a small retention.bytes: topics the Kafka plugins name are therefore created with
// kTopicPartitions partitions, and consumers must keep up.
// Thread-safety: Acquire() may be called from any thread; the cluster is thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace sluice::common {

class EmbeddedKafka {
 public:
  static constexpr int kBrokers = 3;
  static constexpr int kTopicPartitions = 16;

  // The process's cluster, started on first use (kBrokers brokers). Null when librdkafka cannot
  // start it; `error` then says why.
  static std::shared_ptr<EmbeddedKafka> Acquire(std::string* error);
  // A cluster of its own (not the shared one), for the test helper binary.
  static std::unique_ptr<EmbeddedKafka> Start(int brokers, std::string* error);

  ~EmbeddedKafka();
  EmbeddedKafka(const EmbeddedKafka&) = delete;
  EmbeddedKafka& operator=(const EmbeddedKafka&) = delete;

  // "127.0.0.1:PORT,127.0.0.1:PORT,...".
  const std::string& bootstrap_servers() const { return bootstraps_; }
  rd_kafka_mock_cluster_s* cluster() const { return cluster_; }
  // Creates `topic` with `partitions` partitions (replication 3) unless it exists.
  void EnsureTopic(const std::string& topic, int partitions = kTopicPartitions);

 private:
  EmbeddedKafka(rd_kafka_s* handle, rd_kafka_mock_cluster_s* cluster);

  rd_kafka_s* handle_;  // the client instance the mock cluster lives in; it sends nothing
  rd_kafka_mock_cluster_s* cluster_;
  std::string bootstraps_;
  std::mutex mu_;
  std::set<std::string> topics_;  // created through EnsureTopic()
};

}  // namespace sluice::common
