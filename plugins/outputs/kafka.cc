#include "plugins/outputs/kafka.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <shared_mutex>
#include <utility>

#include "pipeline/clock.h"
#include "pipeline/thread_name.h"
#include "plugins/common/backoff.h"
#include "plugins/common/event_id.h"

namespace sluice::outputs {

SLUICE_REGISTER_OUTPUT(KafkaOutput, "kafka",
                       "Events as Kafka messages (librdkafka; acks=all, idempotent), acked on "
                       "delivery reports.");

namespace {

// Errors no retry can fix: the message goes to the dead-letter file.
bool IsPermanent(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return true;
    default:
      return false;
  }
}

}  // namespace

// Where one event's parts are, as offsets into the batch's buffers (stable once encoding is done).
struct KafkaOutput::Message {
  uint32_t value_offset;
  uint32_t value_size;
  uint32_t key_offset;
  int32_t key_size;  // -1: no key
  uint32_t topic_offset;
  uint32_t topic_size;
  int64_t timestamp_ms;
  rd_kafka_headers_t* headers;
};

// One batch on its way: the encoded messages (librdkafka points into these buffers until the
// delivery reports; nothing is copied) and the handle to ack when every message is settled.
struct KafkaOutput::Pending {
  explicit Pending(AckHandle handle) : ack(std::move(handle)) {}
  SharedAck ack;  // one piece per message, plus the Write() call
  std::string values;
  std::string keys;
  std::string topics;
};

struct KafkaOutput::Retry {
  Pending* pending;
  std::string topic;
  const char* value;
  size_t value_size;
  std::string key;
  bool has_key;
  int64_t timestamp_ms;
  rd_kafka_headers_t* headers;
  int attempts;
  int64_t due_ns;
};

const config::OptionSchema<KafkaOutput::Options>& KafkaOutput::Options::Schema() {
  static const auto* schema =
      &common::NewKafkaOptionSchema<Options>()
           .Add("topic", &Options::topic,
                "Topic of each event: a template (`spark-{{spark.app_id}}`), rendered per event.",
                {.required = true, .example = "spark-logs"})
           .Add("key", &Options::key,
                "Message key: a template. Empty: the event's source identity (one file, one "
                "key), so a file's lines land in one partition in order; events of sources "
                "without one (stdin) get no key.",
                {.example = "{{host.name}}"})
           .Add("partitioner", &Options::partitioner,
                "librdkafka partitioner for keyed messages; `murmur2_random` is the Java "
                "client's (keys map to the same partitions as Kafka Streams and Connect use).")
           .Add("compression", &Options::compression, "Compression of message batches.")
           .Add("compression_level", &Options::compression_level,
                "Codec level (`compression.level`): 1 is the fastest; higher levels trade CPU for "
                "smaller batches; `-1`: the codec's own default (zstd 3, gzip 6).",
                {.min = -1, .max = 12})
           .Add("encoding", &Options::encoding,
                "`json`: the event as one JSON object (the same encoder as every output); "
                "`raw`: the message bytes only.")
           .Add("headers", &Options::headers,
                "Message headers: header name → template, rendered per event (a missing field "
                "gives an empty value).",
                {.example = "{app: '{{spark.app_id}}', host: '{{host.name}}'}"})
           .Add("acks", &Options::acks,
                "Broker acknowledgements a delivery needs: `all` (every in-sync replica), `1` "
                "(the leader), `0` (none: delivery reports then prove nothing).")
           .Add("idempotence", &Options::idempotence,
                "librdkafka's idempotent producer: retries never duplicate or reorder messages "
                "within a partition. Needs `acks: all`.")
           .Add("linger", &Options::linger,
                "How long librdkafka waits to fill a message batch (`linger.ms`).")
           .Add("batch_size", &Options::batch_size, "Largest message batch sent (`batch.size`).",
                {.min = ByteSize{1}})
           .Add("max_queue_bytes", &Options::max_queue_bytes,
                "Bound on what librdkafka holds unsent (`queue.buffering.max.kbytes`); when "
                "full, the output waits and the pipeline's inputs stop reading.",
                {.min = ByteSize{1024}})
           .Add("message_max_bytes", &Options::message_max_bytes,
                "Largest message produced (`message.max.bytes`; keep it at most the topic's "
                "max.message.bytes). Larger events go to the dead-letter file.",
                {.min = ByteSize{1000}})
           .Check([](const Options& o) -> std::string {
             if (o.idempotence && o.acks != Acks::kAll) {
               return "idempotence needs acks: all (set acks: all, or idempotence: false)";
             }
             if (o.batch_size.bytes > o.message_max_bytes.bytes) {
               return "batch_size must be at most message_max_bytes";
             }
             for (const auto& [name, tmpl] : o.headers) {
               if (name.empty()) return "headers: a header name must not be empty";
             }
             return "";
           });
  return *schema;
}

