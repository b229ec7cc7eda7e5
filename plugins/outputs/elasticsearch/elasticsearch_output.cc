#include "plugins/outputs/elasticsearch/elasticsearch_output.h"

#include <simdjson.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "pipeline/clock.h"
#include "pipeline/json_string.h"
#include "pipeline/read_file.h"
#include "pipeline/thread_name.h"
#include "plugins/common/event_id.h"

namespace sluice::outputs {

SLUICE_REGISTER_OUTPUT(ElasticsearchOutput, "elasticsearch",
                       "Indexes events into Elasticsearch with the bulk API (per-item retries, "
                       "dead-letter file, stable ids).");

namespace {

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

}  // namespace

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
             "keeps the first, and a replay's 409 counts as done.")
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
             "Bulk requests in flight at once, at most (one sender thread and connection set "
             "each).",
             {.min = 1, .max = 64})
        .Add("adaptive_concurrency", &Options::adaptive_concurrency,
             "Hold the requests in flight between 1 and `concurrency` by the cluster's answers: "
             "fewer after a 429 or a latency spike, one more after a round of quick answers "
             "(AIMD). `false`: always `concurrency`.")
        .Add("compression", &Options::compression, "Compression of the request bodies.")
        .Add("compression_level", &Options::compression_level,
             "gzip level: 1 is the fastest; -1 zlib's default (6).", {.min = -1, .max = 9})
        .Add("user", &Options::user, "Basic authentication user.", {.example = "sluice"})
        .Add("password", &Options::password, "Basic authentication password.",
             {.example = "${ES_PASSWORD}", .secret = true})
        .Add("api_key", &Options::api_key,
             "API key, as Elasticsearch returns it encoded (`encoded` of the create API key "
             "answer); sent as `Authorization: ApiKey ...`.",
             {.example = "${ES_API_KEY}", .secret = true})
        .Add("bearer_token", &Options::bearer_token,
             "OAuth2/JWT token, sent as `Authorization: Bearer ...`.", {.secret = true})
        .Add("ca_file", &Options::ca_file, "PEM CA bundle for the nodes' TLS certificates.")
        .Add("client_cert", &Options::client_cert,
             "PEM client certificate (TLS client authentication).")
        .Add("client_key", &Options::client_key, "PEM key of `client_cert`.")
        .Add("verify", &Options::verify,
             "Verify the nodes' TLS certificates. `false` only for tests; it is logged as a "
             "warning.")
        .Add("timeout", &Options::timeout, "Timeout of one request.")
        .Add("max_backoff", &Options::max_backoff,
             "Longest wait between two tries of a request that settle nothing (the wait doubles "
             "from 100 ms); documents refused for now while others of their request were "
             "indexed go again after 50 to 100 ms.",
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
    Result<std::string> text = ReadBoundedFile(options.template_file, 16 << 20);
    if (!text.ok()) {
      return InvalidArgument(fmt::format("template_file: cannot read {}: {}", options.template_file,
                                         text.status().message()));
    }
    tpl = std::move(text).value();
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
      sender_context_(SenderOptionsFor(options, std::move(index_template)), context) {}

elasticsearch::SenderOptions ElasticsearchOutput::SenderOptionsFor(const Options& options,
                                                                   std::string index_template) {
  elasticsearch::SenderOptions s;
  s.hosts = options.hosts;
  s.http = common::HttpClientOptions{
      .connect_timeout = std::chrono::milliseconds(5000),
      .timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout.value),
      .ca_file = options.ca_file,
      .client_cert = options.client_cert,
      .client_key = options.client_key,
      .verify = options.verify,
      .username = options.user,
      .password = options.password};
  if (!options.api_key.empty()) s.headers.push_back("Authorization: ApiKey " + options.api_key);
  if (!options.bearer_token.empty()) {
    s.headers.push_back("Authorization: Bearer " + options.bearer_token);
  }
  s.gzip = options.compression == Compression::kGzip;
  s.compression_level = static_cast<int>(options.compression_level);
  s.bulk_path = "/_bulk";
  if (!options.pipeline.empty()) {
    s.bulk_path += "?pipeline=" + common::UriEncode(options.pipeline, false);
  }
  s.create = options.op_type == OpType::kCreate || !options.data_stream.empty();
  s.max_backoff_ms = options.max_backoff.millis();
  s.concurrency = options.concurrency;
  s.adaptive_concurrency = options.adaptive_concurrency;
  s.setup_template = options.setup_template;
  s.template_name = options.template_name;
  s.index_template = std::move(index_template);
  return s;
}

ElasticsearchOutput::~ElasticsearchOutput() { (void)Close(); }

Status ElasticsearchOutput::Start() {
  if (!options_.verify) {
    plugin_.logger.Warn("verify: false: the nodes' TLS certificates are not checked");
  }
  for (int64_t i = 0; i < options_.concurrency; ++i) {
    senders_.emplace_back([this, i] {
      NameThisThread("send" + std::to_string(i), plugin_.id);
      RunSender(static_cast<size_t>(i));
    });
  }
  return Status::Ok();
}

void ElasticsearchOutput::RunSender(size_t index) {
  elasticsearch::Sender sender(sender_context_);
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
        if (index == 0 && !sender_context_.healthy.load() && sending_ == 0) {
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
    b.body +=
        sender_context_.options.create ? "{\"create\":{\"_index\":" : "{\"index\":{\"_index\":";
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
    } else if (auto id = common::OwnEventId(e)) {
      scratch_ = *id;
    } else if (e.metadata().source_id != 0) {
      char hex[16];
      common::FormatHex64(common::StableEventId(e.metadata().source_id, e.metadata().offset), hex);
      scratch_.append(hex, sizeof(hex));
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
    // Retries stop, and requests still in flight stop now, not after their timeout.
    sender_context_.GiveUp();
    stop_ = true;
  }
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
