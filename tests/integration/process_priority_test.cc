// `priority:` with the real binary: every thread of `sluice run` (the admin API's, the pipeline's,
// librdkafka's would be too) runs with the configured nice value, scheduling policy and I/O class,
// read back from /proc/PID/task and ioprio_get; a setting the kernel refuses is a warning.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/sluice_process.h"
#include "tests/integration/subprocess.h"

namespace sluice::testing {
namespace {

struct ThreadPriority {
  std::string name;
  int nice = 0;
  int policy = -1;
  int io_class = -1;
};

// Every thread of process `pid`, with its nice value and policy (/proc/PID/task/TID/stat fields
// 19 and 41) and its I/O class (ioprio_get, the class in bits 13 and up).
std::vector<ThreadPriority> Threads(int pid) {
  std::vector<ThreadPriority> threads;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream stat(task.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    ThreadPriority t;
    t.name = text.substr(text.find('(') + 1, close - text.find('(') - 1);
    std::istringstream fields(text.substr(close + 2));
    std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
    if (f.size() < 39) continue;
    t.nice = std::stoi(f[19 - 3]);
    t.policy = std::stoi(f[41 - 3]);
    const int tid = std::stoi(task.path().filename().string());
    const long io = ::syscall(SYS_ioprio_get, /*IOPRIO_WHO_PROCESS=*/1, tid);
    t.io_class = io < 0 ? -1 : static_cast<int>(io >> 13);
    threads.push_back(t);
  }
  return threads;
}

class ProcessPriorityTest : public SluiceProcessTest {
 protected:
  void SetUp() override { MakeDir("process_priority"); }
};

TEST_F(ProcessPriorityTest, EveryThreadRunsWithTheConfiguredPriority) {
  const std::string cfg =
      WriteConfig("nice",
                  "priority: {nice: 7, cpu_scheduling: batch, io_class: idle}\n"
                  "pipelines:\n  p:\n    workers: 2\n    inputs: [{type: stdin}]\n"
                  "    outputs: [{type: blackhole}]\n");
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, dir_ / "run", /*stdin_pipe=*/true);
  ASSERT_GT(WaitForAdminPort(p), 0) << p.Stderr();
  ASSERT_TRUE(WaitUntil([&] { return ReadyStatus(p) == 200; }, std::chrono::seconds(30)))
      << p.Stderr();
  const std::vector<ThreadPriority> threads = Threads(p.pid());
  EXPECT_GE(threads.size(), 3u);  // main, admin API, pipeline threads
  for (const ThreadPriority& t : threads) {
    EXPECT_EQ(t.nice, 7) << t.name;
    EXPECT_EQ(t.policy, 3) << t.name;    // SCHED_BATCH
    EXPECT_EQ(t.io_class, 3) << t.name;  // IOPRIO_CLASS_IDLE
  }
  p.CloseStdin();
  EXPECT_EQ(p.WaitFor(std::chrono::seconds(30)), 0) << p.Stderr();
  EXPECT_EQ(p.Stderr().find("priority."), std::string::npos) << p.Stderr();  // no warning
}

// A nice value below the current one needs CAP_SYS_NICE: without it (dropped from the bounding
// set by setpriv, so that root loses it too), a warning, and the agent runs at its current
// priority.
TEST_F(ProcessPriorityTest, ARefusedSettingIsAWarningNotAFailure) {
  const std::string cfg = WriteConfig(
      "refused",
      "priority: {nice: -5}\npipelines:\n  p:\n    inputs: [{type: generate, count: 10}]\n"
      "    outputs: [{type: blackhole}]\n");
  Subprocess p(
      {"/usr/bin/setpriv", "--bounding-set=-sys_nice", "--", SLUICE_BINARY, "run", "-c", cfg},
      dir_ / "refused");
  EXPECT_EQ(p.WaitFor(std::chrono::seconds(60)), 0) << p.Stderr();
  EXPECT_NE(p.Stderr().find("WARN priority.nice: cannot set -5 (Permission denied); left at 0"),
            std::string::npos)
      << p.Stderr();
}

TEST_F(ProcessPriorityTest, OutOfRangeValuesAreConfigErrors) {
  const std::string cfg =
      WriteConfig("range",
                  "priority: {nice: 25, io_priority: 9, cpu_scheduling: fifo}\npipelines:\n  p:\n"
                  "    inputs: [{type: stdin}]\n    outputs: [{type: blackhole}]\n");
  std::string out, err;
  EXPECT_EQ(RunCommand({SLUICE_BINARY, "validate", "-c", cfg}, &out, &err), 1) << err;
  EXPECT_NE(err.find("priority.nice"), std::string::npos) << err;
  EXPECT_NE(err.find("priority.io_priority"), std::string::npos) << err;
  EXPECT_NE(err.find("normal, batch, idle"), std::string::npos) << err;
}

}  // namespace
}  // namespace sluice::testing
