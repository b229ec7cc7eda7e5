// Sender: sends the elasticsearch output's bulk requests and turns each answer into a verdict per
// item: indexed or already there (acked), refused for good (dead-lettered, then acked), or to be
// sent again (without limit, until the output gives up at shutdown: promptly when the answer
// settled some of the request, else with a growing backoff; elasticsearch_retry.h). Each sender
// thread has its own Sender, with its own libcurl handle, so its connections stay open.
// The senders of one output share a SenderContext: the options they need (SenderOptions), the
// hosts, the dead-letter file, the metrics, the health, the index template's state, the
// concurrency limit (elasticsearch_concurrency.h: a slot per bulk request in flight) and the
// give-up signal. That is all a sender sees of the output; the output's batching is not part of it.
// Thread-safety: a Sender belongs to one thread; a SenderContext may be used from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/log.h"
#include "pipeline/metric_set.h"
#include "pipeline/metrics.h"
#include "pipeline/plugin.h"
#include "plugins/common/dead_letter.h"
#include "plugins/common/http_client.h"
#include "plugins/outputs/elasticsearch/elasticsearch_bulk_request.h"
#include "plugins/outputs/elasticsearch/elasticsearch_bulk_response.h"
#include "plugins/outputs/elasticsearch/elasticsearch_concurrency.h"
#include "plugins/outputs/elasticsearch/elasticsearch_host_pool.h"

namespace sluice::outputs::elasticsearch {

// What the senders need of the output's options (ElasticsearchOutput::SenderOptionsFor()).
struct SenderOptions {
  std::vector<std::string> hosts;
  // Timeouts, TLS, basic authentication. `abort` is ignored: the senders abort on the give-up
  // signal of their SenderContext.
  common::HttpClientOptions http;
  std::vector<std::string> headers;  // "Name: value", sent with every request (authorization)
  bool gzip = true;                  // request bodies gzip-compressed
  int compression_level = 1;
  std::string bulk_path = "/_bulk";  // with ?pipeline=... when there is an ingest pipeline
  bool create = false;               // the actions are `create`: a 409 means "already there"
  int64_t max_backoff_ms = 30'000;   // longest wait between two tries (from 100 ms, doubling)
  int64_t concurrency = 2;           // the most bulk requests in flight at once
  bool adaptive_concurrency = true;  // the limit moves between 1 and `concurrency`
  // When set: PUT /_index_template/`template_name` with `index_template` before indexing.
  bool setup_template = false;
  std::string template_name;
  std::string index_template;
};

// The output's own metrics (docs/plugins/outputs/elasticsearch.md), registered at construction.
#define SLUICE_ELASTICSEARCH_OUTPUT_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                   \
  COUNTER(indexed, "sluice_elasticsearch_output_indexed_total",                                  \
          "Documents indexed (created or updated).")                                             \
  COUNTER(duplicates, "sluice_elasticsearch_output_duplicates_total",                            \
          "Documents already there (409 on create: a replay or a retry that had succeeded).")    \
  COUNTER(dead_lettered, "sluice_elasticsearch_output_dead_letter_documents_total",              \
          "Documents refused for good (mapping errors, invalid index names) and written to the " \
          "dead-letter file.")                                                                   \
  COUNTER(requests, "sluice_elasticsearch_output_requests_total", "HTTP requests sent.")         \
  COUNTER(request_ms, "sluice_elasticsearch_output_request_milliseconds_total",                  \
          "Time spent in requests (divide by requests_total for the mean latency).")             \
  HISTOGRAM(request_seconds, "sluice_elasticsearch_output_request_seconds",                      \
            "Seconds per HTTP request.")                                                         \
  COUNTER(splits, "sluice_elasticsearch_output_splits_total",                                    \
          "Bulk requests split in two (413, or a request refused as a whole).")                  \
  GAUGE(inflight_requests, "sluice_elasticsearch_output_inflight_requests",                      \
        "Requests being sent.")                                                                  \
  GAUGE(concurrency_limit, "sluice_elasticsearch_output_concurrency_limit",                      \
        "The most bulk requests in flight at once now: `concurrency`, or less while adaptive "   \
        "concurrency holds back from a cluster that answers 429 or slows down.")                 \
  FAMILY(concurrency_decreases, counter,                                                         \
         "sluice_elasticsearch_output_concurrency_decreases_total", "reason",                    \
         "Times adaptive concurrency lowered the limit, by why: 429 (Elasticsearch refused a "   \
         "request or documents for now), latency (the requests' round trips grew).")             \
  FAMILY(retries, counter, "sluice_elasticsearch_output_retries_total", "reason",                \
         "Documents sent again, by why: 429 (Elasticsearch's queue is full), 5xx, connection "   \
         "(no answer or a timeout), auth (401/403), other.")                                     \
  COUNTER(retry_wait_ms, "sluice_elasticsearch_output_retry_wait_milliseconds_total",            \
          "Time the senders waited before sending requests again (backoff), summed over the "    \
          "senders.")
SLUICE_METRIC_SET(ElasticsearchOutputMetrics, SLUICE_ELASTICSEARCH_OUTPUT_METRICS);

struct SenderMetrics : ElasticsearchOutputMetrics {
  explicit SenderMetrics(ComponentMetrics& metrics)
      : ElasticsearchOutputMetrics(metrics), component(metrics) {}
  // Documents sent again because of `reason` (429, 5xx, connection, auth, other).
  Counter& Retries(std::string_view reason) const {
    return retries.counter(retries.LabelsWith({{"reason", std::string(reason)}}));
  }
  // Decreases of the concurrency limit because of `reason` (429, latency).
  Counter& ConcurrencyDecreases(std::string_view reason) const {
    return concurrency_decreases.counter(
        concurrency_decreases.LabelsWith({{"reason", std::string(reason)}}));
  }

