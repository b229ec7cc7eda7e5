// Pipeline: one running `pipelines.NAME` of the config: its inputs feed batches, through the
// in-flight bound, to one work queue served by the filter workers. Any worker takes any batch (so
// one busy file uses every core); a per-source Sequencer then hands the filtered batches to every
// output's queue in the order the source emitted them. Each output runs on its own thread. Acks
// flow back through Delivery into each source's checkpoint.
// Thread-safety: Start/StopInputs/Drain/Close are called from one control thread; the rest of the
// work happens on the pipeline's own threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/config.h"
#include "pipeline/engine_metrics.h"
#include "pipeline/filter_stage.h"
#include "pipeline/inflight_limiter.h"
#include "pipeline/plugin.h"
#include "pipeline/sequencer.h"

namespace sluice {

class TapHub;

class Pipeline {
 public:
  // `on_input_finished` is called (from any thread) each time one input reports Finished().
  Pipeline(const config::PipelineConfig& config, const config::ProcessOptions& process,
           MetricsRegistry& metrics, std::function<void()> on_input_finished);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Where `sluice tap` samples events (pipeline/tap.h); set before Start(), or never.
  void SetTap(TapHub* tap) { tap_ = tap; }
  // Builds every plugin instance. An error names the plugin.
  Status Build();
  // Starts outputs, workers, then inputs.
  Status Start();

  // Asks every input to stop (non-blocking), then waits for them. Inputs blocked by backpressure
  // finish once outputs drain or Abort() is called.
  void StopInputs();
  void JoinInputs();
  // Waits until every emitted batch has been settled by every output, for at most `timeout_ms`.
  bool WaitDrained(int64_t timeout_ms);
  // Gives up on in-flight data: blocked inputs return at once (their batches are not taken).
  void Abort();
  // Stops the workers, then closes each output (final flush). Returns the first error.
  Status Close();

  const std::string& name() const { return config_.name; }
  const config::PipelineConfig& config() const { return config_; }
  size_t input_count() const { return inputs_.size(); }
  size_t finished_inputs() const { return finished_inputs_.load(); }
  // Running and every input and output healthy.
  bool ready() const;
  // "N batches (B bytes) in flight" and per-output queue lengths, for shutdown reports.
  std::string DescribeInflight() const;
  const InflightLimiter& limiter() const { return *limiter_; }
  // Writes every input's checkpoint store that changed; returns the first error.
  Status PersistCheckpoints();

  // From BeginDrain() to its EndDrain(), every output hands over what it holds unacked and what
  // it receives (Output::Drain(true)); calls nest, from any thread.
  void BeginDrain();
  void EndDrain();
  bool draining() const { return drain_requests_.load() > 0; }

  // The filter workers busy on one batch for longer than `stall_ns` at `now_ns` (MonoNs()), as
  // "pipeline 'P': filter worker N busy on one batch for S s" joined by "; "; empty when none.
  // Filters are CPU-bound and bounded, so such a worker is stuck (the systemd watchdog asks).
  std::string DescribeStalls(int64_t now_ns, int64_t stall_ns) const;

  // Batches some output gave up on (Fail() or a handle dropped without Ack()).
  uint64_t failed_batches() const { return delivery_counters_.failed_batches->value(); }

 private:
  struct WorkItem {
    EventBatch batch;
    std::shared_ptr<SourceTracker> source;
    uint64_t seq;     // the source tracker's (acks and checkpoints)
    uint64_t ticket;  // the source's sequencer's (delivery order)
    size_t bytes;
    int64_t emitted_ns;  // MonoNs() when the input handed it over
  };
  class OrderedSource;
  struct Worker {
    std::thread thread;
    std::vector<std::unique_ptr<Filter>> filters;
    std::vector<uint8_t> dropped;           // per event of the batch being filtered; reused
    std::vector<uint32_t> selected;         // indices an output's `when:` selects; reused
    std::atomic<int64_t> busy_since_ns{0};  // MonoNs() when it took its batch; 0 while idle
  };

  struct OutputItem {
    std::shared_ptr<const EventBatch> batch;
    AckHandle ack;
  };
  struct OutputRunner {
    std::string id;
    // Before `output`: handles the output still holds when it is destroyed move these counters.
    std::unique_ptr<ComponentMetrics> metrics;
    std::unique_ptr<Output> output;
    const Condition* when = nullptr;
    std::thread thread;
    mutable std::mutex mu;
    std::condition_variable cv;
    std::deque<OutputItem> queue;
    bool stop = false;
    Status close_status;
  };
  class InputRunner;

  PluginContext MakeContext(const config::PluginConfig& pc, ComponentMetrics* metrics) const;
  bool Emit(InputRunner& input, EventBatch&& batch, const std::shared_ptr<SourceTracker>& source,
            uint64_t checkpoint);
  void RunWorker(Worker& worker);
  void Process(Worker& worker, WorkItem& item);
  void Deliver(Worker& worker, WorkItem& item);
  void RunOutput(OutputRunner& runner);

  const config::PipelineConfig& config_;
  const config::ProcessOptions& process_;
  MetricsRegistry& metrics_;
  std::function<void()> on_input_finished_;
  TapHub* tap_ = nullptr;
  std::shared_ptr<InflightLimiter> limiter_;
  PipelineMetrics pipeline_metrics_;
  DeliveryCounters delivery_counters_;

  std::vector<std::unique_ptr<InputRunner>> inputs_;
  std::vector<std::unique_ptr<FilterStage>> filter_stages_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex work_mu_;
  std::condition_variable work_cv_;
  std::deque<WorkItem> work_;  // batches waiting for a worker, from every source
  bool workers_stop_ = false;
  std::vector<std::unique_ptr<OutputRunner>> outputs_;
  std::atomic<size_t> finished_inputs_{0};
  std::atomic<int> drain_requests_{0};  // BeginDrain() calls not yet ended
  bool started_ = false;
  bool fields_unread_ = false;  // InputContext::fields_unread(), set by Build()
};

}  // namespace sluice
