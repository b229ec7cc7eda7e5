// blackhole output: counts and acks every event at once, keeping nothing. For benchmarks and for
// measuring the pipeline without a destination.
// Thread-safety: Write() runs on the output's thread.
#pragma once

#include "pipeline/registry.h"

namespace sluice::outputs {

class BlackholeOutput final : public Output {
 public:
  struct Options {
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<BlackholeOutput>> Build(const Options& options,
                                                        PluginContext& context);

  void Write(const EventBatch& batch, AckHandle ack) override;
  bool reads_fields() const override { return false; }
};

}  // namespace sluice::outputs
