#include "plugins/outputs/elasticsearch.h"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "pipeline/clock.h"
#include "pipeline/json_string.h"
#include "pipeline/thread_name.h"
#include "plugins/common/backoff.h"
#include "plugins/common/compressor.h"
#include "plugins/common/elasticsearch/bulk_response.h"
#include "plugins/common/hash.h"

namespace sluice::outputs {

SLUICE_REGISTER_OUTPUT(ElasticsearchOutput, "elasticsearch",
                       "Indexes events into Elasticsearch with the bulk API (per-item retries, "
                       "dead-letter file, stable ids).");

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Why an index name (or the literal text of an index template) breaks Elasticsearch's rules
// (lowercase; none of \ / * ? " < > | space , # :; not starting with - _ +); "" when it does not.
std::string IndexNameProblem(std::string_view text, bool whole_name) {
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') return "index names must be lowercase";
    if (std::string_view("\\/*?\"<>| ,#:").find(c) != std::string_view::npos) {
      return fmt::format("index names must not contain '{}'", c);
    }
  }
  if (whole_name && !text.empty() && (text[0] == '-' || text[0] == '_' || text[0] == '+')) {
    return "index names must not start with '-', '_' or '+'";
  }
  return "";
}

// The index an action line names: {"index":{"_index":"NAME",...
std::string_view ActionIndex(std::string_view action) {
  constexpr std::string_view kKey = "\"_index\":\"";
  size_t begin = action.find(kKey);
  if (begin == std::string_view::npos) return {};
  begin += kKey.size();
  size_t end = action.find('"', begin);
  return action.substr(begin, end == std::string_view::npos ? 0 : end - begin);
}

}  // namespace

struct ElasticsearchOutput::Bulk {
  // One action: its line is body[begin, doc), the document body[doc, end) (with its '\n').
  struct Item {
    size_t begin;
    size_t doc;
    size_t end;
    SharedAck* ack;
    std::string_view action(const std::string& body) const {
      return std::string_view(body).substr(begin, doc - begin);
    }
    std::string_view document(const std::string& body) const {
      return std::string_view(body).substr(doc, end - doc - 1);
    }
  };
  std::string body;
  std::vector<Item> items;
  std::vector<std::shared_ptr<SharedAck>> acks;  // keeps the items' acks alive
  int attempt = 0;                               // how often this request was retried

  std::unique_ptr<Bulk> Subset(const std::vector<size_t>& which) const {
    auto out = std::make_unique<Bulk>();
    out->acks = acks;
    out->attempt = attempt;
    for (size_t i : which) {
      const Item& it = items[i];
      size_t at = out->body.size();
      out->body.append(body, it.begin, it.end - it.begin);
      out->items.push_back(Item{at, at + (it.doc - it.begin), at + (it.end - it.begin), it.ack});
    }
    return out;
  }
};

