#include "pipeline/inflight_limiter.h"

#include <chrono>

namespace sluice {

bool InflightLimiter::Acquire(size_t bytes) {
  std::unique_lock lock(mu_);
  auto fits = [&] { return cancelled_ || bytes_ == 0 || bytes_ + bytes <= max_bytes_; };
  if (!fits()) {
    ++blocked_;
    ++waiters_;
    cv_.wait(lock, fits);
    --waiters_;
  }
  if (cancelled_) return false;
  bytes_ += bytes;
  ++batches_;
  return true;
}

bool InflightLimiter::WaitFits(size_t bytes, int64_t timeout_ms, bool continued) {
  std::unique_lock lock(mu_);
  auto fits = [&] { return cancelled_ || bytes_ == 0 || bytes_ + bytes <= max_bytes_; };
  if (fits()) return true;
  if (!continued) ++blocked_;
  ++waiters_;
  bool ok = cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), fits);
  --waiters_;
  return ok;
}

void InflightLimiter::Release(size_t bytes) {
  {
    std::lock_guard lock(mu_);
    bytes_ -= bytes;
    --batches_;
  }
  cv_.notify_all();
}

void InflightLimiter::Grow(size_t bytes) {
  std::lock_guard lock(mu_);
  bytes_ += bytes;
}

void InflightLimiter::Cancel() {
  {
    std::lock_guard lock(mu_);
    cancelled_ = true;
  }
  cv_.notify_all();
}

bool InflightLimiter::WaitEmpty(int64_t timeout_ms) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return batches_ == 0; });
}

size_t InflightLimiter::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

size_t InflightLimiter::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

uint64_t InflightLimiter::blocked_count() const {
  std::lock_guard lock(mu_);
  return blocked_;
}

bool InflightLimiter::has_waiters() const {
  std::lock_guard lock(mu_);
  return waiters_ > 0;
}

}  // namespace sluice
