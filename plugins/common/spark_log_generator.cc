#include "plugins/common/spark_log_generator.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/civil_time.h"

// Everything here appends straight to the caller's string: no per-record allocation once `out` has
// grown, no streams, no format-string parsing. Numbers are written by hand. The random draws are
// plain `rng_() % n`, so the bytes depend only on std::mt19937_64 (fully specified by the standard)
// and the seed.

namespace sluice::common {
namespace {

using std::string_view_literals::operator""sv;

// Records advance by 0 to 5 ms (uniform, ns resolution): ~400 records per simulated second.
constexpr uint64_t kMaxStepNs = 5'000'000;
constexpr uint64_t kTasksPerStage = 40;
constexpr uint64_t kHosts = 32;

// Share of the WARN and ERROR lines (with or without a stack trace) among all records.
constexpr double kWarnShare = 0.03;
constexpr double kErrorShare = 0.01;
// Of the records with a stack trace, this share is WARN and the rest ERROR.
constexpr double kTraceWarnShare = 0.6;

using Rng = std::mt19937_64;

uint64_t Below(Rng& rng, uint64_t n) { return rng() % n; }

void Append(std::string& out, std::string_view text) { out.append(text.data(), text.size()); }

void AppendUint(std::string& out, uint64_t value) {
  char buf[20];
  char* end = buf + sizeof(buf);
  char* p = end;
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  out.append(p, static_cast<size_t>(end - p));
}

void AppendInt(std::string& out, int64_t value) {
  if (value < 0) {
    out.push_back('-');
    AppendUint(out, 0 - static_cast<uint64_t>(value));
  } else {
    AppendUint(out, static_cast<uint64_t>(value));
  }
}

// Writes `value` zero-padded to `width` digits (value must fit).
void AppendPadded(std::string& out, uint64_t value, int width) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

// "12.3" from 123 tenths.
void AppendTenths(std::string& out, uint64_t tenths) {
  AppendUint(out, tenths / 10);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + tenths % 10));
}

// Spark's Utils.bytesToString: one decimal and the largest unit (powers of 1024) that keeps the
// value at least 1, e.g. "252.0 B", "5.2 KB", "413.9 MB", "17.7 GB".
void AppendByteString(std::string& out, uint64_t bytes) {
  static constexpr std::array<std::string_view, 4> kUnits = {" B"sv, " KB"sv, " MB"sv, " GB"sv};
  uint64_t unit = 1;
  size_t index = 0;
  while (index + 1 < kUnits.size() && bytes >= unit * 1024) {
    unit *= 1024;
    ++index;
  }
  AppendTenths(out, (bytes * 10 + unit / 2) / unit);
  Append(out, kUnits[index]);
}

void Put2(char* p, unsigned value) {
  p[0] = static_cast<char>('0' + value / 10 % 10);
  p[1] = static_cast<char>('0' + value % 10);
}

// "yy/MM/dd HH:mm:ss" in UTC, as Spark's default log4j layout prints it.
void AppendTimestamp(std::string& out, int64_t ns) {
  const CivilTime t = ToCivil(ns);
  char buf[17] = {'0', '0', '/', '0', '0', '/', '0', '0', ' ',
                  '0', '0', ':', '0', '0', ':', '0', '0'};
  Put2(buf, static_cast<unsigned>(((t.year % 100) + 100) % 100));
  Put2(buf + 3, static_cast<unsigned>(t.month));
  Put2(buf + 6, static_cast<unsigned>(t.day));
  Put2(buf + 9, static_cast<unsigned>(t.hour));
  Put2(buf + 12, static_cast<unsigned>(t.minute));
  Put2(buf + 15, static_cast<unsigned>(t.second));
  out.append(buf, sizeof(buf));
}

// "201706092010": the yyyyMMddHHmm Hadoop puts in job and attempt ids.
void AppendJobTrackerId(std::string& out, int64_t ns) {
  const CivilTime t = ToCivil(ns);
  AppendPadded(out, static_cast<uint64_t>(std::clamp<int64_t>(t.year, 0, 9999)), 4);
  AppendPadded(out, t.month, 2);
  AppendPadded(out, t.day, 2);
  AppendPadded(out, t.hour, 2);
  AppendPadded(out, t.minute, 2);
}

