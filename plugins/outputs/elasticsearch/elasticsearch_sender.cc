#include "plugins/outputs/elasticsearch/elasticsearch_sender.h"

#include <simdjson.h>

#include <fmt/format.h>

#include "pipeline/clock.h"
#include "plugins/common/backoff.h"
#include "plugins/common/compressor.h"
#include "plugins/outputs/elasticsearch/elasticsearch_retry.h"

namespace sluice::outputs::elasticsearch {

void GiveUpSignal::GiveUp() {
  {
    std::lock_guard lock(mu_);
    given_up_ = true;
  }
  abort_ = true;  // requests still in flight stop now, not after their timeout
  cv_.notify_all();
}

bool GiveUpSignal::given_up() const {
  std::lock_guard lock(mu_);
  return given_up_;
}

bool GiveUpSignal::Wait(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, wait, [&] { return given_up_; });
}

SenderContext::SenderContext(SenderOptions sender_options, const PluginContext& context)
    : options(std::move(sender_options)),
      logger(context.logger),
      hosts(options.hosts),
      dead_letter(context.data_dir, context.pipeline, context.id),
      metrics(*context.metrics),
      discarded_dead_letter(context.metrics->discarded("dead_letter")),
      concurrency(ConcurrencyLimit::Options{.max = options.concurrency,
                                            .adaptive = options.adaptive_concurrency},
                  &metrics.concurrency_limit) {}

void SenderContext::GiveUp() {
  give_up.GiveUp();
  concurrency.Close();
}

Sender::Sender(SenderContext& context)
    : context_(context),
      client_([&] {
        common::HttpClientOptions http = context.options.http;
        http.abort = context.give_up.abort_flag();
        return http;
      }()),
      jitter_(common::JitterEngine()) {}

common::HttpResponse Sender::Request(const std::string& method, const std::string& path,
                                     std::string_view body, bool ndjson, size_t* host) {
  const SenderOptions& o = context_.options;
  common::HttpRequest req;
  req.method = method;
  *host = context_.hosts.Pick();
  req.url = context_.hosts.url(*host) + path;
  req.headers.push_back(ndjson ? "Content-Type: application/x-ndjson"
                               : "Content-Type: application/json");
  for (const std::string& header : o.headers) req.headers.push_back(header);
  req.body = body;
  if (o.gzip && !body.empty()) {
    gzipped_.clear();
    auto z = common::StreamCompressor::Make(common::Compression::kGzip, o.compression_level);
    if (z->Append(body, gzipped_).ok() && z->Finish(gzipped_).ok()) {
      req.body = gzipped_;
      req.headers.push_back("Content-Encoding: gzip");
    }
  }
  SenderMetrics& m = context_.metrics;
  m.inflight_requests.Add(1);
  sent_ns_ = MonoNs();
  common::HttpResponse resp = client_.Send(req);
  m.inflight_requests.Add(-1);
  m.requests.Add();
  m.request_ms.Add(static_cast<uint64_t>(resp.seconds * 1000));
  m.request_seconds.Observe(resp.seconds);
  return resp;
}

bool Sender::Backoff(int attempt) {
  // 100 ms doubling up to max_backoff, with jitter.
  return Wait(common::JitteredBackoffMs(attempt, kInitialBackoffMs, context_.options.max_backoff_ms,
                                        jitter_));
}

bool Sender::Wait(int64_t ms) {
  if (!context_.give_up.Wait(std::chrono::milliseconds(ms))) return false;
  context_.metrics.retry_wait_ms.Add(static_cast<uint64_t>(ms));
  return true;
}

void Sender::Adapt(const ConcurrencyLimit::Sample& sample) {
  switch (context_.concurrency.Record(sample)) {
    case ConcurrencyLimit::Change::kDecreasedOverload:
      context_.metrics.ConcurrencyDecreases("429").Add();
      break;
    case ConcurrencyLimit::Change::kDecreasedLatency:
      context_.metrics.ConcurrencyDecreases("latency").Add();
      break;
    case ConcurrencyLimit::Change::kIncreased:
    case ConcurrencyLimit::Change::kNone:
      break;
  }
}

void Sender::DeadLetter(const BulkRequest& bulk, size_t i, std::string_view reason) {
  const BulkRequest::Item& item = bulk.items[i];
  std::string_view index = ActionIndex(item.action(bulk.body));
  Status s = context_.dead_letter.Append(reason, index, item.document(bulk.body), true);
  if (!s.ok()) {
    // Not kept: the batch is not acked, so its events are read again after a restart.
    context_.logger.Limited(context_.dead_letter_log, LogLevel::kError,
                            "a document refused by '{}' ({}) could not be dead-lettered: {}", index,
                            reason, s.message());
    item.ack->Settle(false);
    return;
  }
  context_.metrics.dead_lettered.Add();
  context_.discarded_dead_letter.Add();
  context_.logger.Limited(context_.dead_letter_log, LogLevel::kError,
                          "a document was refused for good by '{}': {}; it is in {}", index, reason,
                          context_.dead_letter.path());
  item.ack->Settle(true);
}

