#include "plugins/outputs/s3/s3_output.h"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <random>
#include <string_view>

#include "pipeline/clock.h"
#include "pipeline/thread_name.h"
#include "plugins/common/backoff.h"
#include "plugins/common/host_name.h"
#include "plugins/outputs/s3/s3_bucket_store.h"
#include "plugins/outputs/s3/s3_local_store.h"
#include "plugins/outputs/s3/s3_object_store.h"
#include "plugins/outputs/s3/s3_staged_object.h"

namespace sluice::outputs {

SLUICE_REGISTER_OUTPUT(S3Output, "s3",
                       "Time-partitioned, compressed NDJSON objects in S3 (bronze); exactly once "
                       "for Kafka-sourced events (deterministic names, offset markers).");

namespace fs = std::filesystem;

namespace {

constexpr char kMarkerPrefix[] = "_sluice/offsets/";

// The offset a marker holds; nullopt when it is not a non-negative number (an empty or damaged
// object: real S3 stores an upload whole or not at all, some S3 stand-ins do not).
std::optional<int64_t> ParseOffset(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  int64_t value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// The bucket, its client and the headers of every object, from the options.
s3::BucketStoreOptions BucketOptions(const S3Output::Options& o, const std::string& region) {
  s3::BucketStoreOptions store{.client = o.ClientOptions(region), .part_size = o.part_size.bytes};
  store.headers.push_back("Content-Type: application/x-ndjson");
  std::string_view encoding = common::StreamCompressor::ContentEncoding(o.compression);
  if (!encoding.empty()) store.headers.push_back(fmt::format("Content-Encoding: {}", encoding));
  if (!o.storage_class.empty()) store.headers.push_back("x-amz-storage-class: " + o.storage_class);
  if (o.sse != S3Output::Sse::kNone) {
    store.headers.push_back(
        fmt::format("x-amz-server-side-encryption: {}", config::EnumNameOf(o.sse)));
  }
  if (!o.sse_kms_key_id.empty()) {
    store.headers.push_back("x-amz-server-side-encryption-aws-kms-key-id: " + o.sse_kms_key_id);
  }
  return store;
}

}  // namespace

struct S3Output::Partition {
  std::string topic;
  int64_t partition = 0;
  bool marker_loaded = false;
  int64_t stored_through = -1;  // last offset known to be in bronze
};

const config::OptionSchema<S3Output::Options>& S3Output::Options::Schema() {
  static const auto* schema = [] {
    auto* s = new config::OptionSchema<Options>();
    common::AddS3ConnectionOptions(
        *s,
        "S3-compatible endpoint (`http://127.0.0.1:9000` for MinIO or s3rver), or `file://DIR` "
        "for local bronze: the same layout under DIR/BUCKET/. Default: "
        "https://s3.REGION.amazonaws.com.");
    s->Add("prefix", &Options::prefix,
           "Key prefix of each object: a template with the event time's strftime conversions "
           "(in `timezone`), Hive-style so Athena and Spark find the partitions.",
           {.example = "spark/dt=%Y-%m-%d/hour=%H/"})
        .Add("timezone", &Options::timezone,
             "Time zone of the prefix's time conversions: UTC, an offset (+02:00) or an IANA "
             "name (Europe/Paris); an hour partition then follows local time, daylight saving "
             "included.",
             {.example = "Europe/Paris"})
        .Add("compression", &Options::compression,
             "Object compression; sets the extension (.ndjson.gz, .ndjson.zst) and "
             "Content-Encoding.")
        .Add("compression_level", &Options::compression_level,
             "Codec level: 1 is the fastest (the default: a collector's CPU goes to "
             "compression); `-1` the codec's default (gzip 6, zstd 3). gzip takes at most 9.",
             {.min = -1, .max = 19})
        .Add("max_object_size", &Options::max_object_size,
             "An object is closed once it holds this many compressed bytes.",
             {.min = ByteSize{1024}})
        .Add("max_events", &Options::max_events,
             "An object is closed once it holds this many events; 0: no limit.", {.min = 0})
        .Add("upload_concurrency", &Options::upload_concurrency,
             "Objects uploaded at once, by as many upload threads, each with its own "
             "connection. Objects of one Kafka partition are uploaded one at a time, in order.",
             {.min = 1, .max = 64})
        .Add("flush_interval", &Options::flush_interval,
             "An object is closed when an event arrives this long (event time) after its first "
             "event, and when it has been open this long (wall time). 0: neither.")
        .Add("max_open_objects", &Options::max_open_objects,
             "Objects open at once (one per Kafka partition or per prefix); opening one more "
             "closes the oldest.",
             {.min = 1})
        .Add("part_size", &Options::part_size,
             "Objects larger than this are uploaded in parts of this size (multipart upload).",
             {.min = ByteSize{5ull << 20}})
        .Add("storage_class", &Options::storage_class,
             "x-amz-storage-class of the objects (STANDARD_IA, INTELLIGENT_TIERING...).",
             {.example = "INTELLIGENT_TIERING"})
        .Add("sse", &Options::sse,
             "Server-side encryption: `AES256` (S3-managed keys) or `aws:kms`; empty: none.")
        .Add("sse_kms_key_id", &Options::sse_kms_key_id, "KMS key of `sse: aws:kms`.",
             {.example = "arn:aws:kms:eu-west-1:111122223333:key/abcd"})
        .Check([](const Options& o) -> std::string {
          // zlib refuses higher levels: every object would fail at its first line.
          if (o.compression == common::Compression::kGzip && o.compression_level > 9) {
            return fmt::format("compression_level: gzip takes -1 to 9, got {}",
                               o.compression_level);
          }
          if (o.sse_kms_key_id.size() > 0 && o.sse != Sse::kKms) {
            return "sse_kms_key_id needs sse: aws:kms";
          }
          return o.Check(/*allow_file=*/true);
        });
    return s;
  }();
  return *schema;
}

Result<std::unique_ptr<S3Output>> S3Output::Build(const Options& options, PluginContext& context) {
  return std::make_unique<S3Output>(options, context);
}

S3Output::S3Output(const Options& options, PluginContext& context)
    : options_(options), plugin_(context), host_(common::HostName()), metrics_(*context.metrics) {}

S3Output::~S3Output() {
  if (!uploaders_.empty()) (void)Close();
}

Status S3Output::Start() {
  staging_dir_ = (fs::path(plugin_.data_dir) / "s3" / plugin_.pipeline / plugin_.id).string();
  std::error_code ec;
  fs::create_directories(staging_dir_, ec);
  if (ec) return IoError(fmt::format("cannot create {}: {}", staging_dir_, ec.message()));
  // Staging files of a previous run hold events that were never acked: they are read again.
  for (const auto& entry : fs::directory_iterator(staging_dir_, ec)) fs::remove(entry.path(), ec);
  const std::string region = options_.EffectiveRegion();
  const auto uploaders = static_cast<size_t>(options_.upload_concurrency);
  if (options_.endpoint.rfind("file://", 0) == 0) {
    std::string dir = options_.endpoint.substr(7);
    writer_store_ = std::make_unique<s3::LocalStore>(dir, options_.bucket);
    for (size_t i = 0; i < uploaders; ++i) {
      upload_stores_.push_back(std::make_unique<s3::LocalStore>(dir, options_.bucket));
    }
  } else {
    if (!options_.verify) {
      plugin_.logger.Warn("verify: false: the endpoint's TLS certificate is not checked");
    }
    credentials_ =
        std::make_unique<common::AwsCredentialsChain>(options_.CredentialsOptions(region));
    writer_store_ =
        std::make_unique<s3::BucketStore>(BucketOptions(options_, region), credentials_.get());
    for (size_t i = 0; i < uploaders; ++i) {
      upload_stores_.push_back(
          std::make_unique<s3::BucketStore>(BucketOptions(options_, region), credentials_.get()));
    }
  }
  s3::S3Result check = writer_store_->Check();
  if (!check.ok()) {
    healthy_ = false;
    plugin_.logger.Error(
        "bucket '{}' is not usable: {}{}; not ready, uploads are retried (nothing is dropped)",
        options_.bucket, check.ToString(),
        check.setup_error() ? " (check the bucket name, region and credentials)" : "");
  } else {
    plugin_.logger.Info("writing objects to {}", writer_store_->Describe(""));
  }
  for (auto& store : upload_stores_) {
    uploaders_.emplace_back([this, s = store.get()] {
      NameThisThread("upload", plugin_.id);
      RunUploader(*s);
    });
  }
  return Status::Ok();
}

S3Output::Partition* S3Output::PartitionOf(const Event& event, std::string* group,
                                           int64_t* offset_out) {
  auto topic = event.GetText("kafka.topic");
  const Value* partition = event.Get("kafka.partition");
  const Value* offset = event.Get("kafka.offset");
  if (!topic || partition == nullptr || offset == nullptr ||
      partition->kind() != Value::Kind::kInt || offset->kind() != Value::Kind::kInt) {
    return nullptr;
  }
  *group = fmt::format("{}+{}", *topic, partition->as_int());
  *offset_out = offset->as_int();
  auto& p = partitions_[*group];
  if (!p) {
    p = std::make_unique<Partition>();
    p->topic = std::string(*topic);
    p->partition = partition->as_int();
  }
  if (!p->marker_loaded) {
    // What bronze already holds of this partition: replays skip it. Without an answer, nothing
    // can be written safely, so this waits (backpressure) until the store answers.
    for (int attempt = 0;; ++attempt) {
      std::string body;
      s3::S3Result r = writer_store_->Get(kMarkerPrefix + *group, &body);
      if (r.ok()) {
        std::optional<int64_t> through = ParseOffset(body);
        if (!through) {
          // Nothing tells what bronze holds of this partition: it is written again from the
          // committed offset, and what was stored past it may be stored twice. Said loudly.
          plugin_.logger.Error(
              "the offset marker of {} is unreadable ({} bytes, not an offset): treated as absent; "
              "events of this partition already in bronze may be written again",
              *group, body.size());
          metrics_.unreadable_markers.Add();
        }
        p->stored_through = through.value_or(-1);
        break;
      }
      if (r.status == 404) break;
      healthy_ = false;
      metrics_.retries.Add();
      plugin_.logger.Limited(error_log_, LogLevel::kError,
                             "cannot read the offset marker of {}: {}; retrying", *group,
                             r.ToString());
      if (closing_.load()) break;
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::min(5000, 100 << std::min(attempt, 6))));
    }
    p->marker_loaded = true;
  }
  return p.get();
}

