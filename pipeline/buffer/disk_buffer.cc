#include "pipeline/buffer/disk_buffer.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "pipeline/buffer/batch_codec.h"
#include "pipeline/buffer/little_endian.h"
#include "pipeline/clock.h"
#include "pipeline/thread_name.h"

namespace sluice::buffer {
namespace {

constexpr int64_t kMsNs = 1'000'000;
constexpr size_t kTimeBytes = 8;  // each record starts with the wall time it was written at
// `sync: batch` syncs at least every this many bytes, even when batches keep coming.
constexpr size_t kMaxUnsyncedBytes = 8u << 20;
constexpr int64_t kStallNs = 5'000 * kMsNs;  // Close() gives up once nothing settled this long

int64_t RetryDelayNs(int attempts) {
  const int64_t ms = std::min<int64_t>(30'000, int64_t{1000} << std::min(attempts - 1, 5));
  return ms * kMsNs;
}

}  // namespace

DiskBuffer::DiskBuffer(std::unique_ptr<Output> inner, const BufferOptions& options, std::string dir,
                       ComponentMetrics& metrics, Logger logger, size_t inflight_bytes,
                       Duration drain_timeout)
    : inner_(std::move(inner)),
      options_(options),
      dir_(std::move(dir)),
      metrics_(metrics),
      logger_(std::move(logger)),
      drain_timeout_(drain_timeout),
      limiter_(std::make_shared<InflightLimiter>(inflight_bytes)) {}

DiskBuffer::~DiskBuffer() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    stop_ = true;
  }
  cv_.notify_all();
  if (reader_.joinable()) reader_.join();
  // Handles the real output still holds settle into this object: destroy it first.
  inner_.reset();
  metrics_.events.Add(-gauge_events_.load());
}

Status DiskBuffer::Start() {
  auto log = SegmentLog::Open({.dir = dir_, .segment_bytes = options_.SegmentBytes()});
  if (!log.ok()) return log.status();
  log_ = std::move(log).value();
  metrics_.bytes.Set(static_cast<int64_t>(log_->disk_bytes()));
  Status s = inner_->Start();
  if (!s.ok()) return s;
  if (log_->run_first_segment() != log_->read_position().segment) {
    logger_.Info("disk buffer {}: replaying what a previous run left ({} bytes)", dir_,
                 log_->disk_bytes());
  }
  last_sync_ns_ = MonoNs();
  reader_ = std::thread([this] {
    NameThisThread("buffer");
    RunReader();
  });
  return Status::Ok();
}

void DiskBuffer::Write(const EventBatch& batch, AckHandle ack) {
  if (batch.empty()) {
    ack.Ack();
    return;
  }
  record_.clear();
  AppendLittleEndian64(record_, static_cast<uint64_t>(WallNs()));
  EncodeBatch(batch, record_);
  const uint64_t need = record_.size() + SegmentLog::kHeaderBytes;
  const uint64_t max = options_.max_size.bytes;
  if (log_->disk_bytes() + need > max) {
    if (options_.when_full == WhenFull::kDropNewest) {
      logger_.Limited(full_log_, LogLevel::kWarn,
                      "disk buffer {} is full ({} bytes): dropping a batch of {} events "
                      "(when_full: drop_newest)",
                      dir_, log_->disk_bytes(), batch.size());
      metrics_.dropped_events.Add(batch.size());
      ack.Ack();
      return;
    }
    SyncAndAck();  // what is written must not wait behind the full buffer
    std::unique_lock lock(mu_);
    space_cv_.wait(lock, [&] {
      // Everything on disk delivered: take the record even if it overshoots (a roll frees it).
      return closing_ || log_->disk_bytes() + need <= max || (pending_.empty() && reader_idle_);
    });
    if (closing_) {
      ack.Fail();  // not taken: the input reads it again
      return;
    }
  }
  if (!AppendWithRetry()) {
    ack.Fail();
    return;
  }
  metrics_.written_events.Add(batch.size());
  metrics_.written_bytes.Add(need);
  AddGaugeEvents(static_cast<int64_t>(batch.size()));
  metrics_.bytes.Set(static_cast<int64_t>(log_->disk_bytes()));
  if (options_.sync == SyncMode::kBatch) {
    unsynced_.push_back(std::move(ack));
    unsynced_bytes_ += need;
    if (unsynced_bytes_ >= kMaxUnsyncedBytes) SyncAndAck();
  } else {
    ack.Ack();  // in the OS's hands: survives the process, synced every sync_interval
    if (MonoNs() - last_sync_ns_ >= options_.sync_interval.value.count()) SyncAndAck();
  }
  cv_.notify_all();
}

