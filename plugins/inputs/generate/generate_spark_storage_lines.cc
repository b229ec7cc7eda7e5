// INFO lines of Spark's storage and shuffle: the block manager, memory store, cache manager,
// torrent broadcasts, map output tracker and shuffle block fetcher (see generate_spark_lines.h).

#include <cstdint>
#include <string>
#include <string_view>

#include "plugins/inputs/generate/generate_spark_lines.h"

namespace sluice::inputs::generate {

using std::string_view_literals::operator""sv;

void AppendFoundBlock(std::string& out, const SparkLine& line) {
  Append(out, " INFO storage.BlockManager: Found block "sv);
  AppendRddBlock(out, line.task);
  Append(out, line.v % 16 == 0 ? " remotely"sv : " locally"sv);
}

void AppendMemoryStoreBlock(std::string& out, const SparkLine& line, bool bytes) {
  const uint64_t v = line.v;
  Append(out, " INFO storage.MemoryStore: Block "sv);
  if (v % 4 == 0) {
    AppendRddBlock(out, line.task);
  } else {
    Append(out, "broadcast_"sv);
    AppendUint(out, line.task.stage * 2 + (v >> 2) % 2);
    if (bytes) Append(out, "_piece0"sv);
  }
  Append(out, bytes ? " stored as bytes in memory (estimated size "sv
                    : " stored as values in memory (estimated size "sv);
  AppendByteString(out, bytes ? 90 + (v >> 3) % 30'000 : 300 + (v >> 3) % 400'000);
  Append(out, ", free "sv);
  AppendByteString(out, (v >> 22) % (18ULL << 30));
  out.push_back(')');
}

void AppendCacheNotFound(std::string& out, const SparkLine& line) {
  Append(out, " INFO spark.CacheManager: Partition "sv);
  AppendRddBlock(out, line.task);
  Append(out, " not found, computing it"sv);
}

void AppendBroadcastStart(std::string& out, const SparkLine& line) {
  Append(out, " INFO broadcast.TorrentBroadcast: Started reading broadcast variable "sv);
  AppendUint(out, line.task.stage * 2 + line.v % 2);
}

void AppendBroadcastTook(std::string& out, const SparkLine& line) {
  const uint64_t v = line.v;
  Append(out, " INFO broadcast.TorrentBroadcast: Reading broadcast variable "sv);
  AppendUint(out, line.task.stage * 2 + v % 2);
  Append(out, " took "sv);
  AppendUint(out, v % 8 == 0 ? 100 + (v >> 3) % 200 : 8 + (v >> 3) % 20);
  Append(out, " ms"sv);
}

void AppendMapOutputTracker(std::string& out, const SparkLine& line) {
  switch (line.v % 4) {
    case 0:
      Append(out, " INFO spark.MapOutputTrackerWorker: Updating epoch to "sv);
      AppendUint(out, line.task.stage / 2);
      Append(out, " and clearing cache"sv);
      break;
    case 1:
      Append(out, " INFO spark.MapOutputTrackerWorker: Don't have map outputs for shuffle "sv);
      AppendUint(out, line.task.stage / 2);
      Append(out, ", fetching them"sv);
      break;
    case 2:
      Append(out,
             " INFO spark.MapOutputTrackerWorker: Doing the fetch; tracker endpoint = "
             "NettyRpcEndpointRef(spark://MapOutputTracker@"sv);
      AppendDriver(out, line.seed);
      out.push_back(')');
      break;
    default:
      Append(out, " INFO spark.MapOutputTrackerWorker: Got the output locations"sv);
      break;
  }
}

void AppendShuffleFetcher(std::string& out, const SparkLine& line) {
  const uint64_t v = line.v;
  if (v % 2 == 0) {
    const uint64_t blocks = 1 + (v >> 1) % kTasksPerStage;
    Append(out, " INFO storage.ShuffleBlockFetcherIterator: Getting "sv);
    AppendUint(out, blocks);
    Append(out, " non-empty blocks out of "sv);
    AppendUint(out, kTasksPerStage);
    Append(out, " blocks"sv);
  } else {
    Append(out, " INFO storage.ShuffleBlockFetcherIterator: Started "sv);
    AppendUint(out, (v >> 1) % 8);
    Append(out, " remote fetches in "sv);
    AppendUint(out, (v >> 4) % 30);
    Append(out, " ms"sv);
  }
}

}  // namespace sluice::inputs::generate