class ElasticsearchOutput::HostPool {
 public:
  explicit HostPool(const std::vector<std::string>& urls) {
    for (const auto& u : urls) {
      std::string url = u;
      while (!url.empty() && url.back() == '/') url.pop_back();
      hosts_.push_back(Host{url});
    }
  }
  // The next host in turn that is not resting; when all rest, the one back soonest.
  size_t Pick() {
    std::lock_guard lock(mu_);
    const int64_t now = MonoNs();
    for (size_t n = 0; n < hosts_.size(); ++n) {
      size_t i = (next_ + n) % hosts_.size();
      if (hosts_[i].rested_until_ns <= now) {
        next_ = i + 1;
        return i;
      }
    }
    size_t best = 0;
    for (size_t i = 1; i < hosts_.size(); ++i) {
      if (hosts_[i].rested_until_ns < hosts_[best].rested_until_ns) best = i;
    }
    return best;
  }
  const std::string& url(size_t i) const { return hosts_[i].url; }
  // A connection error or a gateway error (502, 504) on a request sent at `sent_ns`: rested 1 s,
  // doubling up to a minute. Requests sent before the host's last rest began fail of the same
  // outage: they do not lengthen it.
  void Failed(size_t i, int64_t sent_ns) {
    std::lock_guard lock(mu_);
    Host& h = hosts_[i];
    const int64_t now = MonoNs();
    if (sent_ns < h.rest_began_ns) return;
    h.rest_began_ns = now;
    h.rested_until_ns =
        now + std::min<int64_t>(60'000, 1000ll << std::min(h.failures, 6)) * 1'000'000;
    ++h.failures;
  }
  void Succeeded(size_t i) {
    std::lock_guard lock(mu_);
    hosts_[i].failures = 0;
    hosts_[i].rested_until_ns = 0;
  }

 private:
  struct Host {
    std::string url;
    int64_t rested_until_ns = 0;
    int64_t rest_began_ns = 0;
    int failures = 0;
  };
  std::mutex mu_;
  std::vector<Host> hosts_;
  size_t next_ = 0;
};

// The requests of one sender thread: its own libcurl handle, so connections stay open.
class ElasticsearchOutput::Sender {
 public:
  explicit Sender(ElasticsearchOutput& out)
      : out_(out),
        client_(common::HttpClientOptions{
            .connect_timeout = std::chrono::milliseconds(5000),
            .timeout =
                std::chrono::duration_cast<std::chrono::milliseconds>(out.options_.timeout.value),
            .ca_file = out.options_.ca_file,
            .client_cert = out.options_.client_cert,
            .client_key = out.options_.client_key,
            .verify = out.options_.verify,
            .username = out.options_.user,
            .password = out.options_.password,
            .abort = &out.abort_requests_}),
        jitter_(common::JitterEngine()) {}

  // Sends `bulk` until every item is settled (or the output gives up at shutdown).
  void Deliver(std::unique_ptr<Bulk> bulk);
  // Installs the index template (setup_template) once per output; false when given up.
  bool EnsureTemplate();
  // GET /: what the cluster says it is, for the log; false when it does not answer.
  bool Probe();

 private:
  enum class Verdict { kDone, kRetry, kSplit };
  // One request of `bulk`: settles what succeeded or is refused for good; leaves in `retry` the
  // items to send again.
  Verdict Post(Bulk& bulk, std::vector<size_t>* retry, std::string* why);
  common::HttpResponse Request(const std::string& method, const std::string& path,
                               std::string_view body, bool ndjson, size_t* host);
  // Waits before attempt `attempt`; false when the output gives up (shutdown).
  bool Backoff(int attempt);
  void DeadLetter(const Bulk& bulk, size_t i, std::string_view reason);
  void FailAll(const Bulk& bulk);
  Counter& Retries(std::string_view reason);

  ElasticsearchOutput& out_;
  common::HttpClient client_;
  std::mt19937_64 jitter_;
  std::string gzipped_;
  std::vector<common::BulkItemResult> results_;
  int64_t sent_ns_ = 0;  // when the last request was sent
};

common::HttpResponse ElasticsearchOutput::Sender::Request(const std::string& method,
                                                          const std::string& path,
                                                          std::string_view body, bool ndjson,
                                                          size_t* host) {
  const Options& o = out_.options_;
  common::HttpRequest req;
  req.method = method;
  *host = out_.hosts_->Pick();
  req.url = out_.hosts_->url(*host) + path;
  req.headers.push_back(ndjson ? "Content-Type: application/x-ndjson"
                               : "Content-Type: application/json");
  if (!o.api_key.empty()) req.headers.push_back("Authorization: ApiKey " + o.api_key);
  if (!o.bearer_token.empty()) req.headers.push_back("Authorization: Bearer " + o.bearer_token);
  req.body = body;
  if (o.compression == "gzip" && !body.empty()) {
    gzipped_.clear();
    auto z = common::StreamCompressor::Make("gzip", static_cast<int>(o.compression_level));
    if (z.ok() && (*z)->Append(body, gzipped_).ok() && (*z)->Finish(gzipped_).ok()) {
      req.body = gzipped_;
      req.headers.push_back("Content-Encoding: gzip");
    }
  }
  out_.inflight_requests_.Add(1);
  sent_ns_ = MonoNs();
  common::HttpResponse resp = client_.Send(req);
  out_.inflight_requests_.Add(-1);
  out_.requests_.Add();
  out_.request_ms_.Add(static_cast<uint64_t>(resp.seconds * 1000));
  out_.request_seconds_.Observe(resp.seconds);
  return resp;
}

Counter& ElasticsearchOutput::Sender::Retries(std::string_view reason) {
  Labels labels = out_.plugin_.metrics->labels();
  labels.emplace_back("reason", std::string(reason));
  return out_.plugin_.metrics->registry().GetCounter(
      "sluice_elasticsearch_output_retries_total",
      "Documents sent again, by why: 429 (Elasticsearch's queue is full), 5xx, connection "
      "(no answer or a timeout), auth (401/403), other.",
      labels);
}

bool ElasticsearchOutput::Sender::Backoff(int attempt) {
  // 100 ms doubling up to max_backoff, with jitter.
  const int64_t ms =
      common::JitteredBackoffMs(attempt, 100, out_.options_.max_backoff.millis(), jitter_);
  std::unique_lock lock(out_.mu_);
  return !out_.cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return out_.give_up_; });
}