void AppendHost(std::string& out, uint64_t host) {
  Append(out, "host-"sv);
  AppendPadded(out, host, 2);
}

// "host-12/10.0.3.12:7337", the way Netty prints a resolved peer.
void AppendPeer(std::string& out, uint64_t host) {
  AppendHost(out, host);
  Append(out, "/10.0.3."sv);
  AppendUint(out, host);
  Append(out, ":7337"sv);
}

// Which task a line talks about: stage and index follow from the TID, 40 tasks a stage.
struct Task {
  uint64_t tid, stage, index;
};

Task TaskFromTid(uint64_t tid) { return {tid, tid / kTasksPerStage, tid % kTasksPerStage}; }

// "task 3.0 in stage 1.0 (TID 12"
void AppendTaskRef(std::string& out, const Task& task, uint64_t attempt) {
  Append(out, "task "sv);
  AppendUint(out, task.index);
  out.push_back('.');
  AppendUint(out, attempt);
  Append(out, " in stage "sv);
  AppendUint(out, task.stage);
  Append(out, ".0 (TID "sv);
  AppendUint(out, task.tid);
}

void AppendRddBlock(std::string& out, const Task& task) {
  Append(out, "rdd_"sv);
  AppendUint(out, task.stage / 2 + 2);
  out.push_back('_');
  AppendUint(out, task.index);
}

void AppendDriver(std::string& out, uint64_t seed) {
  Append(out, "10.0.0.5:"sv);
  AppendUint(out, 40'000 + seed % 20'000);
}

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

// Stack frames, tab-indented as log4j prints them. Fixed text, so a trace costs a few appends.
constexpr std::string_view kFetchFailedFrames =
    "\n\tat org.apache.spark.storage.ShuffleBlockFetcherIterator.throwFetchFailedException("
    "ShuffleBlockFetcherIterator.scala:323)"
    "\n\tat org.apache.spark.storage.ShuffleBlockFetcherIterator.next("
    "ShuffleBlockFetcherIterator.scala:300)"
    "\n\tat org.apache.spark.storage.ShuffleBlockFetcherIterator.next("
    "ShuffleBlockFetcherIterator.scala:51)"
    "\n\tat scala.collection.Iterator$$anon$11.next(Iterator.scala:328)"
    "\n\tat scala.collection.Iterator$$anon$13.hasNext(Iterator.scala:371)"
    "\n\tat scala.collection.Iterator$$anon$11.hasNext(Iterator.scala:327)"
    "\n\tat org.apache.spark.util.CompletionIterator.hasNext(CompletionIterator.scala:32)"
    "\n\tat org.apache.spark.InterruptibleIterator.hasNext(InterruptibleIterator.scala:39)"
    "\n\tat scala.collection.Iterator$class.foreach(Iterator.scala:727)"
    "\n\tat org.apache.spark.InterruptibleIterator.foreach(InterruptibleIterator.scala:28)"
    "\n\tat org.apache.spark.api.python.PythonRDD$.writeIteratorToStream(PythonRDD.scala:452)"
    "\n\tat org.apache.spark.api.python.PythonRunner$WriterThread$$anonfun$run$3.apply("
    "PythonRDD.scala:280)"
    "\n\tat org.apache.spark.util.Utils$.logUncaughtExceptions(Utils.scala:1765)"
    "\n\tat org.apache.spark.api.python.PythonRunner$WriterThread.run(PythonRDD.scala:239)"sv;

constexpr std::string_view kConnectFrames =
    "\n\tat org.apache.spark.network.client.TransportClientFactory.createClient("
    "TransportClientFactory.java:216)"
    "\n\tat org.apache.spark.network.client.TransportClientFactory.createClient("
    "TransportClientFactory.java:167)"
    "\n\tat org.apache.spark.network.netty.NettyBlockTransferService$$anon$1.createAndStart("
    "NettyBlockTransferService.scala:90)"
    "\n\tat org.apache.spark.network.shuffle.RetryingBlockFetcher.fetchAllOutstanding("
    "RetryingBlockFetcher.java:140)"
    "\n\tat org.apache.spark.network.shuffle.RetryingBlockFetcher.access$200("
    "RetryingBlockFetcher.java:43)"
    "\n\tat org.apache.spark.network.shuffle.RetryingBlockFetcher$1.run("
    "RetryingBlockFetcher.java:170)"
    "\n\tat java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:511)"
    "\n\tat java.util.concurrent.FutureTask.run(FutureTask.java:266)"
    "\n\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1142)"
    "\n\tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:617)"
    "\n\tat java.lang.Thread.run(Thread.java:745)"sv;