s3::StagedObject* S3Output::OpenFor(const Event& event, const std::string& group,
                                    Partition* partition, int64_t offset) {
  auto it = open_.find(group);
  if (it != open_.end()) {
    s3::StagedObject& o = *it->second;
    const int64_t interval = options_.flush_interval.value.count();
    bool new_bucket = o.prefix != prefix_;
    bool too_late = interval > 0 && event.timestamp_ns() - o.first_event_ns >= interval;
    if (!new_bucket && !too_late) return &o;
    CloseObject(group);
  }
  if (open_.size() >= static_cast<size_t>(options_.max_open_objects)) {
    auto oldest = std::min_element(open_.begin(), open_.end(), [](const auto& a, const auto& b) {
      return a.second->opened_ns < b.second->opened_ns;
    });
    CloseObject(oldest->first);
  }
  auto o = std::make_unique<s3::StagedObject>();
  o->group = group;
  o->prefix = prefix_;
  o->first_event_ns = event.timestamp_ns();
  o->opened_ns = MonoNs();
  std::string name;
  const std::string ext = std::string(".ndjson") +
                          std::string(common::StreamCompressor::Extension(options_.compression));
  if (partition != nullptr) {
    o->kafka = true;
    name = fmt::format("{}+{}+{:020d}{}", partition->topic, partition->partition, offset, ext);
  } else {
    auto host = event.GetText("host.name");
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    name =
        fmt::format("{}-{}-{:06d}{}", host ? std::string(*host) : host_, stamp, ++sequence_, ext);
  }
  o->key = o->prefix + name;
  o->StartStaging(fmt::format("{}/{:08d}.part", staging_dir_, ++staging_sequence_),
                  common::StreamCompressor::Make(options_.compression,
                                                 static_cast<int>(options_.compression_level)));
  s3::StagedObject* raw = o.get();
  open_[group] = std::move(o);
  metrics_.open_objects.Set(static_cast<int64_t>(open_.size()));
  return raw;
}

