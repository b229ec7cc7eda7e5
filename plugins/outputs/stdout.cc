#include "plugins/outputs/stdout.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::outputs {

SLUICE_REGISTER_OUTPUT(StdoutOutput, "stdout",
                       "Events as lines on standard output (JSON or text).");

const config::OptionSchema<StdoutOutput::Options>& StdoutOutput::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>()).Add("codec", &Options::codec, common::kCodecDoc);
  return *schema;
}

Result<std::unique_ptr<StdoutOutput>> StdoutOutput::Build(const Options& options,
                                                          PluginContext& context) {
  return std::make_unique<StdoutOutput>(options, context, STDOUT_FILENO);
}

void StdoutOutput::Write(const EventBatch& batch, AckHandle ack) {
  buffer_.clear();
  for (const Event& e : batch.events()) codec_.AppendLine(e, buffer_);
  size_t off = 0;
  while (off < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + off, buffer_.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // A closed stdout (e.g. `| head`) cannot take more: fail the batch, never ack it.
      plugin_.logger.Limited(error_log_, LogLevel::kError,
                             "cannot write to stdout: {}; the batch is not acked",
                             std::strerror(errno));
      healthy_ = false;
      ack.Fail();
      return;
    }
    off += static_cast<size_t>(n);
  }
  ack.Ack();
}

}  // namespace sluice::outputs
