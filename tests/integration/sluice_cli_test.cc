// End-to-end: the real `sluice` binary on configs, checked by what it wrote, what it printed, its
// admin API and its exit code.
#include <gtest/gtest.h>
#include <sys/ioctl.h>

#include <regex>

#include "tests/integration/http_get.h"
#include "tests/integration/sluice_process.h"
#include "tests/integration/subprocess.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;

class SluiceCliTest : public SluiceProcessTest {
 protected:
  void SetUp() override { MakeDir("sluice_cli"); }
  // sluice.yaml: `yaml` after a data_dir and an admin API on a free port (unlike the fixture's
  // WriteConfig, no checkpoint_interval: the validate test checks line numbers).
  std::string WriteConfig(const std::string& yaml) {
    std::string path = (dir_ / "sluice.yaml").string();
    std::ofstream(path) << "data_dir: " << data().string() << "\nadmin: {listen: '127.0.0.1:0'}\n"
                        << yaml;
    return path;
  }
  fs::path data() const { return dir_ / "data"; }
};

TEST_F(SluiceCliTest, GenerateToFileDeliversEveryEventAndExitsZero) {
  std::string out = (dir_ / "out/spark.ndjson").string();
  std::string cfg = WriteConfig(
      "pipelines:\n  demo:\n    inputs: [{type: generate, count: 20000}]\n"
      "    outputs: [{type: file, path: '" +
      out + "'}]\n");
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, dir_);
  ASSERT_EQ(p.WaitFor(std::chrono::seconds(60)), 0) << p.Stderr();
  std::vector<std::string> lines = ReadLines(out);
  ASSERT_EQ(lines.size(), 20000u);
  std::regex shape(
      R"(^\{"@timestamp":"2017-06-09T\d\d:\d\d:\d\d(\.\d+)?Z","message":"17/06/09 .*"host":\{"name":.*\}$)");
  for (size_t i : {size_t(0), size_t(9999), size_t(19999)}) {
    EXPECT_TRUE(std::regex_match(lines[i], shape)) << lines[i];
  }
  EXPECT_NE(p.Stderr().find("output 'file' delivered 20000 events"), std::string::npos)
      << p.Stderr();
  EXPECT_NE(p.Stderr().find("stopped cleanly"), std::string::npos);
}

TEST_F(SluiceCliTest, StdinCorpusRoundTripsLineForLine) {
  fs::path corpus = fs::path(SLUICE_CORPUS_DIR) / "Spark_2k.log";
  if (!fs::exists(corpus))
    GTEST_SKIP() << "corpus not found at " << corpus << " (../shared/corpus)";
  std::string out = (dir_ / "out.log").string();
  std::string cfg = WriteConfig(
      "pipelines:\n  p:\n    inputs: [{type: stdin}]\n"
      "    outputs: [{type: file, path: '" +
      out + "', codec: text}]\n");
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, dir_, /*stdin_pipe=*/true);
  p.WriteStdin(ReadFile(corpus));
  p.CloseStdin();
  ASSERT_EQ(p.WaitFor(std::chrono::seconds(60)), 0) << p.Stderr();
  std::vector<std::string> expected = ReadLines(corpus);
  for (auto& l : expected) {
    if (!l.empty() && l.back() == '\r') l.pop_back();  // the corpus is CRLF
  }
  EXPECT_EQ(ReadLines(out), expected);
}