bool DiskBuffer::AppendWithRetry() {
  for (;;) {
    Status s = log_->Append(record_);
    if (s.ok()) {
      if (disk_error_.exchange(false)) logger_.Info("disk buffer {}: writing again", dir_);
      return true;
    }
    metrics_.write_errors.Add();
    if (s.code() == StatusCode::kInvalidArgument) {  // a record the log can never take
      logger_.Error("disk buffer {}: {}; the batch is not buffered", dir_, s.message());
      return false;
    }
    if (!disk_error_.exchange(true)) {
      logger_.Error(
          "disk buffer {}: {}; holding the output (backpressure) and retrying every second", dir_,
          s.message());
    }
    SyncAndAck();
    std::unique_lock lock(mu_);
    if (space_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return closing_; })) return false;
  }
}

void DiskBuffer::SyncAndAck() {
  last_sync_ns_ = MonoNs();
  Status s = log_->Sync();
  if (!s.ok()) {
    // The records may not be durable: the inputs read them again (they are also still in the
    // buffer, so they may arrive twice; never lost).
    logger_.Error("disk buffer {}: {}; {} batches are not acked to their inputs", dir_, s.message(),
                  unsynced_.size());
    for (AckHandle& a : unsynced_) a.Fail();
  } else {
    for (AckHandle& a : unsynced_) a.Ack();
  }
  unsynced_.clear();
  unsynced_bytes_ = 0;
}

void DiskBuffer::Flush() {
  if (!unsynced_.empty() || (options_.sync == SyncMode::kInterval &&
                             MonoNs() - last_sync_ns_ >= options_.sync_interval.value.count())) {
    SyncAndAck();
  }
}

void DiskBuffer::Drain(bool /*all*/) { SyncAndAck(); }

Status DiskBuffer::Close() {
  SyncAndAck();
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    close_deadline_ns_ = MonoNs() + drain_timeout_.value.count();
    last_settle_ns_ = MonoNs();
  }
  cv_.notify_all();
  space_cv_.notify_all();
  if (reader_.joinable()) reader_.join();
  Status s = inner_->Close();
  CommitDelivered();
  size_t left = 0;
  {
    std::lock_guard lock(mu_);
    left = pending_.size();
  }
  if (left > 0 || log_->disk_bytes() > 0) {
    logger_.Info("disk buffer {}: {} bytes stay on disk for the next start", dir_,
                 log_->disk_bytes());
  }
  if (!s.ok()) {
    // What the output could not deliver is still in the segments (acks only advance on delivery):
    // kept for the next start, not lost, so not an error of the run.
    logger_.Warn(
        "disk buffer {}: the output closed with undelivered events ({}); they stay in "
        "the buffer",
        dir_, s.message());
  }
  return log_->Sync();
}

bool DiskBuffer::healthy() const { return !disk_error_.load() && inner_->healthy(); }

void DiskBuffer::RunReader() {
  std::string payload;
  for (;;) {
    Pending p{};
    bool is_retry = false;
    if (NextRecord(&payload, &p, &is_retry)) {
      Hand(payload, p, is_retry);
      CommitDelivered();
      continue;
    }
    CommitDelivered();
    bool closing = false;
    {
      std::unique_lock lock(mu_);
      reader_idle_ = true;
      space_cv_.notify_all();
      if (stop_) return;
      closing = closing_;
      if (closing) {
        const int64_t now = MonoNs();
        bool waiting = false;  // anything in flight or due for a retry before the deadline
        for (const Pending& e : pending_) {
          waiting |= e.state == Pending::State::kInFlight ||
                     (e.state == Pending::State::kRetry && e.retry_at_ns < close_deadline_ns_);
        }
        if (!waiting || now >= close_deadline_ns_ || now - last_settle_ns_ >= kStallNs) return;
      }
      cv_.wait_for(lock, std::chrono::milliseconds(100));
      reader_idle_ = false;
    }
    // The real output's own timers (an S3 object open too long), and at Close() everything.
    if (closing) {
      inner_->Drain(/*all=*/true);
    } else {
      inner_->Flush();
    }
  }
}

bool DiskBuffer::NextRecord(std::string* payload, Pending* out, bool* is_retry) {
  for (;;) {
    *is_retry = false;
    {
      std::lock_guard lock(mu_);
      if (closing_) {
        // Closing: hand nothing new, only what must be retried.
        bool any = false;
        for (const Pending& e : pending_) any |= e.state == Pending::State::kRetry;
        if (!any) return false;
      }
      const int64_t now = MonoNs();
      for (Pending& e : pending_) {
        if (e.state == Pending::State::kRetry && e.retry_at_ns <= now) {
          e.state = Pending::State::kInFlight;
          *out = e;
          *is_retry = true;
          break;
        }
      }
      if (closing_ && !*is_retry) return false;
    }
    if (*is_retry) {
      Status s = log_->ReadAt(out->pos, payload);
      if (s.ok()) return true;
      logger_.Error("disk buffer {}: {}; skipping it", dir_, s.message());
      metrics_.corrupt_records.Add();
      OnSettled(out->id, true);
      continue;
    }
    RecordPos pos;
    RecordPos next;
    Skipped skipped;
    const bool got = log_->ReadNext(payload, &pos, &next, &skipped);
    if (skipped.records > 0) {
      metrics_.corrupt_records.Add(skipped.records);
      metrics_.corrupt_bytes.Add(skipped.bytes);
      if (skipped.segment != logged_corrupt_segment_) {
        logged_corrupt_segment_ = skipped.segment;
        logger_.Error(
            "disk buffer {}: segment {} has torn or corrupt records: skipped {} bytes in {} "
            "stretch(es) (counted in sluice_buffer_corrupt_records_total)",
            dir_, skipped.segment, skipped.bytes, skipped.records);
      }
    }
    if (!got) return false;
    *out = Pending{.id = 0, .pos = pos, .written_ns = 0, .events = 0};
    return true;
  }
}

