// The template filter in a running pipeline: two workers sharing one miner, the Spark corpus
// grouped like its ground truth, `sluice templates` reading what was saved, and a restart that
// knows the templates (nothing new, the same ids).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "tests/integration/sluice_process.h"
#include "tests/unit/plugins/filters/spark_corpus.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;

class TemplateFilterRunTest : public SluiceProcessTest {
 protected:
  void SetUp() override { MakeDir("sluice_template"); }

  // Runs the pipeline over `log` to its end; returns each output event's (template id, new).
  std::vector<std::pair<std::string, bool>> RunOver(const std::string& config,
                                                    const fs::path& out) {
    auto p = Run(config, "run");
    EXPECT_EQ(p->WaitFor(std::chrono::seconds(120)), 0) << p->Stderr();
    std::vector<std::pair<std::string, bool>> events;
    simdjson::dom::parser parser;
    for (const std::string& line : ReadLines(out)) {
      simdjson::dom::element doc;
      if (parser.parse(line).get(doc) != simdjson::SUCCESS) {
        ADD_FAILURE() << "not JSON: " << line;
        continue;
      }
      std::string_view id;
      bool is_new = false;
      EXPECT_EQ(doc["log"]["template_id"].get(id), simdjson::SUCCESS) << line;
      if (doc["log"]["template_new"].get(is_new) != simdjson::SUCCESS) is_new = false;
      events.emplace_back(std::string(id), is_new);
    }
    return events;
  }
};

TEST_F(TemplateFilterRunTest, TwoWorkersGroupTheSparkCorpusAndARestartKnowsEveryTemplate) {
  std::vector<SparkLine> truth;
  ASSERT_NO_FATAL_FAILURE(ReadSparkCorpus(&truth));
  if (truth.empty()) GTEST_SKIP() << "Spark corpus not found in " << SLUICE_CORPUS_DIR;
  const fs::path log = dir_ / "spark.log";
  fs::copy_file(fs::path(SLUICE_CORPUS_DIR) / "Spark_2k.log", log);
  const fs::path out = dir_ / "out.ndjson";
  const std::string config = WriteConfig("t", R"(pipelines:
  spark:
    workers: 2
    inputs:
      - {type: file, include: [")" + log.string() +
                                                  R"("], exit_on_eof: true}
    filters:
      - {type: grok, pattern: '^%{SPARK_LOG4J}'}
      - {type: template, id: templates}
    outputs:
      - {type: file, path: ")" + out.string() + R"("}
)");
  auto first = RunOver(config, out);
  ASSERT_EQ(first.size(), truth.size());
  // Each ground-truth template has one id, and each id one ground-truth template (the output
  // keeps the file's order: line i is truth[i]).
  std::map<std::string, std::set<std::string>> ids_of_truth, truths_of_id;
  size_t created = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    ids_of_truth[truth[i].event_id].insert(first[i].first);
    truths_of_id[first[i].first].insert(truth[i].event_id);
    created += first[i].second;
  }
  for (const auto& [t, ids] : ids_of_truth) EXPECT_EQ(ids.size(), 1u) << t;
  for (const auto& [id, ts] : truths_of_id) EXPECT_EQ(ts.size(), 1u) << id;
  EXPECT_EQ(truths_of_id.size(), 36u);
  EXPECT_EQ(created, 36u) << "one log.template_new per template, across both workers";

  std::string text, err;
  ASSERT_EQ(RunCommand({SLUICE_BINARY, "templates", "-c", config}, &text, &err), 0) << err;
  EXPECT_NE(text.find("spark/templates: 36 templates"), std::string::npos) << text;
  EXPECT_NE(text.find("Times: total = <*>, boot = <*>, init = <*>, finish = <*>"),
            std::string::npos)
      << text;

  // Again over the same data, from the saved state (the file input starts over: a new output
  // file and a fresh checkpoint directory, the templates kept).
  fs::remove(out);
  fs::remove_all(dir_ / "t-data" / "checkpoints");
  auto second = RunOver(config, out);
  ASSERT_EQ(second.size(), truth.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    EXPECT_EQ(second[i].first, first[i].first) << "line " << i + 1;
    EXPECT_FALSE(second[i].second) << "line " << i + 1 << " is new again";
  }
}

}  // namespace
}  // namespace sluice::testing
