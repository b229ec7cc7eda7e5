// One test per kind of config error, each with the exact message a user sees.
#include "pipeline/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "plugins/inputs/generate/generate_input.h"
#include "plugins/outputs/file.h"
#include "tests/unit/pipeline/config_load.h"
#include "tests/unit/test_util.h"

namespace sluice::config {
namespace {

using testing::Errors;
using testing::FakeEnv;
using testing::Loads;

const char* kValid = R"(data_dir: /tmp/x
pipelines:
  p:
    inputs:
      - type: generate
        count: 10
    outputs:
      - type: stdout
)";

TEST(ConfigTest, ValidConfigLoadsWithDefaults) {
  Config c;
  ASSERT_TRUE(Loads(kValid, &c));
  ASSERT_EQ(c.pipelines.size(), 1u);
  const PipelineConfig& p = c.pipelines[0];
  EXPECT_EQ(p.name, "p");
  EXPECT_EQ(c.process.data_dir, "/tmp/x");
  EXPECT_EQ(c.process.admin.listen, "127.0.0.1:9600");
  EXPECT_EQ(c.process.shutdown_timeout.value, std::chrono::seconds(30));
  EXPECT_EQ(c.process.log.level, LogLevel::kInfo);
  EXPECT_EQ(c.process.log.format, LogFormat::kText);
  EXPECT_EQ(p.options.max_inflight_bytes.bytes, 32u << 20);
  ASSERT_EQ(p.inputs.size(), 1u);
  EXPECT_EQ(p.inputs[0].type, "generate");
  EXPECT_EQ(p.inputs[0].id, "generate");
  auto* g = static_cast<const inputs::GenerateInput::Options*>(p.inputs[0].options.get());
  EXPECT_EQ(g->count, 10);
  EXPECT_EQ(g->seed, 42);  // the default
  EXPECT_EQ(p.outputs[0].where.line, 8);
  EXPECT_EQ(p.outputs[0].where.column, 9);
}

TEST(ConfigTest, InvalidYamlNamesThePosition) {
  EXPECT_EQ(Errors("pipelines:\n  p: [unclosed\n"),
            "t.yaml:3:1: invalid YAML: end of sequence flow not found\n");
}

// yaml-cpp passes any bytes through; a Latin-1 file would put invalid UTF-8 into field names
// (two such names could become one JSON key; found by the dissect_filter fuzz target).
TEST(ConfigTest, InvalidUtf8NamesThePosition) {
  EXPECT_EQ(Errors("data_dir: /tmp/x\npipelines:\n  caf\xE9: {}\n"),
            "t.yaml:3:6: invalid UTF-8 (byte 0xE9): a config file is UTF-8 text; was it saved in "
            "another encoding (Latin-1, Windows-1252)?\n");
  EXPECT_EQ(Errors("\xFF"),
            "t.yaml:1:1: invalid UTF-8 (byte 0xFF): a config file is UTF-8 text; "
            "was it saved in another encoding (Latin-1, Windows-1252)?\n");
  Config c;
  EXPECT_TRUE(Loads(std::string("# caf\xC3\xA9\n") + kValid, &c));  // valid UTF-8 is fine
}

TEST(ConfigTest, UnknownTopLevelKeySuggestsTheClosest) {
  EXPECT_EQ(Errors(std::string("data_dri: /x\n") + kValid),
            "t.yaml:1:1: unknown option 'data_dri'; did you mean 'data_dir'?\n");
}

TEST(ConfigTest, UnknownPluginTypeSuggestsAndLists) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    inputs: [{type: generate}]\n"
                   "    outputs: [{type: stdot}]\n"),
            "t.yaml:4:22: pipelines.p.outputs[0].type: unknown output type 'stdot'; did you mean "
            "'stdout'? (available: blackhole, elasticsearch, file, kafka, s3, stdout)\n");
}

TEST(ConfigTest, UnknownOptionSuggestsTheClosest) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    inputs:\n      - type: generate\n        cont: 5\n"
                   "    outputs: [{type: stdout}]\n"),
            "t.yaml:5:9: pipelines.p.inputs[0]: unknown option 'cont' for input 'generate'; did "
            "you mean 'count'?\n");
}

TEST(ConfigTest, UnknownOptionWithNothingCloseListsTheValidOnes) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    inputs: [{type: generate}]\n"
                   "    outputs: [{type: stdout, zzzzzz: 1}]\n"),
            "t.yaml:4:30: pipelines.p.outputs[0]: unknown option 'zzzzzz' for output 'stdout'; "
            "valid options: codec\n");
}

