#include "plugins/inputs/kafka.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "pipeline/clock.h"
#include "pipeline/json_string.h"
#include "pipeline/thread_name.h"
#include "plugins/common/hash.h"
#include "plugins/common/host_name.h"

namespace sluice::inputs {

SLUICE_REGISTER_INPUT(KafkaInput, "kafka",
                      "Kafka topics as a consumer group member (librdkafka); offsets committed "
                      "only after every output acked.");

// One assigned partition: its source (acks → checkpoints), the batch being filled, and what was
// committed. `acked` is written by the ack path (any thread) and read by the consumer thread.
struct KafkaInput::Partition {
  std::string topic;
  int32_t partition = 0;
  uint64_t source_id = 0;
  std::shared_ptr<SourceTracker> source;
  std::shared_ptr<std::atomic<int64_t>> acked;  // next offset to commit; -1: nothing acked yet
  std::shared_ptr<std::atomic<int64_t>> lag;    // for the lag gauge
  Labels lag_labels;
  int64_t committed = -1;  // the last offset committed
  std::unique_ptr<EventBatch> batch;
  std::string_view batch_topic;  // the topic name, copied into the batch's arena
  int64_t batch_end = 0;         // offset after the batch's last message
  bool eof = false;
};

const config::OptionSchema<KafkaInput::Options>& KafkaInput::Options::Schema() {
  static const auto* schema =
      &common::NewKafkaOptionSchema<Options>()
           .Add("topics", &Options::topics,
                "Topics to consume: names, or regular expressions starting with `^` "
                "(`^spark-.*`), which also pick up topics created later.",
                {.required = true, .non_empty = true, .example = "[spark-logs]"})
           .Add("group_id", &Options::group_id,
                "Consumer group: the instances of one group share the partitions; offsets are "
                "committed to it.",
                {.non_empty = true, .example = "sluice-collector"})
           .Add("instance_id", &Options::instance_id,
                "Group membership. `none`: dynamic (a stopped consumer leaves the group at once; "
                "a crashed one is noticed after `session.timeout.ms`, 6 s by default). `auto`: "
                "static membership (Kafka's `group.instance.id`) as `HOST-PIPELINE-ID-XXXXXX` "
                "(the host name, the pipeline, this input's id and a hash of `data_dir`); any "
                "other value: that id. A static member that comes back within the session "
                "timeout gets its partitions back without a rebalance, but never leaves the "
                "group on stop: its partitions wait for the session timeout. Two running "
                "consumers must never share an id (the broker fences the older one). See "
                "docs/plugins/inputs/kafka.md.",
                {.non_empty = true, .example = "auto"})
           .Add("start", &Options::start,
                "Where a group without committed offsets starts: `earliest` (all retained data) "
                "or `latest` (only new messages).")
           .Add("decode", &Options::decode,
                "`json`: each message is a JSON event (as the kafka output writes them) whose "
                "fields, time and tags are restored; `raw`: the message bytes are the event's "
                "message.")
           .Add("tag_on_failure", &Options::tag_on_failure,
                "Tags added to a message that `decode: json` cannot read as a JSON object (it is "
                "kept, raw, as the message).")
           .Add("passthrough", &Options::passthrough,
                "With `decode: json`, carry each message through as the JSON object it is "
                "(validated, its `@timestamp` and `event.id` read, the `kafka.*` fields added; "
                "not decoded into fields and encoded again) when nothing downstream reads "
                "fields: no filters, no output `when:`, output templates that read only "
                "`kafka.*` and the time. Messages that do not qualify are decoded. `false`: "
                "always decode. See docs/plugins/inputs/kafka.md#passthrough.")
           .Add("batch_events", &Options::batch_events, "Most messages per batch (per partition).",
                {.min = 1})
           .Add("commit_interval", &Options::commit_interval,
                "How often acked offsets are committed to the group.",
                {.min = Duration{std::chrono::milliseconds(10)}})
           .Add("drain_timeout", &Options::drain_timeout,
                "How long a revoked partition's in-flight events are awaited (and then "
                "committed) before it is given up; what is not acked by then is read again by "
                "its next owner.")
           .Add("exit_on_idle", &Options::exit_on_idle,
                "Finish (so `sluice run` drains and exits) once every assigned partition was "
                "read to its end and no message came for this long. `0s`: consume forever.",
                {.example = "5s"})
           .Check([](const Options& o) -> std::string {
             for (const auto& t : o.topics) {
               if (t.empty()) return "topics: a topic name must not be empty";
             }
             return "";
           });
  return *schema;
}

Result<std::unique_ptr<KafkaInput>> KafkaInput::Build(const Options& options,
                                                      PluginContext& context) {
  return std::make_unique<KafkaInput>(options, context);
}

KafkaInput::KafkaInput(const Options& options, PluginContext& context)
    : options_(options), plugin_(context), metrics_(*context.metrics) {
  if (options_.decode == common::KafkaPayload::kJson) {
    json_ = std::make_unique<common::JsonFields>(common::JsonFields::Options{.event_keys = true});
  }
}

KafkaInput::~KafkaInput() {
  Stop();
  Join();
  if (rk_ == nullptr) return;
  // The pipeline has drained (its outputs are closed before inputs are destroyed): commit what
  // was acked, then leave the group.
  Commit(/*sync=*/true);
  closed_ = true;
  rd_kafka_consumer_close(rk_);
  for (auto& [key, p] : partitions_) {
    metrics_.consumer_lag.Remove(p->lag_labels);
  }
  partitions_.clear();
  found_topic_ = nullptr;
  rd_kafka_destroy(rk_);
}

Status KafkaInput::Start(InputContext& context) {
  context_ = &context;
  passthrough_ = options_.passthrough && json_ != nullptr && context.fields_unread();
  if (passthrough_) {
    plugin_.logger.Info(
        "nothing downstream reads the events' fields: JSON messages are carried through as they "
        "are (passthrough)");
  }
  const std::vector<std::pair<std::string, std::string>> defaults = {
      {"client.id", "sluice-" + plugin_.pipeline + "-" + plugin_.id},
      {"group.id", options_.group_id},
      // A crashed member is noticed in 6 s (brokers' default minimum) rather than librdkafka's
      // 45 s; heartbeats run on librdkafka's own thread, so a busy pipeline does not miss them.
      {"session.timeout.ms", "6000"},
      {"heartbeat.interval.ms", "1000"},
      {"enable.auto.commit", "false"},  // offsets are committed for acked messages only
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", std::string(config::EnumNameOf(options_.start))},
      {"enable.partition.eof", "true"},
      {"fetch.max.bytes", "16777216"},
      // librdkafka's prefetch (one queue for all partitions), bounded by bytes alone. librdkafka
      // 2.0's fetchers look at a full queue again only once a second, so an input reads at most
      // about this bound per second (measured with 64 partitions, 6.6 M agent events: 37 s at
      // 32 MiB and 192 MiB peak RSS, 22 s at 64 MiB and 370 MiB, 11 s at 256 MiB and 865 MiB;
      // a message-count bound of 20,000 took 56 s). 32 MiB keeps the collector lean; raise it
      // with `librdkafka:` to catch up faster (docs/plugins/inputs/kafka.md).
      {"queued.max.messages.kbytes", "32768"},
      {"queued.min.messages", "10000000"},
      {"partition.assignment.strategy", "range,roundrobin"},
  };
  std::vector<std::pair<std::string, std::string>> settings = defaults;
  const std::string instance = InstanceId();
  if (!instance.empty()) settings.emplace_back("group.instance.id", instance);
  std::vector<std::string> embedded_topics;  // names, not patterns
  for (const auto& t : options_.topics) {
    if (!t.starts_with('^')) embedded_topics.push_back(t);
  }
  auto client = common::NewKafkaClient(
      RD_KAFKA_CONSUMER, common::KafkaConnectionOf(options_), settings, this,
      [](rd_kafka_conf_t* conf) { rd_kafka_conf_set_rebalance_cb(conf, &KafkaInput::OnRebalance); },
      embedded_topics);
  if (!client.ok()) return client.status();
  rk_ = client->rk;
  embedded_ = client->embedded;
  bootstrap_servers_ = client->bootstrap_servers;
  rd_kafka_poll_set_consumer(rk_);
  rd_kafka_topic_partition_list_t* topics =
      rd_kafka_topic_partition_list_new(static_cast<int>(options_.topics.size()));
  for (const auto& t : options_.topics) {
    rd_kafka_topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return InvalidArgument(std::string("cannot subscribe: ") + rd_kafka_err2str(err));
  }
  plugin_.logger.Info("consuming {} from {} as group '{}'{}", fmt::join(options_.topics, ", "),
                      bootstrap_servers_, options_.group_id,
                      instance.empty() ? "" : " (static member '" + instance + "')");
  last_message_ns_ = MonoNs();
  thread_ = std::thread([this] {
    NameThisThread("in", plugin_.id);
    Run();
  });
  return Status::Ok();
}

std::string KafkaInput::InstanceId() const {
  if (options_.instance_id == "none") return "";
  if (options_.instance_id != "auto") return options_.instance_id;
  // The data_dir tells apart two instances on one host (each has its own: its state is locked).
  return fmt::format("{}-{}-{}-{:06x}", common::HostName(), plugin_.pipeline, plugin_.id,
                     common::Fnv1a(plugin_.data_dir) & 0xFFFFFF);
}

void KafkaInput::Join() {
  if (thread_.joinable()) thread_.join();
}

void KafkaInput::OnRebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<KafkaInput*>(static_cast<common::KafkaClientHooks*>(opaque));
  self->Rebalance(err, partitions);
}