constexpr std::string_view kConnectRefusedFrames =
    "\n\tat sun.nio.ch.SocketChannelImpl.checkConnect(Native Method)"
    "\n\tat sun.nio.ch.SocketChannelImpl.finishConnect(SocketChannelImpl.java:717)"
    "\n\tat io.netty.channel.socket.nio.NioSocketChannel.doFinishConnect(NioSocketChannel.java:224)"
    "\n\tat io.netty.channel.nio.AbstractNioChannel$AbstractNioUnsafe.finishConnect("
    "AbstractNioChannel.java:289)"
    "\n\tat io.netty.channel.nio.NioEventLoop.processSelectedKey(NioEventLoop.java:528)"
    "\n\tat io.netty.channel.nio.NioEventLoop.processSelectedKeysOptimized(NioEventLoop.java:468)"
    "\n\tat io.netty.channel.nio.NioEventLoop.processSelectedKeys(NioEventLoop.java:382)"
    "\n\tat io.netty.channel.nio.NioEventLoop.run(NioEventLoop.java:354)"
    "\n\tat io.netty.util.concurrent.SingleThreadEventExecutor$2.run("
    "SingleThreadEventExecutor.java:111)"
    "\n\t... 1 more"sv;

constexpr std::string_view kConnectionResetFrames =
    "\n\tat sun.nio.ch.FileDispatcherImpl.read0(Native Method)"
    "\n\tat sun.nio.ch.SocketDispatcher.read(SocketDispatcher.java:39)"
    "\n\tat sun.nio.ch.IOUtil.readIntoNativeBuffer(IOUtil.java:223)"
    "\n\tat sun.nio.ch.IOUtil.read(IOUtil.java:192)"
    "\n\tat sun.nio.ch.SocketChannelImpl.read(SocketChannelImpl.java:380)"
    "\n\tat io.netty.buffer.PooledUnsafeDirectByteBuf.setBytes(PooledUnsafeDirectByteBuf.java:311)"
    "\n\tat io.netty.buffer.AbstractByteBuf.writeBytes(AbstractByteBuf.java:881)"
    "\n\tat io.netty.channel.socket.nio.NioSocketChannel.doReadBytes(NioSocketChannel.java:242)"
    "\n\tat io.netty.channel.nio.AbstractNioByteChannel$NioByteUnsafe.read("
    "AbstractNioByteChannel.java:119)"
    "\n\tat io.netty.channel.nio.NioEventLoop.processSelectedKey(NioEventLoop.java:511)"
    "\n\tat io.netty.channel.nio.NioEventLoop.run(NioEventLoop.java:354)"
    "\n\tat io.netty.util.concurrent.SingleThreadEventExecutor$2.run("
    "SingleThreadEventExecutor.java:111)"
    "\n\tat java.lang.Thread.run(Thread.java:745)"sv;