void ElasticsearchOutput::Sender::DeadLetter(const Bulk& bulk, size_t i, std::string_view reason) {
  const Bulk::Item& item = bulk.items[i];
  std::string_view index = ActionIndex(item.action(bulk.body));
  Status s = out_.dead_letter_.Append(reason, index, item.document(bulk.body), true);
  if (!s.ok()) {
    // Not kept: the batch is not acked, so its events are read again after a restart.
    out_.plugin_.logger.Limited(out_.dead_letter_log_, LogLevel::kError,
                                "a document refused by '{}' ({}) could not be dead-lettered: {}",
                                index, reason, s.message());
    item.ack->Settle(false);
    return;
  }
  out_.dead_lettered_.Add();
  out_.plugin_.logger.Limited(out_.dead_letter_log_, LogLevel::kError,
                              "a document was refused for good by '{}': {}; it is in {}", index,
                              reason, out_.dead_letter_.path());
  item.ack->Settle(true);
}

void ElasticsearchOutput::Sender::FailAll(const Bulk& bulk) {
  for (const auto& item : bulk.items) item.ack->Settle(false);
}

ElasticsearchOutput::Sender::Verdict ElasticsearchOutput::Sender::Post(Bulk& bulk,
                                                                       std::vector<size_t>* retry,
                                                                       std::string* why) {
  retry->clear();
  size_t host = 0;
  common::HttpResponse resp = Request("POST", out_.bulk_path_, bulk.body, true, &host);
  const std::string& url = out_.hosts_->url(host);
  if (resp.status == 0) {
    out_.hosts_->Failed(host, sent_ns_);
    out_.healthy_ = false;
    *why = fmt::format("cannot reach {}: {}", url, resp.error);
    Retries("connection").Add(bulk.items.size());
    return Verdict::kRetry;
  }
  if (resp.status == 200) {
    Status parsed = common::ParseBulkResponse(resp.body, bulk.items.size(), &results_);
    if (!parsed.ok()) {
      *why = fmt::format("{} answered the bulk request with something else: {}", url,
                         parsed.message());
      out_.healthy_ = false;
      Retries("other").Add(bulk.items.size());
      return Verdict::kRetry;
    }
    out_.hosts_->Succeeded(host);
    if (!out_.healthy_.exchange(true)) out_.plugin_.logger.Info("{} indexes again", url);
    size_t busy = 0, blocked = 0;
    bool blocked_auth = false;
    std::string first_retry;
    for (size_t i = 0; i < bulk.items.size(); ++i) {
      const common::BulkItemResult& r = results_[i];
      switch (common::ClassifyBulkItem(r, out_.create_)) {
        case common::BulkItemOutcome::kIndexed:
          out_.indexed_.Add();
          bulk.items[i].ack->Settle(true);
          break;
        case common::BulkItemOutcome::kDuplicate:
          out_.duplicates_.Add();
          bulk.items[i].ack->Settle(true);
          break;
        case common::BulkItemOutcome::kRetry:
          if (first_retry.empty()) {
            first_retry = fmt::format("HTTP {} {}: {}", r.status, r.type, r.reason);
          }
          ++busy;
          retry->push_back(i);
          break;
        case common::BulkItemOutcome::kBlocked:
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
        case common::BulkItemOutcome::kRejected:
          DeadLetter(bulk, i, fmt::format("HTTP {} {}: {}", r.status, r.type, r.reason));
          break;
      }
    }
    if (retry->empty()) return Verdict::kDone;
    if (blocked > 0) {
      out_.healthy_ = false;
      Retries(blocked_auth ? "auth" : "other").Add(blocked);
    }
    if (busy > 0) {
      Retries(first_retry.starts_with("HTTP 429") ? "429" : "5xx").Add(busy);
      if (blocked == 0) {
        *why = fmt::format("{} of {} documents were refused for now ({})", busy, bulk.items.size(),
                           first_retry);
      }
    }
    return Verdict::kRetry;
  }
  std::string detail = common::DescribeErrorBody(resp.body);
  *why =
      fmt::format("{} answered HTTP {}{}{}", url, resp.status, detail.empty() ? "" : ": ", detail);
  out_.healthy_ = false;
  if (resp.status == 413) return Verdict::kSplit;
  if (resp.status == 401 || resp.status == 403) {
    *why += " (check user and password, api_key or bearer_token, and the user's privileges)";
    Retries("auth").Add(bulk.items.size());
    return Verdict::kRetry;
  }
  if (resp.status == 404) {
    *why += " (check hosts: a proxy path?)";
    Retries("other").Add(bulk.items.size());
    return Verdict::kRetry;
  }
  if (resp.status == 408 || resp.status == 429 || resp.status >= 500) {
    // A gateway in front of the node failed: try another. A 503 is the cluster's own answer
    // (no master, a block): every node would say it, so the backoff alone applies.
    if (resp.status == 502 || resp.status == 504) out_.hosts_->Failed(host, sent_ns_);
    Retries(resp.status == 429 ? "429" : "5xx").Add(bulk.items.size());
    return Verdict::kRetry;
  }
  // Another 4xx for the whole request: Sluice writes the action lines, so it is the way there
  // (a proxy, a header) rather than one document: sent again, never dead-lettered.
  Retries("other").Add(bulk.items.size());
  return Verdict::kRetry;
}