void KafkaInput::Rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
  metrics_.rebalances.Add();
  const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk_)) == "COOPERATIVE";
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    Assigned(partitions);
    if (cooperative) {
      rd_kafka_error_t* e = rd_kafka_incremental_assign(rk_, partitions);
      if (e) rd_kafka_error_destroy(e);
    } else {
      rd_kafka_assign(rk_, partitions);
    }
    if (paused_) rd_kafka_pause_partitions(rk_, partitions);
    return;
  }
  Revoked(partitions);
  if (cooperative) {
    rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk_, partitions);
    if (e) rd_kafka_error_destroy(e);
  } else {
    rd_kafka_assign(rk_, nullptr);
  }
}

void KafkaInput::Assigned(rd_kafka_topic_partition_list_t* partitions) {
  std::vector<std::string> names;
  for (int i = 0; i < partitions->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = partitions->elems[i];
    auto p = std::make_unique<Partition>();
    p->topic = tp.topic;
    p->partition = tp.partition;
    p->source_id = common::Mix64(common::Fnv1aU64(static_cast<uint64_t>(tp.partition),
                                                  common::Fnv1a(p->topic))) |
                   1;
    p->acked = std::make_shared<std::atomic<int64_t>>(-1);
    p->lag = std::make_shared<std::atomic<int64_t>>(0);
    std::string name = fmt::format("{}/{}", p->topic, p->partition);
    p->source = context_->AddSource(name, [acked = p->acked](uint64_t checkpoint) {
      acked->store(static_cast<int64_t>(checkpoint));
    });
    p->lag_labels = metrics_.consumer_lag.LabelsWith(
        {{"topic", p->topic}, {"partition", std::to_string(p->partition)}});
    metrics_.consumer_lag.AddFunction(p->lag_labels,
                                      [lag = p->lag] { return static_cast<double>(lag->load()); });
    partitions_[{p->topic, p->partition}] = std::move(p);
    found_topic_ = nullptr;
    names.push_back(std::move(name));
  }
  healthy_ = true;
  plugin_.logger.Info("assigned {} partition(s): {}", names.size(), fmt::join(names, ", "));
}