constexpr std::string_view kJobAbortedFrames =
    "\n\tat org.apache.spark.scheduler.DAGScheduler.org$apache$spark$scheduler$DAGScheduler$$"
    "failJobAndIndependentStages(DAGScheduler.scala:1431)"
    "\n\tat org.apache.spark.scheduler.DAGScheduler$$anonfun$abortStage$1.apply("
    "DAGScheduler.scala:1419)"
    "\n\tat org.apache.spark.scheduler.DAGScheduler$$anonfun$abortStage$1.apply("
    "DAGScheduler.scala:1418)"
    "\n\tat scala.collection.mutable.ResizableArray$class.foreach(ResizableArray.scala:59)"
    "\n\tat scala.collection.mutable.ArrayBuffer.foreach(ArrayBuffer.scala:47)"
    "\n\tat org.apache.spark.scheduler.DAGScheduler.abortStage(DAGScheduler.scala:1418)"
    "\n\tat org.apache.spark.scheduler.DAGScheduler$$anonfun$handleTaskSetFailed$1.apply("
    "DAGScheduler.scala:799)"
    "\n\tat scala.Option.foreach(Option.scala:236)"
    "\n\tat org.apache.spark.scheduler.DAGScheduler.handleTaskSetFailed(DAGScheduler.scala:799)"
    "\n\tat org.apache.spark.scheduler.DAGSchedulerEventProcessLoop.doOnReceive("
    "DAGScheduler.scala:1640)"
    "\n\tat org.apache.spark.scheduler.DAGSchedulerEventProcessLoop.onReceive("
    "DAGScheduler.scala:1599)"
    "\n\tat org.apache.spark.util.EventLoop$$anon$1.run(EventLoop.scala:48)"
    "\n\tat org.apache.spark.SparkContext.runJob(SparkContext.scala:1832)"
    "\n\tat org.apache.spark.api.python.PythonRDD$.collectAndServe(PythonRDD.scala:405)"
    "\n\tat org.apache.spark.api.python.PythonRDD.collectAndServe(PythonRDD.scala)"
    "\n\tat sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)"
    "\n\tat java.lang.reflect.Method.invoke(Method.java:498)"
    "\n\tat py4j.GatewayConnection.run(GatewayConnection.java:209)"
    "\n\tat java.lang.Thread.run(Thread.java:745)"
    "\nCaused by: java.lang.OutOfMemoryError: Java heap space"
    "\n\tat java.util.Arrays.copyOf(Arrays.java:3236)"
    "\n\tat java.io.ByteArrayOutputStream.grow(ByteArrayOutputStream.java:118)"
    "\n\tat java.io.ByteArrayOutputStream.ensureCapacity(ByteArrayOutputStream.java:93)"
    "\n\tat java.io.ByteArrayOutputStream.write(ByteArrayOutputStream.java:153)"
    "\n\tat org.apache.spark.util.ByteBufferOutputStream.write(ByteBufferOutputStream.scala:41)"
    "\n\tat java.io.DataOutputStream.write(DataOutputStream.java:107)"
    "\n\tat org.apache.spark.api.python.PythonRDD$.writeUTF(PythonRDD.scala:506)"
    "\n\tat org.apache.spark.api.python.PythonRunner$$anon$1.read(PythonRDD.scala:139)"
    "\n\tat org.apache.spark.executor.Executor$TaskRunner.run(Executor.scala:227)"
    "\n\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1142)"
    "\n\tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:617)"
    "\n\t... 1 more"sv;

// "70293f72-844a-4b39-9ad6-fb0ad7e364e4" from 128 random bits.
void AppendUuid(std::string& out, uint64_t high, uint64_t low) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    const uint64_t word = i < 16 ? high : low;
    out.push_back(kHex[(word >> (4 * (i % 16))) & 15]);
  }
}

