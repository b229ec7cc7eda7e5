// One-line WARN and ERROR records: memory pressure, lost heartbeats, large tasks, failed and killed
// containers, and lost connections (see generate_spark_lines.h).

#include <cstdint>
#include <string>
#include <string_view>

#include "plugins/inputs/generate/generate_spark_lines.h"

namespace sluice::inputs::generate {

using std::string_view_literals::operator""sv;

namespace {

// An executor whose container YARN killed for using 11.0 to 12.9 GB of its 11 GB.
void AppendLostExecutor(std::string& out, const SparkLine& line) {
  Append(out, " ERROR cluster.YarnScheduler: Lost executor "sv);
  AppendUint(out, 1 + (line.r >> 8) % 64);
  Append(out, " on "sv);
  AppendHost(out, line.host);
  Append(out, ": Container killed by YARN for exceeding memory limits. "sv);
  AppendTenths(out, 110 + (line.r >> 16) % 20);
  Append(out,
         " GB of 11 GB physical memory used. Consider boosting "
         "spark.yarn.executor.memoryOverhead."sv);
}

}  // namespace

void AppendWarning(std::string& out, const SparkLine& line) {
  const uint64_t r = line.r;
  switch ((r & 0xff) % 6) {
    case 0:
      Append(out, " WARN storage.MemoryStore: Not enough space to cache "sv);
      AppendRddBlock(out, line.task);
      Append(out, " in memory! (computed "sv);
      AppendByteString(out, (1 + (r >> 8) % 4096) << 20);
      Append(out, " so far)"sv);
      break;
    case 1:
      Append(out, " WARN spark.HeartbeatReceiver: Removing executor "sv);
      AppendUint(out, 1 + (r >> 8) % 64);
      Append(out, " with no recent heartbeats: "sv);
      AppendUint(out, 120'000 + (r >> 16) % 60'000);
      Append(out, " ms exceeds timeout 120000 ms"sv);
      break;
    case 2:
      Append(out, " WARN scheduler.TaskSetManager: Stage "sv);
      AppendUint(out, line.task.stage);
      Append(out, " contains a task of very large size ("sv);
      AppendUint(out, 100 + (r >> 8) % 4000);
      Append(out, " KB). The maximum recommended task size is 100 KB."sv);
      break;
    case 3:
      Append(out, " WARN yarn.YarnAllocator: Container marked as failed: container_"sv);
      AppendUint(out, 1'485'248'649'253 + line.seed % 1'000'000);
      Append(out, "_0147_01_"sv);
      AppendPadded(out, 1 + (r >> 8) % 64, 6);
      Append(out, " on host: "sv);
      AppendHost(out, line.host);
      Append(out,
             ". Exit status: 143. Diagnostics: Container killed on request. Exit code is 143"sv);
      break;
    case 4:
      Append(out, " WARN netty.NettyRpcEnv: Ignored message: HeartbeatResponse(false)"sv);
      break;
    default:
      Append(out, " WARN storage.BlockManager: Block "sv);
      AppendRddBlock(out, line.task);
      Append(out, " could not be removed as it was not found on disk or in memory"sv);
      break;
  }
}

void AppendError(std::string& out, const SparkLine& line) {
  const uint64_t r = line.r;
  switch ((r & 0xff) % 3) {
    case 0:
      Append(out, " ERROR executor.CoarseGrainedExecutorBackend: RECEIVED SIGNAL 15: SIGTERM"sv);
      break;
    case 1:
      AppendLostExecutor(out, line);
      break;
    default:
      Append(out, " ERROR client.TransportResponseHandler: Still have "sv);
      AppendUint(out, 1 + (r >> 8) % 8);
      Append(out, " requests outstanding when connection from "sv);
      AppendPeer(out, line.host);
      Append(out, " is closed"sv);
      break;
  }
}

}  // namespace sluice::inputs::generate
