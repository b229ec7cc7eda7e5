// Delivery and AckHandle: how outputs say "this batch is durable". The engine makes one Delivery
// per batch that reaches the outputs, and gives each output an AckHandle for it. When every output
// has settled its handle, the Delivery releases the batch's bytes from the pipeline's in-flight
// bound and, if every output acked, completes the batch in its SourceTracker (advancing the
// checkpoint). A handle destroyed without Ack() counts as a failure: the bytes are released but the
// checkpoint never passes that batch, so it is read again after a restart (at-least-once).
// Thread-safety: Ack()/Fail() may be called from any thread; a handle is moved, not shared.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "pipeline/engine_metrics.h"
#include "pipeline/inflight_limiter.h"
#include "pipeline/source_tracker.h"

namespace sluice {

// Counters of one pipeline that deliveries move.
struct DeliveryCounters {
  Counter* acked_batches = nullptr;
  Counter* failed_batches = nullptr;
  // Seconds from the input handing a batch over to every output having acked it.
  Histogram* ack_seconds = nullptr;
};

class Delivery {
 public:
  // `emitted_ns`: when the input handed the batch over (MonoNs()), for counters.ack_seconds; 0
  // leaves it out.
  Delivery(int outputs, std::shared_ptr<SourceTracker> source, uint64_t seq, size_t bytes,
           std::shared_ptr<InflightLimiter> limiter, DeliveryCounters counters,
           int64_t emitted_ns = 0)
      : pending_(outputs),
        source_(std::move(source)),
        seq_(seq),
        bytes_(bytes),
        limiter_(std::move(limiter)),
        counters_(counters),
        emitted_ns_(emitted_ns) {}

  // A delivery to one output with no source: `on_settled(acked)` runs (on the thread that
  // settled) when it is done, after the bytes are released. The disk buffer tracks its records so.
  Delivery(std::function<void(bool acked)> on_settled, size_t bytes,
           std::shared_ptr<InflightLimiter> limiter)
      : pending_(1),
        seq_(0),
        bytes_(bytes),
        limiter_(std::move(limiter)),
        emitted_ns_(0),
        on_settled_(std::move(on_settled)) {}

  // One output is done with the batch; `acked` says whether the data is durable there.
  void Settle(bool acked);

 private:
  std::atomic<int> pending_;
  std::atomic<bool> failed_{false};
  std::shared_ptr<SourceTracker> source_;
  uint64_t seq_;
  size_t bytes_;
  std::shared_ptr<InflightLimiter> limiter_;
  DeliveryCounters counters_;
  int64_t emitted_ns_;
  std::function<void(bool)> on_settled_;
};

class AckHandle {
 public:
  AckHandle() = default;
  // `sent` counters of the output move by `events`/`bytes` on Ack().
  AckHandle(std::shared_ptr<Delivery> delivery, ComponentMetrics* output, uint64_t events,
            uint64_t bytes)
      : delivery_(std::move(delivery)), output_(output), events_(events), bytes_(bytes) {}
  AckHandle(AckHandle&&) noexcept = default;
  AckHandle& operator=(AckHandle&& other) noexcept {
    if (this != &other) {
      Fail();
      delivery_ = std::move(other.delivery_);
      output_ = other.output_;
      events_ = other.events_;
      bytes_ = other.bytes_;
    }
    return *this;
  }
  ~AckHandle() { Fail(); }

  // The batch is durable at this output. Later calls do nothing.
  void Ack();
  // The output gives the batch up; its checkpoint will not advance. Later calls do nothing.
  void Fail();
  bool pending() const { return delivery_ != nullptr; }

 private:
  std::shared_ptr<Delivery> delivery_;
  ComponentMetrics* output_ = nullptr;
  uint64_t events_ = 0;
  uint64_t bytes_ = 0;
};

// A batch's handle shared by the pieces its events travel in (S3 objects, bulk requests): it is
// acked once every piece settled well, and failed once they all settled and one did not. It
// starts with one piece, the Write() call that creates it, which settles it last.
// Thread-safety: Add() and Settle() from any thread.
class SharedAck {
 public:
  explicit SharedAck(AckHandle ack) : ack_(std::move(ack)) {}
  void Add(int64_t pieces = 1) { pending_.fetch_add(pieces); }
  // Settles one piece; returns true for the last one, the call that acked or failed the batch
  // (after it, whatever the pieces point into may be freed).
  bool Settle(bool ok) {
    if (!ok) failed_ = true;
    if (pending_.fetch_sub(1) != 1) return false;
    if (failed_.load()) {
      ack_.Fail();
    } else {
      ack_.Ack();
    }
    return true;
  }

 private:
  AckHandle ack_;
  std::atomic<int64_t> pending_{1};
  std::atomic<bool> failed_{false};
};

}  // namespace sluice