void ElasticsearchOutput::Sender::Deliver(std::unique_ptr<Bulk> bulk) {
  std::vector<std::unique_ptr<Bulk>> work;
  work.push_back(std::move(bulk));
  std::vector<size_t> retry;
  std::string why;
  while (!work.empty()) {
    std::unique_ptr<Bulk> b = std::move(work.back());
    work.pop_back();
    while (b) {
      {
        std::lock_guard lock(out_.mu_);
        if (out_.give_up_) break;
      }
      Verdict v = Post(*b, &retry, &why);
      if (v == Verdict::kDone) {
        b.reset();
      } else if (v == Verdict::kSplit && b->items.size() > 1) {
        // Halves, until the request passes or holds the one document that does not.
        out_.splits_.Add();
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
        // Items refused for now (429) are routine under load: a warning; a failed request is not.
        const bool items_only = !retry.empty() && out_.healthy_.load();
        if (!retry.empty() && retry.size() != b->items.size()) b = b->Subset(retry);
        ++b->attempt;
        out_.plugin_.logger.Limited(items_only ? out_.retry_log_ : out_.error_log_,
                                    items_only ? LogLevel::kWarn : LogLevel::kError,
                                    "{}; sending again (the pipeline waits, nothing is dropped)",
                                    why);
        if (!Backoff(b->attempt)) break;
      }
    }
    if (b) FailAll(*b);  // given up at shutdown: not acked, read again after a restart
  }
}

