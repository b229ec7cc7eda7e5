#include "plugins/inputs/s3/s3_input.h"

#include <fnmatch.h>

#include <charconv>

#include "pipeline/clock.h"
#include "pipeline/thread_name.h"
#include "plugins/common/event_id.h"
#include "plugins/common/gunzip.h"
#include "plugins/common/hash.h"
#include "plugins/common/line_splitter.h"
#include "plugins/inputs/s3/s3_input_sqs.h"

namespace sluice::inputs {

SLUICE_REGISTER_INPUT(S3Input, "s3",
                      "Every object under a prefix of an S3 bucket, read once (EMR's log "
                      "archive), plain or gzip.");

const config::OptionSchema<S3Input::Options>& S3Input::Options::Schema() {
  static const auto* schema = [] {
    auto* s = new config::OptionSchema<Options>();
    common::AddS3ConnectionOptions(
        *s,
        "S3-compatible endpoint (`http://127.0.0.1:9000` for MinIO, moto or s3rver). Default: "
        "https://s3.REGION.amazonaws.com.");
    s->Add("prefix", &Options::prefix,
           "Key prefix of the objects to read (`elasticmapreduce/j-2AXXXXXXGAPLF/containers/`). "
           "Empty: the whole bucket.",
           {.example = "elasticmapreduce/j-2AXXXXXXGAPLF/containers/"})
        .Add("include", &Options::include,
             "Globs on the whole key (`*` matches `/` too); only matching keys are read. Empty: "
             "every key under the prefix.",
             {.example = "['*/stderr.gz', '*/stdout.gz']"})
        .Add("exclude", &Options::exclude, "Globs on the whole key of objects never read.",
             {.example = "['*/prelaunch.*']"})
        .Add("decompress", &Options::decompress,
             "`auto`: gunzip objects that start with gzip's magic bytes; `gzip`: every object "
             "is gzip; `none`: read objects as they are.")
        .Add("multiline", &Options::multiline,
             "Join lines into events (stack traces), as the file input's `multiline`.")
        .Add("max_line_bytes", &Options::max_line_bytes,
             "Longest line kept whole; longer lines are cut into pieces of this size, each "
             "tagged `_line_truncated`.",
             {.min = ByteSize{16}})
        .Add("max_object_size", &Options::max_object_size,
             "Largest object read (as stored); it is read whole into memory. A larger one is "
             "logged and not read.",
             {.min = ByteSize{1}, .max = ByteSize{2ull << 30}})
        .Add("batch_events", &Options::batch_events, "Most events per batch.", {.min = 1})
        .Add("poll_interval", &Options::poll_interval,
             "How often the prefix is listed again for new objects.",
             {.min = Duration{std::chrono::seconds(1)}})
        .Add("exit_when_done", &Options::exit_when_done,
             "List and read once, then finish (`sluice run` drains and exits): a backfill.")
        .Add("sqs_queue_url", &Options::sqs_queue_url,
             "An SQS queue that receives the bucket's s3:ObjectCreated event notifications "
             "(directly or through SNS): objects are read as they are announced, between "
             "listings. The identity needs sqs:ReceiveMessage, sqs:DeleteMessage and "
             "sqs:GetQueueAttributes on it. Empty: listing only.",
             {.example = "https://sqs.eu-west-1.amazonaws.com/111122223333/emr-logs"})
        .Check([](const Options& o) { return o.Check(/*allow_file=*/false); });
    return s;
  }();
  return *schema;
}

Result<std::unique_ptr<S3Input>> S3Input::Build(const Options& options, PluginContext& context) {
  return std::make_unique<S3Input>(options, context);
}

S3Input::S3Input(const Options& options, PluginContext& context)
    : options_(options), plugin_(context), rules_(common::MultilineRules::Make(options.multiline)) {
  if (context.metrics != nullptr) metrics_.emplace(*context.metrics);
}

S3Input::~S3Input() {  // (s3::SqsQueue is complete here)
  Stop();
  Join();
}

bool S3Input::Selected(const std::string& key) const {
  auto any = [&](const std::vector<std::string>& globs) {
    for (const std::string& g : globs) {
      if (::fnmatch(g.c_str(), key.c_str(), 0) == 0) return true;
    }
    return false;
  };
  return (options_.include.empty() || any(options_.include)) && !any(options_.exclude);
}

Status S3Input::Start(InputContext& context) {
  context_ = &context;
  const std::string region = options_.EffectiveRegion();
  if (!options_.verify) {
    plugin_.logger.Warn("verify: false: the endpoint's TLS certificate is not checked");
  }
  credentials_ = std::make_unique<common::AwsCredentialsChain>(options_.CredentialsOptions(region));
  client_ = std::make_unique<common::S3Client>(options_.ClientOptions(region), credentials_.get());
  if (!options_.sqs_queue_url.empty()) {
    common::HttpClientOptions http = options_.ClientOptions(region).http;
    http.timeout = std::max(http.timeout, std::chrono::milliseconds(30'000));  // long polls
    http.abort = &stop_;
    queue_ =
        std::make_unique<s3::SqsQueue>(options_.sqs_queue_url, region, http, credentials_.get());
  }
  thread_ = std::thread([this] {
    NameThisThread("in", plugin_.id);
    Run();
  });
  return Status::Ok();
}

void S3Input::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
}

void S3Input::Join() {
  if (thread_.joinable()) thread_.join();
}

void S3Input::Wait(int64_t ns) {
  std::unique_lock lock(mu_);
  wake_.wait_for(lock, std::chrono::nanoseconds(ns), [&] { return stop_.load(); });
}

void S3Input::Run() {
  plugin_.logger.Info("reading {}{}", client_->Describe(options_.prefix),
                      queue_ ? " and the notifications of " + options_.sqs_queue_url : "");
  if (queue_) {
    common::S3Result r = queue_->Check();
    if (!r.ok()) {
      queue_ok_ = false;
      plugin_.logger.Error(
          "sqs_queue_url {} cannot be read: {} (does the queue exist in region {}, and may this "
          "identity receive and delete its messages?); objects are found by listing only until "
          "it can",
          options_.sqs_queue_url, r.ToString(), options_.EffectiveRegion());
    }
  }
  while (!stop_) {
    const bool complete = Pass();
    healthy_ = complete && queue_ok_;
    if (complete && options_.exit_when_done) {
      plugin_.logger.Info("every object under {} is read", client_->Describe(options_.prefix));
      context_->Finished();
      return;
    }
    const int64_t next_listing = MonoNs() + options_.poll_interval.value.count();
    if (!queue_ || !FollowQueue(next_listing)) Wait(next_listing - MonoNs());
  }
}

bool S3Input::FollowQueue(int64_t until_mono) {
  std::vector<s3::SqsMessage> messages;
  std::vector<s3::S3Notification> objects;
  while (!stop_ && MonoNs() < until_mono) {
    const int wait_s =
        static_cast<int>(std::min<int64_t>(10, (until_mono - MonoNs()) / 1'000'000'000));
    common::S3Result r = queue_->Receive(wait_s, &messages);
    if (!r.ok()) {
      if (stop_) return true;
      if (metrics_) metrics_->request_failures.Add(1);
      if (queue_ok_) {
        plugin_.logger.Error("cannot receive from {}: {}; trying again at the next listing",
                             options_.sqs_queue_url, r.ToString());
      }
      queue_ok_ = false;
      healthy_ = false;
      return false;
    }
    queue_ok_ = true;
    for (const s3::SqsMessage& m : messages) {
      bool read_all = true;
      if (!s3::SqsQueue::ParseNotification(m.body, &objects)) {
        plugin_.logger.Warn("a message of {} is no S3 event notification; deleted: {}",
                            options_.sqs_queue_url, m.body.substr(0, 200));
      }
      for (const s3::S3Notification& n : objects) {
        if (n.bucket != options_.bucket || !n.key.starts_with(options_.prefix)) continue;
        if (!ReadIfNew({.key = n.key, .size = n.size, .etag = n.etag})) {
          read_all = false;  // the message comes back after its visibility timeout
          break;
        }
      }
      if (read_all) queue_->Delete(m.receipt_handle);
    }
  }
  return true;
}

namespace {

// A checkpoint: `ETAG OFFSET` while an object's events are acked up to OFFSET, `ETAG OFFSET done`
// once all are.
struct Saved {
  std::string etag;
  uint64_t offset = 0;
  bool done = false;
};

std::optional<Saved> Decode(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  Saved s;
  const size_t space = text->find(' ');
  if (space == std::string::npos) return std::nullopt;
  s.etag = text->substr(0, space);
  const char* p = text->data() + space + 1;
  const char* end = text->data() + text->size();
  auto [next, ec] = std::from_chars(p, end, s.offset);
  if (ec != std::errc()) return std::nullopt;
  s.done = std::string_view(next, static_cast<size_t>(end - next)) == " done";
  return s;
}

// An ETag without its quotes and spaces (it is a word of the checkpoint).
std::string EtagWord(std::string etag) {
  std::erase_if(etag, [](char c) { return c == '"' || c == ' '; });
  return etag.empty() ? "-" : etag;
}

}  // namespace

bool S3Input::Pass() {
  std::string token;
  do {
    common::S3Listing page;
    common::S3Result r = client_->ListObjects(options_.prefix, token, &page);
    if (!r.ok()) {
      if (metrics_) metrics_->request_failures.Add(1);
      plugin_.logger.Error("cannot list {}: {}{}; listing again in {}",
                           client_->Describe(options_.prefix), r.ToString(),
                           r.setup_error() ? " (check the bucket, region and credentials)" : "",
                           Duration{options_.poll_interval.value}.ToString());
      return false;
    }
    for (const common::S3ObjectInfo& o : page.objects) {
      if (stop_ || !ReadIfNew(o)) return false;
    }
    token = page.next_token;
  } while (!token.empty());
  return true;
}

bool S3Input::ReadIfNew(const common::S3ObjectInfo& o) {
  if (!Selected(o.key)) return true;
  const std::string version = o.key + " " + EtagWord(o.etag);
  if (read_.contains(version)) return true;  // read by this process; its acks may still come
  uint64_t start = 0;
  std::optional<Saved> saved =
      plugin_.checkpoints ? Decode(plugin_.checkpoints->Get(o.key)) : std::nullopt;
  if (saved && saved->etag == EtagWord(o.etag)) {
    if (saved->done) return true;
    start = saved->offset;
  }
  if (o.size > options_.max_object_size.bytes) {
    if (metrics_) metrics_->failed_objects.Add(1);
    plugin_.logger.Error("{} is {} bytes, more than max_object_size ({}): not read",
                         client_->Describe(o.key), o.size, options_.max_object_size.bytes);
    return true;
  }
  if (!Read(o, start)) return false;
  read_.insert(version);
  return true;
}

bool S3Input::Read(const common::S3ObjectInfo& info, uint64_t start) {
  std::string body;
  common::S3Result r = client_->GetObject(info.key, &body);
  if (!r.ok()) {
    if (metrics_) metrics_->request_failures.Add(1);
    plugin_.logger.Error("cannot read {}: {}; trying again at the next listing",
                         client_->Describe(info.key), r.ToString());
    return r.status == 404;  // deleted since the listing: go on with the others
  }
  if (metrics_) metrics_->object_bytes.Add(body.size());
  const std::string etag = EtagWord(info.etag);
  const std::string path = "s3://" + options_.bucket + "/" + info.key;
  const uint64_t source_id = common::Fnv1a(path + " " + etag) | 1;
  // Acks come in order: each moves the checkpoint to the end of the events acked; the last one
  // (at `total`, known before it is emitted) marks the object done.
  auto total = std::make_shared<std::atomic<uint64_t>>(UINT64_MAX);
  CheckpointStore* store = plugin_.checkpoints;
  auto source = context_->AddSource(path, [store, key = info.key, etag, total](uint64_t offset) {
    if (store == nullptr) return;
    store->Set(key, etag + " " + std::to_string(offset) + (offset == total->load() ? " done" : ""));
  });

  const size_t batch_events = static_cast<size_t>(options_.batch_events);
  EventBatch batch(batch_events);
  std::string_view batch_path;
  uint64_t safe = start;  // the end of the batch's last event: its checkpoint
  const int64_t read_time = WallNs();
  bool emitted_ok = true;
  auto emit = [&] {
    if (batch.empty() || !emitted_ok) return;
    while (!context_->WaitForCapacity(batch.MemoryBytes(), 100) && !stop_) {
    }
    emitted_ok = context_->Emit(std::move(batch), source, safe);
    batch = EventBatch(batch_events);
    batch_path = {};
  };
  // A full batch goes when the next event comes, so that the last batch, emitted at the end with
  // the object's length as its checkpoint, is never empty when there were events.
  auto on_event = [&](const common::MultilineEvent& e) {
    if (batch.size() >= batch_events) emit();
    Event& event = batch.Add(read_time, e.message);
    if (batch_path.empty()) batch_path = batch.arena().Copy(path);
    common::AddSourcedFields(event, batch.arena(), batch_path, e.begin_offset, source_id,
                             e.line_truncated, e.multiline_truncated);
    event.AddView("aws.s3.bucket.name", Value::String(options_.bucket));
    event.AddView("aws.s3.object.key",
                  Value::String(batch_path.substr(6 + options_.bucket.size())));
    safe = e.end_offset;
  };
  common::LineSplitter splitter(options_.max_line_bytes.bytes);
  common::MultilineAggregator multiline(rules_);
  uint64_t offset = 0;  // in the uncompressed bytes
  auto on_line = [&](std::string_view line, bool truncated, size_t consumed) {
    const uint64_t begin = offset;
    offset += consumed;
    if (begin < start) return;  // acked by an earlier run
    multiline.Push(line, begin, offset, truncated, read_time, on_event);
  };
  auto feed = [&](std::string_view chunk) { splitter.Feed(chunk, on_line); };
  const bool gzip = options_.decompress == Decompress::kGzip ||
                    (options_.decompress == Decompress::kAuto && common::IsGzip(body));
  std::string error = gzip ? common::Gunzip(body, feed) : (feed(body), std::string());
  splitter.Finish(on_line);
  multiline.Flush(read_time, /*force=*/true, on_event);
  total->store(offset);
  safe = offset;
  if (batch.empty() && plugin_.checkpoints != nullptr) {
    // Nothing left to ack: done now (an empty object, or one acked whole by an earlier run).
    plugin_.checkpoints->Set(info.key, etag + " " + std::to_string(offset) + " done");
  }
  emit();
  if (!error.empty()) {
    if (metrics_) metrics_->failed_objects.Add(1);
    plugin_.logger.Error("{}: {} after {} bytes; what was read is sent",
                         client_->Describe(info.key), error, offset);
  } else if (metrics_) {
    metrics_->objects.Add(1);
  }
  plugin_.logger.Debug("read {} ({} bytes from offset {})", client_->Describe(info.key), offset,
                       start);
  return emitted_ok;
}

}  // namespace sluice::inputs
