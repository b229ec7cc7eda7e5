// The disk under the disk buffer full: writes to data_dir fail while numbered Spark lines keep
// coming. The buffer must hold the output and, through it, the input (backpressure: /ready 503,
// `sluice_buffer_write_errors_total` growing every second, one log line saying why), take nothing
// half-written, and once space returns resume by itself: every line delivered once, no corrupt
// record. The sink is tests/tools/es_test_server (the Elasticsearch stand-in), which writes no
// file of the agent's.
//
// How the disk fills, by what the machine allows (printed, and recorded as the test's property
// `enospc_mechanism`):
// - ENOSPC (preferred): the agent runs in a user and mount namespace of its own (`unshare --user
//   --map-root-user --mount`), with data_dir on a 4 MiB tmpfs mounted there; the test reaches
//   that mount through /proc/<agent pid>/root and fills it with a ballast file, then deletes it.
// - EFBIG, where namespaces are not allowed (some CI sandboxes): RLIMIT_FSIZE set on the running
//   agent (prlimit(2)) below the size of its active segment, raised again afterwards. A write
//   past the limit raises SIGXFSZ, whose default action kills the process: the agent is started
//   by `sh -c "trap '' XFSZ; exec ..."`, so it inherits the signal ignored and sees EFBIG.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tests/chaos/chaos_agent.h"
#include "tests/integration/es_server.h"

namespace sluice::testing::agent_chaos {
namespace {

constexpr uint64_t kBefore = 200;   // lines delivered before the disk fills (~45 KB of records)
constexpr uint64_t kDuring = 3000;  // lines written while it is full (~700 KB of records)
constexpr char kUnshare[] = "/usr/bin/unshare";
constexpr uint64_t kFileSizeLimit = 128 << 10;  // below the segment size (256 KiB): never rolled

class AgentBufferDiskFullTest : public ChaosAgentTest {
 protected:
  void SetUp() override {
    MakeDir("sluice_chaos_disk_full");
    fs::create_directories(dir_ / "logs");
    fs::create_directories(dir_ / "es");
    fs::create_directories(dir_ / "tmpfs");
  }
  static std::string BufferSeries(const std::string& name) {
    return OutputSeries(name, "a", "elasticsearch", "es");
  }

  // Whether this machine lets the test mount a tmpfs in a user and mount namespace of its own;
  // `why` says why not.
  bool NamespacesWork(std::string* why) {
    if (!fs::exists(kUnshare)) {
      *why = std::string(kUnshare) + " is missing";
      return false;
    }
    const fs::path run = dir_ / "probe";
    fs::create_directories(run / "mnt");
    Subprocess probe({kUnshare, "--user", "--map-root-user", "--mount", "/bin/sh", "-c",
                      "mount -t tmpfs -o size=1m tmpfs \"$0\"", (run / "mnt").string()},
                     run);
    const int code = probe.WaitFor(seconds(30));
    *why = "unshare and mount exited " + std::to_string(code) + ": " + probe.Stderr();
    return code == 0;
  }

