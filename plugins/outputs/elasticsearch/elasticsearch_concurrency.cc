#include "plugins/outputs/elasticsearch/elasticsearch_concurrency.h"

#include <algorithm>
#include <cmath>

namespace sluice::outputs::elasticsearch {

namespace {

// The first window, before any answer was timed: a second.
constexpr int64_t kFirstWindowNs = 1'000'000'000;
// The shortest window (a node on the loopback answers in well under a millisecond).
constexpr int64_t kMinWindowNs = 1'000'000;

}  // namespace

ConcurrencyLimit::ConcurrencyLimit(const Options& options, Gauge* gauge)
    : options_(options), gauge_(gauge), limit_(std::max<int64_t>(1, options.max)) {
  PublishLocked();  // nothing shares the object yet
}

bool ConcurrencyLimit::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return closed_ || in_flight_ < limit_; });
  if (closed_) return false;
  if (++in_flight_ >= limit_) window_reached_limit_ = true;
  return true;
}

void ConcurrencyLimit::Release() {
  {
    std::lock_guard lock(mu_);
    --in_flight_;
  }
  cv_.notify_all();
}

void ConcurrencyLimit::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

int64_t ConcurrencyLimit::limit() const {
  std::lock_guard lock(mu_);
  return limit_;
}

int64_t ConcurrencyLimit::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}

ConcurrencyLimit::Change ConcurrencyLimit::Record(const Sample& sample) {
  if (!options_.adaptive) return Change::kNone;
  Change change = Change::kNone;
  bool increased = false;
  {
    std::lock_guard lock(mu_);
    if (window_end_ns_ == 0) window_end_ns_ = sample.now_ns + kFirstWindowNs;
    if (sample.overloaded) {
      window_overloaded_ = true;
      if (!window_decreased_ && DecreaseLocked()) {
        window_decreased_ = true;
        change = Change::kDecreasedOverload;
      }
    }
    if (sample.rtt_seconds >= 0) {
      window_rtt_sum_ += sample.rtt_seconds;
      ++window_rtts_;
    }
    if (!have_average_ && window_rtts_ > 0) {
      // The first timed answer: the average to compare with, and the length of the windows.
      average_ = window_rtt_sum_ / static_cast<double>(window_rtts_);
      variance_ = 0;
      have_average_ = true;
      window_rtt_sum_ = 0;
      window_rtts_ = 0;
      window_end_ns_ = sample.now_ns + std::max(kMinWindowNs, static_cast<int64_t>(average_ * 1e9));
      return change;
    }
    if (sample.now_ns >= window_end_ns_) {
      const Change ended = EndWindowLocked(sample.now_ns);
      increased = ended == Change::kIncreased;
      if (change == Change::kNone) change = ended;
    }
  }
  if (increased) cv_.notify_all();
  return change;
}

ConcurrencyLimit::Change ConcurrencyLimit::EndWindowLocked(int64_t now_ns) {
  Change change = Change::kNone;
  if (have_average_ && window_rtts_ > 0) {
    const double current = window_rtt_sum_ / static_cast<double>(window_rtts_);
    const double deviation = std::sqrt(variance_);
    if (!window_overloaded_) {
      const double spike =
          std::max(options_.spike_deviations * deviation, options_.spike_fraction * average_);
      if (current > average_ + spike) {
        if (DecreaseLocked()) change = Change::kDecreasedLatency;
      } else if (window_reached_limit_ && limit_ < options_.max &&
                 current <= average_ + deviation) {
        ++limit_;
        PublishLocked();
        change = Change::kIncreased;
      }
    }
    // The moving average and variance (West's EWMA form, as Vector's EwmaVar).
    const double difference = current - average_;
    const double increment = options_.ewma_weight * difference;
    average_ += increment;
    variance_ = (1 - options_.ewma_weight) * (variance_ + difference * increment);
  }
  window_end_ns_ =
      now_ns + (have_average_ ? std::max(kMinWindowNs, static_cast<int64_t>(average_ * 1e9))
                              : kFirstWindowNs);
  window_rtt_sum_ = 0;
  window_rtts_ = 0;
  window_overloaded_ = false;
  window_reached_limit_ = in_flight_ >= limit_;
  window_decreased_ = false;
  return change;
}

bool ConcurrencyLimit::DecreaseLocked() {
  if (limit_ <= 1) return false;
  // (The epsilon keeps 10 × 0.9 at 9, however 0.9 rounds.)
  const auto lowered =
      static_cast<int64_t>(std::floor(static_cast<double>(limit_) * options_.decrease + 1e-9));
  limit_ = std::max<int64_t>(1, std::min(limit_ - 1, lowered));
  PublishLocked();
  return true;
}

void ConcurrencyLimit::PublishLocked() {
  if (gauge_ != nullptr) gauge_->Set(limit_);
}

}  // namespace sluice::outputs::elasticsearch