TEST_F(SluiceCliTest, ValidateReportsEveryErrorWithPositions) {
  std::string cfg = WriteConfig(
      "pipelines:\n  p:\n    inputs: [{type: generat, count: x}]\n"
      "    outputs: [{type: file, pth: /tmp/x}]\n");
  Subprocess p({SLUICE_BINARY, "validate", "-c", cfg}, dir_);
  EXPECT_EQ(p.Wait(), 1);
  std::string err = p.Stderr();
  EXPECT_NE(err.find(cfg + ":5:21: pipelines.p.inputs[0].type: unknown input type 'generat'; did "
                           "you mean 'generate'?"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find(cfg + ":6:28: pipelines.p.outputs[0]: unknown option 'pth' for output "
                           "'file'; did you mean 'path'?"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("missing required option 'path'"), std::string::npos) << err;
  EXPECT_NE(err.find("3 error(s) in " + cfg), std::string::npos) << err;
}

TEST_F(SluiceCliTest, ValidateAcceptsAGoodConfigAndTheShippedOnes) {
  std::string cfg = WriteConfig(
      "pipelines:\n  p:\n    inputs: [{type: stdin}]\n"
      "    outputs: [{type: stdout}]\n");
  Subprocess p({SLUICE_BINARY, "validate", cfg}, dir_);
  EXPECT_EQ(p.Wait(), 0) << p.Stderr();
  EXPECT_NE(p.Stdout().find(": OK (1 pipeline(s), 2 plugin(s))"), std::string::npos);
  for (const auto& entry : fs::directory_iterator(fs::path(SLUICE_SOURCE_DIR) / "config")) {
    if (entry.path().extension() != ".yaml") continue;
    Subprocess v({SLUICE_BINARY, "validate", "-c", entry.path().string()}, dir_);
    EXPECT_EQ(v.Wait(), 0) << entry.path() << ": " << v.Stderr();
  }
}

TEST_F(SluiceCliTest, UsageErrorsExitTwo) {
  Subprocess p({SLUICE_BINARY, "run", "--no-such-flag"}, dir_);
  EXPECT_EQ(p.Wait(), 2);
  Subprocess q({SLUICE_BINARY}, dir_);
  EXPECT_EQ(q.Wait(), 2);
}

TEST_F(SluiceCliTest, VersionAndHelp) {
  Subprocess v({SLUICE_BINARY, "version"}, dir_);
  EXPECT_EQ(v.Wait(), 0);
  EXPECT_TRUE(std::regex_match(v.Stdout(), std::regex("sluice \\d+\\.\\d+\\.\\d+\n")));
  Subprocess h({SLUICE_BINARY, "run", "--help"}, dir_);
  EXPECT_EQ(h.Wait(), 0);
  EXPECT_NE(h.Stdout().find("--config"), std::string::npos);
}

TEST_F(SluiceCliTest, UnwritableDataDirIsARuntimeError) {
  std::ofstream(data()) << "a file where a directory should be";
  std::string cfg = WriteConfig(
      "pipelines:\n  p:\n    inputs: [{type: generate, count: 1}]\n"
      "    outputs: [{type: blackhole}]\n");
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, dir_);
  EXPECT_EQ(p.WaitFor(std::chrono::seconds(30)), 3);
  EXPECT_NE(p.Stderr().find("cannot create data_dir"), std::string::npos) << p.Stderr();
}

// The admin API answers while running, and /metrics counts exactly what flowed.
TEST_F(SluiceCliTest, AdminApiServesHealthReadinessAndMatchingMetrics) {
  std::string out = (dir_ / "out.ndjson").string();
  // stdin stays open, so the process keeps running after `generate` finished its 5000 events.
  std::string cfg = WriteConfig(
      "pipelines:\n  p:\n    inputs: [{type: generate, count: 5000}, {type: stdin}]\n"
      "    outputs: [{type: file, path: '" +
      out + "'}]\n");
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, dir_, /*stdin_pipe=*/true);
  int port = WaitForAdminPort(p);
  ASSERT_GT(port, 0) << p.Stderr();
  const std::string out_series = OutputSent("p", "file");
  std::string metrics;
  WaitUntil(
      [&] {
        metrics = Metrics(p);
        return MetricIn(metrics, out_series) == 5000;
      },
      std::chrono::seconds(30));
  EXPECT_EQ(MetricIn(metrics, out_series), 5000) << metrics;
  EXPECT_EQ(
      MetricIn(metrics, Series("sluice_component_sent_events_total", "p", "input", "generate")),
      5000);
  EXPECT_EQ(MetricIn(metrics, "sluice_pipeline_inflight_batches{pipeline=\"p\"}"), 0);
  EXPECT_EQ(ReadLines(out).size(), 5000u);  // acked means fsynced: all of it is in the file
  EXPECT_NE(metrics.find("# TYPE sluice_component_received_events_total counter"),
            std::string::npos);
  auto health = HttpGet(port, "/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto ready = HttpGet(port, "/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  auto stats = HttpGet(port, "/api/v1/stats");
  ASSERT_TRUE(stats);
  EXPECT_NE(stats->body.find("\"name\":\"p\""), std::string::npos) << stats->body;
  EXPECT_NE(stats->body.find("\"sent_events_total\":5000"), std::string::npos) << stats->body;
  p.Signal(SIGTERM);
  EXPECT_EQ(p.WaitFor(std::chrono::seconds(30)), 0) << p.Stderr();
  EXPECT_NE(p.Stderr().find("stopping: received SIGTERM"), std::string::npos) << p.Stderr();
}

// A destination that fails (stdout closed) must not end in a clean exit: the batches were not
// delivered, so the exit code says so.
TEST_F(SluiceCliTest, UndeliveredBatchesMakeTheExitCodeThree) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);  // nobody will ever read: writes fail with EPIPE
  std::string cfg = WriteConfig(
      "pipelines:\n  p:\n    inputs: [{type: generate, count: 3000}]\n"
      "    outputs: [{type: stdout}]\n");
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, dir_, false, fds[1]);
  ::close(fds[1]);
  EXPECT_EQ(p.WaitFor(std::chrono::seconds(30)), 3) << p.Stderr();
  std::string err = p.Stderr();
  EXPECT_NE(err.find("were not delivered by an output"), std::string::npos) << err;
  EXPECT_EQ(err.find("stopped cleanly"), std::string::npos) << err;
  EXPECT_NE(err.find("output 'stdout' delivered 0 events"), std::string::npos) << err;
}