void S3Output::Write(const EventBatch& batch, AckHandle ack) {
  auto b = std::make_shared<SharedAck>(std::move(ack));
  std::string group;
  for (const Event& e : batch.events()) {
    prefix_.clear();
    options_.prefix.Render(e, prefix_,
                           options_.timezone.zone.At(absl::FromUnixNanos(e.timestamp_ns())).offset);
    int64_t offset = -1;
    Partition* partition = PartitionOf(e, &group, &offset);
    if (partition == nullptr) {
      group = prefix_;
    } else if (offset <= partition->stored_through) {
      metrics_.skipped.Add();
      continue;
    }
    s3::StagedObject* o = OpenFor(e, group, partition, offset);
    line_.clear();
    encoder_.EncodeLine(e, line_);
    const uint64_t before = o->size();
    o->Append(line_);
    if (o->kafka) o->last_offset = offset;
    if (o->acks.empty() || o->acks.back() != b) {
      b->Add();
      o->acks.push_back(b);
    }
    metrics_.staged_bytes.Add(static_cast<int64_t>(o->size() - before));
    if (o->size() >= options_.max_object_size.bytes ||
        (options_.max_events > 0 && o->events >= static_cast<uint64_t>(options_.max_events))) {
      CloseObject(group);
    }
  }
  b->Settle(true);
}