bool ElasticsearchOutput::Sender::Probe() {
  size_t host = 0;
  common::HttpResponse resp = Request("GET", "/", {}, false, &host);
  const std::string& url = out_.hosts_->url(host);
  if (resp.status == 200) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view version = "?";
    if (parser.parse(resp.body).get(doc) == simdjson::SUCCESS) {
      if (doc.at_pointer("/version/number").get(version) != simdjson::SUCCESS) version = "?";
    }
    out_.plugin_.logger.Info("indexing into Elasticsearch {} at {}", version, url);
    out_.healthy_ = true;
    return true;
  }
  out_.healthy_ = false;
  if (resp.status == 0) {
    out_.hosts_->Failed(host, sent_ns_);
    out_.plugin_.logger.Error("cannot reach Elasticsearch at {}: {}; not ready, retrying", url,
                              resp.error);
  } else {
    out_.plugin_.logger.Error("Elasticsearch at {} answered HTTP {}: {}{}; not ready, retrying",
                              url, resp.status, common::DescribeErrorBody(resp.body),
                              resp.status == 401 || resp.status == 403
                                  ? " (check user and password, api_key or bearer_token)"
                                  : "");
  }
  return false;
}

bool ElasticsearchOutput::Sender::EnsureTemplate() {
  if (!out_.options_.setup_template || out_.template_ready_.load()) return true;
  std::lock_guard once(out_.template_mu_);
  const std::string path = "/_index_template/" + common::UriEncode(out_.options_.template_name,
                                                                   /*keep_slash=*/false);
  for (int attempt = 0; !out_.template_ready_.load(); ++attempt) {
    {
      std::lock_guard lock(out_.mu_);
      if (out_.give_up_) return false;
    }
    size_t host = 0;
    common::HttpResponse resp = Request("PUT", path, out_.index_template_, false, &host);
    const std::string& url = out_.hosts_->url(host);
    if (resp.status >= 200 && resp.status < 300) {
      out_.plugin_.logger.Info("installed the index template '{}' at {}",
                               out_.options_.template_name, url);
      out_.template_ready_ = true;
      out_.healthy_ = true;
      break;
    }
    if (resp.status == 400) {
      // The template itself is wrong: say so, and index anyway (the data is not held back).
      out_.plugin_.logger.Error(
          "{} refused the index template '{}': {}; indexing goes on without it (fix "
          "template_file)",
          url, out_.options_.template_name, common::DescribeErrorBody(resp.body));
      out_.template_ready_ = true;
      break;
    }
    out_.healthy_ = false;
    if (resp.status == 0) out_.hosts_->Failed(host, sent_ns_);
    out_.plugin_.logger.Limited(
        out_.error_log_, LogLevel::kError,
        "cannot install the index template '{}' at {}: {}; retrying before indexing",
        out_.options_.template_name, url,
        resp.status == 0
            ? resp.error
            : fmt::format("HTTP {} {}", resp.status, common::DescribeErrorBody(resp.body)));
    if (!Backoff(attempt)) return false;
  }
  return true;
}

