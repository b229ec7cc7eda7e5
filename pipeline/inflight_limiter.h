// InflightLimiter: the bound on bytes a pipeline holds between its inputs and its outputs' acks.
// Inputs Acquire() before handing a batch on and block while the bound is reached; a delivery
// Release()s when every output is done with the batch. One batch larger than the bound is let
// through when nothing else is in flight, so an oversized batch cannot deadlock the pipeline.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace sluice {

class InflightLimiter {
 public:
  explicit InflightLimiter(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Blocks until `bytes` fit; returns false (taking nothing) when Cancel() was called.
  bool Acquire(size_t bytes);
  void Release(size_t bytes);
  // Adds `bytes` to a batch already in flight without waiting (filters grew it: parsed fields live
  // in its arena). May take the total past the bound; inputs then wait until it is back under.
  void Grow(size_t bytes);
  // Waits up to `timeout_ms` until `bytes` would fit (as Acquire() judges it) without taking them;
  // returns whether they fit (or the limiter was cancelled). Lets an input do housekeeping while
  // it is held back instead of blocking inside Acquire().
  // `continued`: this call goes on with a wait already counted (polling callers pass true after
  // their first call), so one episode of backpressure counts once in blocked_count().
  bool WaitFits(size_t bytes, int64_t timeout_ms, bool continued = false);
  // Wakes every waiter; later Acquire()s fail at once.
  void Cancel();
  // Blocks until nothing is in flight or `timeout_ms` passed; returns whether it drained.
  bool WaitEmpty(int64_t timeout_ms);

  size_t bytes() const;
  size_t batches() const;
  size_t max_bytes() const { return max_bytes_; }
  // How many times an input had to wait (backpressure episodes).
  uint64_t blocked_count() const;
  // True while an input waits for room (Acquire or WaitFits).
  bool has_waiters() const;

 private:
  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t bytes_ = 0;
  size_t batches_ = 0;
  uint64_t blocked_ = 0;
  int waiters_ = 0;
  bool cancelled_ = false;
};

}  // namespace sluice
