// generate input: synthetic, realistic Spark log4j records (generate::SparkLogGenerator), for
// demos, benchmarks and tests. A record with a stack trace is one multi-line event. Each event
// carries what a file input and a Spark log parser would give it: `log.level`, `log.logger`,
// `host.name`, `log.file.path` (a YARN container log path) and `spark.app_id`. With a `count` the
// input finishes after that many events (so `sluice run` drains and exits); `rate` paces it. Its
// checkpoint is the number of events acked; with `resume: true` a restart continues after them
// (same seed, same sequence), so a stopped and restarted run delivers each event once.
// Thread-safety: runs one producer thread; Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <thread>

#include "pipeline/registry.h"

namespace sluice::inputs {

class GenerateInput final : public Input {
 public:
  struct Options {
    int64_t count = 0;
    int64_t rate = 0;
    int64_t seed = 42;
    double stack_trace_ratio = 0.02;
    int64_t batch_events = 1024;
    std::string host = "ip-10-0-1-17.ec2.internal";
    bool fields = true;
    bool resume = false;
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<GenerateInput>> Build(const Options& options,
                                                      PluginContext& context);

  GenerateInput(const Options& options, PluginContext& context);
  ~GenerateInput() override;

  Status Start(InputContext& context) override;
  void Stop() override { stop_ = true; }
  void Join() override;

 private:
  void Run(InputContext& context);

  const Options options_;
  PluginContext plugin_;
  // Field values the events point to (SetView): they live as long as the input, which outlives
  // every batch it emitted.
  const std::string app_id_;
  const std::string path_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sluice::inputs