Result<std::unique_ptr<KafkaOutput>> KafkaOutput::Build(const Options& options,
                                                        PluginContext& context) {
  return std::make_unique<KafkaOutput>(options, context);
}

KafkaOutput::KafkaOutput(const Options& options, PluginContext& context)
    : options_(options),
      plugin_(context),
      raw_(options.encoding == common::KafkaPayload::kRaw),
      dead_letter_(context.data_dir, context.pipeline, context.id),
      metrics_(*context.metrics) {}

KafkaOutput::~KafkaOutput() {
  if (poller_.joinable()) (void)Close();
  for (auto& [name, topic] : topics_) rd_kafka_topic_destroy(topic);
  if (rk_ != nullptr) {
    metrics_.queue_messages.Remove(metrics_.queue_messages.labels());
    rd_kafka_destroy(rk_);
  }
}

Status KafkaOutput::Start() {
  auto rk = CreateProducer();
  if (!rk.ok()) return rk.status();
  rk_ = rk.value();
  destination_ = "kafka://" + bootstrap_servers_;
  metrics_.queue_messages.AddFunction(metrics_.queue_messages.labels(),
                                      [this] { return static_cast<double>(queue_length_.load()); });
  plugin_.logger.Info("producing to {}", bootstrap_servers_);
  poller_ = std::thread([this] {
    NameThisThread("poll", plugin_.id);
    RunPoller();
  });
  return Status::Ok();
}

Result<rd_kafka_t*> KafkaOutput::CreateProducer() {
  const std::vector<std::pair<std::string, std::string>> defaults = {
      {"client.id", "sluice-" + plugin_.pipeline + "-" + plugin_.id},
      {"acks", options_.acks == Acks::kAll ? "-1" : std::string(config::EnumNameOf(options_.acks))},
      {"enable.idempotence", options_.idempotence ? "true" : "false"},
      {"compression.codec", std::string(config::EnumNameOf(options_.compression))},
      {"compression.level", std::to_string(options_.compression_level)},
      {"linger.ms", std::to_string(std::max<int64_t>(0, options_.linger.millis()))},
      {"batch.size", std::to_string(options_.batch_size.bytes)},
      {"batch.num.messages", "100000"},
      {"queue.buffering.max.kbytes",
       std::to_string(std::max<uint64_t>(1, options_.max_queue_bytes.bytes / 1024))},
      {"queue.buffering.max.messages", "1000000"},
      {"message.max.bytes", std::to_string(options_.message_max_bytes.bytes)},
      {"message.timeout.ms", "0"},  // retry without limit: the pipeline waits, nothing is dropped
      {"partitioner", std::string(config::EnumNameOf(options_.partitioner))},
  };
  std::vector<std::string> embedded_topics;
  if (options_.topic.is_constant()) embedded_topics.push_back(options_.topic.source());
  auto client = common::NewKafkaClient(
      RD_KAFKA_PRODUCER, common::KafkaConnectionOf(options_), defaults, this,
      [](rd_kafka_conf_t* conf) { rd_kafka_conf_set_dr_msg_cb(conf, &KafkaOutput::OnDelivery); },
      embedded_topics);
  if (!client.ok()) return client.status();
  embedded_ = client->embedded;
  bootstrap_servers_ = client->bootstrap_servers;
  return client->rk;
}