TEST(ConfigTest, WrongTypeSaysWhatWasExpected) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    inputs: [{type: generate, count: many}]\n"
                   "    outputs: [{type: stdout}]\n"),
            "t.yaml:3:38: pipelines.p.inputs[0].count: expected an integer, got 'many'\n");
}

TEST(ConfigTest, ListWhereAScalarBelongs) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    inputs: [{type: generate, count: [1]}]\n"
                   "    outputs: [{type: stdout}]\n"),
            "t.yaml:3:38: pipelines.p.inputs[0].count: expected an integer, got a list\n");
}

TEST(ConfigTest, EnumValueOutsideTheChoices) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    inputs: [{type: generate}]\n"
                   "    outputs: [{type: stdout, codec: jsn}]\n"),
            "t.yaml:4:37: pipelines.p.outputs[0].codec: expected one of json, text; got 'jsn'; "
            "did you mean 'json'?\n");
}

// The self-log settings are enums: read once, named in errors like every enum option.
TEST(ConfigTest, LogLevelAndFormat) {
  Config c;
  ASSERT_TRUE(Loads(std::string("log: {level: debug, format: json}\n") + kValid, &c));
  EXPECT_EQ(c.process.log.level, LogLevel::kDebug);
  EXPECT_EQ(c.process.log.format, LogFormat::kJson);
  ASSERT_TRUE(Loads(std::string("log: {level: error}\n") + kValid, &c));
  EXPECT_EQ(c.process.log.level, LogLevel::kError);
  EXPECT_EQ(c.process.log.format, LogFormat::kText);
  EXPECT_EQ(Errors(std::string("log: {level: warning, format: jsn}\n") + kValid),
            "t.yaml:1:14: log.level: expected one of debug, info, warn, error; got 'warning'; "
            "did you mean 'warn'?\n"
            "t.yaml:1:31: log.format: expected one of text, json; got 'jsn'; did you mean "
            "'json'?\n");
}

TEST(ConfigTest, NumberOutOfRange) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    inputs: [{type: generate, rate: -5}]\n"
                   "    outputs: [{type: stdout}]\n"),
            "t.yaml:3:37: pipelines.p.inputs[0].rate: must be at least 0, got -5\n");
}

TEST(ConfigTest, MissingRequiredOption) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    inputs: [{type: generate}]\n"
                   "    outputs: [{type: file}]\n"),
            "t.yaml:4:15: pipelines.p.outputs[0]: missing required option 'path' of output "
            "'file' (File to append to: a template with {{field}} references and strftime "
            "conversions of the event time. Missing directories are created.), e.g. "
            "/var/lib/sluice/out/%Y-%m-%d.ndjson\n");
}

TEST(ConfigTest, BadDurationAndSize) {
  EXPECT_EQ(Errors("shutdown_timeout: 5 parsecs\npipelines:\n  p:\n"
                   "    max_inflight_bytes: lots\n"
                   "    inputs: [{type: generate}]\n    outputs: [{type: stdout}]\n"),
            "t.yaml:1:19: shutdown_timeout: expected a duration such as 500ms, 5s, 2m or 1h30m, "
            "got '5 parsecs'\n"
            "t.yaml:4:25: pipelines.p.max_inflight_bytes: expected a size such as 512KiB, 64MiB "
            "or 1GB, got 'lots'\n");
}

TEST(ConfigTest, BadTemplateNamesThePosition) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    inputs: [{type: generate}]\n"
                   "    outputs: [{type: file, path: 'out/{{host.name'}]\n"),
            "t.yaml:4:34: pipelines.p.outputs[0].path: bad template 'out/{{host.name': unclosed "
            "'{{' at position 5\n");
}

TEST(ConfigTest, MissingTypeListsTheAvailableTypes) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    inputs: [{count: 1}]\n    outputs: [{type: stdout}]\n"),
            "t.yaml:3:14: pipelines.p.inputs[0]: missing 'type'; available input types: "
            "file, generate, kafka, s3, stdin\n");
}

TEST(ConfigTest, PipelineWithoutInputsOrOutputs) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    workers: 2\n"),
            "t.yaml:3:5: pipelines.p: pipeline 'p' has no inputs; add e.g. 'inputs: [{type: "
            "stdin}]'\n"
            "t.yaml:3:5: pipelines.p: pipeline 'p' has no outputs; add e.g. 'outputs: [{type: "
            "stdout}]'\n");
}

