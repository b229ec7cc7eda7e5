// INFO lines of the executor side: tasks run and finished, the Python runner's timings, the output
// committer, HadoopRDD input splits and the executor's start (see generate_spark_lines.h).

#include <cstdint>
#include <string>
#include <string_view>

#include "plugins/inputs/generate/generate_spark_lines.h"

namespace sluice::inputs::generate {
namespace {

using std::string_view_literals::operator""sv;

// "201706092010_0001_m_000003": a Hadoop task id after its "task_" prefix, or a task attempt id
// after "attempt_" and without its attempt number.
void AppendAttemptBase(std::string& out, const SparkLine& line) {
  AppendJobTrackerId(out, line.start_ns);
  out.push_back('_');
  AppendPadded(out, line.task.stage % 10'000, 4);
  Append(out, "_m_"sv);
  AppendPadded(out, line.task.index, 6);
}

// "attempt_201706092010_0001_m_000003_12": a Hadoop task attempt id, the TID its attempt number.
void AppendAttempt(std::string& out, const SparkLine& line) {
  Append(out, "attempt_"sv);
  AppendAttemptBase(out, line);
  out.push_back('_');
  AppendUint(out, line.task.tid);
}

}  // namespace

void AppendRunningTask(std::string& out, const SparkLine& line) {
  Append(out, " INFO executor.Executor: Running "sv);
  AppendTaskRef(out, line.task, 0);
  out.push_back(')');
}

void AppendFinishedTask(std::string& out, const SparkLine& line) {
  Append(out, " INFO executor.Executor: Finished "sv);
  AppendTaskRef(out, line.task, 0);
  Append(out, "). "sv);
  AppendUint(out, 1900 + line.v % 1200);
  Append(out, " bytes result sent to driver"sv);
}

void AppendPythonTimes(std::string& out, const SparkLine& line) {
  const uint64_t v = line.v;
  // Either a cold worker (boot dominates) or a reused one (boot often negative, as Spark's clock
  // arithmetic prints it); total = boot + init + finish.
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
}

void AppendGotAssigned(std::string& out, uint64_t task_number) {
  Append(out, " INFO executor.CoarseGrainedExecutorBackend: Got assigned task "sv);
  AppendUint(out, task_number);
}

void AppendCommitterVersion(std::string& out, const SparkLine& line) {
  Append(out, " INFO output.FileOutputCommitter: File Output Committer Algorithm version is "sv);
  out.push_back(line.v % 4 == 0 ? '2' : '1');
}

void AppendCommitterSaved(std::string& out, const SparkLine& line) {
  Append(out, " INFO output.FileOutputCommitter: Saved output of task '"sv);
  AppendAttempt(out, line);
  Append(out, "' to hdfs://10.0.0.5:8020/user/spark/output/events/_temporary/0/task_"sv);
  AppendAttemptBase(out, line);
}

void AppendCommitted(std::string& out, const SparkLine& line) {
  Append(out, " INFO mapred.SparkHadoopMapRedUtil: "sv);
  AppendAttempt(out, line);
  Append(out, ": Committed"sv);
}

void AppendInputSplit(std::string& out, const SparkLine& line) {
  const uint64_t split = 7292 + line.seed % 100'000;
  Append(out, " INFO rdd.HadoopRDD: Input split: hdfs://10.0.0.5:8020/data/events/part-"sv);
  AppendPadded(out, line.task.stage % 100'000, 5);
  Append(out, ".log:"sv);
  AppendUint(out, line.task.index * split);
  out.push_back('+');
  AppendUint(out, split);
}

void AppendSecurityManager(std::string& out, const SparkLine& line) {
  switch (line.v % 3) {
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
}

void AppendStartup(std::string& out, const SparkLine& line, Rng& rng) {
  const uint64_t v = line.v;
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
      AppendDriver(out, line.seed);
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
      AppendHost(out, line.host);
      break;
    case 4:
      Append(out, " INFO storage.MemoryStore: MemoryStore started with capacity "sv);
      AppendByteString(out, (8ULL << 30) + (line.seed % 1024) * (10ULL << 20));
      break;
    case 5: {
      Append(out,
             " INFO storage.DiskBlockManager: Created local directory at "
             "/mnt/yarn/usercache/spark/appcache/application_"sv);
      AppendUint(out, 1'485'248'649'253 + line.seed % 1'000'000);
      Append(out, "_0147/blockmgr-"sv);
      const uint64_t high = rng();  // two statements: argument order is unspecified
      AppendUuid(out, high, rng());
      break;
    }
    case 6:
      Append(out, " INFO util.Utils: Successfully started service '"sv);
      Append(out, (v >> 3) % 2 == 0 ? "org.apache.spark.network.netty.NettyBlockTransferService"sv
                                    : "sparkExecutorActorSystem"sv);
      Append(out, "' on port "sv);
      AppendUint(out, 32'768 + (v >> 4) % 28'000);
      out.push_back('.');
      break;
    default:
      Append(out, " INFO storage.BlockManagerMaster: Registered BlockManager"sv);
      break;
  }
}

}  // namespace sluice::inputs::generate