const config::OptionSchema<ElasticsearchOutput::Options>& ElasticsearchOutput::Options::Schema() {
  static const auto* schema = [] {
    auto* s = new config::OptionSchema<Options>();
    s->Add("hosts", &Options::hosts,
           "Elasticsearch nodes (http:// or https://, with a path prefix if a proxy needs one); "
           "requests go to them in turn, and one that fails rests a while.",
           {.example = "[\"https://es1:9200\", \"https://es2:9200\"]"})
        .Add("index", &Options::index,
             "Index of each event: a template with the event time's strftime conversions (UTC) "
             "and {{field}} references.",
             {.example = "logs-spark-{{spark.app_id}}-%Y.%m.%d"})
        .Add("data_stream", &Options::data_stream,
             "Write to this data stream instead of `index` (every action is a `create`; the "
             "matching index template must declare `data_stream`).",
             {.example = "logs-spark-default"})
        .Add("op_type", &Options::op_type,
             "`index` overwrites a document with the same _id (a replay updates it); `create` "
             "keeps the first, and a replay's 409 counts as done.",
             {.one_of = {"index", "create"}})
        .Add("document_id", &Options::document_id,
             "The _id template. Default: the event's stable id (`event.id`, else a hash of its "
             "source and offset), so retries and replays never duplicate. A template that "
             "renders empty lets Elasticsearch choose (no protection from duplicates).",
             {.example = "{{event.id}}"})
        .Add("pipeline", &Options::pipeline, "Ingest pipeline every document goes through.",
             {.example = "spark-logs"})
        .Add("max_events", &Options::max_events, "Documents per bulk request, at most.", {.min = 1})
        .Add("max_bytes", &Options::max_bytes,
             "A bulk request is sent once its body (before compression) holds this many bytes.",
             {.min = ByteSize{1024}})
        .Add("flush_interval", &Options::flush_interval,
             "A bulk request that is not full is sent after this long.")
        .Add("concurrency", &Options::concurrency,
             "Bulk requests in flight at once (one sender thread and connection set each).",
             {.min = 1, .max = 64})
        .Add("compression", &Options::compression, "Compression of the request bodies.",
             {.one_of = {"gzip", "none"}})
        .Add("compression_level", &Options::compression_level,
             "gzip level: 1 is the fastest; -1 zlib's default (6).", {.min = -1, .max = 9})
        .Add("user", &Options::user, "Basic authentication user.", {.example = "sluice"})
        .Add("password", &Options::password, "Basic authentication password.",
             {.example = "${ES_PASSWORD}"})
        .Add("api_key", &Options::api_key,
             "API key, as Elasticsearch returns it encoded (`encoded` of the create API key "
             "answer); sent as `Authorization: ApiKey ...`.",
             {.example = "${ES_API_KEY}"})
        .Add("bearer_token", &Options::bearer_token,
             "OAuth2/JWT token, sent as `Authorization: Bearer ...`.")
        .Add("ca_file", &Options::ca_file, "PEM CA bundle for the nodes' TLS certificates.")
        .Add("client_cert", &Options::client_cert,
             "PEM client certificate (TLS client authentication).")
        .Add("client_key", &Options::client_key, "PEM key of `client_cert`.")
        .Add("verify", &Options::verify,
             "Verify the nodes' TLS certificates. `false` only for tests; it is logged as a "
             "warning.")
        .Add("timeout", &Options::timeout, "Timeout of one request.")
        .Add("max_backoff", &Options::max_backoff,
             "Longest wait between two tries of a request (the wait doubles from 100 ms).",
             {.min = Duration{std::chrono::milliseconds(100)}})
        .Add("setup_template", &Options::setup_template,
             "Install the index template (PUT _index_template/`template_name`) before indexing.")
        .Add("template_name", &Options::template_name, "Name of the installed index template.")
        .Add("template_file", &Options::template_file,
             "The index template to install (JSON). Default: Sluice's template for Spark logs "
             "(config/elasticsearch/spark-logs-template.json, built in; patterns logs-spark-*).",
             {.example = "/etc/sluice/my-template.json"})
        .Check([](const Options& o) -> std::string {
          if (o.hosts.empty()) return "hosts needs at least one node";
          for (const auto& h : o.hosts) {
            if (h.rfind("http://", 0) != 0 && h.rfind("https://", 0) != 0) {
              return fmt::format("hosts: '{}' must start with http:// or https://", h);
            }
          }
          if (!o.data_stream.empty()) {
            if (std::string why = IndexNameProblem(o.data_stream, true); !why.empty()) {
              return "data_stream: " + why;
            }
          } else if (std::string why =
                         IndexNameProblem(o.index.literal_text(), o.index.starts_with_literal());
                     !why.empty()) {
            return fmt::format("index '{}': {}", o.index.source(), why);
          }
          int auths = !o.user.empty() + !o.api_key.empty() + !o.bearer_token.empty();
          if (auths > 1) return "use one of user/password, api_key and bearer_token";
          if (!o.password.empty() && o.user.empty()) return "password needs user";
          if (o.client_cert.empty() != o.client_key.empty()) {
            return "client_cert and client_key go together";
          }
          return "";
        });
    return s;
  }();
  return *schema;
}

