// Tap: live samples of the events passing between the components of a running instance, for
// `sluice tap` (GET /api/v1/tap). A tap point is a component: `PIPELINE.ID` with its kind; what
// is sampled is what an input hands on, what a filter hands on, and what an output is given. A
// TapSession is one client's subscription: glob patterns over the points' names (fnmatch:
// `spark.*`, `*.grok`), a rate (samples per second per component, a token bucket each, so a busy
// component does not starve the others of samples) and a bounded queue of
// encoded samples, one JSON object per line:
//   {"component":"spark.grok","kind":"filter","event":{...the event as the json codec writes it}}
// The pipeline never waits for a tap: when nobody taps, a tap point costs one relaxed atomic load
// per batch (TapHub::active); when a session's rate is used up or its queue is full (a slow
// client), the sample is not taken and counted as missed (sluice_tap_missed_samples_total), and
// the event goes on as always.
// Thread-safety: TapHub and TapSession are thread-safe; Offer is called from the pipelines'
// threads, Take from the client's.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/event_batch.h"
#include "pipeline/json_encoder.h"
#include "pipeline/metric_set.h"

namespace sluice {

#define SLUICE_TAP_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                             \
  GAUGE(sessions, "sluice_tap_sessions", "Open `sluice tap` sessions (GET /api/v1/tap).") \
  COUNTER(missed_samples, "sluice_tap_missed_samples_total",                              \
          "Events a tap session matched but did not sample: its rate was used up or its " \
          "client read too slowly. The events themselves went on; nothing is dropped.")
SLUICE_METRIC_SET(TapMetrics, SLUICE_TAP_METRICS);

// Whether `component` (PIPELINE.ID) matches one of the glob `patterns` (fnmatch).
bool MatchesAnyPattern(const std::vector<std::string>& patterns, std::string_view component);

class TapSession {
 public:
  // At most `rate` samples per second of each component (bursts up to one second's worth); at
  // most `queue_limit` samples waiting for the client.
  TapSession(std::vector<std::string> patterns, double rate, size_t queue_limit = 1000);

  bool Matches(std::string_view component) const { return MatchesAnyPattern(patterns_, component); }
  // Waits up to `wait` for samples; returns those queued (each a JSON line with its '\n').
  std::vector<std::string> Take(std::chrono::milliseconds wait);
  // Samples not taken so far (rate used up, or the queue full).
  uint64_t missed() const { return missed_.load(); }
  // Ends Take()'s waits: the client is gone or the service stops.
  void Close();
  bool closed() const;

  // Samples `batch`'s events passing `component` (kind `kind`); returns how many were missed.
  uint64_t Offer(std::string_view component, std::string_view kind, const EventBatch& batch);

 private:
  const std::vector<std::string> patterns_;
  const double rate_;
  const size_t queue_limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  struct Bucket {
    double tokens;
    int64_t refilled_ns;
  };
  std::map<std::string, Bucket, std::less<>> buckets_;  // per component
  bool closed_ = false;
  JsonEncoder encoder_;
  std::atomic<uint64_t> missed_{0};
};

class TapHub {
 public:
  explicit TapHub(MetricsRegistry& metrics);

  // Whether any session is open: the one check a tap point makes per batch.
  bool active() const { return sessions_count_.load(std::memory_order_relaxed) > 0; }
  std::shared_ptr<TapSession> Open(std::vector<std::string> patterns, double rate);
  void Close(const std::shared_ptr<TapSession>& session);
  // Offers `batch` passing component `pipeline`.`id` to every session that taps it.
  void Offer(std::string_view pipeline, std::string_view kind, std::string_view id,
             const EventBatch& batch);
  size_t sessions() const { return static_cast<size_t>(sessions_count_.load()); }

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<TapSession>> sessions_;
  std::atomic<int> sessions_count_{0};
  TapMetrics metrics_;
};

}  // namespace sluice
