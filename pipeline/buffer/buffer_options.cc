#include "pipeline/buffer/buffer_options.h"

#include <algorithm>

namespace sluice::buffer {

const config::OptionSchema<BufferOptions>& BufferOptions::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<BufferOptions>())
           .Add("type", &BufferOptions::type,
                "`memory`: undelivered batches wait in the pipeline's in-flight bound, and a sink "
                "that is down stops the inputs. `disk`: they are written to "
                "`data_dir/buffers/<pipeline>/<output>/` and the input moves on (its checkpoint "
                "or Kafka offset advances), so a source deleted while the sink is down loses "
                "nothing; the buffer is replayed after a restart.")
           .Add("max_size", &BufferOptions::max_size,
                "Most bytes the disk buffer holds; then `when_full` applies. Space is freed a "
                "segment (an eighth of this, 256 KiB to 64 MiB) at a time.",
                {.min = ByteSize{1 << 20}})
           .Add("when_full", &BufferOptions::when_full,
                "`block`: the output stops taking batches, so the inputs stop reading "
                "(backpressure; nothing is lost). `drop_newest`: batches that do not fit are "
                "dropped and counted (`sluice_buffer_dropped_events_total`).")
           .Add("sync", &BufferOptions::sync,
                "`batch`: a batch is fdatasync'ed before the input is told it is safe (survives "
                "power loss). `interval`: it is safe once written to the OS (survives a crash or "
                "kill -9 of Sluice, not power loss) and synced every `sync_interval`.")
           .Add("sync_interval", &BufferOptions::sync_interval,
                "How often `sync: interval` syncs the buffer.",
                {.min = Duration{std::chrono::milliseconds(10)}});
  return *schema;
}

uint64_t BufferOptions::SegmentBytes() const {
  return std::clamp<uint64_t>(static_cast<uint64_t>(max_size.bytes) / 8, 256u << 10, 64u << 20);
}

}  // namespace sluice::buffer
