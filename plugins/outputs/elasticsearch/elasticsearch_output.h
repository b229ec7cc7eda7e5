// elasticsearch output: indexes events with the bulk API, for Kibana. Write() encodes each event
// as an action line (`index`, or `create` for data streams) and the event's JSON, into a bulk
// request that is sent once it holds `max_events` or `max_bytes`, or after `flush_interval`.
// `concurrency` sender threads, each with its own libcurl handle (kept-alive connections), send
// the requests, gzip-compressed, to the `hosts` in turn; a host that fails is rested (1 s,
// doubling up to a minute) while the others take its share. With `adaptive_concurrency`, the
// requests in flight at once are held between 1 and `concurrency` by 429s and round-trip times
// (elasticsearch_concurrency.h).
// Every document gets the event's stable id as `_id` (the `event.id` the file input sets, else a
// hash of the event's source and offset), so a retry or a replay overwrites (`index`) or conflicts
// (`create`, 409: counted as done) instead of duplicating.
// The response is read item by item: items refused with 429 or 5xx are sent again, alone, without
// limit, promptly while each try settles some of them, else with exponential backoff and jitter
// (elasticsearch_retry.h), as are whole requests that fail (connection errors, timeouts, 429,
// 5xx); 413 splits the request in two; items refused for good (mapping errors, invalid index
// names: other 4xx) go to the dead-letter file (data_dir/dead_letter/PIPELINE/ID.ndjson) with
// Elasticsearch's reason. A batch is acked once each of its events is indexed, a duplicate, or
// dead-lettered.
// This is the plugin's shell: options, registration, batching into bulk requests and their queue;
// the sender threads' elasticsearch::Sender sends them and settles the acks
// (elasticsearch_sender.h).
// Thread-safety: Write/Flush/Drain/Close run on the output's thread; requests on the sender
// threads; healthy() from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/json_encoder.h"
#include "pipeline/registry.h"
#include "pipeline/template.h"
#include "plugins/outputs/elasticsearch/elasticsearch_bulk_request.h"
#include "plugins/outputs/elasticsearch/elasticsearch_sender.h"

namespace sluice::outputs {

class ElasticsearchOutput final : public Output {
 public:
  using Metrics = elasticsearch::ElasticsearchOutputMetrics;
  // The bulk action: `index` overwrites a document with the same _id, `create` keeps the first.
  enum class OpType : uint8_t { kIndex, kCreate };
  static constexpr config::EnumName<OpType> kOpTypeNames[] = {{"index", OpType::kIndex},
                                                              {"create", OpType::kCreate}};
  friend constexpr std::span<const config::EnumName<OpType>> OptionNames(OpType) {
    return kOpTypeNames;
  }
  // Compression of the request bodies.
  enum class Compression : uint8_t { kGzip, kNone };
  static constexpr config::EnumName<Compression> kCompressionNames[] = {
      {"gzip", Compression::kGzip}, {"none", Compression::kNone}};
  friend constexpr std::span<const config::EnumName<Compression>> OptionNames(Compression) {
    return kCompressionNames;
  }
  struct Options {
    std::vector<std::string> hosts = {"http://127.0.0.1:9200"};
    Template index = Template::Compile("logs-spark-%Y.%m.%d").value();
    std::string data_stream;
    OpType op_type = OpType::kIndex;
    Template document_id;
    std::string pipeline;
    int64_t max_events = 10000;
    ByteSize max_bytes{5ull << 20};
    Duration flush_interval{std::chrono::seconds(1)};
    int64_t concurrency = 2;
    bool adaptive_concurrency = true;
    Compression compression = Compression::kGzip;
    int64_t compression_level = 1;
    std::string user;
    std::string password;
    std::string api_key;
    std::string bearer_token;
    std::string ca_file;
    std::string client_cert;
    std::string client_key;
    bool verify = true;
    Duration timeout{std::chrono::seconds(60)};
    Duration max_backoff{std::chrono::seconds(30)};
    bool setup_template = false;
    std::string template_name = "logs-spark";
    std::string template_file;
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<ElasticsearchOutput>> Build(const Options& options,
                                                            PluginContext& context);

  ElasticsearchOutput(const Options& options, PluginContext& context, std::string index_template);
  ~ElasticsearchOutput() override;

  Status Start() override;
  void Write(const EventBatch& batch, AckHandle ack) override;
  void Flush() override;
  void Drain(bool all) override;
  Status Close() override;
  bool healthy() const override { return sender_context_.healthy.load(); }
  // The id comes from common::OwnEventId or the source coordinates unless `document_id` is set.
  bool reads_fields() const override {
    return !options_.document_id.source().empty() ||
           (options_.data_stream.empty() && options_.index.reads_fields(kDocumentSideFieldPrefix));
  }

  // The index template shipped in config/elasticsearch/ (built into the binary).
  static std::string_view ShippedIndexTemplate();
  // What the senders need of `options`; `index_template` is the template setup_template installs.
  static elasticsearch::SenderOptions SenderOptionsFor(const Options& options,
                                                       std::string index_template);

 private:
  using Bulk = elasticsearch::BulkRequest;

  // Hands the open request to the senders (waits while `concurrency` requests already wait).
  void Enqueue();
  void RunSender(size_t index);

  const Options options_;
  PluginContext plugin_;
  elasticsearch::SenderContext sender_context_;
  JsonEncoder encoder_;
  std::string scratch_;

  std::unique_ptr<Bulk> open_;  // output thread
  int64_t open_since_ns_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Bulk>> queue_;  // guarded by mu_
  size_t sending_ = 0;                       // guarded by mu_
  bool stop_ = false;                        // guarded by mu_: senders exit when queue_ is empty
  bool closing_ = false;  // guarded by mu_: Close() began; Enqueue() does not wait for room
  std::vector<std::thread> senders_;
};

}  // namespace sluice::outputs