Result<std::unique_ptr<ElasticsearchOutput>> ElasticsearchOutput::Build(const Options& options,
                                                                        PluginContext& context) {
  std::string tpl(ShippedIndexTemplate());
  if (!options.template_file.empty()) {
    std::ifstream in(options.template_file, std::ios::binary);
    if (!in) {
      return InvalidArgument(fmt::format("template_file: cannot read {}: {}", options.template_file,
                                         std::strerror(errno)));
    }
    std::stringstream text;
    text << in.rdbuf();
    tpl = text.str();
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(tpl).get(doc); err != simdjson::SUCCESS || !doc.is_object()) {
    return InvalidArgument(fmt::format("template_file: {} is not a JSON object ({})",
                                       options.template_file, simdjson::error_message(err)));
  }
  if (!options.data_stream.empty() && doc["data_stream"].error() != simdjson::SUCCESS) {
    // A data stream needs its template to say so.
    const bool empty = doc.get_object().value().size() == 0;
    tpl.insert(tpl.find('{') + 1, empty ? "\"data_stream\":{}" : "\"data_stream\":{},");
  }
  return std::make_unique<ElasticsearchOutput>(options, context, std::move(tpl));
}

ElasticsearchOutput::ElasticsearchOutput(const Options& options, PluginContext& context,
                                         std::string index_template)
    : options_(options),
      plugin_(context),
      create_(options.op_type == "create" || !options.data_stream.empty()),
      index_template_(std::move(index_template)),
      dead_letter_(context.data_dir, context.pipeline, context.id),
      indexed_(context.metrics->registry().GetCounter("sluice_elasticsearch_output_indexed_total",
                                                      "Documents indexed (created or updated).",
                                                      context.metrics->labels())),
      duplicates_(context.metrics->registry().GetCounter(
          "sluice_elasticsearch_output_duplicates_total",
          "Documents already there (409 on create: a replay or a retry that had succeeded).",
          context.metrics->labels())),
      dead_lettered_(context.metrics->registry().GetCounter(
          "sluice_elasticsearch_output_dead_letter_documents_total",
          "Documents refused for good (mapping errors, invalid index names) and written to the "
          "dead-letter file.",
          context.metrics->labels())),
      requests_(context.metrics->registry().GetCounter("sluice_elasticsearch_output_requests_total",
                                                       "HTTP requests sent.",
                                                       context.metrics->labels())),
      request_ms_(context.metrics->registry().GetCounter(
          "sluice_elasticsearch_output_request_milliseconds_total",
          "Time spent in requests (divide by requests_total for the mean latency).",
          context.metrics->labels())),
      request_seconds_(context.metrics->registry().GetHistogram(
          "sluice_elasticsearch_output_request_seconds", "Seconds per HTTP request.",
          context.metrics->labels())),
      splits_(context.metrics->registry().GetCounter(
          "sluice_elasticsearch_output_splits_total",
          "Bulk requests split in two (413, or a request refused as a whole).",
          context.metrics->labels())),
      inflight_requests_(
          context.metrics->registry().GetGauge("sluice_elasticsearch_output_inflight_requests",
                                               "Requests being sent.", context.metrics->labels())) {
  bulk_path_ = "/_bulk";
  if (!options_.pipeline.empty()) {
    bulk_path_ += "?pipeline=" + common::UriEncode(options_.pipeline, false);
  }
}

ElasticsearchOutput::~ElasticsearchOutput() { (void)Close(); }

Status ElasticsearchOutput::Start() {
  if (!options_.verify) {
    plugin_.logger.Warn("verify: false: the nodes' TLS certificates are not checked");
  }
  hosts_ = std::make_unique<HostPool>(options_.hosts);
  for (int64_t i = 0; i < options_.concurrency; ++i) {
    senders_.emplace_back([this, i] {
      NameThisThread("send" + std::to_string(i), plugin_.id);
      RunSender(static_cast<size_t>(i));
    });
  }
  return Status::Ok();
}

