#include "plugins/outputs/blackhole.h"

namespace sluice::outputs {

SLUICE_REGISTER_OUTPUT(BlackholeOutput, "blackhole", "Acks and discards every event (benchmarks).");

const config::OptionSchema<BlackholeOutput::Options>& BlackholeOutput::Options::Schema() {
  static const auto* schema = new config::OptionSchema<Options>();
  return *schema;
}

Result<std::unique_ptr<BlackholeOutput>> BlackholeOutput::Build(const Options&, PluginContext&) {
  return std::make_unique<BlackholeOutput>();
}

void BlackholeOutput::Write(const EventBatch&, AckHandle ack) { ack.Ack(); }

}  // namespace sluice::outputs
