// elasticsearch output: indexes events with the bulk API, for Kibana. Write() encodes each event
// as an action line (`index`, or `create` for data streams) and the event's JSON, into a bulk
// request that is sent once it holds `max_events` or `max_bytes`, or after `flush_interval`.
// `concurrency` sender threads, each with its own libcurl handle (kept-alive connections), send
// the requests, gzip-compressed, to the `hosts` in turn; a host that fails is rested (1 s,
// doubling up to a minute) while the others take its share.
// Every document gets the event's stable id as `_id` (the `event.id` the file input sets, else a
// hash of the event's source and offset), so a retry or a replay overwrites (`index`) or conflicts
// (`create`, 409: counted as done) instead of duplicating.
// The response is read item by item: items refused with 429 or 5xx are sent again, alone, with
// exponential backoff and jitter, without limit; so are whole requests that fail (connection
// errors, timeouts, 429, 5xx); 413 splits the request in two; items refused for good (mapping
// errors, invalid index names: other 4xx) go to the dead-letter file
// (data_dir/dead_letter/PIPELINE/ID.ndjson) with Elasticsearch's reason. A batch is acked once
// each of its events is indexed, a duplicate, or dead-lettered.
// Thread-safety: Write/Flush/Drain/Close run on the output's thread; requests on the sender
// threads; healthy() from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/json_encoder.h"
#include "pipeline/registry.h"
#include "pipeline/template.h"
#include "plugins/common/dead_letter.h"
#include "plugins/common/http_client.h"

namespace sluice::outputs {

class ElasticsearchOutput final : public Output {
 public:
  struct Options {
    std::vector<std::string> hosts = {"http://127.0.0.1:9200"};
    Template index = Template::Compile("logs-spark-%Y.%m.%d").value();
    std::string data_stream;
    std::string op_type = "index";
    Template document_id;
    std::string pipeline;
    int64_t max_events = 10000;
    ByteSize max_bytes{5ull << 20};
    Duration flush_interval{std::chrono::seconds(1)};
    int64_t concurrency = 2;
    std::string compression = "gzip";
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
  bool healthy() const override { return healthy_.load(); }

  // The index template shipped in config/elasticsearch/ (built into the binary).
  static std::string_view ShippedIndexTemplate();

 private:
  struct Bulk;     // one bulk request: its body and what each item is
  class HostPool;  // the hosts, in turn, with the failed ones rested
  class Sender;    // one sender thread's requests

  // Hands the open request to the senders (waits while `concurrency` requests already wait).
  void Enqueue();
  void RunSender(size_t index);

  const Options options_;
  PluginContext plugin_;
  const bool create_;  // op_type create (data streams)
  const std::string index_template_;
  std::string bulk_path_;  // /_bulk?pipeline=...
  std::unique_ptr<HostPool> hosts_;
  common::DeadLetterFile dead_letter_;
  JsonEncoder encoder_;
  std::string scratch_;

  std::unique_ptr<Bulk> open_;  // output thread
  int64_t open_since_ns_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Bulk>> queue_;  // guarded by mu_
  size_t sending_ = 0;                       // guarded by mu_
  bool stop_ = false;                        // guarded by mu_: senders exit when queue_ is empty
  bool give_up_ = false;                     // guarded by mu_: retries stop (shutdown deadline)
  std::atomic<bool> abort_requests_{false};  // set with give_up_: transfers in flight stop
  bool closing_ = false;  // guarded by mu_: Close() began; Enqueue() does not wait for room
  std::atomic<bool> template_ready_{false};
  std::mutex template_mu_;
  std::vector<std::thread> senders_;
  std::atomic<bool> healthy_{true};

  Counter& indexed_;
  Counter& duplicates_;
  Counter& dead_lettered_;
  Counter& requests_;
  Counter& request_ms_;
  Histogram& request_seconds_;
  Counter& splits_;
  Gauge& inflight_requests_;
  RateLimiter error_log_;
  RateLimiter retry_log_;
  RateLimiter dead_letter_log_;
};

}  // namespace sluice::outputs
