// ConcurrencyLimit: how many bulk requests the elasticsearch output's senders may have in flight at
// once, adapted to the cluster (adaptive request concurrency, as Vector's ARC does, after TCP's
// AIMD). A sender takes a slot (Acquire) for each POST /_bulk and frees it (Release) when the
// answer came, then tells what the answer said (Record): its round-trip time, and whether the
// cluster pushed back (HTTP 429, for the whole request or for some of its items).
//   - A 429 lowers the limit at once, ×0.9 rounded down (by 1 at least, never below 1), at most
//     once per window: the requests already in flight were sent before the cut, and their 429s
//     tell of the same congestion.
//   - A window lasts one mean round trip. At its end, the mean RTT of the window is compared with
//     the moving average of the earlier windows (EWMA, weight 0.4, with its standard deviation):
//     above the average by more than 2.5 deviations and by more than half the average is a
//     latency spike, and lowers the limit the same way; no 429, the limit reached at least once,
//     and a mean RTT at most one deviation above the average raises it by 1, up to `max`.
// The limit starts at `max`: on a cluster that keeps up, the output behaves as with a fixed
// `concurrency`; it falls back only when the cluster pushes back, and climbs again when it no
// longer does. Not adaptive, the limit stays at `max`.
// Time is passed in (Sample::now_ns), so the logic is tested without a clock or sleeps.
// Thread-safety: every method may be called from any thread (the senders of one output share it).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "pipeline/metrics.h"

namespace sluice::outputs::elasticsearch {

class ConcurrencyLimit {
 public:
  struct Options {
    int64_t max = 2;        // the most requests at once: the output's `concurrency`
    bool adaptive = true;   // false: the limit stays at `max`
    double decrease = 0.9;  // a decrease multiplies the limit by this (rounded down, by 1 at least)
    double ewma_weight = 0.4;       // of a window's mean RTT in the moving average
    double spike_deviations = 2.5;  // a spike is this many standard deviations above the average
    double spike_fraction = 0.5;    // ... and this fraction of the average above it
  };
  // What the answer to one request said of the cluster.
  struct Sample {
    int64_t now_ns = 0;       // when it came (MonoNs())
    double rtt_seconds = -1;  // its round trip; < 0 when there is none to count (no answer, an
                              // error answer: only an answer the cluster worked on is timed)
    bool overloaded = false;  // HTTP 429 for the request or for any of its items
  };
  enum class Change : uint8_t { kNone, kIncreased, kDecreasedOverload, kDecreasedLatency };

  // `gauge`, when given, follows the limit (set under the lock, so it never shows a stale value).
  explicit ConcurrencyLimit(const Options& options, Gauge* gauge = nullptr);

  // Waits for a free slot and takes it: true; false once Close()d (the slot is not taken).
  [[nodiscard]] bool Acquire();
  // Frees a slot Acquire() took.
  void Release();
  // Feeds the answer to a request to the controller; says how the limit changed.
  Change Record(const Sample& sample);
  // Acquire() returns false from now on, and the senders waiting in it wake (shutdown).
  void Close();

  int64_t limit() const;
  int64_t in_flight() const;
  int64_t max() const { return options_.max; }

 private:
  // Lowers the limit by the decrease ratio (by 1 at least, to 1 at least); false when it is 1.
  bool DecreaseLocked();
  // Ends the window that ends at or before `now_ns`; says how the limit changed.
  Change EndWindowLocked(int64_t now_ns);
  void PublishLocked();

  const Options options_;
  Gauge* const gauge_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // All guarded by mu_.
  int64_t limit_;
  int64_t in_flight_ = 0;
  bool closed_ = false;
  // The moving average of the windows' mean RTTs (seconds) and its variance; none before the first
  // timed answer.
  bool have_average_ = false;
  double average_ = 0;
  double variance_ = 0;
  // The current window: when it ends, its timed answers, whether a 429 came, whether the limit was
  // reached, whether a 429 already lowered the limit.
  int64_t window_end_ns_ = 0;
  double window_rtt_sum_ = 0;
  int64_t window_rtts_ = 0;
  bool window_overloaded_ = false;
  bool window_reached_limit_ = false;
  bool window_decreased_ = false;
};

}  // namespace sluice::outputs::elasticsearch