  // Fills the tmpfs at `dir` with the file `ballast`. Refuses (false, with `why`) unless `dir` is
  // a tmpfs of at most 16 MiB, so that a wrong path can never fill a real disk; writes at most
  // what statfs says is free.
  static bool FillTmpfs(const fs::path& dir, const fs::path& ballast, std::string* why) {
    struct statfs st {};
    if (::statfs(dir.c_str(), &st) != 0) {
      *why = "statfs " + dir.string() + ": " + std::strerror(errno);
      return false;
    }
    const uint64_t total = static_cast<uint64_t>(st.f_blocks) * st.f_bsize;
    if (st.f_type != TMPFS_MAGIC || total > (16u << 20)) {
      *why = dir.string() + " is not the test's small tmpfs (type " + std::to_string(st.f_type) +
             ", " + std::to_string(total) + " bytes)";
      return false;
    }
    uint64_t left = static_cast<uint64_t>(st.f_bavail) * st.f_bsize;
    const int fd = ::open(ballast.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      *why = "open " + ballast.string() + ": " + std::strerror(errno);
      return false;
    }
    const std::string zeros(64 << 10, '\0');
    while (left > 0) {
      const ssize_t n = ::write(fd, zeros.data(), std::min<uint64_t>(left, zeros.size()));
      if (n <= 0) break;  // ENOSPC on the last page: full
      left -= static_cast<uint64_t>(n);
    }
    ::close(fd);
    return true;
  }
};

TEST_F(AgentBufferDiskFullTest, FullDiskHoldsTheInputAndRecoversWithoutLoss) {
  std::string why_not;
  const bool tmpfs = NamespacesWork(&why_not);
  const std::string mechanism =
      tmpfs ? "ENOSPC: data_dir on a 4 MiB tmpfs in the agent's own user+mount namespace, filled "
              "by a ballast file"
            : "EFBIG: RLIMIT_FSIZE on the agent (SIGXFSZ ignored), since namespaces are not "
              "available here (" +
                  why_not + ")";
  std::printf("[   INFO   ] full disk by %s\n", mechanism.c_str());
  RecordProperty("enospc_mechanism", tmpfs ? "tmpfs" : "rlimit_fsize");

  EsServer es(dir_ / "es");
  const fs::path log = dir_ / "logs" / "app.log";
  const fs::path tmpfs_dir = dir_ / "tmpfs";
  // max_inflight_bytes: 256KiB, so that the input has to stop before it read every line written
  // while the disk is full (the backpressure checked below).
  const std::string config = AgentConfig(
      "agent", "tmpfs/data",
      "pipelines:\n  a:\n    max_inflight_bytes: 256KiB\n    inputs:\n      - type: file\n"
      "        include: ['" +
          (dir_ / "logs" / "*.log").string() +
          "']\n        scan_interval: 200ms\n"
          "    outputs:\n      - type: elasticsearch\n        id: es\n        hosts: ['" +
          es.url() +
          "']\n        flush_interval: 200ms\n        max_backoff: 1s\n"
          "        buffer: {type: disk, max_size: 2MiB}\n");
  const std::vector<std::string> wrapper =
      tmpfs ? std::vector<std::string>{kUnshare,
                                       "--user",
                                       "--map-root-user",
                                       "--mount",
                                       "/bin/sh",
                                       "-c",
                                       "mount -t tmpfs -o size=4m tmpfs \"$0\" && exec \"$@\"",
                                       tmpfs_dir.string()}
            : std::vector<std::string>{"/bin/sh", "-c", "trap '' XFSZ; exec \"$@\"", "sh"};
  auto agent = StartAgent(config, "agent", wrapper);
  const pid_t pid = LastAgentPid();
  ASSERT_GT(pid, 0) << agent->Stderr();
  ASSERT_GT(WaitForAdminPort(*agent), 0) << agent->Stderr();
  AppendSparkLines(log, "app", 0, kBefore);
  ASSERT_TRUE(
      WaitUntil([&] { return es.Stat("docs") >= static_cast<int64_t>(kBefore); }, kLongWait))
      << agent->Stderr();
  ASSERT_EQ(ReadyStatus(*agent), 200) << agent->Stderr();

  // The disk fills up.
  const fs::path in_namespace =
      fs::path("/proc/" + std::to_string(pid) + "/root") / tmpfs_dir.relative_path();
  if (tmpfs) {
    std::string why;
    ASSERT_TRUE(FillTmpfs(in_namespace, in_namespace / "ballast", &why)) << why;
  } else {
    const rlimit limit{kFileSizeLimit, RLIM_INFINITY};
    ASSERT_EQ(::prlimit(pid, RLIMIT_FSIZE, &limit, nullptr), 0) << std::strerror(errno);
  }
  AppendSparkLines(log, "app", kBefore, kDuring);
  const uint64_t total = kBefore + kDuring;

  // Backpressure: a buffer write fails, /ready says unready, and the log says why.
  ASSERT_TRUE(WaitForAtLeast(*agent, BufferSeries("sluice_buffer_write_errors_total"), 1))
      << agent->Stderr();
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*agent) == 503; }, seconds(30)));
  // It retries every second and takes nothing in meanwhile; the input stops reading.
  const double held = Metric(*agent, BufferSeries("sluice_buffer_written_events_total"));
  const double errors = Metric(*agent, BufferSeries("sluice_buffer_write_errors_total"));
  ASSERT_TRUE(WaitForAtLeast(*agent, BufferSeries("sluice_buffer_write_errors_total"), errors + 2))
      << agent->Stderr();
  EXPECT_EQ(Metric(*agent, BufferSeries("sluice_buffer_written_events_total")), held);
  EXPECT_TRUE(WaitForAtLeast(*agent, "sluice_pipeline_backpressure_waits_total{pipeline=\"a\"}", 1,
                             seconds(30)));
  const double read =
      Metric(*agent, Series("sluice_file_input_read_lines_total", "a", "input", "file"));
  EXPECT_LT(read, static_cast<double>(total)) << "the input kept reading while the disk was full";
  EXPECT_EQ(ReadyStatus(*agent), 503);
  const std::string error_text = tmpfs ? "No space left on device" : "File too large";
  const std::string stderr_full = agent->Stderr();
  EXPECT_NE(stderr_full.find(error_text +
                             "; holding the output (backpressure) and retrying every second"),
            std::string::npos)
      << stderr_full;
  const int64_t docs_while_full = es.Stat("docs");

  // Space again.
  if (tmpfs) {
    ASSERT_TRUE(fs::remove(in_namespace / "ballast"));
  } else {
    const rlimit limit{RLIM_INFINITY, RLIM_INFINITY};
    ASSERT_EQ(::prlimit(pid, RLIMIT_FSIZE, &limit, nullptr), 0) << std::strerror(errno);
  }
  ASSERT_TRUE(WaitUntil([&] { return es.Stat("docs") >= static_cast<int64_t>(total); }, kLongWait))
      << es.Stat("docs") << " documents of " << total << "\n"
      << agent->Stderr();
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*agent) == 200; }, seconds(60)))
      << agent->Stderr();
  EXPECT_NE(agent->Stderr().find("writing again"), std::string::npos) << agent->Stderr();
  const double corrupt = Metric(*agent, BufferSeries("sluice_buffer_corrupt_records_total"));
  const double write_errors = Metric(*agent, BufferSeries("sluice_buffer_write_errors_total"));
  Stop(*agent);

  const Delivery delivery = Count(EsDocuments(es), "app", total);
  // Nothing was killed and no batch failed: the batch whose write failed is written again by the
  // buffer itself (it was neither acked nor failed to the input, which reads nothing twice), and
  // a failed write leaves nothing behind to be read back. Duplicates are not expected: bound 0
  // (resends would show as Elasticsearch versions above 1, other copies as a second id).
  std::printf(
      "[   INFO   ] disk full: %.0f failed buffer writes, %lld of %llu lines delivered while full; "
      "after: lost = %llu, duplicated = %llu (bound 0), corrupt records %.0f\n",
      write_errors, static_cast<long long>(docs_while_full), static_cast<unsigned long long>(total),
      static_cast<unsigned long long>(delivery.report.total.lost),
      static_cast<unsigned long long>(delivery.report.total.duplicates), corrupt);
  EXPECT_EQ(delivery.report.total.lost, 0u) << delivery.ToString();
  EXPECT_EQ(delivery.report.total.duplicates, 0u) << delivery.ToString();
  EXPECT_EQ(delivery.report.malformed + delivery.report.unexpected, 0u) << delivery.ToString();
  EXPECT_EQ(corrupt, 0);
}

}  // namespace
}  // namespace sluice::testing::agent_chaos