void KafkaInput::Revoked(rd_kafka_topic_partition_list_t* partitions) {
  std::vector<Partition*> going;
  for (int i = 0; i < partitions->cnt; ++i) {
    auto it = partitions_.find({partitions->elems[i].topic, partitions->elems[i].partition});
    if (it == partitions_.end()) continue;
    // What was read but not emitted is simply not committed: the next owner reads it again.
    it->second->batch.reset();
    going.push_back(it->second.get());
  }
  // Let the outputs finish the emitted batches, so their offsets can be committed now.
  const int64_t deadline = MonoNs() + options_.drain_timeout.value.count();
  auto drained = [&] {
    for (Partition* p : going) {
      if (p->source->pending() > 0) return false;
    }
    return true;
  };
  if (!drained()) {
    DrainRequest drain(*context_);  // outputs that accumulate (S3) hand over now
    while (!drained() && MonoNs() < deadline && !closed_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  CommitPartitions(going, /*sync=*/true);
  std::vector<std::string> names;
  for (Partition* p : going) {
    if (uint64_t left = p->source->pending(); left > 0) {
      metrics_.abandoned_batches.Add(left);
      plugin_.logger.Warn(
          "revoked {}/{} with {} batch(es) not yet acked after drain_timeout ({}); they are "
          "not committed, so the partition's next owner reads them again (duplicates)",
          p->topic, p->partition, left, options_.drain_timeout.ToString());
    }
    names.push_back(fmt::format("{}/{}", p->topic, p->partition));
    metrics_.consumer_lag.Remove(p->lag_labels);
    partitions_.erase({p->topic, p->partition});
    found_topic_ = nullptr;
  }
  if (!names.empty()) {
    plugin_.logger.Info("revoked {} partition(s): {}", names.size(), fmt::join(names, ", "));
  }
}

void KafkaInput::Run() {
  int64_t next_commit_ns = MonoNs() + options_.commit_interval.value.count();
  int64_t last_emit_ns = MonoNs();
  while (!stop_.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 50);
    const int64_t now = MonoNs();
    if (m != nullptr) {
      Consume(m, now);
      rd_kafka_message_destroy(m);
    }
    // Partial batches go out when the consumer is idle or every 50 ms, so latency stays low.
    if (m == nullptr || now - last_emit_ns >= 50'000'000) {
      EmitAll();
      last_emit_ns = MonoNs();
    }
    if (now >= next_commit_ns) {
      Commit(/*sync=*/false);
      UpdateLagGauges();
      next_commit_ns = now + options_.commit_interval.value.count();
    }
    if (options_.exit_on_idle.value.count() > 0 && !partitions_.empty() &&
        now - last_message_ns_ >= options_.exit_on_idle.value.count()) {
      bool all_eof = true;
      for (const auto& [key, p] : partitions_) all_eof = all_eof && p->eof && !p->batch;
      if (all_eof) {
        plugin_.logger.Info("every partition read to its end and idle for {}: finishing",
                            options_.exit_on_idle.ToString());
        context_->Finished();
        break;
      }
    }
  }
  // Stopping: what was read but not emitted is not committed (read again after a restart).
  for (auto& [key, p] : partitions_) p->batch.reset();
  Commit(/*sync=*/false);
}

std::map<KafkaInput::PartitionKey, std::unique_ptr<KafkaInput::Partition>>::iterator
KafkaInput::FindPartition(const rd_kafka_message_t* m) {
  if (found_topic_ != m->rkt || found_partition_ != m->partition) {
    found_ = partitions_.find({rd_kafka_topic_name(m->rkt), m->partition});
    found_topic_ = m->rkt;
    found_partition_ = m->partition;
  }
  return found_;
}

void KafkaInput::Consume(rd_kafka_message_t* m, int64_t now) {
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    auto it = FindPartition(m);
    if (it != partitions_.end()) it->second->eof = true;
    healthy_ = true;  // the brokers answer
    return;
  }
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    metrics_.consume_errors.Add();
    plugin_.metrics->errors.Add();
    const char* topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
    if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
      plugin_.logger.Limited(error_log_, LogLevel::kError,
                             "topic '{}' does not exist (and the cluster does not create topics "
                             "on demand): create it, or fix `topics`; waiting for it",
                             topic);
    } else {
      if (common::IsKafkaSetupError(m->err)) healthy_ = false;
      plugin_.logger.Limited(error_log_, LogLevel::kError, "consumer error on '{}': {}", topic,
                             rd_kafka_message_errstr(m));
    }
    return;
  }
  auto it = FindPartition(m);
  if (it == partitions_.end()) return;  // not (or no longer) ours
  healthy_ = true;
  last_message_ns_ = now;
  Partition& p = *it->second;
  p.eof = false;
  if (!p.batch) {
    // The arena's default first block, not one sized from the last batch: a partition's batches
    // vary widely (whatever one fetch brought), and every partition holds one open (measured:
    // 140 MiB peak RSS instead of 109 for kafka-blackhole with 64 partitions).
    p.batch = std::make_unique<EventBatch>(static_cast<size_t>(options_.batch_events));
    p.batch_topic = p.batch->arena().Copy(p.topic);
  }
  rd_kafka_timestamp_type_t ts_type;
  const int64_t ts_ms = rd_kafka_message_timestamp(m, &ts_type);
  const int64_t ts_ns = ts_ms >= 0 ? ts_ms * 1'000'000 : WallNs();
  std::string_view payload(static_cast<const char*>(m->payload), m->payload ? m->len : 0);
  Event* e = nullptr;
  bool decoded = false;
  common::JsonFields::DocumentKeys document;
  if (json_ != nullptr) {
    std::string_view copy;  // passthrough: the message in the batch's arena, parsed in place
    const common::JsonFields::Parsed parsed =
        passthrough_ ? json_->ParseCopy(payload, p.batch->arena(), &copy) : json_->Parse(payload);
    if (parsed == common::JsonFields::Parsed::kObject && passthrough_ &&
        json_->CheckDocument(kDocumentSideFieldPrefix, &document)) {
      e = &p.batch->AddDocumentView(document.timestamp_ns, TrimJsonSpace(copy));
      e->metadata().document_id = p.batch->arena().Copy(document.id);
      metrics_.passthrough_events.Add();
    } else if (parsed == common::JsonFields::Parsed::kObject) {
      // The document carries its own message; until it is restored the message is empty.
      e = &p.batch->AddView(ts_ns, {});
      json_->Store(*e);
      decoded = true;
    } else {
      e = passthrough_ ? &p.batch->AddView(ts_ns, copy) : &p.batch->Add(ts_ns, payload);
      metrics_.decode_failures.Add();
      for (const std::string& tag : options_.tag_on_failure) e->AddTag(tag);
    }
  } else {
    e = &p.batch->Add(ts_ns, payload);
  }
  // A decoded message may have brought kafka.* fields of its own (replaced); any other event has
  // no fields yet (appended without a lookup).
  auto put = [e, decoded](std::string_view name, Value value) {
    decoded ? e->SetView(name, value) : e->AddView(name, value);
  };
  put("kafka.topic", Value::String(p.batch_topic));
  put("kafka.partition", Value::Int(p.partition));
  put("kafka.offset", Value::Int(m->offset));
  if (m->key != nullptr) {
    put("kafka.key", Value::String(p.batch->arena().Copy(
                         std::string_view(static_cast<const char*>(m->key), m->key_len))));
  }
  if (ts_ms >= 0) put("kafka.timestamp", Value::Int(ts_ms));
  e->metadata().source_id = p.source_id;
  e->metadata().offset = static_cast<uint64_t>(m->offset);
  p.batch_end = m->offset + 1;
  // A full batch goes out now, unless this message came while waiting to emit one (then it
  // waits for the next round instead of nesting waits).
  if (!emitting_ && p.batch->size() >= static_cast<size_t>(options_.batch_events)) {
    EmitBatch(it->first);
  }
}

