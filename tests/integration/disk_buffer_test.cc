// An output's disk buffer in a running agent (file input → elasticsearch with `buffer: {type:
// disk}`): the sink is down, the source file is deleted and the agent is SIGKILLed, all while the
// events exist only in the buffer; a restart with the sink back delivers each exactly once. And a
// config reload that replaces the pipeline while the sink is down: the new pipeline takes over the
// buffer and the file's checkpoint. The sink is tests/tools/es_test_server, the Elasticsearch
// stand-in.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/es_server.h"
#include "tests/integration/free_port.h"
#include "tests/integration/sequence_checker.h"
#include "tests/integration/sluice_process.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// Bytes of the buffer's segment files under `data_dir`.
uint64_t SegmentBytes(const fs::path& data_dir) {
  uint64_t total = 0;
  fs::path dir = data_dir / "buffers" / "a" / "es";
  if (!fs::exists(dir)) return 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".seg") total += fs::file_size(e.path());
  }
  return total;
}

class DiskBufferTest : public SluiceProcessTest {
 protected:
  void SetUp() override { MakeDir("sluice_buffer"); }

  // file (logs/*.log) → [mutate set generation] → elasticsearch on `port` with a disk buffer.
  std::string Config(int port, const std::string& generation) {
    return WriteConfig(
        "agent",
        "shutdown_timeout: 2s\npipelines:\n  a:\n    inputs:\n      - type: file\n"
        "        include: ['" +
            (dir_ / "logs" / "*.log").string() +
            "']\n        read_from: beginning\n"
            "    filters: [{type: mutate, set: {generation: " +
            generation +
            "}}]\n"
            "    outputs:\n      - type: elasticsearch\n        id: es\n        hosts: "
            "['http://127.0.0.1:" +
            std::to_string(port) +
            "']\n        max_backoff: 1s\n        flush_interval: 200ms\n"
            "        buffer: {type: disk, max_size: 64MiB}\n");
  }
  static std::string BufferSeries(const std::string& name) {
    return name + "{pipeline=\"a\",kind=\"output\",type=\"elasticsearch\",id=\"es\"}";
  }
};

TEST_F(DiskBufferTest, SinkDownSourceDeletedAndAgentKilledLosesAndDuplicatesNothing) {
  constexpr int kLines = 20000;
  fs::create_directories(dir_ / "logs");
  fs::create_directories(dir_ / "es");
  const fs::path log = dir_ / "logs" / "app.log";
  {
    std::ofstream out(log);
    for (int i = 0; i < kLines; ++i) {
      out << "2026-12-07 10:00:00,000 INFO Executor: seq=" << i << " file=app0 finished task\n";
    }
  }
  const int port = FreePort();
  const std::string config = WriteConfig(
      "agent", "pipelines:\n  a:\n    inputs:\n      - type: file\n        include: ['" +
                   (dir_ / "logs" / "*.log").string() +
                   "']\n        read_from: beginning\n"
                   "    outputs:\n      - type: elasticsearch\n        id: es\n        hosts: "
                   "['http://127.0.0.1:" +
                   std::to_string(port) +
                   "']\n        max_backoff: 1s\n        flush_interval: 200ms\n"
                   "        buffer: {type: disk, max_size: 64MiB}\n");
  const fs::path data_dir = dir_ / "agent-data";

  // The sink is down: every line still goes to the buffer, and the input moves past it.
  auto agent = Run(config, "first");
  ASSERT_GT(WaitForAdminPort(*agent), 0) << agent->Stderr();
  ASSERT_TRUE(WaitForMetric(*agent, BufferSeries("sluice_buffer_written_events_total"), kLines,
                            std::chrono::seconds(60)))
      << agent->Stderr();
  EXPECT_EQ(Metric(*agent, BufferSeries("sluice_buffer_events")), kLines);
  EXPECT_GT(SegmentBytes(data_dir), 0u);
  // The source goes away (as YARN deletes a finished container's logs), then kill -9.
  fs::remove(log);
  agent->Signal(SIGKILL);
  agent->WaitFor(seconds(10));

  // The sink is back; the restarted agent replays the buffer.
  EsServer es(dir_ / "es", {"--port", std::to_string(port)});
  auto again = Run(config, "again");
  ASSERT_TRUE(WaitUntil([&] { return es.Stat("docs") >= kLines; }, std::chrono::seconds(120)))
      << es.Stat("docs") << " docs\n"
      << again->Stderr();
  ASSERT_TRUE(WaitForMetric(*again, BufferSeries("sluice_buffer_events"), 0)) << again->Stderr();
  SequenceChecker checker;
  checker.Expect("app0", kLines);
  std::stringstream docs(es.Get("/_test/docs"));
  for (std::string line; std::getline(docs, line);) checker.Add(MessageOf(line));
  SequenceReport report = checker.Report();
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_EQ(report.total.duplicates, 0u) << report.ToString();
  // Nothing was sent twice: every document was created once, none overwritten.
  EXPECT_EQ(es.Stat("created"), kLines);
  EXPECT_EQ(es.Stat("updated"), 0);
  again->Signal(SIGTERM);
  EXPECT_EQ(again->WaitFor(seconds(60)), 0) << again->Stderr();
  // Delivered segments are deleted: what is left is at most the last, current one.
  EXPECT_LT(SegmentBytes(data_dir), 64u << 20 >> 3);
}