void DiskBuffer::Hand(const std::string& payload, Pending p, bool is_retry) {
  Result<EventBatch> batch = payload.size() < kTimeBytes
                                 ? Result<EventBatch>(InvalidArgument("record too short"))
                                 : DecodeBatch(std::string_view(payload).substr(kTimeBytes));
  if (!batch.ok()) {
    metrics_.corrupt_records.Add();
    metrics_.corrupt_bytes.Add(payload.size());
    logger_.Error("disk buffer {}: a record does not decode ({}); skipping it", dir_,
                  batch.status().message());
    if (is_retry) OnSettled(p.id, true);
    return;  // a new record: never pending, so the ack position passes it
  }
  if (!is_retry) {
    p.written_ns = static_cast<int64_t>(GetLittleEndian64(payload.data()));
    p.events = batch.value().size();
    if (p.pos.segment < log_->run_first_segment()) {
      AddGaugeEvents(static_cast<int64_t>(p.events));  // a previous run's
    }
    std::lock_guard lock(mu_);
    p.id = next_id_++;
    pending_.push_back(p);
  } else {
    metrics_.retried_batches.Add();
  }
  const size_t bytes = batch.value().MemoryBytes();
  bool continued = false;
  while (!limiter_->WaitFits(bytes, 100, continued)) {
    if (GivingUp()) {
      // Closing with the output stuck: the record stays pending, on disk, for the next start.
      std::lock_guard lock(mu_);
      Pending& e = pending_[p.id - pending_.front().id];
      e.state = Pending::State::kRetry;
      e.retry_at_ns = INT64_MAX;
      return;
    }
    continued = true;
    inner_->Drain(/*all=*/false);  // an output that accumulates hands over what it holds
    inner_->Flush();
  }
  limiter_->Acquire(bytes);  // fits: only this thread takes room
  metrics_.read_events.Add(p.events);
  auto delivery = std::make_shared<Delivery>([this, id = p.id](bool ok) { OnSettled(id, ok); },
                                             bytes, limiter_);
  inner_->Write(batch.value(), AckHandle(std::move(delivery), nullptr, p.events, 0));
}

bool DiskBuffer::GivingUp() {
  std::lock_guard lock(mu_);
  const int64_t now = MonoNs();
  return stop_ || (closing_ && (now >= close_deadline_ns_ || now - last_settle_ns_ >= kStallNs));
}

void DiskBuffer::OnSettled(uint64_t id, bool ok) {
  {
    std::lock_guard lock(mu_);
    if (pending_.empty() || id < pending_.front().id) return;
    Pending& e = pending_[id - pending_.front().id];
    if (ok) {
      e.state = Pending::State::kDelivered;
    } else {
      e.attempts += 1;
      e.state = Pending::State::kRetry;
      e.retry_at_ns = MonoNs() + RetryDelayNs(e.attempts);
      if (e.attempts == 1 && !stop_) {
        logger_.Limited(retry_log_, LogLevel::kWarn,
                        "disk buffer {}: the output failed a batch; retrying it from disk", dir_);
      }
    }
    last_settle_ns_ = MonoNs();
  }
  cv_.notify_all();
}

void DiskBuffer::CommitDelivered() {
  RecordPos first;
  int64_t delivered_events = 0;
  int64_t oldest_ms = 0;
  {
    std::lock_guard lock(mu_);
    while (!pending_.empty() && pending_.front().state == Pending::State::kDelivered) {
      delivered_events += static_cast<int64_t>(pending_.front().events);
      pending_.pop_front();
    }
    first = pending_.empty() ? log_->read_position() : pending_.front().pos;
    if (!pending_.empty()) {
      oldest_ms = std::max<int64_t>(0, (WallNs() - pending_.front().written_ns) / kMsNs);
    }
  }
  AddGaugeEvents(-delivered_events);
  metrics_.oldest_age_ms.Set(oldest_ms);
  Status s = log_->Commit(first);
  if (!s.ok()) {
    logger_.Limited(commit_log_, LogLevel::kError, "disk buffer {}: {}", dir_, s.message());
  }
  metrics_.bytes.Set(static_cast<int64_t>(log_->disk_bytes()));
  space_cv_.notify_all();
}

}  // namespace sluice::buffer