bool KafkaInput::EmitBatch(const PartitionKey& key) {
  auto it = partitions_.find(key);
  if (it == partitions_.end() || !it->second->batch) return false;
  size_t bytes = it->second->batch->MemoryBytes();
  bool continued = false;
  emitting_ = true;
  while (!context_->WaitForCapacity(bytes, 100, continued)) {
    continued = true;
    if (stop_.load()) {
      emitting_ = false;
      return false;
    }
    if (!paused_) SetPaused(true);
    // Keep polling while paused: it serves rebalances and keeps this consumer in its group.
    // Messages fetched before the pause may still come; they join their partitions' batches.
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 0);
    if (m != nullptr) {
      Consume(m, MonoNs());
      rd_kafka_message_destroy(m);
    }
    it = partitions_.find(key);  // a rebalance may have revoked it
    if (it == partitions_.end() || !it->second->batch) {
      emitting_ = false;
      return false;
    }
    bytes = it->second->batch->MemoryBytes();
  }
  emitting_ = false;
  if (paused_) {
    SetPaused(false);
    // Blocked by backpressure is not idle: the idle clock of exit_on_idle starts again, so that
    // messages fetched after the resume come before it can pass.
    last_message_ns_ = MonoNs();
  }
  Partition& p = *it->second;
  std::unique_ptr<EventBatch> batch = std::move(p.batch);
  return context_->Emit(std::move(*batch), p.source, static_cast<uint64_t>(p.batch_end));
}

