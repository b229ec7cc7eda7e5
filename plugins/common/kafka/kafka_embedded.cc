#include "plugins/common/kafka/kafka_embedded.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>

namespace sluice::common {

EmbeddedKafka::EmbeddedKafka(rd_kafka_t* handle, rd_kafka_mock_cluster_t* cluster)
    : handle_(handle), cluster_(cluster), bootstraps_(rd_kafka_mock_cluster_bootstraps(cluster)) {}

EmbeddedKafka::~EmbeddedKafka() {
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(handle_);
}

void EmbeddedKafka::EnsureTopic(const std::string& topic, int partitions) {
  std::lock_guard lock(mu_);
  if (!topics_.insert(topic).second) return;
  // An error means it exists already (auto-created by a client): keep it as it is.
  (void)rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, std::min(3, kBrokers));
}

std::unique_ptr<EmbeddedKafka> EmbeddedKafka::Start(int brokers, std::string* error) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // This client never connects anywhere: quiet its "no bootstrap.servers" notice.
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (handle == nullptr) {
    *error = std::string("cannot create the client the embedded cluster lives in: ") + errstr;
    rd_kafka_conf_destroy(conf);
    return nullptr;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, brokers);
  if (cluster == nullptr) {
    *error = "librdkafka could not start its mock cluster (no free ports on 127.0.0.1?)";
    rd_kafka_destroy(handle);
    return nullptr;
  }
  return std::unique_ptr<EmbeddedKafka>(new EmbeddedKafka(handle, cluster));
}

std::shared_ptr<EmbeddedKafka> EmbeddedKafka::Acquire(std::string* error) {
  static std::mutex mu;
  static std::weak_ptr<EmbeddedKafka> shared;
  std::lock_guard lock(mu);
  if (auto existing = shared.lock()) return existing;
  std::shared_ptr<EmbeddedKafka> started = Start(kBrokers, error);
  shared = started;
  return started;
}

}  // namespace sluice::common