// The sink is down and 5,000 lines wait in the disk buffer when a reload replaces the pipeline (a
// new filter): the old pipeline closes with its events still buffered (no error), the new one
// reopens the buffer and the file at its checkpoint. 5,000 more lines follow; once the sink is up,
// all 10,000 are stored exactly once, the later ones through the new filter.
TEST_F(DiskBufferTest, AReloadWithTheSinkDownKeepsTheBufferAndTheCheckpoint) {
  constexpr int kLines = 5000;
  fs::create_directories(dir_ / "logs");
  fs::create_directories(dir_ / "es");
  const fs::path log = dir_ / "logs" / "app.log";
  auto write = [&](int from, int to) {
    std::ofstream out(log, std::ios::app);
    for (int i = from; i < to; ++i) {
      out << "2026-12-07 10:00:00,000 INFO Executor: seq=" << i << " file=app0 finished task\n";
    }
  };
  write(0, kLines);
  const int port = FreePort();
  const std::string config = Config(port, "one");
  auto agent = Run(config, "first");
  const int admin = WaitForAdminPort(*agent);
  ASSERT_GT(admin, 0) << agent->Stderr();
  ASSERT_TRUE(
      WaitForMetric(*agent, BufferSeries("sluice_buffer_events"), kLines, std::chrono::seconds(60)))
      << agent->Stderr();

  Config(port, "two");
  httplib::Client client("127.0.0.1", admin);
  client.set_read_timeout(120);
  auto answer = client.Post("/api/v1/reload", "", "application/json");
  ASSERT_TRUE(answer) << agent->Stderr();
  ASSERT_EQ(answer->status, 200) << answer->body << agent->Stderr();
  EXPECT_NE(answer->body.find("\"replaced\":[\"a\"]"), std::string::npos) << answer->body;
  // The new pipeline's buffer holds the old one's events: its segments are still on disk.
  EXPECT_GT(Metric(*agent, BufferSeries("sluice_buffer_bytes")), 0) << agent->Stderr();
  EXPECT_GT(SegmentBytes(dir_ / "agent-data"), 0u);
  write(kLines, 2 * kLines);

  EsServer es(dir_ / "es", {"--port", std::to_string(port)});
  ASSERT_TRUE(WaitUntil([&] { return es.Stat("docs") >= 2 * kLines; }, std::chrono::seconds(120)))
      << es.Stat("docs") << " docs\n"
      << agent->Stderr();
  // The gauge counts what is in the buffer now, not what the replaced pipeline's buffer held too.
  EXPECT_TRUE(WaitForMetric(*agent, BufferSeries("sluice_buffer_events"), 0))
      << Metric(*agent, BufferSeries("sluice_buffer_events"));
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->WaitFor(seconds(60)), 0) << agent->Stderr();
  SequenceChecker checker;
  checker.Expect("app0", 2 * kLines);
  int twos = 0;
  std::stringstream docs(es.Get("/_test/docs"));
  for (std::string line; std::getline(docs, line);) {
    checker.Add(MessageOf(line));
    if (line.find("\"generation\":\"two\"") != std::string::npos) ++twos;
  }
  SequenceReport report = checker.Report();
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_EQ(report.total.duplicates, 0u) << report.ToString();
  EXPECT_EQ(es.Stat("created"), 2 * kLines);
  EXPECT_EQ(twos, kLines) << "the lines written after the reload carry the new filter's field";
}

}  // namespace
}  // namespace sluice::testing
