// BufferOptions: an output's `buffer:` map, the engine's (not the plugin's): where the batches
// an output has not delivered yet wait. `memory` (the default) keeps them in the pipeline's
// in-flight bound, so a dead sink stops the inputs; `disk` writes them to a segmented log under
// data_dir/buffers/<pipeline>/<output>/ (disk_buffer.h), which acks the input as soon as a batch
// is on disk and replays it after a restart.
// Thread-safety: plain data; the schema as OptionSchema.
#pragma once

#include <span>

#include "pipeline/options/option_schema.h"
#include "pipeline/units.h"

namespace sluice::buffer {

enum class BufferType { kMemory, kDisk };
inline constexpr config::EnumName<BufferType> kBufferTypeNames[] = {{"memory", BufferType::kMemory},
                                                                    {"disk", BufferType::kDisk}};
constexpr std::span<const config::EnumName<BufferType>> OptionNames(BufferType) {
  return kBufferTypeNames;
}

enum class WhenFull { kBlock, kDropNewest };
inline constexpr config::EnumName<WhenFull> kWhenFullNames[] = {
    {"block", WhenFull::kBlock}, {"drop_newest", WhenFull::kDropNewest}};
constexpr std::span<const config::EnumName<WhenFull>> OptionNames(WhenFull) {
  return kWhenFullNames;
}

enum class SyncMode { kBatch, kInterval };
inline constexpr config::EnumName<SyncMode> kSyncModeNames[] = {{"batch", SyncMode::kBatch},
                                                                {"interval", SyncMode::kInterval}};
constexpr std::span<const config::EnumName<SyncMode>> OptionNames(SyncMode) {
  return kSyncModeNames;
}

struct BufferOptions {
  BufferType type = BufferType::kMemory;
  ByteSize max_size{1ll << 30};
  WhenFull when_full = WhenFull::kBlock;
  SyncMode sync = SyncMode::kBatch;
  Duration sync_interval{std::chrono::seconds(1)};

  static const config::OptionSchema<BufferOptions>& Schema();
  // The segment file size for `max_size`: an eighth of it, 256 KiB to 64 MiB (the buffer frees
  // space a segment at a time).
  uint64_t SegmentBytes() const;
};

}  // namespace sluice::buffer
