// stdout output: writes each event as a line on standard output, as JSON (default) or as its raw
// message (`codec: text`). Acks once the bytes are written (stdout is not fsynced).
// Thread-safety: Write() runs on the output's thread.
#pragma once

#include <atomic>
#include <string>

#include "pipeline/registry.h"
#include "plugins/common/event_codec.h"

namespace sluice::outputs {

class StdoutOutput final : public Output {
 public:
  struct Options {
    common::Codec codec = common::Codec::kJson;
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<StdoutOutput>> Build(const Options& options,
                                                     PluginContext& context);

  StdoutOutput(const Options& options, PluginContext& context, int fd)
      : plugin_(context),
        codec_(options.codec),
        json_(options.codec == common::Codec::kJson),
        fd_(fd) {}

  void Write(const EventBatch& batch, AckHandle ack) override;
  bool healthy() const override { return healthy_.load(); }
  bool reads_fields() const override { return !json_; }

 private:
  PluginContext plugin_;
  common::EventCodec codec_;
  const bool json_;
  const int fd_;
  std::string buffer_;
  std::atomic<bool> healthy_{true};  // read by the admin API's threads
  RateLimiter error_log_;
};

}  // namespace sluice::outputs
