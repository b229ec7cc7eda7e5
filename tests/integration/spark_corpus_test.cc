// Ground truth: the shipped agent config (config/agent.yaml: file input with the spark multiline
// preset, grok SPARK_LOG4J, timestamp, spark, mutate, kafka output) parses every line of LogHub's
// Spark sample exactly as its structured CSV says, as read back from Kafka (the mock cluster)
// with kcat. Also: the shipped configs pass their own tests, and `sluice
// test` reports failures with a diff and exit code 5.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include "tests/integration/kafka_mock.h"
#include "tests/integration/require_peer.h"
#include "tests/integration/subprocess.h"
#include "tests/unit/plugins/filters/spark_corpus.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;

class SparkCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = FreshTestDir("sluice_corpus"); }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(SparkCorpusTest, ShippedAgentConfigParsesEveryLineLikeTheGroundTruth) {
  fs::path corpus = fs::path(SLUICE_CORPUS_DIR);
  std::vector<SparkLine> truth;
  ASSERT_NO_FATAL_FAILURE(ReadSparkCorpus(&truth));
  if (truth.empty()) GTEST_SKIP() << "corpus not found at " << corpus << " (../shared/corpus)";
  SLUICE_REQUIRE_PEER(fs::exists("/usr/bin/kcat"), "kcat not installed (scripts/deps.sh)");

  // The log, byte for byte (CRLF included), where the agent config's globs are pointed.
  fs::create_directories(dir_ / "logs");
  fs::copy_file(corpus / "Spark_2k.log", dir_ / "logs" / "spark.log");
  std::string glob = (dir_ / "logs" / "*.log").string();
  ::setenv("SPARK_LOGS", glob.c_str(), 1);
  ::setenv("SPARK_LOGS_EMR", glob.c_str(), 1);
  ::setenv("SPARK_LOGS_LOCAL", glob.c_str(), 1);
  ::setenv("SLUICE_DATA", (dir_ / "data").c_str(), 1);
  fs::create_directories(dir_ / "mock");
  MockCluster cluster(dir_ / "mock", {"spark-logs:1:1"});
  ::setenv("KAFKA_BROKERS", cluster.bootstrap().c_str(), 1);
  ::setenv("SLUICE_ADMIN_LISTEN", "127.0.0.1:0", 1);
  std::string config = std::string(SLUICE_SOURCE_DIR) + "/config/agent.yaml";
  Subprocess agent({SLUICE_BINARY, "run", "-c", config}, dir_);
  for (const char* v : {"SPARK_LOGS", "SPARK_LOGS_EMR", "SPARK_LOGS_LOCAL", "SLUICE_DATA",
                        "KAFKA_BROKERS", "SLUICE_ADMIN_LISTEN"}) {
    ::unsetenv(v);
  }