TEST(ConfigTest, EmptyOutputListIsAnError) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    inputs: [{type: generate}]\n    outputs: []\n"),
            "t.yaml:3:5: pipelines.p: pipeline 'p' has no outputs; add e.g. 'outputs: [{type: "
            "stdout}]'\n");
}

TEST(ConfigTest, MisspelledSectionSuggestsTheSection) {
  EXPECT_EQ(Errors("pipeline:\n  p: {}\n"),
            "t.yaml:1:1: unknown option 'pipeline'; did you mean 'pipelines'?\n");
}

TEST(ConfigTest, AdminListenMustBeHostPort) {
  EXPECT_EQ(Errors(std::string("admin: {listen: 9600}\n") + kValid),
            "t.yaml:1:8: admin: listen: expected host:port such as 127.0.0.1:9600, got '9600'\n");
}

TEST(ConfigTest, NoPipelinesAtAll) {
  EXPECT_EQ(Errors("data_dir: /x\n"),
            "t.yaml: no pipelines defined; add 'pipelines: {NAME: {inputs: [...], outputs: "
            "[...]}}'\n");
}

TEST(ConfigTest, DuplicateIds) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    inputs: [{type: generate}]\n    outputs:\n"
                   "      - {type: stdout, id: out}\n      - {type: blackhole, id: out}\n"),
            "t.yaml:6:9: pipelines.p.outputs[1]: duplicate output id 'out' (also at t.yaml:5:9); "
            "give each a distinct 'id:'\n");
}

TEST(ConfigTest, SameTypeTwiceGetsNumberedIds) {
  Config c;
  ASSERT_TRUE(
      Loads("pipelines:\n  p:\n    inputs: [{type: generate}, {type: generate}]\n"
            "    outputs: [{type: stdout}]\n",
            &c));
  EXPECT_EQ(c.pipelines[0].inputs[0].id, "generate_0");
  EXPECT_EQ(c.pipelines[0].inputs[1].id, "generate_1");
}

TEST(ConfigTest, BadWorkers) {
  EXPECT_EQ(Errors("pipelines:\n  p:\n    workers: many\n    inputs: [{type: generate}]\n"
                   "    outputs: [{type: stdout}]\n"),
            "t.yaml:3:5: pipelines.p: workers: expected 'auto' or a number from 1 to 256, got "
            "'many'\n");
}

TEST(ConfigTest, EveryErrorIsReportedNotJustTheFirst) {
  Diagnostics diags;
  LoadConfigText(
      "data_dri: /x\npipelines:\n  p:\n    inputs: [{type: generate, count: x, rate: y}]\n"
      "    outputs: [{type: stdot}, {type: file}]\n",
      "t.yaml", diags, FakeEnv({}));
  EXPECT_EQ(diags.errors().size(), 5u) << diags.ToString();
}

TEST(ConfigTest, EnvironmentSubstitutionInValues) {
  Config c;
  ASSERT_TRUE(
      Loads("data_dir: ${DATA:-/var/lib/sluice}\npipelines:\n  p:\n"
            "    inputs: [{type: generate, count: '${COUNT}'}]\n"
            "    outputs: [{type: file, path: '${OUT}/x.ndjson'}]\n",
            &c, FakeEnv({{"COUNT", "7"}, {"OUT", "/data"}})));
  EXPECT_EQ(c.process.data_dir, "/var/lib/sluice");
  auto* g =
      static_cast<const inputs::GenerateInput::Options*>(c.pipelines[0].inputs[0].options.get());
  EXPECT_EQ(g->count, 7);
  auto* f =
      static_cast<const outputs::FileOutput::Options*>(c.pipelines[0].outputs[0].options.get());
  EXPECT_EQ(f->path.source(), "/data/x.ndjson");
}

TEST(ConfigTest, UnsetEnvironmentVariableIsAnErrorAtItsPosition) {
  EXPECT_EQ(Errors("data_dir: ${SLUICE_NOPE}\npipelines:\n  p:\n    inputs: [{type: generate}]\n"
                   "    outputs: [{type: stdout}]\n"),
            "t.yaml:1:11: data_dir: environment variable SLUICE_NOPE is not set; set it, or give "
            "a default with ${SLUICE_NOPE:-default}\n");
}

TEST(ConfigTest, RequiredEnvironmentVariableCarriesTheMessage) {
  EXPECT_EQ(Errors("data_dir: '${DIR:?set DIR to the state directory}'\npipelines:\n  p:\n"
                   "    inputs: [{type: generate}]\n    outputs: [{type: stdout}]\n"),
            "t.yaml:1:11: data_dir: environment variable DIR is required: set DIR to the state "
            "directory\n");
}

class ConfigDirTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = sluice::testing::FreshTestDir("sluice_config_dir"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigDirTest, MergesPipelinesOfEveryFile) {
  Write("a.yaml",
        "data_dir: /d\npipelines:\n  a:\n    inputs: [{type: generate}]\n"
        "    outputs: [{type: stdout}]\n");
  Write("b.yml",
        "pipelines:\n  b:\n    inputs: [{type: stdin}]\n    outputs: [{type: blackhole}]\n");
  Write("ignored.txt", "not: yaml: at: all");
  Diagnostics diags;
  Config c = LoadConfig(dir_.string(), diags, FakeEnv({}));
  ASSERT_TRUE(diags.ok()) << diags.ToString();
  ASSERT_EQ(c.pipelines.size(), 2u);
  EXPECT_EQ(c.pipelines[0].name, "a");
  EXPECT_EQ(c.pipelines[1].name, "b");
  EXPECT_EQ(c.process.data_dir, "/d");
}

TEST_F(ConfigDirTest, SameSettingOrPipelineInTwoFilesIsAnError) {
  Write("a.yaml",
        "data_dir: /d\npipelines:\n  a:\n    inputs: [{type: generate}]\n"
        "    outputs: [{type: stdout}]\n");
  Write("b.yaml",
        "data_dir: /e\npipelines:\n  a:\n    inputs: [{type: stdin}]\n"
        "    outputs: [{type: blackhole}]\n");
  Diagnostics diags;
  LoadConfig(dir_.string(), diags, FakeEnv({}));
  std::string a = (dir_ / "a.yaml").string(), b = (dir_ / "b.yaml").string();
  EXPECT_EQ(diags.ToString(), b + ":1:1: 'data_dir' is already set at " + a +
                                  ":1:1; set it in one file only\n" + b +
                                  ":3:3: pipelines: pipeline 'a' is already defined at " + a +
                                  ":3:3; pipeline names must be unique\n");
}

TEST(ConfigFileTest, MissingFileIsReported) {
  Diagnostics diags;
  LoadConfig("/nonexistent/sluice.yaml", diags, FakeEnv({}));
  EXPECT_EQ(diags.ToString(),
            "/nonexistent/sluice.yaml: cannot read config file: No such file or directory\n");
}

}  // namespace
}  // namespace sluice::config

namespace sluice::config {
namespace {

std::string WhenErrors(const std::string& when_lines) {
  return Errors(
      "pipelines:\n  p:\n    inputs: [{type: stdin}]\n    outputs:\n      - type: stdout\n" +
      when_lines);
}

TEST(ConfigTest, WhenSyntaxErrorsPointInsideTheExpression) {
  // Plain scalar: column of the offending token (the ')' at character 13 of the text).
  std::string plain = WhenErrors("        when: log.level == )\n");
  EXPECT_NE(plain.find("t.yaml:6:28: "), std::string::npos) << plain;
  EXPECT_NE(plain.find("log.level == )\n"), std::string::npos) << plain;
  // Quoted: one more for the quote.
  std::string quoted = WhenErrors("        when: 'log.level == )'\n");
  EXPECT_NE(quoted.find("t.yaml:6:29: "), std::string::npos) << quoted;
  // Block scalar: the line below the indicator, after the indentation.
  std::string block = WhenErrors("        when: |\n          a == 1 &&\n            b == )\n");
  EXPECT_NE(block.find("t.yaml:8:18: "), std::string::npos) << block;
}

TEST(ConfigTest, WhenOnAnInputIsAnError) {
  std::string e = Errors(
      "pipelines:\n  p:\n    inputs: [{type: stdin, when: 'a == 1'}]\n"
      "    outputs: [{type: stdout}]\n");
  EXPECT_NE(e.find("'when' applies to filters and outputs, not inputs"), std::string::npos) << e;
}

TEST(ConfigTest, WhenIsParsedOntoThePluginConfig) {
  Config c;
  ASSERT_TRUE(
      Loads("pipelines:\n  p:\n    inputs: [{type: stdin}]\n"
            "    outputs: [{type: stdout, when: 'log.level == \"ERROR\"'}]\n",
            &c));
  ASSERT_NE(c.pipelines[0].outputs[0].when, nullptr);
  EXPECT_EQ(c.pipelines[0].outputs[0].when->source(), "log.level == \"ERROR\"");
  EXPECT_EQ(c.pipelines[0].inputs[0].when, nullptr);
}

}  // namespace
}  // namespace sluice::config
