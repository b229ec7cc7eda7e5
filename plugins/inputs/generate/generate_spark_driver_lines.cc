// INFO lines of the driver's schedulers: scheduler.TaskSetManager starting and finishing tasks and
// scheduler.DAGScheduler submitting stages and finishing jobs (see generate_spark_lines.h).

#include <cstdint>
#include <string>
#include <string_view>

#include "plugins/inputs/generate/generate_spark_lines.h"

namespace sluice::inputs::generate {

using std::string_view_literals::operator""sv;

void AppendTaskSetStarting(std::string& out, const SparkLine& line) {
  const uint64_t v = line.v;
  Append(out, " INFO scheduler.TaskSetManager: Starting "sv);
  AppendTaskRef(out, line.task, 0);
  Append(out, ", "sv);
  AppendHost(out, line.host);
  Append(out, ", executor "sv);
  AppendUint(out, 1 + v % 64);
  Append(out, ", partition "sv);
  AppendUint(out, line.task.index);
  Append(out, v % 8 == 0 ? ", NODE_LOCAL, "sv : ", PROCESS_LOCAL, "sv);
  AppendUint(out, 2000 + (v >> 6) % 400);
  Append(out, " bytes)"sv);
}

void AppendTaskSetFinished(std::string& out, const SparkLine& line) {
  const uint64_t v = line.v;
  Append(out, " INFO scheduler.TaskSetManager: Finished "sv);
  AppendTaskRef(out, line.task, 0);
  Append(out, ") in "sv);
  AppendUint(out, 30 + (v >> 6) % 3000);
  Append(out, " ms on "sv);
  AppendHost(out, line.host);
  Append(out, " (executor "sv);
  AppendUint(out, 1 + v % 64);
  Append(out, ") ("sv);
  AppendUint(out, line.task.index + 1);
  out.push_back('/');
  AppendUint(out, kTasksPerStage);
  out.push_back(')');
}

void AppendDagScheduler(std::string& out, const SparkLine& line) {
  const uint64_t v = line.v;
  const uint64_t stage = line.task.stage;
  switch (v % 4) {
    case 0:
      Append(out, " INFO scheduler.DAGScheduler: Submitting "sv);
      AppendUint(out, kTasksPerStage);
      Append(out, " missing tasks from ResultStage "sv);
      AppendUint(out, stage);
      Append(out, " (PythonRDD["sv);
      AppendUint(out, stage * 3 + 2);
      Append(out, "] at collect at /home/spark/jobs/etl.py:42)"sv);
      break;
    case 1:
      Append(out, " INFO scheduler.DAGScheduler: ResultStage "sv);
      AppendUint(out, stage);
      Append(out, " (collect at /home/spark/jobs/etl.py:42) finished in "sv);
      AppendSeconds(out, (v >> 2) % 20, (v >> 8) % 1000, 3);
      break;
    case 2:
      Append(out, " INFO scheduler.DAGScheduler: Job "sv);
      AppendUint(out, stage);
      Append(out, " finished: collect at /home/spark/jobs/etl.py:42, took "sv);
      AppendSeconds(out, (v >> 2) % 20, (v >> 8) % 1'000'000, 6);
      break;
    default:
      Append(out, " INFO scheduler.DAGScheduler: Got job "sv);
      AppendUint(out, stage);
      Append(out, " (collect at /home/spark/jobs/etl.py:42) with "sv);
      AppendUint(out, kTasksPerStage);
      Append(out, " output partitions"sv);
      break;
  }
}

}  // namespace sluice::inputs::generate