  // What the topic holds, one JSON event per line, in order (one file: one key, one partition).
  auto consumed = [&] {
    std::string cmd = "/usr/bin/kcat -C -q -e -o beginning -f '%s\\n' -b " + cluster.bootstrap() +
                      " -t spark-logs >" + (dir_ / "consumed.ndjson").string() + " 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) return std::vector<std::string>();
    return ReadLines(dir_ / "consumed.ndjson");
  };
  // The last record waits for the multiline timeout (2s) before it is flushed.
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // polling pace
        return consumed().size() >= truth.size();
      },
      std::chrono::seconds(60)))
      << "consumed " << consumed().size() << " events; stderr:\n"
      << agent.Stderr();
  agent.Signal(SIGTERM);
  ASSERT_EQ(agent.Wait(), 0) << agent.Stderr();

  std::vector<std::string> lines = consumed();
  ASSERT_EQ(lines.size(), truth.size());
  simdjson::dom::parser parser;
  size_t mismatches = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(lines[i]).get(doc), simdjson::SUCCESS) << lines[i];
    auto text = [&](std::string_view pointer) -> std::string {
      std::string_view v;
      if (doc.at_pointer(pointer).get(v) != simdjson::SUCCESS)
        return "<missing " + std::string(pointer) + ">";
      return std::string(v);
    };
    const SparkLine& want = truth[i];
    std::string got_ts = text("/timestamp");
    std::string got_time = text("/@timestamp");
    bool ok = got_ts == want.date + " " + want.time &&
              got_time == "20" + want.date.substr(0, 2) + "-" + want.date.substr(3, 2) + "-" +
                              want.date.substr(6, 2) + "T" + want.time + "Z" &&
              text("/log/level") == want.level && text("/log/logger") == want.component &&
              text("/message") == want.content && doc["tags"].error() == simdjson::NO_SUCH_FIELD;
    if (!ok && ++mismatches <= 5) {
      ADD_FAILURE() << "line " << i + 1 << " differs from the ground truth:\n  got:  " << lines[i]
                    << "\n  want: " << want.date << " " << want.time << " | " << want.level << " | "
                    << want.component << " | " << want.content;
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << lines.size() << " lines";

  // The template filter: one log.template_id per ground-truth template and one template per id.
  std::map<std::string, std::set<std::string>> ids_of_truth, truths_of_id;
  for (size_t i = 0; i < lines.size(); ++i) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(lines[i]).get(doc), simdjson::SUCCESS);
    std::string_view id;
    ASSERT_EQ(doc["log"]["template_id"].get(id), simdjson::SUCCESS) << lines[i];
    ids_of_truth[truth[i].event_id].insert(std::string(id));
    truths_of_id[std::string(id)].insert(truth[i].event_id);
  }
  EXPECT_EQ(ids_of_truth.size(), 36u);
  EXPECT_EQ(truths_of_id.size(), 36u);
  for (const auto& [t, ids] : ids_of_truth) EXPECT_EQ(ids.size(), 1u) << t;
}

TEST_F(SparkCorpusTest, ShippedConfigsPassTheirOwnTests) {
  int configs_with_tests = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(SLUICE_SOURCE_DIR) / "config")) {
    if (entry.path().extension() != ".yaml") continue;
    Subprocess t({SLUICE_BINARY, "test", "-c", entry.path().string()}, dir_);
    EXPECT_EQ(t.Wait(), 0) << entry.path() << ":\n" << t.Stdout() << t.Stderr();
    if (t.Stdout().find(" passed, 0 failed") != std::string::npos &&
        t.Stdout().find(": 0 passed") == std::string::npos) {
      ++configs_with_tests;
    }
  }
  EXPECT_GE(configs_with_tests, 1);
}

TEST_F(SparkCorpusTest, SluiceTestPrintsADiffAndExitsFiveOnFailure) {
  std::string path = (dir_ / "t.yaml").string();
  std::ofstream(path) << R"(pipelines:
  p:
    inputs: [{type: stdin}]
    filters:
      - {type: grok, pattern: '^%{SPARK_LOG4J}'}
      - {type: drop, when: 'log.level == "DEBUG"'}
    outputs: [{type: stdout}]
tests:
  - name: parses
    input: "17/06/09 20:10:40 INFO a.B: hello"
    expect:
      - fields: {log.level: INFO, message: hello}
  - name: wrong expectation
    input: "17/06/09 20:10:40 INFO a.B: hello"
    expect:
      - fields: {log.level: WARN}
  - name: debug dropped
    events: ["17/06/09 20:10:40 DEBUG a.B: x"]
    expect_dropped: true
)";
  Subprocess t({SLUICE_BINARY, "test", "-c", path}, dir_);
  EXPECT_EQ(t.Wait(), 5) << t.Stdout() << t.Stderr();
  std::string out = t.Stdout();
  EXPECT_NE(out.find("ok    parses"), std::string::npos) << out;
  EXPECT_NE(out.find("FAIL  wrong expectation (" + path + ":13:5)"), std::string::npos) << out;
  EXPECT_NE(out.find("event 1: log.level: expected WARN, got \"INFO\""), std::string::npos) << out;
  EXPECT_NE(out.find("got event 1: {"), std::string::npos) << out;
  EXPECT_NE(out.find("ok    debug dropped"), std::string::npos) << out;
  EXPECT_NE(out.find("2 passed, 1 failed"), std::string::npos) << out;
}

}  // namespace
}  // namespace sluice::testing