// "...: java.io.IOException: Failed to connect to host-12/10.0.3.12:7337" with its frames, then
// the ConnectException that caused it.
void AppendConnectFailure(std::string& out, uint64_t host) {
  Append(out, "java.io.IOException: Failed to connect to "sv);
  AppendPeer(out, host);
  Append(out, kConnectFrames);
  Append(out, "\nCaused by: java.net.ConnectException: Connection refused: "sv);
  AppendPeer(out, host);
  Append(out, kConnectRefusedFrames);
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

  const uint64_t host = 1 + (r >> 40) % kHosts;
  const uint64_t seed = options_.seed;
  const Task task = TaskFromTid(task_ >= (r >> 48) % 8 ? task_ - (r >> 48) % 8 : task_);

  AppendTimestamp(out, time_ns);

  if (u < ratio) {
    // A record with a stack trace.
    const bool warn = u < ratio * kTraceWarnShare;
    if (level != nullptr) *level = warn ? "WARN"sv : "ERROR"sv;
    switch ((r & 0xff) % (warn ? 3 : 2) + (warn ? 0 : 3)) {
      case 0:  // Lost task after a shuffle fetch failure, three exceptions deep.
        Append(out, " WARN scheduler.TaskSetManager: Lost "sv);
        AppendTaskRef(out, task, (r >> 8) % 4);
        Append(out, ", "sv);
        AppendHost(out, host);
        Append(out, "): org.apache.spark.shuffle.FetchFailedException: Failed to connect to "sv);
        AppendPeer(out, (host % kHosts) + 1);
        Append(out, kFetchFailedFrames);
        Append(out, "\nCaused by: "sv);
        AppendConnectFailure(out, (host % kHosts) + 1);
        break;
      case 1:  // Lost task, connection reset.
        Append(out, " WARN scheduler.TaskSetManager: Lost "sv);
        AppendTaskRef(out, task, (r >> 8) % 4);
        Append(out, ", "sv);
        AppendHost(out, host);
        Append(out, "): java.io.IOException: Connection reset by peer"sv);
        Append(out, kConnectionResetFrames);
        break;
      case 2:  // Executor-side transport warning.
        Append(out, " WARN server.TransportChannelHandler: Exception in connection from "sv);
        AppendPeer(out, host);
        Append(out, ": java.io.IOException: Connection reset by peer"sv);
        Append(out, kConnectionResetFrames);
        break;
      case 3:  // Block fetch failure.
        Append(out, " ERROR shuffle.RetryingBlockFetcher: Exception while beginning fetch of "sv);
        AppendUint(out, 1 + (r >> 8) % 4);
        Append(out, " outstanding blocks: "sv);
        AppendConnectFailure(out, host);
        break;
      default:  // The driver gives up on the job.
        Append(out,
               " ERROR yarn.ApplicationMaster: User class threw exception: "
               "org.apache.spark.SparkException: Job aborted due to stage failure: Task "sv);
        AppendUint(out, task.index);
        Append(out, " in stage "sv);
        AppendUint(out, task.stage);
        Append(out, ".0 failed 4 times, most recent failure: Lost "sv);
        AppendTaskRef(out, task, 3);
        Append(out, ", "sv);
        AppendHost(out, host);
        Append(out, "): java.lang.OutOfMemoryError: Java heap space"sv);
        Append(out, kJobAbortedFrames);
        break;
    }
    return time_ns;
  }

  if (u < ratio + warn_plain) {
    if (level != nullptr) *level = "WARN"sv;
    switch ((r & 0xff) % 6) {
      case 0:
        Append(out, " WARN storage.MemoryStore: Not enough space to cache "sv);
        AppendRddBlock(out, task);
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
        AppendUint(out, task.stage);
        Append(out, " contains a task of very large size ("sv);
        AppendUint(out, 100 + (r >> 8) % 4000);
        Append(out, " KB). The maximum recommended task size is 100 KB."sv);
        break;
      case 3:
        Append(out, " WARN yarn.YarnAllocator: Container marked as failed: container_"sv);
        AppendUint(out, 1'485'248'649'253 + seed % 1'000'000);
        Append(out, "_0147_01_"sv);
        AppendPadded(out, 1 + (r >> 8) % 64, 6);
        Append(out, " on host: "sv);
        AppendHost(out, host);
        Append(out,
               ". Exit status: 143. Diagnostics: Container killed on request. Exit code is 143"sv);
        break;
      case 4:
        Append(out, " WARN netty.NettyRpcEnv: Ignored message: HeartbeatResponse(false)"sv);
        break;
      default:
        Append(out, " WARN storage.BlockManager: Block "sv);
        AppendRddBlock(out, task);
        Append(out, " could not be removed as it was not found on disk or in memory"sv);
        break;
    }
    return time_ns;
  }

  if (u < ratio + warn_plain + error_plain) {
    if (level != nullptr) *level = "ERROR"sv;
    switch ((r & 0xff) % 3) {
      case 0:
        Append(out, " ERROR executor.CoarseGrainedExecutorBackend: RECEIVED SIGNAL 15: SIGTERM"sv);
        break;
      case 1:
        Append(out, " ERROR cluster.YarnScheduler: Lost executor "sv);
        AppendUint(out, 1 + (r >> 8) % 64);
        Append(out, " on "sv);
        AppendHost(out, host);
        Append(out, ": Container killed by YARN for exceeding memory limits. "sv);
        AppendTenths(out, 110 + (r >> 16) % 20);
        Append(out,
               " GB of 11 GB physical memory used. Consider boosting "
               "spark.yarn.executor.memoryOverhead."sv);
        break;
      default:
        Append(out, " ERROR client.TransportResponseHandler: Still have "sv);
        AppendUint(out, 1 + (r >> 8) % 8);
        Append(out, " requests outstanding when connection from "sv);
        AppendPeer(out, host);
        Append(out, " is closed"sv);
        break;
    }
    return time_ns;
  }

  if (level != nullptr) *level = "INFO"sv;
  const uint64_t v = r >> 10;  // bits left for the numbers of the INFO line
  switch (kInfoTable[r & 1023]) {
    case Info::kRunningTask:
      Append(out, " INFO executor.Executor: Running "sv);
      AppendTaskRef(out, task, 0);
      out.push_back(')');
      break;
    case Info::kFinishedTask:
      Append(out, " INFO executor.Executor: Finished "sv);
      AppendTaskRef(out, task, 0);
      Append(out, "). "sv);
      AppendUint(out, 1900 + v % 1200);
      Append(out, " bytes result sent to driver"sv);
      break;
    case Info::kPythonTimes: {
      // Either a cold worker (boot dominates) or a reused one (boot often negative, as Spark's
      // clock arithmetic prints it); total = boot + init + finish.
      int64_t boot, init, finish;
      if (v % 10 == 0) {
        boot = 800 + static_cast<int64_t>((v >> 4) % 100);
        init = 190 + static_cast<int64_t>((v >> 12) % 40);
        finish = 5 + static_cast<int64_t>((v >> 20) % 4);
      } else {
        const auto total = 30 + static_cast<int64_t>((v >> 4) % 60);
        finish = static_cast<int64_t>((v >> 12) % 4) - 1;
        boot = (v >> 16) % 2 == 0 ? -100 - static_cast<int64_t>((v >> 17) % 1900)
                                  : 5 + static_cast<int64_t>((v >> 17) % 20);
        init = total - boot - finish;
      }
      Append(out, " INFO python.PythonRunner: Times: total = "sv);
      AppendInt(out, boot + init + finish);
      Append(out, ", boot = "sv);
      AppendInt(out, boot);
      Append(out, ", init = "sv);
      AppendInt(out, init);
      Append(out, ", finish = "sv);
      AppendInt(out, finish);
      break;
    }
    case Info::kGotAssigned:
      ++task_;
      Append(out, " INFO executor.CoarseGrainedExecutorBackend: Got assigned task "sv);
      AppendUint(out, task_);
      break;
    case Info::kFoundBlock:
      Append(out, " INFO storage.BlockManager: Found block "sv);
      AppendRddBlock(out, task);
      Append(out, v % 16 == 0 ? " remotely"sv : " locally"sv);
      break;
    case Info::kMemoryStoreBytes:
    case Info::kMemoryStoreValues: {
      const bool bytes = kInfoTable[r & 1023] == Info::kMemoryStoreBytes;
      Append(out, " INFO storage.MemoryStore: Block "sv);
      if (v % 4 == 0) {
        AppendRddBlock(out, task);
      } else {
        Append(out, "broadcast_"sv);
        AppendUint(out, task.stage * 2 + (v >> 2) % 2);
        if (bytes) Append(out, "_piece0"sv);
      }
      Append(out, bytes ? " stored as bytes in memory (estimated size "sv
                        : " stored as values in memory (estimated size "sv);
      AppendByteString(out, bytes ? 90 + (v >> 3) % 30'000 : 300 + (v >> 3) % 400'000);
      Append(out, ", free "sv);
      AppendByteString(out, (v >> 22) % (18ULL << 30));
      out.push_back(')');
      break;
    }
    case Info::kCacheNotFound:
      Append(out, " INFO spark.CacheManager: Partition "sv);
      AppendRddBlock(out, task);
      Append(out, " not found, computing it"sv);
      break;
    case Info::kBroadcastStart:
      Append(out, " INFO broadcast.TorrentBroadcast: Started reading broadcast variable "sv);
      AppendUint(out, task.stage * 2 + v % 2);
      break;
    case Info::kBroadcastTook:
      Append(out, " INFO broadcast.TorrentBroadcast: Reading broadcast variable "sv);
      AppendUint(out, task.stage * 2 + v % 2);
      Append(out, " took "sv);
      AppendUint(out, v % 8 == 0 ? 100 + (v >> 3) % 200 : 8 + (v >> 3) % 20);
      Append(out, " ms"sv);
      break;
    case Info::kCommitterVersion:
      Append(out,
             " INFO output.FileOutputCommitter: File Output Committer Algorithm version is "sv);
      out.push_back(v % 4 == 0 ? '2' : '1');
      break;
    case Info::kCommitterSaved:
      Append(out, " INFO output.FileOutputCommitter: Saved output of task 'attempt_"sv);
      AppendJobTrackerId(out, options_.start_ns);
      out.push_back('_');
      AppendPadded(out, task.stage % 10'000, 4);
      Append(out, "_m_"sv);
      AppendPadded(out, task.index, 6);
      out.push_back('_');
      AppendUint(out, task.tid);
      Append(out, "' to hdfs://10.0.0.5:8020/user/spark/output/events/_temporary/0/task_"sv);
      AppendJobTrackerId(out, options_.start_ns);
      out.push_back('_');
      AppendPadded(out, task.stage % 10'000, 4);
      Append(out, "_m_"sv);
      AppendPadded(out, task.index, 6);
      break;
    case Info::kCommitted:
      Append(out, " INFO mapred.SparkHadoopMapRedUtil: attempt_"sv);
      AppendJobTrackerId(out, options_.start_ns);
      out.push_back('_');
      AppendPadded(out, task.stage % 10'000, 4);
      Append(out, "_m_"sv);
      AppendPadded(out, task.index, 6);
      out.push_back('_');
      AppendUint(out, task.tid);
      Append(out, ": Committed"sv);
      break;
    case Info::kInputSplit: {
      const uint64_t split = 7292 + seed % 100'000;
      Append(out, " INFO rdd.HadoopRDD: Input split: hdfs://10.0.0.5:8020/data/events/part-"sv);
      AppendPadded(out, task.stage % 100'000, 5);
      Append(out, ".log:"sv);
      AppendUint(out, task.index * split);
      out.push_back('+');
      AppendUint(out, split);
      break;
    }
    case Info::kMapOutputTracker:
      switch (v % 4) {
        case 0:
          Append(out, " INFO spark.MapOutputTrackerWorker: Updating epoch to "sv);
          AppendUint(out, task.stage / 2);
          Append(out, " and clearing cache"sv);
          break;
        case 1:
          Append(out, " INFO spark.MapOutputTrackerWorker: Don't have map outputs for shuffle "sv);
          AppendUint(out, task.stage / 2);
          Append(out, ", fetching them"sv);
          break;
        case 2:
          Append(out,
                 " INFO spark.MapOutputTrackerWorker: Doing the fetch; tracker endpoint = "
                 "NettyRpcEndpointRef(spark://MapOutputTracker@"sv);
          AppendDriver(out, seed);
          out.push_back(')');
          break;
        default:
          Append(out, " INFO spark.MapOutputTrackerWorker: Got the output locations"sv);
          break;
      }
      break;
    case Info::kShuffleFetcher:
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
      break;
    case Info::kTaskSetStarting:
      Append(out, " INFO scheduler.TaskSetManager: Starting "sv);
      AppendTaskRef(out, task, 0);
      Append(out, ", "sv);
      AppendHost(out, host);
      Append(out, ", executor "sv);
      AppendUint(out, 1 + v % 64);
      Append(out, ", partition "sv);
      AppendUint(out, task.index);
      Append(out, v % 8 == 0 ? ", NODE_LOCAL, "sv : ", PROCESS_LOCAL, "sv);
      AppendUint(out, 2000 + (v >> 6) % 400);
      Append(out, " bytes)"sv);
      break;
    case Info::kTaskSetFinished:
      Append(out, " INFO scheduler.TaskSetManager: Finished "sv);
      AppendTaskRef(out, task, 0);
      Append(out, ") in "sv);
      AppendUint(out, 30 + (v >> 6) % 3000);
      Append(out, " ms on "sv);
      AppendHost(out, host);
      Append(out, " (executor "sv);
      AppendUint(out, 1 + v % 64);
      Append(out, ") ("sv);
      AppendUint(out, task.index + 1);
      out.push_back('/');
      AppendUint(out, kTasksPerStage);
      out.push_back(')');
      break;
    case Info::kDagScheduler:
      switch (v % 4) {
        case 0:
          Append(out, " INFO scheduler.DAGScheduler: Submitting "sv);
          AppendUint(out, kTasksPerStage);
          Append(out, " missing tasks from ResultStage "sv);
          AppendUint(out, task.stage);
          Append(out, " (PythonRDD["sv);
          AppendUint(out, task.stage * 3 + 2);
          Append(out, "] at collect at /home/spark/jobs/etl.py:42)"sv);
          break;
        case 1:
          Append(out, " INFO scheduler.DAGScheduler: ResultStage "sv);
          AppendUint(out, task.stage);
          Append(out, " (collect at /home/spark/jobs/etl.py:42) finished in "sv);
          AppendUint(out, (v >> 2) % 20);
          out.push_back('.');
          AppendPadded(out, (v >> 8) % 1000, 3);
          Append(out, " s"sv);
          break;
        case 2:
          Append(out, " INFO scheduler.DAGScheduler: Job "sv);
          AppendUint(out, task.stage);
          Append(out, " finished: collect at /home/spark/jobs/etl.py:42, took "sv);
          AppendUint(out, (v >> 2) % 20);
          out.push_back('.');
          AppendPadded(out, (v >> 8) % 1'000'000, 6);
          Append(out, " s"sv);
          break;
        default:
          Append(out, " INFO scheduler.DAGScheduler: Got job "sv);
          AppendUint(out, task.stage);
          Append(out, " (collect at /home/spark/jobs/etl.py:42) with "sv);
          AppendUint(out, kTasksPerStage);
          Append(out, " output partitions"sv);
          break;
      }
      break;
    case Info::kSecurityManager:
      switch (v % 3) {
        case 0:
          Append(out, " INFO spark.SecurityManager: Changing view acls to: yarn,spark"sv);
          break;
        case 1:
          Append(out, " INFO spark.SecurityManager: Changing modify acls to: yarn,spark"sv);
          break;
        default:
          Append(out,
                 " INFO spark.SecurityManager: SecurityManager: authentication disabled; ui acls "
                 "disabled; users with view permissions: Set(yarn, spark); users with modify "
                 "permissions: Set(yarn, spark)"sv);
          break;
      }
      break;
    case Info::kStartup:
      switch (v % 8) {
        case 0:
          Append(out,
                 " INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for "
                 "[TERM, HUP, INT]"sv);
          break;
        case 1:
          Append(out,
                 " INFO executor.CoarseGrainedExecutorBackend: Connecting to driver: "
                 "spark://CoarseGrainedScheduler@"sv);
          AppendDriver(out, seed);
          break;
        case 2:
          Append(out,
                 " INFO executor.CoarseGrainedExecutorBackend: Successfully registered with "
                 "driver"sv);
          break;
        case 3:
          Append(out, " INFO executor.Executor: Starting executor ID "sv);
          AppendUint(out, 1 + (v >> 3) % 64);
          Append(out, " on host "sv);
          AppendHost(out, host);
          break;
        case 4:
          Append(out, " INFO storage.MemoryStore: MemoryStore started with capacity "sv);
          AppendByteString(out, (8ULL << 30) + (seed % 1024) * (10ULL << 20));
          break;
        case 5:
          Append(out,
                 " INFO storage.DiskBlockManager: Created local directory at "
                 "/mnt/yarn/usercache/spark/appcache/application_"sv);
          AppendUint(out, 1'485'248'649'253 + seed % 1'000'000);
          Append(out, "_0147/blockmgr-"sv);
          {
            const uint64_t high = rng_();  // two statements: argument order is unspecified
            AppendUuid(out, high, rng_());
          }
          break;
        case 6:
          Append(out, " INFO util.Utils: Successfully started service '"sv);
          Append(out, (v >> 3) % 2 == 0
                          ? "org.apache.spark.network.netty.NettyBlockTransferService"sv
                          : "sparkExecutorActorSystem"sv);
          Append(out, "' on port "sv);
          AppendUint(out, 32'768 + (v >> 4) % 28'000);
          out.push_back('.');
          break;
        default:
          Append(out, " INFO storage.BlockManagerMaster: Registered BlockManager"sv);
          break;
      }
      break;
  }
  return time_ns;
}

}  // namespace sluice::common
