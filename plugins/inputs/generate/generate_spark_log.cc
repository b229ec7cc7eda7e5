#include "plugins/inputs/generate/generate_spark_log.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "plugins/inputs/generate/generate_spark_lines.h"

// Next draws every number of a record here, picks its level and kind, and leaves the text to the
// appenders of generate_spark_lines.h. The random draws are plain `rng_() % n`, so the bytes depend
// only on std::mt19937_64 (fully specified by the standard) and the seed.

namespace sluice::inputs::generate {
namespace {

using std::string_view_literals::operator""sv;

// Records advance by 0 to 5 ms (uniform, ns resolution): ~400 records per simulated second.
constexpr uint64_t kMaxStepNs = 5'000'000;

// Share of the WARN and ERROR lines (with or without a stack trace) among all records.
constexpr double kWarnShare = 0.03;
constexpr double kErrorShare = 0.01;
// Of the records with a stack trace, this share is WARN and the rest ERROR.
constexpr double kTraceWarnShare = 0.6;

uint64_t Below(Rng& rng, uint64_t n) { return rng() % n; }

// The INFO templates and their weights (out of 1024), roughly the component mix of executor logs
// (executor.Executor, python.PythonRunner, CoarseGrainedExecutorBackend and the block manager
// dominate), plus some driver-side scheduler lines.
enum class Info : uint8_t {
  kRunningTask,
  kFinishedTask,
  kPythonTimes,
  kGotAssigned,
  kFoundBlock,
  kMemoryStoreBytes,
  kMemoryStoreValues,
  kCacheNotFound,
  kBroadcastStart,
  kBroadcastTook,
  kCommitterVersion,
  kCommitterSaved,
  kCommitted,
  kInputSplit,
  kMapOutputTracker,
  kShuffleFetcher,
  kTaskSetStarting,
  kTaskSetFinished,
  kDagScheduler,
  kSecurityManager,
  kStartup,
};

struct Weighted {
  Info info;
  int weight;
};

constexpr std::array<Weighted, 21> kInfoWeights = {{
    {Info::kRunningTask, 150},      {Info::kFinishedTask, 150},    {Info::kPythonTimes, 170},
    {Info::kGotAssigned, 130},      {Info::kFoundBlock, 115},      {Info::kMemoryStoreBytes, 40},
    {Info::kMemoryStoreValues, 30}, {Info::kCacheNotFound, 35},    {Info::kBroadcastStart, 20},
    {Info::kBroadcastTook, 20},     {Info::kCommitterVersion, 12}, {Info::kCommitterSaved, 12},
    {Info::kCommitted, 15},         {Info::kInputSplit, 20},       {Info::kMapOutputTracker, 20},
    {Info::kShuffleFetcher, 20},    {Info::kTaskSetStarting, 20},  {Info::kTaskSetFinished, 20},
    {Info::kDagScheduler, 10},      {Info::kSecurityManager, 5},   {Info::kStartup, 10},
}};

constexpr int SumOfInfoWeights() {
  int sum = 0;
  for (const Weighted& w : kInfoWeights) sum += w.weight;
  return sum;
}
static_assert(SumOfInfoWeights() == 1024, "INFO weights must sum to 1024");

constexpr std::array<Info, 1024> MakeInfoTable() {
  std::array<Info, 1024> table{};
  size_t at = 0;
  for (const Weighted& w : kInfoWeights) {
    for (int i = 0; i < w.weight; ++i) table[at++] = w.info;
  }
  return table;
}

constexpr std::array<Info, 1024> kInfoTable = MakeInfoTable();

// A record with a stack trace: three WARN kinds, two ERROR kinds.
void AppendTraceRecord(std::string& out, const SparkLine& line, bool warn) {
  switch ((line.r & 0xff) % (warn ? 3 : 2) + (warn ? 0 : 3)) {
    case 0:
      AppendLostTaskFetchFailed(out, line);
      break;
    case 1:
      AppendLostTaskConnectionReset(out, line);
      break;
    case 2:
      AppendTransportWarning(out, line);
      break;
    case 3:
      AppendBlockFetchFailed(out, line);
      break;
    default:
      AppendJobAborted(out, line);
      break;
  }
}

}  // namespace

SparkLogGenerator::SparkLogGenerator(Options options)
    : options_(options), rng_(options.seed), now_ns_(options.start_ns) {
  options_.stack_trace_ratio = std::clamp(options_.stack_trace_ratio, 0.0, 1.0);
  // Start as if the executor had already run a few stages, so TIDs and stage numbers vary by seed.
  task_ = options.seed % 1000 * kTasksPerStage / 4;
}

int64_t SparkLogGenerator::Next(std::string& out, std::string_view* level) {
  const int64_t time_ns = now_ns_;
  now_ns_ += static_cast<int64_t>(Below(rng_, kMaxStepNs + 1));
  ++records_;

  // Level and kind: one 53-bit uniform draw against cumulative thresholds.
  const double ratio = options_.stack_trace_ratio;
  const double warn_plain = std::max(0.0, kWarnShare - kTraceWarnShare * ratio);
  const double error_plain = std::max(0.0, kErrorShare - (1 - kTraceWarnShare) * ratio);
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
  const uint64_t r = rng_();  // template choice and small numbers, consumed in pieces

  const uint64_t back = (r >> 48) % 8;  // the line may talk about one of the last few tasks
  const SparkLine line = {
      .r = r,
      .v = r >> 10,
      .host = 1 + (r >> 40) % kHosts,
      .seed = options_.seed,
      .task = TaskFromTid(task_ >= back ? task_ - back : task_),
      .start_ns = options_.start_ns,
  };

  AppendTimestamp(out, time_ns);
  std::string_view line_level;
  if (u < ratio) {
    const bool warn = u < ratio * kTraceWarnShare;
    line_level = warn ? "WARN"sv : "ERROR"sv;
    AppendTraceRecord(out, line, warn);
  } else if (u < ratio + warn_plain) {
    line_level = "WARN"sv;
    AppendWarning(out, line);
  } else if (u < ratio + warn_plain + error_plain) {
    line_level = "ERROR"sv;
    AppendError(out, line);
  } else {
    line_level = "INFO"sv;
    AppendInfo(out, line);
  }
  if (level != nullptr) *level = line_level;
  return time_ns;
}

void SparkLogGenerator::AppendInfo(std::string& out, const SparkLine& line) {
  switch (kInfoTable[line.r & 1023]) {
    case Info::kRunningTask:
      return AppendRunningTask(out, line);
    case Info::kFinishedTask:
      return AppendFinishedTask(out, line);
    case Info::kPythonTimes:
      return AppendPythonTimes(out, line);
    case Info::kGotAssigned:
      return AppendGotAssigned(out, ++task_);
    case Info::kFoundBlock:
      return AppendFoundBlock(out, line);
    case Info::kMemoryStoreBytes:
      return AppendMemoryStoreBlock(out, line, /*bytes=*/true);
    case Info::kMemoryStoreValues:
      return AppendMemoryStoreBlock(out, line, /*bytes=*/false);
    case Info::kCacheNotFound:
      return AppendCacheNotFound(out, line);
    case Info::kBroadcastStart:
      return AppendBroadcastStart(out, line);
    case Info::kBroadcastTook:
      return AppendBroadcastTook(out, line);
    case Info::kCommitterVersion:
      return AppendCommitterVersion(out, line);
    case Info::kCommitterSaved:
      return AppendCommitterSaved(out, line);
    case Info::kCommitted:
      return AppendCommitted(out, line);
    case Info::kInputSplit:
      return AppendInputSplit(out, line);
    case Info::kMapOutputTracker:
      return AppendMapOutputTracker(out, line);
    case Info::kShuffleFetcher:
      return AppendShuffleFetcher(out, line);
    case Info::kTaskSetStarting:
      return AppendTaskSetStarting(out, line);
    case Info::kTaskSetFinished:
      return AppendTaskSetFinished(out, line);
    case Info::kDagScheduler:
      return AppendDagScheduler(out, line);
    case Info::kSecurityManager:
      return AppendSecurityManager(out, line);
    case Info::kStartup:
      return AppendStartup(out, line, rng_);
  }
}

}  // namespace sluice::inputs::generate