TEST_F(SluiceCliTest, MissingConfigIsAUsageError) {
  Subprocess p({SLUICE_BINARY, "run"}, dir_);
  EXPECT_EQ(p.Wait(), 2);
  EXPECT_NE(p.Stderr().find("no config given"), std::string::npos);
}

// SIGTERM on an endless input: everything the input read is delivered before the exit. The input
// is paced (an unpaced one writes hundreds of MiB a second: a slow poll once filled the disk).
TEST_F(SluiceCliTest, SigtermDrainsEverythingInFlight) {
  std::string out = (dir_ / "out.ndjson").string();
  std::string cfg = WriteConfig(
      "pipelines:\n  p:\n    inputs: [{type: generate, rate: 50000}]\n"
      "    outputs: [{type: file, path: '" +
      out + "'}]\n");
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, dir_);
  // 10,000 events are under 6 MiB; the size is read without reading the file.
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::error_code ec;
        return fs::file_size(out, ec) > (6u << 20) && !ec;
      },
      std::chrono::seconds(60)))
      << p.Stderr();
  p.Signal(SIGTERM);
  ASSERT_EQ(p.WaitFor(std::chrono::seconds(60)), 0) << p.Stderr();
  std::smatch m;
  std::string err = p.Stderr();
  ASSERT_TRUE(std::regex_search(err, m, std::regex("input 'generate' read (\\d+) events")));
  uint64_t read = std::stoull(m[1]);
  EXPECT_GE(read, 10000u);
  EXPECT_EQ(ReadLines(out).size(), read);  // nothing lost, nothing duplicated
}

// Checkpoints survive a restart: a run stopped by SIGTERM and started again delivers exactly what
// one uninterrupted run delivers, nothing lost and nothing twice.
TEST_F(SluiceCliTest, SigtermAndRestartDeliverEveryEventExactlyOnce) {
  const std::string ref = (dir_ / "ref.ndjson").string();
  const std::string out = (dir_ / "out.ndjson").string();
  auto config = [&](const std::string& path, const std::string& extra) {
    return WriteConfig("pipelines:\n  p:\n    inputs: [{type: generate, count: 30000, seed: 3" +
                       extra + "}]\n    outputs: [{type: file, path: '" + path + "'}]\n");
  };
  Subprocess reference({SLUICE_BINARY, "run", "-c", config(ref, "")}, dir_);
  ASSERT_EQ(reference.WaitFor(std::chrono::seconds(60)), 0) << reference.Stderr();
  fs::remove_all(data());

  std::string cfg = config(out, ", resume: true, rate: 20000");
  Subprocess first({SLUICE_BINARY, "run", "-c", cfg}, dir_);
  WaitUntil([&] { return ReadLines(out).size() >= 5000; }, std::chrono::seconds(30));
  first.Signal(SIGTERM);
  ASSERT_EQ(first.WaitFor(std::chrono::seconds(30)), 0) << first.Stderr();
  size_t after_first = ReadLines(out).size();
  ASSERT_GE(after_first, 5000u);
  ASSERT_LT(after_first, 30000u) << "the first run was not interrupted; the test proves nothing";

  Subprocess second({SLUICE_BINARY, "run", "-c", cfg}, dir_);
  ASSERT_EQ(second.WaitFor(std::chrono::seconds(60)), 0) << second.Stderr();
  EXPECT_NE(second.Stderr().find("resuming after " + std::to_string(after_first) + " acked events"),
            std::string::npos)
      << second.Stderr();
  std::vector<std::string> got = ReadLines(out), want = ReadLines(ref);
  ASSERT_EQ(want.size(), 30000u);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want) << "the restarted run lost or repeated events";
}

// An output that cannot make progress: the drain gives up at shutdown_timeout, exits 4 and says
// what was not flushed.
TEST_F(SluiceCliTest, ShutdownTimeoutExitsFourAndReportsWhatWasNotFlushed) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);  // stdout into a pipe nobody reads: writes block once it is full
  std::string cfg = WriteConfig(
      "shutdown_timeout: 300ms\npipelines:\n  p:\n"
      "    inputs: [{type: generate}]\n    outputs: [{type: stdout}]\n");
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, dir_, false, fds[1]);
  ::close(fds[1]);
  // Wait until the pipe is full (64 KiB by default), so the output is stuck in a write: sending
  // SIGTERM before the first event would let everything drain cleanly.
  ASSERT_TRUE(WaitUntil(
      [&] {
        int queued = 0;
        return ::ioctl(fds[0], FIONREAD, &queued) == 0 && queued >= 60 * 1024;
      },
      std::chrono::seconds(30)))
      << p.Stderr();
  p.Signal(SIGTERM);
  EXPECT_EQ(p.WaitFor(std::chrono::seconds(30)), 4) << p.Stderr();
  EXPECT_NE(p.Stderr().find("shutdown_timeout (300ms) passed"), std::string::npos) << p.Stderr();
  EXPECT_NE(p.Stderr().find("batches ("), std::string::npos) << p.Stderr();
  ::close(fds[0]);
}

}  // namespace
}  // namespace sluice::testing