void Sender::FailAll(const BulkRequest& bulk) {
  for (const auto& item : bulk.items) item.ack->Settle(false);
}

Sender::Verdict Sender::Post(BulkRequest& bulk, std::vector<size_t>* retry, std::string* why) {
  retry->clear();
  if (!context_.concurrency.Acquire()) {
    *why = "the output gave up";
    return Verdict::kRetry;
  }
  size_t host = 0;
  common::HttpResponse resp = Request("POST", context_.options.bulk_path, bulk.body, true, &host);
  context_.concurrency.Release();
  ConcurrencyLimit::Sample sample;
  const Verdict verdict = Judge(bulk, resp, host, retry, why, &sample);
  sample.now_ns = MonoNs();
  Adapt(sample);
  return verdict;
}

Sender::Verdict Sender::Judge(BulkRequest& bulk, const common::HttpResponse& resp, size_t host,
                              std::vector<size_t>* retry, std::string* why,
                              ConcurrencyLimit::Sample* sample) {
  SenderMetrics& m = context_.metrics;
  const std::string& url = context_.hosts.url(host);
  if (resp.status == 0) {
    context_.hosts.Failed(host, sent_ns_);
    context_.healthy = false;
    *why = fmt::format("cannot reach {}: {}", url, resp.error);
    m.Retries("connection").Add(bulk.items.size());
    return Verdict::kRetry;
  }
  if (resp.status == 200) {
    Status parsed = ParseBulkResponse(resp.body, bulk.items.size(), &results_);
    if (!parsed.ok()) {
      *why = fmt::format("{} answered the bulk request with something else: {}", url,
                         parsed.message());
      context_.healthy = false;
      m.Retries("other").Add(bulk.items.size());
      return Verdict::kRetry;
    }
    context_.hosts.Succeeded(host);
    if (!context_.healthy.exchange(true)) context_.logger.Info("{} indexes again", url);
    sample->rtt_seconds = resp.seconds;
    size_t busy = 0, blocked = 0;
    bool blocked_auth = false;
    std::string first_retry;
    for (size_t i = 0; i < bulk.items.size(); ++i) {
      const BulkItemResult& r = results_[i];
      switch (ClassifyBulkItem(r, context_.options.create)) {
        case BulkItemOutcome::kIndexed:
          m.indexed.Add();
          bulk.items[i].ack->Settle(true);
          break;
        case BulkItemOutcome::kDuplicate:
          m.duplicates.Add();
          bulk.items[i].ack->Settle(true);
          break;
        case BulkItemOutcome::kRetry:
          if (first_retry.empty()) {
            first_retry = fmt::format("HTTP {} {}: {}", r.status, r.type, r.reason);
          }
          ++busy;
          if (r.status == 429) sample->overloaded = true;
          retry->push_back(i);
          break;
        case BulkItemOutcome::kBlocked:
          // Not the document's fault: a setup to fix (privileges, auto-create, the pipeline).
          if (blocked++ == 0) {
            *why = fmt::format(
                "{} refused documents with HTTP {} {}: {} (check the user's "
                "privileges on the index, action.auto_create_index and the "
                "ingest pipeline)",
                url, r.status, r.type, r.reason);
            blocked_auth = r.status == 401 || r.status == 403;
          }
          retry->push_back(i);
          break;
        case BulkItemOutcome::kRejected:
          DeadLetter(bulk, i, fmt::format("HTTP {} {}: {}", r.status, r.type, r.reason));
          break;
      }
    }
    if (retry->empty()) return Verdict::kDone;
    if (blocked > 0) {
      context_.healthy = false;
      m.Retries(blocked_auth ? "auth" : "other").Add(blocked);
    }
    if (busy > 0) {
      m.Retries(first_retry.starts_with("HTTP 429") ? "429" : "5xx").Add(busy);
      if (blocked == 0) {
        *why = fmt::format("{} of {} documents were refused for now ({})", busy, bulk.items.size(),
                           first_retry);
      }
    }
    return Verdict::kRetry;
  }
  std::string detail = DescribeErrorBody(resp.body);
  *why =
      fmt::format("{} answered HTTP {}{}{}", url, resp.status, detail.empty() ? "" : ": ", detail);
  context_.healthy = false;
  if (resp.status == 413) return Verdict::kSplit;
  if (resp.status == 401 || resp.status == 403) {
    *why += " (check user and password, api_key or bearer_token, and the user's privileges)";
    m.Retries("auth").Add(bulk.items.size());
    return Verdict::kRetry;
  }
  if (resp.status == 404) {
    *why += " (check hosts: a proxy path?)";
    m.Retries("other").Add(bulk.items.size());
    return Verdict::kRetry;
  }
  if (resp.status == 408 || resp.status == 429 || resp.status >= 500) {
    // A gateway in front of the node failed: try another. A 503 is the cluster's own answer
    // (no master, a block): every node would say it, so the backoff alone applies.
    if (resp.status == 502 || resp.status == 504) context_.hosts.Failed(host, sent_ns_);
    if (resp.status == 429) sample->overloaded = true;
    m.Retries(resp.status == 429 ? "429" : "5xx").Add(bulk.items.size());
    return Verdict::kRetry;
  }
  // Another 4xx for the whole request: Sluice writes the action lines, so it is the way there
  // (a proxy, a header) rather than one document: sent again, never dead-lettered.
  m.Retries("other").Add(bulk.items.size());
  return Verdict::kRetry;
}