void S3Output::CloseObject(const std::string& group) {
  auto it = open_.find(group);
  if (it == open_.end()) return;
  std::unique_ptr<s3::StagedObject> o = std::move(it->second);
  open_.erase(it);
  metrics_.open_objects.Set(static_cast<int64_t>(open_.size()));
  const uint64_t before = o->size();
  o->Finish();
  metrics_.staged_bytes.Add(static_cast<int64_t>(o->size() - before));
  std::lock_guard lock(mu_);
  closed_.push_back(std::move(o));
  cv_.notify_all();
}

void S3Output::CloseAll() {
  std::vector<std::string> groups;
  for (const auto& [group, o] : open_) groups.push_back(group);
  for (const auto& g : groups) CloseObject(g);
}

void S3Output::Flush() {
  const int64_t interval = options_.flush_interval.value.count();
  if (interval <= 0) return;
  const int64_t now = MonoNs();
  std::vector<std::string> old;
  for (const auto& [group, o] : open_) {
    if (now - o->opened_ns >= interval) old.push_back(group);
  }
  for (const auto& g : old) CloseObject(g);
}

void S3Output::Drain(bool all) {
  if (all) {
    CloseAll();
    return;
  }
  // The in-flight bound is reached: the largest objects first (by what they hold uncompressed,
  // as the bound counts it), until half of it is on its way; the rest keeps growing.
  std::vector<std::pair<uint64_t, std::string>> by_size;
  uint64_t total = 0;
  for (const auto& [group, o] : open_) {
    by_size.emplace_back(o->raw_bytes, group);
    total += o->raw_bytes;
  }
  std::sort(by_size.rbegin(), by_size.rend());
  uint64_t closed = 0;
  for (const auto& [size, group] : by_size) {
    if (closed > 0 && closed * 2 >= total) break;
    CloseObject(group);
    closed += size;
  }
}

