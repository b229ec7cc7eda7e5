// The agent's Kafka unreachable for 30 s, with `buffer: {type: disk}` on the kafka output, while
// a writer keeps appending numbered Spark lines and the source file is rotated away (renamed, a
// new one created) and deleted, as YARN deletes a finished container's logs. The disk buffer
// takes the events off the input's hands: the input reads the deleted file to its end and lets it
// go while Kafka is still down. Afterwards every line is in the topic, read back by kcat (an
// outside client), and the agent's open descriptors stayed bounded throughout.
//
// Kafka is tests/tools/kafka_mock_cluster (librdkafka's mock cluster in a process of its own) with
// every broker set down (`down N`: connections are closed and refused). It is not killed: the mock
// keeps its topics in memory, so a cluster restarted after a kill would have lost what the agent
// delivered before the outage, and the count could not tell the agent's losses from the mock's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tests/chaos/chaos_agent.h"
#include "tests/integration/kafka_mock.h"

namespace sluice::testing::agent_chaos {
namespace {

constexpr char kKcat[] = "/usr/bin/kcat";
constexpr seconds kOutage{30};
// When, in the outage, the source is rotated away and deleted.
constexpr seconds kRotateAt{5};

class AgentKafkaOutageTest : public ChaosAgentTest {
 protected:
  void SetUp() override {
    SLUICE_REQUIRE_PEER(fs::exists(kKcat), "kcat not installed (scripts/deps.sh installs it)");
    MakeDir("sluice_chaos_kafka");
    logs_ = dir_ / "logs";
    fs::create_directories(logs_);
    fs::create_directories(dir_ / "kafka");
  }
  static std::string BufferSeries(const std::string& name) {
    return OutputSeries(name, "a", "kafka", "kafka");
  }
  // Every message of topic `spark`, as kcat consumes it.
  std::vector<std::string> Consume(const std::string& bootstrap) {
    const fs::path out = dir_ / "kcat.out";
    const std::string cmd = std::string(kKcat) + " -C -b " + bootstrap + " -t spark -e -q >" +
                            out.string() + " 2>" + (dir_ / "kcat.err").string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << ReadFile(dir_ / "kcat.err");
    return ReadLines(out);
  }

