// stdin input: reads lines from standard input until EOF, then reports itself finished (so
// `sluice run` drains and exits). Lines are split by common::LineSplitter (\n or \r\n,
// max_line_bytes); over-long lines are cut and tagged `_line_truncated`. Event time is the time a
// line was read.
// Thread-safety: runs one reader thread; Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <thread>

#include "pipeline/registry.h"

namespace sluice::inputs {

class StdinInput final : public Input {
 public:
  struct Options {
    ByteSize max_line_bytes{1 << 20};
    int64_t batch_events = 1024;
    ByteSize batch_bytes{1 << 20};
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<StdinInput>> Build(const Options& options, PluginContext& context);

  StdinInput(const Options& options, PluginContext& context, int fd);
  ~StdinInput() override;

  Status Start(InputContext& context) override;
  void Stop() override;
  void Join() override;

 private:
  void Run(InputContext& context);

  const Options options_;
  PluginContext plugin_;
  const int fd_;
  int wake_[2] = {-1, -1};  // a pipe that Stop() writes to, to interrupt poll()
  std::thread thread_;
};

}  // namespace sluice::inputs