void KafkaOutput::RestartProducer() {
  auto created = CreateProducer();
  if (!created.ok()) {
    plugin_.logger.Limited(error_log_, LogLevel::kError, "cannot start a new producer: {}",
                           created.status().message());
    return;  // tried again on the next poll
  }
  rd_kafka_t* old = nullptr;
  std::unordered_map<std::string, rd_kafka_topic_t*> old_topics;
  {
    std::unique_lock lock(producer_mu_);
    old = std::exchange(rk_, created.value());
    old_topics.swap(topics_);
    fatal_ = false;
  }
  metrics_.producer_restarts.Add();
  // What the old producer still holds comes back in failed delivery reports: produced again.
  rd_kafka_purge(old, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  const int64_t deadline = MonoNs() + 10'000'000'000;
  while (rd_kafka_outq_len(old) > 0 && MonoNs() < deadline) rd_kafka_poll(old, 50);
  rd_kafka_poll(old, 0);
  if (int left = rd_kafka_outq_len(old); left > 0) {
    plugin_.logger.Error(
        "{} message(s) of the failed producer did not come back; their batches "
        "stay unacked and are sent again after a restart",
        left);
  }
  for (auto& [name, topic] : old_topics) rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(old);
  plugin_.logger.Info("a new producer took over; undelivered messages are produced again");
}

rd_kafka_topic_t* KafkaOutput::TopicHandle(const std::string& name) {
  auto it = topics_.find(name);
  if (it != topics_.end()) return it->second;
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk_, name.c_str(), nullptr);
  if (t != nullptr) topics_.emplace(name, t);
  return t;
}

void KafkaOutput::Write(const EventBatch& batch, AckHandle ack) {
  auto* pending = new Pending(std::move(ack));
  messages_.clear();
  // Room for the batch up front, not regrown per append: its message bytes times what the last
  // batch encoded per message byte (bounded by this batch's own size, even after a batch of one
  // huge event).
  const size_t message_bytes = batch.MessageBytes();
  pending->values.reserve(
      static_cast<size_t>(static_cast<double>(message_bytes) * encoded_per_message_byte_) +
      batch.size() * 64);
  if (options_.key.source().empty()) pending->keys.reserve(batch.size() * 16);
  const bool constant_topic = options_.topic.is_constant();
  for (const Event& e : batch.events()) {
    Message m{};
    m.value_offset = static_cast<uint32_t>(pending->values.size());
    if (raw_) {
      pending->values.append(e.message());
    } else {
      encoder_.Encode(e, pending->values);
    }
    m.value_size = static_cast<uint32_t>(pending->values.size() - m.value_offset);
    m.key_offset = static_cast<uint32_t>(pending->keys.size());
    if (!options_.key.source().empty()) {
      options_.key.Render(e, pending->keys);
      m.key_size = static_cast<int32_t>(pending->keys.size() - m.key_offset);
    } else if (e.metadata().source_id != 0) {
      char hex[16];
      common::FormatHex64(e.metadata().source_id, hex);
      pending->keys.append(hex, sizeof(hex));
      m.key_size = sizeof(hex);
    } else {
      m.key_size = -1;
    }
    if (!constant_topic) {
      m.topic_offset = static_cast<uint32_t>(pending->topics.size());
      options_.topic.Render(e, pending->topics);
      m.topic_size = static_cast<uint32_t>(pending->topics.size() - m.topic_offset);
    }
    m.timestamp_ms = e.timestamp_ns() / 1'000'000;
    if (!options_.headers.empty()) {
      m.headers = rd_kafka_headers_new(options_.headers.size());
      for (const auto& [name, tmpl] : options_.headers) {
        topic_scratch_.clear();
        tmpl.Render(e, topic_scratch_);
        rd_kafka_header_add(m.headers, name.data(), static_cast<ssize_t>(name.size()),
                            topic_scratch_.data(), static_cast<ssize_t>(topic_scratch_.size()));
      }
    }
    messages_.push_back(m);
  }
  if (message_bytes > 0) {
    encoded_per_message_byte_ =
        static_cast<double>(pending->values.size()) / static_cast<double>(message_bytes);
  }
  // One extra count for this call: delivery reports that come while producing cannot settle the
  // batch before every message is handed over.
  pending->ack.Add(static_cast<int64_t>(messages_.size()));
  std::shared_lock producer_lock(producer_mu_);
  rd_kafka_topic_t* fixed = constant_topic ? TopicHandle(options_.topic.source()) : nullptr;
  for (const Message& m : messages_) {
    rd_kafka_topic_t* topic = fixed;
    if (topic == nullptr) {
      topic_scratch_.assign(pending->topics, m.topic_offset, m.topic_size);
      topic = TopicHandle(topic_scratch_);
    }
    const char* value = pending->values.data() + m.value_offset;
    const char* key = m.key_size < 0 ? nullptr : pending->keys.data() + m.key_offset;
    rd_kafka_resp_err_t err =
        topic == nullptr ? RD_KAFKA_RESP_ERR__INVALID_ARG
                         : Produce(topic, value, m.value_size, key, m.key_size < 0 ? 0 : m.key_size,
                                   m.timestamp_ms, m.headers, pending);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    std::string_view name =
        constant_topic ? std::string_view(options_.topic.source())
                       : std::string_view(pending->topics).substr(m.topic_offset, m.topic_size);
    if (IsPermanent(err)) {
      if (m.headers != nullptr) rd_kafka_headers_destroy(m.headers);
      DeadLetter(pending, rd_kafka_err2str(err), name, std::string_view(value, m.value_size));
      continue;
    }
    // Anything else (a fatal error included: a new producer takes over) is produced again.
    Retry r{pending,
            std::string(name),
            value,
            m.value_size,
            key == nullptr ? std::string() : std::string(key, static_cast<size_t>(m.key_size)),
            key != nullptr,
            m.timestamp_ms,
            m.headers,
            0,
            0};
    QueueRetry(std::move(r), err);
  }
  Settle(pending, true);
}