  fs::path logs_;
};

TEST_F(AgentKafkaOutageTest, KafkaDownThirtySecondsWhileTheSourceIsRotatedAndDeletedLosesNothing) {
  MockCluster cluster(dir_ / "kafka", {"spark:4:1"});
  const fs::path log = logs_ / "app.log";
  const fs::path rotated = logs_ / "app.log.1";
  Touch(log);
  // max_inflight_bytes bounds what can be in flight between the buffer and Kafka (the duplicate
  // bound below); max_size leaves the whole test's lines room (~10 MB of records).
  const std::string config = AgentConfig(
      "agent", "data",
      "pipelines:\n  a:\n    max_inflight_bytes: 1MiB\n    inputs:\n      - type: file\n"
      "        include: ['" +
          (logs_ / "*.log").string() +
          "']\n        scan_interval: 200ms\n        rotate_wait: 1s\n"
          "    outputs:\n      - type: kafka\n        brokers: " +
          cluster.bootstrap() +
          "\n        topic: spark\n        encoding: raw\n"
          "        buffer: {type: disk, max_size: 256MiB}\n");

  // ~1,000 lines a second; the writer reopens app.log after the rename, as log4j does.
  SparkWriter writer(log, "app", 10, milliseconds(10), /*reopen=*/true);
  auto agent = StartAgent(config, "agent");
  const pid_t pid = LastAgentPid();
  ASSERT_GT(pid, 0) << agent->Stderr();
  ASSERT_GT(WaitForAdminPort(*agent), 0) << agent->Stderr();
  // Delivering: Kafka has taken events out of the buffer.
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::this_thread::sleep_for(milliseconds(20));  // polling pace
        const double written = Metric(*agent, BufferSeries("sluice_buffer_written_events_total"));
        return written >= 2000 &&
               Metric(*agent, BufferSeries("sluice_buffer_events")) < written - 1000;
      },
      kLongWait))
      << agent->Stderr();
  ASSERT_EQ(ReadyStatus(*agent), 200);
  const size_t fds_before = OpenFiles(pid).size();

  // The outage.
  for (int b = 1; b <= 3; ++b) cluster.Command("down " + std::to_string(b));
  const auto outage = Clock::now();
  bool renamed = false, deleted = false, released = false, unready = false;
  double released_after = -1;
  Clock::time_point deleted_at;
  size_t fds_max = 0;
  std::vector<std::string> fds_at_max;
  while (Clock::now() < outage + kOutage) {
    std::vector<std::string> files = OpenFiles(pid);
    if (files.size() > fds_max) {
      fds_max = files.size();
      fds_at_max = files;
    }
    unready = unready || ReadyStatus(*agent) == 503;
    if (!renamed && Clock::now() >= outage + kRotateAt) {
      fs::rename(log, rotated);
      Touch(log);
      renamed = true;
    }
    if (renamed && !deleted && writer.reopens() >= 1) {  // nothing more goes to app.log.1
      fs::remove(rotated);
      deleted = true;
      deleted_at = Clock::now();
    }
    if (deleted && !released && DeletedFilesOpen(pid).empty()) {
      released = true;
      released_after = std::chrono::duration<double>(Clock::now() - deleted_at).count();
    }
    std::this_thread::sleep_for(milliseconds(100));  // sampling pace; the outage is timed
  }
  const std::vector<std::string> held = DeletedFilesOpen(pid);
  for (int b = 1; b <= 3; ++b) cluster.Command("up " + std::to_string(b));
  writer.Stop();
  const uint64_t written = writer.written();

  EXPECT_TRUE(unready) << "/ready stayed 200 with every broker down";
  ASSERT_TRUE(deleted) << "the writer never reopened app.log after the rename";
  // The buffer took the deleted file's lines while Kafka was down: the input read it to its end
  // and closed it (a memory buffer would have held it open, blocked, until close_removed_after).
  EXPECT_TRUE(released) << "still open at the end of the outage:\n"
                        << ::testing::PrintToString(held) << "\n"
                        << agent->Stderr();

  // Kafka is back: everything written reaches the buffer, and from it the topic.
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::this_thread::sleep_for(milliseconds(20));  // polling pace
        return Metric(*agent, BufferSeries("sluice_buffer_written_events_total")) >=
                   static_cast<double>(written) &&
               Metric(*agent, BufferSeries("sluice_buffer_events")) == 0;
      },
      kLongWait))
      << Metrics(*agent) << agent->Stderr();
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*agent) == 200; }, seconds(60)));
  Stop(*agent);

  SequenceChecker checker;
  checker.Expect("app", written);
  checker.AddAll(Consume(cluster.bootstrap()));
  const SequenceReport report = checker.Report();
  // Nothing was killed, and the producer is idempotent with message.timeout.ms=0 (it retries
  // without limit, so the buffer never has a batch to send again): duplicates are not expected.
  // The bound is what could be in flight from the buffer to Kafka if the producer had to be
  // replaced (a fatal idempotence error re-produces what it had not confirmed): max_inflight_bytes
  // (1 MiB) of batch memory, where each event takes its ~105-byte line plus its ~80-byte slot, so
  // at most 1 MiB / 180 B events.
  const uint64_t bound = (1u << 20) / 180;
  std::printf(
      "[   INFO   ] Kafka down %llds with the source rotated and deleted: %llu lines written; "
      "lost = %llu, duplicated = %llu (bound %llu)\n"
      "[   INFO   ] open descriptors: %zu before the outage, at most %zu during it; the deleted "
      "source was let go %.1f s after its deletion\n",
      static_cast<long long>(kOutage.count()), static_cast<unsigned long long>(written),
      static_cast<unsigned long long>(report.total.lost),
      static_cast<unsigned long long>(report.total.duplicates),
      static_cast<unsigned long long>(bound), fds_before, fds_max, released_after);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_LE(report.total.duplicates, bound) << report.ToString();
  EXPECT_EQ(report.malformed + report.unexpected, 0u) << report.ToString();
  // Descriptors do not pile up while the brokers refuse connections: librdkafka holds at most one
  // socket per broker (3) as it reconnects, the input the renamed file and the new one (+1), the
  // buffer a new segment and its reader (+2); 8 more than before the outage covers that.
  EXPECT_LE(fds_max, fds_before + 8) << ::testing::PrintToString(fds_at_max);
}

}  // namespace
}  // namespace sluice::testing::agent_chaos
