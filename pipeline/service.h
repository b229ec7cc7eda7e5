// Service: the running process: every pipeline of a config, the shared metrics registry, and the
// lifecycle `sluice run` drives: Start(), run until every input is finished or a stop is requested
// (SIGTERM/SIGINT), then Shutdown(): stop inputs, drain in-flight events, close (flush) outputs,
// all within the config's shutdown_timeout.
// Thread-safety: Start/Wait/Shutdown from the main thread; RequestStop, ready, StatsJson and
// metrics from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/config.h"
#include "pipeline/metrics.h"
#include "pipeline/pipeline.h"

namespace sluice {

enum class ShutdownResult {
  kClean,           // everything drained, flushed and acked
  kDeliveryFailed,  // drained, but an output gave up on batches or failed its final flush, or the
                    // final checkpoints could not be written
  kTimedOut,        // shutdown_timeout passed with events still in flight
};

class Service {
 public:
  explicit Service(config::Config config);
  ~Service();

  // Creates data_dir, builds and starts every pipeline.
  Status Start();
  // Blocks until every input has finished or RequestStop() was called; returns the reason.
  std::string WaitForStop();
  void RequestStop(std::string reason);
  ShutdownResult Shutdown();

  MetricsRegistry& metrics() { return metrics_; }
  const config::Config& config() const { return config_; }
  // Started, not shutting down, and every pipeline ready.
  bool ready() const;
  // Ok while the process makes progress: the checkpointer has cycled within its interval plus
  // `stall`, and no filter worker has been busy on one batch for longer than `stall`. Outputs
  // waiting on a slow or dead destination count as alive: that is backpressure, which /ready
  // reports; restarting would not help. Otherwise an Internal error naming what is stuck.
  Status CheckAlive(std::chrono::milliseconds stall) const;
  size_t pipeline_count() const { return pipelines_.size(); }
  // The /api/v1/stats document: per pipeline, in-flight state and per component counters.
  std::string StatsJson() const;

 private:
  void OnInputFinished();
  // Persists every pipeline's checkpoints; logs failures and returns whether all succeeded.
  bool PersistCheckpoints();
  void RunCheckpointer();
  void StopCheckpointer();

  config::Config config_;
  MetricsRegistry metrics_;
  std::vector<std::unique_ptr<Pipeline>> pipelines_;
  std::chrono::steady_clock::time_point started_at_;
  std::atomic<bool> running_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  std::string stop_reason_;
  bool checkpointer_stop_ = false;
  std::thread checkpointer_;
  std::atomic<int64_t> checkpointer_beat_ns_{0};  // MonoNs() at its last cycle
};

}  // namespace sluice