void ElasticsearchOutput::RunSender(size_t index) {
  Sender sender(*this);
  if (index == 0) {
    // On the sender, not in Start(): a cluster that does not answer must not hold the start.
    sender.Probe();
    sender.EnsureTemplate();
  }
  while (true) {
    std::unique_ptr<Bulk> bulk;
    {
      std::unique_lock lock(mu_);
      // Idle and unready (the cluster was down at start, say): sender 0 asks again every 5 s, so
      // /ready follows the cluster even without data.
      if (!cv_.wait_for(lock, std::chrono::seconds(5), [&] { return stop_ || !queue_.empty(); })) {
        if (index == 0 && !healthy_.load() && sending_ == 0) {
          lock.unlock();
          sender.Probe();
        }
        continue;
      }
      if (queue_.empty()) return;
      bulk = std::move(queue_.front());
      queue_.pop_front();
      ++sending_;
    }
    cv_.notify_all();  // Enqueue() may wait for room
    if (sender.EnsureTemplate()) {
      sender.Deliver(std::move(bulk));
    } else {
      for (const auto& item : bulk->items) item.ack->Settle(false);
    }
    {
      std::lock_guard lock(mu_);
      --sending_;
    }
    cv_.notify_all();
  }
}

void ElasticsearchOutput::Write(const EventBatch& batch, AckHandle ack) {
  auto settle = std::make_shared<SharedAck>(std::move(ack));
  settle->Add(static_cast<int64_t>(batch.size()));  // one piece per event
  const bool custom_id = !options_.document_id.source().empty();
  for (const Event& e : batch.events()) {
    if (!open_) {
      open_ = std::make_unique<Bulk>();
      open_since_ns_ = MonoNs();
    }
    Bulk& b = *open_;
    if (b.acks.empty() || b.acks.back() != settle) b.acks.push_back(settle);
    const size_t begin = b.body.size();
    b.body += create_ ? "{\"create\":{\"_index\":" : "{\"index\":{\"_index\":";
    scratch_.clear();
    if (options_.data_stream.empty()) {
      options_.index.Render(e, scratch_);
    } else {
      scratch_ = options_.data_stream;
    }
    AppendJsonString(b.body, scratch_);
    scratch_.clear();
    if (custom_id) {
      options_.document_id.Render(e, scratch_);
    } else if (auto id = e.GetText("event.id"); id && !id->empty()) {
      scratch_ = *id;
    } else if (e.metadata().source_id != 0) {
      uint64_t h = common::Fnv1aU64(e.metadata().offset, e.metadata().source_id);
      for (int i = 0; i < 16; ++i) scratch_ += kHex[(h >> (60 - 4 * i)) & 0xF];
    }
    if (!scratch_.empty()) {
      b.body += ",\"_id\":";
      AppendJsonString(b.body, scratch_);
    }
    b.body += "}}\n";
    const size_t doc = b.body.size();
    encoder_.Encode(e, b.body);
    b.body += '\n';
    b.items.push_back(Bulk::Item{begin, doc, b.body.size(), settle.get()});
    if (b.items.size() >= static_cast<size_t>(options_.max_events) ||
        b.body.size() >= options_.max_bytes.bytes) {
      Enqueue();
    }
  }
  settle->Settle(true);
}

void ElasticsearchOutput::Enqueue() {
  if (!open_ || open_->items.empty()) return;
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock,
             [&] { return queue_.size() < static_cast<size_t>(options_.concurrency) || closing_; });
    queue_.push_back(std::move(open_));
  }
  cv_.notify_all();
}

void ElasticsearchOutput::Flush() {
  if (open_ && MonoNs() - open_since_ns_ >= options_.flush_interval.value.count()) Enqueue();
}

void ElasticsearchOutput::Drain(bool) { Enqueue(); }

Status ElasticsearchOutput::Close() {
  if (senders_.empty()) return Status::Ok();
  {
    std::lock_guard lock(mu_);
    closing_ = true;  // the last request is queued without waiting for room
  }
  Enqueue();
  // Everything was acked when the pipeline drained; otherwise give the senders a little while.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  size_t left = 0;
  {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline, [&] { return queue_.empty() && sending_ == 0; });
    left = queue_.size() + sending_;
    give_up_ = true;
    stop_ = true;
  }
  abort_requests_ = true;  // requests still in flight stop now, not after their timeout
  cv_.notify_all();
  for (auto& t : senders_) t.join();
  senders_.clear();
  if (left > 0) {
    return IoError(
        fmt::format("{} bulk request(s) were not indexed at shutdown; their events are "
                    "read again after a restart",
                    left));
  }
  return Status::Ok();
}

}  // namespace sluice::outputs