  ComponentMetrics& component;
};

// Ends the senders' retries: the output gives up at shutdown once its deadline passed (through
// SenderContext::GiveUp(), which also wakes the senders waiting for a concurrency slot).
class GiveUpSignal {
 public:
  // Retries stop, waits in Wait() end, and requests in flight stop (abort_flag()).
  void GiveUp();
  bool given_up() const;
  // Waits `wait`; true when it passed, false when given up before or during it.
  bool Wait(std::chrono::milliseconds wait);
  // True once given up: the HttpClientOptions::abort of the senders' clients.
  const std::atomic<bool>* abort_flag() const { return &abort_; }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool given_up_ = false;  // guarded by mu_
  std::atomic<bool> abort_{false};
};

// What the senders of one output share. The output owns it; it outlives the senders.
struct SenderContext {
  // `context`: the output's; its metrics and logger, and the place of the dead-letter file.
  SenderContext(SenderOptions options, const PluginContext& context);

  // Retries stop, waits end, requests in flight are aborted, and no sender waits for a slot.
  void GiveUp();

  const SenderOptions options;
  const Logger logger;  // the output's: [output:elasticsearch:ID]
  HostPool hosts;
  common::DeadLetterFile dead_letter;  // data_dir/dead_letter/PIPELINE/ID.ndjson
  SenderMetrics metrics;
  Counter& discarded_dead_letter;  // sluice_component_discarded_events_total{reason="dead_letter"}
  GiveUpSignal give_up;
  ConcurrencyLimit concurrency;  // a slot per bulk request in flight
  // The output's health: false while the cluster does not answer, or refuses the requests.
  std::atomic<bool> healthy{true};
  std::atomic<bool> template_ready{false};  // setup_template: installed (or refused as invalid)
  std::mutex template_mu;                   // one sender installs the template; the others wait
  RateLimiter error_log;
  RateLimiter retry_log;
  RateLimiter dead_letter_log;
};

class Sender {
 public:
  explicit Sender(SenderContext& context);

  // Sends `bulk` until every item is settled (or the output gives up at shutdown: the items left
  // are failed, so their batches are read again after a restart). 413 splits the request in two,
  // down to single documents; a single document refused with 413 is dead-lettered.
  void Deliver(std::unique_ptr<BulkRequest> bulk);
  // Installs the index template (setup_template) once per output, retrying with backoff; true
  // when it is there, refused as invalid (logged) or not asked for; false when given up.
  bool EnsureTemplate();
  // GET /: logs what the cluster says it is and sets the health; false when it does not answer
  // 200.
  bool Probe();

  // What one request of a bulk led to.
  enum class Verdict {
    kDone,   // every item settled
    kRetry,  // the items in `retry` (all of them when it is empty) are to be sent again
    kSplit,  // 413: the request is too large; nothing settled
  };
  // One POST of `bulk`, in a slot of the concurrency limit (kRetry when the output gives up while
  // it waits for one). Settles the items that are done: 2xx (indexed) and 409 on `create`
  // (already there: a duplicate) are acked; other 4xx items (mapping errors, invalid index
  // names) are dead-lettered with "HTTP STATUS TYPE: REASON" and acked (not acked when the
  // dead-letter file cannot be written). Leaves in `retry` the items to send again: 429 and 5xx
  // items, and the items the setup refuses (401/403/404, a missing ingest pipeline; the output
  // is then unhealthy). A whole request that fails settles nothing and leaves `retry` empty:
  // no answer, an answer that is not a bulk response, 401/403, 404, 408, 429, 5xx and any other
  // 4xx are kRetry (the output is unhealthy; no answer, 502 and 504 rest the host); 413 is
  // kSplit. `why` says what went wrong, for the log. Moves
  // sluice_elasticsearch_output_retries_total{reason} by the documents to send again. The answer
  // feeds the concurrency limit: its round trip when the cluster worked on the request (HTTP 200
  // with a bulk response), and whether it pushed back (a 429 for the request or any item).
  Verdict Post(BulkRequest& bulk, std::vector<size_t>* retry, std::string* why);

 private:
  common::HttpResponse Request(const std::string& method, const std::string& path,
                               std::string_view body, bool ndjson, size_t* host);
  // Post() after the request: what `resp` means for the items (Post()'s contract), and, in
  // `sample`, what it says of the cluster's load.
  Verdict Judge(BulkRequest& bulk, const common::HttpResponse& resp, size_t host,
                std::vector<size_t>* retry, std::string* why, ConcurrencyLimit::Sample* sample);
  // Feeds `sample` to the concurrency limit; counts a decrease.
  void Adapt(const ConcurrencyLimit::Sample& sample);
  // Waits before attempt `attempt` (the growing backoff); false when the output gives up.
  bool Backoff(int attempt);
  // Waits `ms` before sending again, counted in retry_wait_ms; false when the output gives up.
  bool Wait(int64_t ms);
  void DeadLetter(const BulkRequest& bulk, size_t i, std::string_view reason);
  void FailAll(const BulkRequest& bulk);

  SenderContext& context_;
  common::HttpClient client_;
  std::mt19937_64 jitter_;
  std::string gzipped_;
  std::vector<BulkItemResult> results_;
  int64_t sent_ns_ = 0;  // when the last request was sent
};

}  // namespace sluice::outputs::elasticsearch
