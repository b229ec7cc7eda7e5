// DiskBuffer: an output's disk buffer (`buffer: {type: disk}`), an Output that wraps the real one.
// The pipeline's output thread writes each batch to the segment log (segment_log.h) and acks it
// to the pipeline once it is on disk (fdatasync'ed first with `sync: batch`), so the input's
// checkpoint or Kafka offset moves on while the sink is down. A reader thread of the buffer's own
// streams the records back, decodes them (batch_codec.h) and hands them to the real output, which
// acks them as it always does; the log's ack position follows the contiguous prefix of delivered
// records, and segments wholly before it are deleted. On start, what a previous run left is
// replayed before new data (the log is read in order).
//
// Faults:
// - The real output fails a batch (Fail(), or a handle dropped): it is retried from disk after a
//   backoff (1 s doubling to 30 s), never dropped; the buffer then fills and blocks, which is
//   backpressure, and resumes when the sink recovers.
// - Corrupt records and torn tails (crash mid-write): skipped, counted
//   (sluice_buffer_corrupt_records_total / _bytes_total), logged once per segment.
// - A write that fails (ENOSPC, EIO): nothing half-written stays; the output thread blocks and
//   retries every second, /ready is unready, and one log line says why and one when it resumed.
// - Full (`max_size`): `when_full: block` waits for space (backpressure), `drop_newest` drops the
//   batch and counts it.
// Close() delivers what it can until the buffer is empty, the sink stops making progress for 5 s,
// or `drain_timeout` passes; the rest stays on disk for the next start (and an output that closes
// with undelivered events is not an error of the run: they are in the buffer, not lost).
//
// Metrics (BufferMetrics, labelled as the output): bytes and events held, the age of the oldest
// undelivered event, write / read / drop / retry / corruption counters.
// Thread-safety: the Output methods are called from the pipeline's output thread; acks of the
// real output arrive from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/buffer/buffer_options.h"
#include "pipeline/buffer/segment_log.h"
#include "pipeline/engine_metrics.h"
#include "pipeline/inflight_limiter.h"
#include "pipeline/metric_set.h"
#include "pipeline/plugin.h"

namespace sluice::buffer {

#define SLUICE_BUFFER_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                                 \
  GAUGE(bytes, "sluice_buffer_bytes",                                                            \
        "Bytes of the output's disk buffer on disk (whole segments, read or not).")              \
  GAUGE(events, "sluice_buffer_events",                                                          \
        "Events in the disk buffer not yet delivered: written by this run, or read back from a " \
        "previous run's segments.")                                                              \
  GAUGE(oldest_age_ms, "sluice_buffer_oldest_event_age_milliseconds",                            \
        "How long the oldest undelivered batch of the disk buffer has waited since it was "      \
        "written (0 when nothing waits). Alert on it: it grows while the sink is stalled.")      \
  COUNTER(written_events, "sluice_buffer_written_events_total",                                  \
          "Events written to the disk buffer.")                                                  \
  COUNTER(written_bytes, "sluice_buffer_written_bytes_total",                                    \
          "Bytes written to the disk buffer (records with their headers).")                      \
  COUNTER(read_events, "sluice_buffer_read_events_total",                                        \
          "Events read back from the disk buffer and handed to the output (replays and retries " \
          "included).")                                                                          \
  COUNTER(dropped_events, "sluice_buffer_dropped_events_total",                                  \
          "Events dropped because the buffer was full and `when_full: drop_newest`.")            \
  COUNTER(retried_batches, "sluice_buffer_retried_batches_total",                                \
          "Batches the output failed and the buffer handed to it again.")                        \
  COUNTER(corrupt_records, "sluice_buffer_corrupt_records_total",                                \
          "Stretches of bad bytes skipped while reading the buffer: a torn tail or a corrupt "   \
          "record each.")                                                                        \
  COUNTER(corrupt_bytes, "sluice_buffer_corrupt_bytes_total",                                    \
          "Bytes skipped while reading the buffer (torn tails and corrupt records).")            \
  COUNTER(write_errors, "sluice_buffer_write_errors_total",                                      \
          "Failed writes to the buffer (ENOSPC, EIO); each is retried.")
SLUICE_METRIC_SET(BufferMetrics, SLUICE_BUFFER_METRICS);

class DiskBuffer final : public Output {
 public:
  // `dir`: data_dir/buffers/<pipeline>/<output>. `inflight_bytes`: the most bytes of decoded
  // batches handed to `inner` and not yet settled (the pipeline's bound).
  DiskBuffer(std::unique_ptr<Output> inner, const BufferOptions& options, std::string dir,
             ComponentMetrics& metrics, Logger logger, size_t inflight_bytes,
             Duration drain_timeout);
  ~DiskBuffer() override;