void KafkaOutput::QueueRetry(Retry r, rd_kafka_resp_err_t err) {
  static thread_local std::mt19937_64 jitter = common::JitterEngine();
  if (common::IsKafkaSetupError(err)) setup_error_ = true;
  healthy_ = false;
  metrics_.retried.Add();
  plugin_.logger.Limited(retry_log_, LogLevel::kError,
                         "cannot deliver to topic '{}': {}; producing it again (the pipeline "
                         "waits for it)",
                         r.topic, rd_kafka_err2str(err));
  // 250 ms doubling up to 30 s between attempts, with jitter.
  const int64_t backoff_ms = common::JitteredBackoffMs(r.attempts, 250, 30'000, jitter);
  r.attempts++;
  r.due_ns = MonoNs() + backoff_ms * 1'000'000;
  std::lock_guard lock(mu_);
  retries_.push_back(std::move(r));
}

rd_kafka_resp_err_t KafkaOutput::Produce(rd_kafka_topic_t* topic, const char* value,
                                         size_t value_size, const char* key, size_t key_size,
                                         int64_t timestamp_ms, rd_kafka_headers_t* headers,
                                         Pending* pending) {
  bool waited = false;
  while (true) {
    rd_kafka_resp_err_t err;
    if (headers != nullptr) {
      err = rd_kafka_producev(rk_, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_MSGFLAGS(0),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value), value_size),
                              RD_KAFKA_V_KEY(key, key_size), RD_KAFKA_V_TIMESTAMP(timestamp_ms),
                              RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(pending),
                              RD_KAFKA_V_END);
    } else {
      err = rd_kafka_producev(rk_, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_MSGFLAGS(0),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value), value_size),
                              RD_KAFKA_V_KEY(key, key_size), RD_KAFKA_V_TIMESTAMP(timestamp_ms),
                              RD_KAFKA_V_OPAQUE(pending), RD_KAFKA_V_END);
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return err;
    if (fatal_.load()) return RD_KAFKA_RESP_ERR__FATAL;  // the poll thread replaces the producer
    // librdkafka holds max_queue_bytes: wait for delivery reports to make room (backpressure).
    if (!waited) metrics_.queue_full_waits.Add();
    waited = true;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
}

void KafkaOutput::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<KafkaOutput*>(static_cast<common::KafkaClientHooks*>(opaque));
  self->Delivered(*message);
}