void Sender::Deliver(std::unique_ptr<BulkRequest> bulk) {
  std::vector<std::unique_ptr<BulkRequest>> work;
  work.push_back(std::move(bulk));
  std::vector<size_t> retry;
  std::string why;
  while (!work.empty()) {
    std::unique_ptr<BulkRequest> b = std::move(work.back());
    work.pop_back();
    while (b) {
      if (context_.give_up.given_up()) break;
      Verdict v = Post(*b, &retry, &why);
      if (v == Verdict::kDone) {
        b.reset();
      } else if (v == Verdict::kSplit && b->items.size() > 1) {
        // Halves, until the request passes or holds the one document that does not.
        context_.metrics.splits.Add();
        std::vector<size_t> first, second;
        for (size_t i = 0; i < b->items.size(); ++i) {
          (i < b->items.size() / 2 ? first : second).push_back(i);
        }
        work.push_back(b->Subset(second));
        work.push_back(b->Subset(first));
        b.reset();
      } else if (v == Verdict::kSplit) {
        DeadLetter(*b, 0,
                   "HTTP 413: the document is larger than the cluster accepts "
                   "(http.max_content_length)");
        b.reset();
      } else {
        if (context_.give_up.given_up()) break;
        // Items refused for now (429) are routine under load: a warning; a failed request is not.
        const bool items_only = !retry.empty() && context_.healthy.load();
        // Some items settled: the rest go again promptly (elasticsearch_retry.h).
        const bool progress = !retry.empty() && retry.size() < b->items.size();
        if (progress) b = b->Subset(retry);
        const int64_t wait =
            RetryWaitMs(progress, &b->attempt, context_.options.max_backoff_ms, jitter_);
        context_.logger.Limited(items_only ? context_.retry_log : context_.error_log,
                                items_only ? LogLevel::kWarn : LogLevel::kError,
                                "{}; sending again (the pipeline waits, nothing is dropped)", why);
        if (!Wait(wait)) break;
      }
    }
    if (b) FailAll(*b);  // given up at shutdown: not acked, read again after a restart
  }
}

bool Sender::Probe() {
  size_t host = 0;
  common::HttpResponse resp = Request("GET", "/", {}, false, &host);
  const std::string& url = context_.hosts.url(host);
  if (resp.status == 200) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view version = "?";
    if (parser.parse(resp.body).get(doc) == simdjson::SUCCESS) {
      if (doc.at_pointer("/version/number").get(version) != simdjson::SUCCESS) version = "?";
    }
    context_.logger.Info("indexing into Elasticsearch {} at {}", version, url);
    context_.healthy = true;
    return true;
  }
  context_.healthy = false;
  if (resp.status == 0) {
    context_.hosts.Failed(host, sent_ns_);
    context_.logger.Error("cannot reach Elasticsearch at {}: {}; not ready, retrying", url,
                          resp.error);
  } else {
    context_.logger.Error("Elasticsearch at {} answered HTTP {}: {}{}; not ready, retrying", url,
                          resp.status, DescribeErrorBody(resp.body),
                          resp.status == 401 || resp.status == 403
                              ? " (check user and password, api_key or bearer_token)"
                              : "");
  }
  return false;
}

bool Sender::EnsureTemplate() {
  const SenderOptions& o = context_.options;
  if (!o.setup_template || context_.template_ready.load()) return true;
  std::lock_guard once(context_.template_mu);
  const std::string path =
      "/_index_template/" + common::UriEncode(o.template_name, /*keep_slash=*/false);
  for (int attempt = 0; !context_.template_ready.load(); ++attempt) {
    if (context_.give_up.given_up()) return false;
    size_t host = 0;
    common::HttpResponse resp = Request("PUT", path, o.index_template, false, &host);
    const std::string& url = context_.hosts.url(host);
    if (resp.status >= 200 && resp.status < 300) {
      context_.logger.Info("installed the index template '{}' at {}", o.template_name, url);
      context_.template_ready = true;
      context_.healthy = true;
      break;
    }
    if (resp.status == 400) {
      // The template itself is wrong: say so, and index anyway (the data is not held back).
      context_.logger.Error(
          "{} refused the index template '{}': {}; indexing goes on without it (fix "
          "template_file)",
          url, o.template_name, DescribeErrorBody(resp.body));
      context_.template_ready = true;
      break;
    }
    context_.healthy = false;
    if (resp.status == 0) context_.hosts.Failed(host, sent_ns_);
    context_.logger.Limited(
        context_.error_log, LogLevel::kError,
        "cannot install the index template '{}' at {}: {}; retrying before indexing",
        o.template_name, url,
        resp.status == 0 ? resp.error
                         : fmt::format("HTTP {} {}", resp.status, DescribeErrorBody(resp.body)));
    if (!Backoff(attempt)) return false;
  }
  return true;
}

}  // namespace sluice::outputs::elasticsearch
