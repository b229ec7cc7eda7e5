// Service: the running process: every pipeline of a config, the shared metrics registry, and the
// lifecycle `sluice run` drives: Start(), run until every input is finished or a stop is requested
// (SIGTERM/SIGINT), then Shutdown(): stop inputs, drain in-flight events, close (flush) outputs,
// all within the config's shutdown_timeout. Reload() applies a new config while running: a
// pipeline whose YAML is unchanged keeps running untouched; a changed one is drained and closed as
// at shutdown (its checkpoints persisted, what its outputs could not deliver left in their disk
// buffers), then built again from the new config, so it resumes exactly where the old one stopped;
// added pipelines start, removed ones are drained and stop.
// Thread-safety: Start/Wait/Shutdown from the main thread; Reload from any one thread at a time
// (Shutdown waits for a reload in progress); RequestStop, ready, config, StatsJson and metrics
// from any thread.
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
#include "pipeline/tap.h"

namespace sluice {

enum class ShutdownResult {
  kClean,           // everything drained, flushed and acked
  kDeliveryFailed,  // drained, but an output gave up on batches or failed its final flush, or the
                    // final checkpoints could not be written
  kTimedOut,        // shutdown_timeout passed with events still in flight
};

// What a Reload() did, per pipeline name.
struct ReloadReport {
  std::vector<std::string> unchanged;  // left running untouched
  std::vector<std::string> replaced;   // drained, then started from the new config
  std::vector<std::string> added;
  std::vector<std::string> removed;
  // Why the reload (or a pipeline of it) failed; empty when everything applied. A rejected reload
  // (shutting down, data_dir changed) applies nothing; a pipeline whose new config fails to start
  // runs its previous config again when it can.
  std::vector<std::string> errors;

  bool ok() const { return errors.empty(); }
  // "2 unchanged, 1 replaced (spark), 0 added, 0 removed", then (`with_errors`) the errors.
  std::string Summary(bool with_errors = true) const;
};

class Service {
 public:
  explicit Service(config::Config config);
  ~Service();

  // Creates data_dir, builds and starts every pipeline.
  Status Start();
  // Applies `next` (a valid config) as described above; blocks until every changed pipeline is
  // drained and started again (each drain bounded by shutdown_timeout).
  ReloadReport Reload(config::Config next);
  // Blocks until every input has finished or RequestStop() was called; returns the reason.
  std::string WaitForStop();
  void RequestStop(std::string reason);
  ShutdownResult Shutdown();

  MetricsRegistry& metrics() { return metrics_; }
  // Where `sluice tap` sessions subscribe (every pipeline offers its batches there).
  TapHub& tap() { return tap_; }
  // The config in effect (the last one applied).
  std::shared_ptr<const config::Config> config() const;
  // Started, not shutting down, and every pipeline ready.
  bool ready() const;
  // Ok while the process makes progress: the checkpointer has cycled within its interval plus
  // `stall`, and no filter worker has been busy on one batch for longer than `stall`. Outputs
  // waiting on a slow or dead destination count as alive: that is backpressure, which /ready
  // reports; restarting would not help. Otherwise an Internal error naming what is stuck.
  Status CheckAlive(std::chrono::milliseconds stall) const;
  size_t pipeline_count() const { return Running().size(); }
  // The /api/v1/stats document: per pipeline, in-flight state and per component counters.
  std::string StatsJson() const;

 private:
  // A running pipeline with the config it was built from (its PipelineConfig lives there).
  struct Hosted {
    std::shared_ptr<const config::Config> config;
    std::unique_ptr<Pipeline> pipeline;  // destroyed before `config`
  };
  using HostedList = std::vector<std::shared_ptr<Hosted>>;

  // A copy of the running list, for use without the lock.
  HostedList Running() const;
  // Builds `pc` of `config` (not started, not in the running list).
  Result<std::shared_ptr<Hosted>> BuildPipeline(std::shared_ptr<const config::Config> config,
                                                const config::PipelineConfig& pc);
  // BuildPipeline, then starts it; the pipeline is not yet in the running list.
  Result<std::shared_ptr<Hosted>> StartPipeline(std::shared_ptr<const config::Config> config,
                                                const config::PipelineConfig& pc);
  // Stops the inputs of `group`, drains, closes its outputs and persists its checkpoints, within
  // `timeout`; the pipelines are no longer in the running list.
  ShutdownResult StopPipelines(const HostedList& group, const Duration& timeout);
  void OnInputFinished();
  // Persists the checkpoints of `group`; logs failures and returns whether all succeeded.
  bool PersistCheckpoints(const HostedList& group);
  void RunCheckpointer();
  void StopCheckpointer();

  MetricsRegistry metrics_;
  TapHub tap_{metrics_};
  std::chrono::steady_clock::time_point started_at_;
  std::atomic<bool> running_{false};

  mutable std::mutex pipelines_mu_;  // guards config_ and pipelines_
  std::shared_ptr<const config::Config> config_;
  HostedList pipelines_;

  std::mutex reload_mu_;  // one Reload() or Shutdown() at a time
  std::atomic<bool> reloading_{false};
  std::mutex persist_mu_;  // one checkpoint persist pass at a time

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  std::string stop_reason_;
  bool checkpointer_stop_ = false;
  std::thread checkpointer_;
  std::atomic<int64_t> checkpointer_beat_ns_{0};  // MonoNs() at its last cycle
};

}  // namespace sluice