void KafkaOutput::Delivered(const rd_kafka_message_t& m) {
  auto* pending = static_cast<Pending*>(m._private);
  if (m.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    metrics_.delivered.Add();
    if (!healthy_.load()) {
      setup_error_ = false;
      healthy_ = true;
      plugin_.logger.Info("delivering again");
    }
    Settle(pending, true);
    return;
  }
  const char* topic = rd_kafka_topic_name(m.rkt);
  if (IsPermanent(m.err)) {
    DeadLetter(pending, rd_kafka_err2str(m.err), topic,
               std::string_view(static_cast<const char*>(m.payload), m.len));
    return;
  }
  if (closing_.load()) {
    Settle(pending, false);  // purged at close: not delivered
    return;
  }
  Retry r;
  r.pending = pending;
  r.topic = topic;
  r.value = static_cast<const char*>(m.payload);
  r.value_size = m.len;
  r.has_key = m.key != nullptr;
  if (r.has_key) r.key.assign(static_cast<const char*>(m.key), m.key_len);
  rd_kafka_timestamp_type_t type;
  r.timestamp_ms = rd_kafka_message_timestamp(&m, &type);
  rd_kafka_headers_t* headers = nullptr;
  r.headers = rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR
                  ? rd_kafka_headers_copy(headers)
                  : nullptr;
  r.attempts = 0;
  QueueRetry(std::move(r), m.err);
}

void KafkaOutput::DeadLetter(Pending* pending, std::string_view reason, std::string_view topic,
                             std::string_view value) {
  Status s = dead_letter_.Append(reason, fmt::format("{}/{}", destination_, topic), value, !raw_);
  if (!s.ok()) {
    plugin_.logger.Limited(error_log_, LogLevel::kError,
                           "a message Kafka refused ({}) cannot be dead-lettered: {}; the batch "
                           "is not acked",
                           reason, s.message());
    Settle(pending, false);
    return;
  }
  metrics_.dead_lettered.Add();
  plugin_.metrics->discarded("dead_letter").Add();
  plugin_.logger.Limited(error_log_, LogLevel::kWarn,
                         "Kafka refused a message for topic '{}' ({}, {} bytes); written to {}",
                         topic, reason, value.size(), dead_letter_.path());
  Settle(pending, true);
}

void KafkaOutput::Settle(Pending* pending, bool ok) {
  if (pending->ack.Settle(ok)) delete pending;
}