  Status Start() override;
  void Write(const EventBatch& batch, AckHandle ack) override;
  void Flush() override;
  void Drain(bool all) override;
  Status Close() override;
  bool healthy() const override;
  // The records keep document events as they are (batch_codec.h).
  bool reads_fields() const override { return inner_->reads_fields(); }

  // For tests: the log (valid after Start()).
  const SegmentLog& log() const { return *log_; }

 private:
  // A record read and handed to the output, until it is delivered.
  struct Pending {
    uint64_t id;
    RecordPos pos;
    int64_t written_ns;
    uint64_t events;
    int attempts = 0;
    enum class State { kInFlight, kDelivered, kRetry } state = State::kInFlight;
    int64_t retry_at_ns = 0;
  };

  bool AppendWithRetry();  // appends record_; false when closing or the log cannot take it
  void SyncAndAck();
  void RunReader();
  // Reads the next record to hand over (a due retry first); false when there is none now.
  bool NextRecord(std::string* payload, Pending* out, bool* is_retry);
  void Hand(const std::string& payload, Pending pending, bool is_retry);
  void OnSettled(uint64_t id, bool ok);
  bool GivingUp();  // stopping, or closing past the deadline or with the output stalled
  // Persists the ack position and frees segments; wakes a writer waiting for space.
  void CommitDelivered();
  bool Idle();  // nothing pending and nothing left to read

  std::unique_ptr<Output> inner_;
  const BufferOptions options_;
  const std::string dir_;
  BufferMetrics metrics_;
  // This instance's share of the events gauge, taken back when it is destroyed: a reload's new
  // buffer on the same directory shares the gauge (same labels) and counts what it replays.
  std::atomic<int64_t> gauge_events_{0};
  void AddGaugeEvents(int64_t n) {
    gauge_events_ += n;
    metrics_.events.Add(n);
  }
  Logger logger_;
  Duration drain_timeout_;
  std::shared_ptr<InflightLimiter> limiter_;
  std::unique_ptr<SegmentLog> log_;

  // Output thread.
  std::string record_;               // encoding scratch
  std::vector<AckHandle> unsynced_;  // written, waiting for the fdatasync of `sync: batch`
  size_t unsynced_bytes_ = 0;
  int64_t last_sync_ns_ = 0;
  std::atomic<bool> disk_error_{false};  // writes failing: unhealthy until one succeeds

  // Shared between the output thread, the reader and the acks.
  mutable std::mutex mu_;
  std::condition_variable cv_;        // the reader: new records, settles, closing
  std::condition_variable space_cv_;  // the writer: segments freed, closing
  std::deque<Pending> pending_;
  uint64_t next_id_ = 0;
  bool closing_ = false;
  bool stop_ = false;         // the reader leaves now
  bool reader_idle_ = false;  // the reader found nothing to read
  int64_t close_deadline_ns_ = 0;
  int64_t last_settle_ns_ = 0;
  uint64_t logged_corrupt_segment_ = 0;
  RateLimiter full_log_;
  RateLimiter retry_log_;
  RateLimiter commit_log_;

  std::thread reader_;
};

}  // namespace sluice::buffer
