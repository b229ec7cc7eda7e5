// The kinds of line the Spark log generator writes, one function each: SparkLogGenerator::Next
// (generate_spark_log.cc) draws the numbers of a record and picks the kind; the function appends
// the record's text after its timestamp (from " LEVEL logger: ", no trailing newline; a stack trace
// adds its lines joined with '\n'). The functions draw no random numbers except where they take the
// generator's Rng, so the bytes depend only on the draws in Next. Internal to the generate input.
// Grouped by file: generate_spark_executor_lines.cc (executor tasks, Python runner, output
// committer, executor startup), generate_spark_storage_lines.cc (block manager, memory store,
// broadcasts, shuffle), generate_spark_driver_lines.cc (scheduler and DAG scheduler),
// generate_spark_errors.cc (one-line WARN and ERROR records), generate_spark_traces.cc (WARN and
// ERROR records with a Java stack trace).
// Thread-safety: pure functions of their arguments.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "plugins/inputs/generate/generate_spark_format.h"

namespace sluice::inputs::generate {

using Rng = std::mt19937_64;

// The numbers one record is written from, all drawn before its text.
struct SparkLine {
  uint64_t r;        // the record's random word: kind choice and small numbers, used in pieces
  uint64_t v;        // r >> 10: the bits an INFO line's numbers come from
  uint64_t host;     // 1 to kHosts
  uint64_t seed;     // the generator's seed (driver port, application ids)
  Task task;         // the task the line talks about
  int64_t start_ns;  // the generator's start time (Hadoop job ids)
};

// generate_spark_executor_lines.cc: INFO lines of executor.Executor, CoarseGrainedExecutorBackend,
// python.PythonRunner, the output committer and HadoopRDD.
void AppendRunningTask(std::string& out, const SparkLine& line);
void AppendFinishedTask(std::string& out, const SparkLine& line);
void AppendPythonTimes(std::string& out, const SparkLine& line);
// `task_number` is the task the executor was just assigned.
void AppendGotAssigned(std::string& out, uint64_t task_number);
void AppendCommitterVersion(std::string& out, const SparkLine& line);
void AppendCommitterSaved(std::string& out, const SparkLine& line);
void AppendCommitted(std::string& out, const SparkLine& line);
void AppendInputSplit(std::string& out, const SparkLine& line);
void AppendSecurityManager(std::string& out, const SparkLine& line);
// One of the lines of an executor's start; one of them draws a directory id from `rng`.
void AppendStartup(std::string& out, const SparkLine& line, Rng& rng);

// generate_spark_storage_lines.cc: INFO lines of the block manager, memory store, cache manager,
// broadcasts, map output tracker and shuffle fetcher.
void AppendFoundBlock(std::string& out, const SparkLine& line);
// `bytes`: a block stored serialized ("as bytes") rather than deserialized ("as values").
void AppendMemoryStoreBlock(std::string& out, const SparkLine& line, bool bytes);
void AppendCacheNotFound(std::string& out, const SparkLine& line);
void AppendBroadcastStart(std::string& out, const SparkLine& line);
void AppendBroadcastTook(std::string& out, const SparkLine& line);
void AppendMapOutputTracker(std::string& out, const SparkLine& line);
void AppendShuffleFetcher(std::string& out, const SparkLine& line);

// generate_spark_driver_lines.cc: INFO lines of scheduler.TaskSetManager and DAGScheduler.
void AppendTaskSetStarting(std::string& out, const SparkLine& line);
void AppendTaskSetFinished(std::string& out, const SparkLine& line);
void AppendDagScheduler(std::string& out, const SparkLine& line);

// generate_spark_errors.cc: one-line WARN and ERROR records, the template chosen by `line.r`.
void AppendWarning(std::string& out, const SparkLine& line);
void AppendError(std::string& out, const SparkLine& line);

// generate_spark_traces.cc: WARN and ERROR records with a multi-line Java stack trace.
// A task lost after a shuffle fetch failure, three exceptions deep.
void AppendLostTaskFetchFailed(std::string& out, const SparkLine& line);
// A task lost to a connection reset.
void AppendLostTaskConnectionReset(std::string& out, const SparkLine& line);
// An executor-side transport warning.
void AppendTransportWarning(std::string& out, const SparkLine& line);
// A block fetch that failed to connect (ERROR).
void AppendBlockFetchFailed(std::string& out, const SparkLine& line);
// The driver giving up on the job (ERROR).
void AppendJobAborted(std::string& out, const SparkLine& line);

}  // namespace sluice::inputs::generate