void KafkaOutput::ProduceRetries() {
  std::deque<Retry> due;
  const int64_t now = MonoNs();
  {
    std::lock_guard lock(mu_);
    for (auto it = retries_.begin(); it != retries_.end();) {
      if (it->due_ns <= now) {
        due.push_back(std::move(*it));
        it = retries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (Retry& r : due) {
    rd_kafka_resp_err_t err;
    if (r.headers != nullptr) {
      err = rd_kafka_producev(rk_, RD_KAFKA_V_TOPIC(r.topic.c_str()), RD_KAFKA_V_MSGFLAGS(0),
                              RD_KAFKA_V_VALUE(const_cast<char*>(r.value), r.value_size),
                              RD_KAFKA_V_KEY(r.has_key ? r.key.data() : nullptr, r.key.size()),
                              RD_KAFKA_V_TIMESTAMP(r.timestamp_ms), RD_KAFKA_V_HEADERS(r.headers),
                              RD_KAFKA_V_OPAQUE(r.pending), RD_KAFKA_V_END);
    } else {
      err = rd_kafka_producev(rk_, RD_KAFKA_V_TOPIC(r.topic.c_str()), RD_KAFKA_V_MSGFLAGS(0),
                              RD_KAFKA_V_VALUE(const_cast<char*>(r.value), r.value_size),
                              RD_KAFKA_V_KEY(r.has_key ? r.key.data() : nullptr, r.key.size()),
                              RD_KAFKA_V_TIMESTAMP(r.timestamp_ms), RD_KAFKA_V_OPAQUE(r.pending),
                              RD_KAFKA_V_END);
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // librdkafka owns the headers now
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {       // not an error: try again shortly
      r.due_ns = MonoNs() + 50'000'000;
      std::lock_guard lock(mu_);
      retries_.push_back(std::move(r));
      continue;
    }
    if (IsPermanent(err)) {
      if (r.headers) rd_kafka_headers_destroy(r.headers);
      DeadLetter(r.pending, rd_kafka_err2str(err), r.topic,
                 std::string_view(r.value, r.value_size));
      continue;
    }
    QueueRetry(std::move(r), err);
  }
}

void KafkaOutput::RunPoller() {
  int64_t next_probe_ns = 0;
  while (true) {
    rd_kafka_poll(rk_, 100);
    queue_length_ = rd_kafka_outq_len(rk_);
    cv_.notify_all();
    {
      std::lock_guard lock(mu_);
      if (stop_poller_) return;
    }
    if (fatal_.load()) RestartProducer();
    if (!fatal_.load()) ProduceRetries();
    // While unready without traffic to prove otherwise, ask for metadata now and then: brokers
    // that answer make the output ready again.
    if (!healthy_.load() && !setup_error_.load() && MonoNs() >= next_probe_ns) {
      next_probe_ns = MonoNs() + 2'000'000'000;
      const rd_kafka_metadata_t* metadata = nullptr;
      if (rd_kafka_metadata(rk_, 0, nullptr, &metadata, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_metadata_destroy(metadata);
        std::lock_guard lock(mu_);
        if (retries_.empty() && !healthy_.exchange(true)) {
          plugin_.logger.Info("the brokers answer again");
        }
      }
    }
  }
}

void KafkaOutput::OnKafkaError(rd_kafka_t*, rd_kafka_resp_err_t err, const std::string& reason,
                               bool fatal) {
  uint64_t held_back = 0;
  switch (common::ClassifyKafkaError(err, fatal, reason)) {
    case common::KafkaErrorKind::kFatal:
      healthy_ = false;
      fatal_ = true;
      plugin_.logger.Error(
          "the producer hit a fatal error ({}: {}); starting a new producer, which produces "
          "every undelivered message again (those in flight may be duplicated)",
          rd_kafka_err2name(err), reason);
      return;
    case common::KafkaErrorKind::kSetup:
      healthy_ = false;
      setup_error_ = true;
      plugin_.logger.Limited(setup_log_, LogLevel::kError,
                             "{} (check tls and sasl options and the brokers' ACLs); not ready, "
                             "retrying",
                             reason);
      return;
    case common::KafkaErrorKind::kUnreachable:
      // The first time it happens is always logged; repeats are rate-limited.
      if (healthy_.exchange(false) || unreachable_log_.Allow(&held_back)) {
        plugin_.logger.Error(
            "cannot reach the Kafka brokers {}: {}; not ready, retrying (the pipeline waits, "
            "nothing is dropped)",
            bootstrap_servers_, reason);
      }
      return;
    case common::KafkaErrorKind::kOther:
      plugin_.logger.Limited(error_log_, LogLevel::kWarn, "{}", reason);
      return;
  }
}

Status KafkaOutput::Close() {
  if (!poller_.joinable()) return Status::Ok();
  // Everything was acked when the pipeline drained; otherwise give librdkafka a little while.
  const int64_t deadline = MonoNs() + 5'000'000'000;
  while (MonoNs() < deadline) {
    {
      std::shared_lock producer_lock(producer_mu_);
      std::lock_guard lock(mu_);
      if (retries_.empty() && rd_kafka_outq_len(rk_) == 0 && !fatal_.load()) break;
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
  closing_ = true;
  int undelivered = 0;
  {
    std::shared_lock producer_lock(producer_mu_);
    undelivered = rd_kafka_outq_len(rk_);
    if (undelivered > 0) rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  }
  {
    std::lock_guard lock(mu_);
    stop_poller_ = true;
  }
  poller_.join();
  // The purged messages' delivery reports fail their batches.
  for (int i = 0; i < 50 && rd_kafka_outq_len(rk_) > 0; ++i) rd_kafka_poll(rk_, 20);
  rd_kafka_poll(rk_, 0);
  std::deque<Retry> left;
  {
    std::lock_guard lock(mu_);
    left.swap(retries_);
  }
  for (Retry& r : left) {
    if (r.headers) rd_kafka_headers_destroy(r.headers);
    Settle(r.pending, false);
  }
  if (undelivered > 0 || !left.empty()) {
    return IoError(fmt::format("{} message(s) were not delivered to Kafka at shutdown",
                               undelivered + static_cast<int>(left.size())));
  }
  return Status::Ok();
}

}  // namespace sluice::outputs