std::deque<std::unique_ptr<s3::StagedObject>>::iterator S3Output::NextUpload() {
  return std::find_if(closed_.begin(), closed_.end(),
                      [&](const auto& o) { return !uploading_groups_.contains(o->group); });
}

void S3Output::RunUploader(s3::ObjectStore& store) {
  while (true) {
    std::unique_ptr<s3::StagedObject> o;
    {
      std::unique_lock lock(mu_);
      // At stop, what another thread's groups hold is left to that thread.
      cv_.wait(lock, [&] { return stop_ || NextUpload() != closed_.end(); });
      auto next = NextUpload();
      if (next == closed_.end()) return;
      o = std::move(*next);
      closed_.erase(next);
      uploading_groups_.insert(o->group);
      ++uploading_;
    }
    bool stored = !o->broken && Upload(*o, store);
    if (o->broken) {
      plugin_.logger.Error(
          "the staging file {} could not be written; its {} event(s) are not "
          "acked and are read again after a restart",
          o->staging_path, o->events);
    }
    metrics_.staged_bytes.Add(-static_cast<int64_t>(o->staged));
    std::error_code ec;
    fs::remove(o->staging_path, ec);
    for (auto& b : o->acks) b->Settle(stored);
    {
      std::lock_guard lock(mu_);
      uploading_groups_.erase(o->group);
      --uploading_;
    }
    cv_.notify_all();
  }
}

bool S3Output::Upload(s3::StagedObject& o, s3::ObjectStore& store) {
  static thread_local std::mt19937_64 jitter = common::JitterEngine();
  for (int attempt = 0;; ++attempt) {
    const int64_t start = MonoNs();
    s3::S3Result r = store.Put(o.key, o.staging_path, o.staged);
    // The marker follows the object: a replay starts after what it names.
    if (r.ok() && o.kafka) {
      r = store.PutText(kMarkerPrefix + o.group, std::to_string(o.last_offset) + "\n");
    }
    if (r.ok()) {
      metrics_.objects.Add();
      metrics_.bytes.Add(o.staged);
      const int64_t took_ns = MonoNs() - start;
      metrics_.upload_ms.Add(static_cast<uint64_t>(took_ns / 1'000'000));
      metrics_.upload_seconds.Observe(static_cast<double>(took_ns) / 1e9);
      if (!healthy_.exchange(true)) plugin_.logger.Info("storing objects again");
      return true;
    }
    healthy_ = false;
    metrics_.retries.Add();
    plugin_.logger.Limited(error_log_, LogLevel::kError,
                           "cannot store {} ({} events): {}{}; retrying (the pipeline waits, "
                           "nothing is dropped)",
                           store.Describe(o.key), o.events, r.ToString(),
                           r.setup_error() ? " (check the bucket, region and credentials)" : "");
    // 200 ms doubling up to 30 s, with jitter.
    const int64_t backoff_ms = common::JitteredBackoffMs(attempt, 200, 30'000, jitter);
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, std::chrono::milliseconds(backoff_ms), [&] { return give_up_; })) {
      return false;
    }
  }
}

Status S3Output::Close() {
  if (uploaders_.empty()) return Status::Ok();
  closing_ = true;
  CloseAll();
  // Let the uploads finish; past the deadline, what is left is not acked (read again later).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  size_t left = 0;
  {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline, [&] { return closed_.empty() && uploading_ == 0; });
    left = closed_.size() + uploading_;
    give_up_ = true;
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : uploaders_) t.join();
  uploaders_.clear();
  if (left > 0) {
    return IoError(
        fmt::format("{} object(s) were not stored at shutdown; their events are read "
                    "again after a restart",
                    left));
  }
  return Status::Ok();
}

}  // namespace sluice::outputs