void KafkaInput::EmitAll() {
  std::vector<PartitionKey> keys;
  for (const auto& [key, p] : partitions_) {
    if (p->batch) keys.push_back(key);
  }
  for (const auto& key : keys) {
    if (!EmitBatch(key)) return;
  }
}

void KafkaInput::SetPaused(bool paused) {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(rk_, &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  if (paused) {
    metrics_.pauses.Add();
    rd_kafka_pause_partitions(rk_, assignment);
  } else {
    rd_kafka_resume_partitions(rk_, assignment);
  }
  rd_kafka_topic_partition_list_destroy(assignment);
  paused_ = paused;
}

void KafkaInput::Commit(bool sync) {
  std::vector<Partition*> all;
  for (auto& [key, p] : partitions_) all.push_back(p.get());
  CommitPartitions(all, sync);
}

void KafkaInput::CommitPartitions(const std::vector<Partition*>& partitions, bool sync) {
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
  std::vector<std::pair<Partition*, int64_t>> moved;
  for (Partition* p : partitions) {
    int64_t acked = p->acked->load();
    if (acked < 0 || acked <= p->committed) continue;
    rd_kafka_topic_partition_list_add(offsets, p->topic.c_str(), p->partition)->offset = acked;
    moved.emplace_back(p, acked);
  }
  if (offsets->cnt > 0) {
    metrics_.commits.Add();
    rd_kafka_resp_err_t err = rd_kafka_commit(rk_, offsets, sync ? 0 : 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      metrics_.commit_errors.Add();
      plugin_.logger.Limited(error_log_, LogLevel::kWarn,
                             "offset commit failed: {}; the next commit carries these offsets",
                             rd_kafka_err2str(err));
    } else {
      for (auto& [p, offset] : moved) p->committed = offset;
    }
  }
  rd_kafka_topic_partition_list_destroy(offsets);
}

void KafkaInput::UpdateLagGauges() {
  for (auto& [key, p] : partitions_) {
    int64_t low = 0, high = 0;
    if (rd_kafka_get_watermark_offsets(rk_, p->topic.c_str(), p->partition, &low, &high) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      continue;
    }
    int64_t base = p->committed >= 0 ? p->committed : low;
    p->lag->store(std::max<int64_t>(0, high - base));
  }
}

void KafkaInput::OnKafkaError(rd_kafka_t*, rd_kafka_resp_err_t err, const std::string& reason,
                              bool fatal) {
  uint64_t held_back = 0;
  switch (common::ClassifyKafkaError(err, fatal, reason)) {
    case common::KafkaErrorKind::kFatal:
    case common::KafkaErrorKind::kSetup:
      healthy_ = false;
      plugin_.logger.Limited(setup_log_, LogLevel::kError,
                             "{} (check tls and sasl options and the brokers' ACLs); not ready",
                             reason);
      return;
    case common::KafkaErrorKind::kUnreachable:
      // The first time it happens is always logged; repeats are rate-limited.
      if (healthy_.exchange(false) || unreachable_log_.Allow(&held_back)) {
        plugin_.logger.Error("cannot reach the Kafka brokers {}: {}; not ready, retrying",
                             bootstrap_servers_, reason);
      }
      return;
    case common::KafkaErrorKind::kOther:
      plugin_.logger.Limited(error_log_, LogLevel::kWarn, "{}", reason);
      return;
  }
}

}  // namespace sluice::inputs
