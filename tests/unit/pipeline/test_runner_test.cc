// `sluice test`: the `tests:` section is read through its schemas (errors with file:line:column
// and "did you mean"), and cases pass or fail with a readable report.
#include "pipeline/test_runner.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

// Lines 1-7 of every config below; the `tests:` section starts on line 8.
const char* kPipelines = R"(pipelines:
  p:
    inputs: [{type: stdin}]
    filters:
      - {type: drop, when: 'log.level == "DEBUG"'}
    outputs: [{type: stdout, id: all}, {type: stdout, id: errors, when: 'log.level == "ERROR"'}]
# the tests
)";

struct TestRun {
  ConfigTestResults results;
  std::string errors;  // the diagnostics, one per line
};

TestRun RunTests(const std::string& tests, const std::string& pipelines = kPipelines) {
  config::Diagnostics load;
  config::Config config = config::LoadConfigText(pipelines + tests, "t.yaml", load);
  EXPECT_TRUE(load.ok()) << load.ToString();
  config::Diagnostics diags;
  TestRun run;
  run.results = RunConfigTests(config, diags);
  run.errors = diags.ToString();
  return run;
}

TEST(TestRunnerTest, PassingAndFailingCases) {
  TestRun run = RunTests(R"(tests:
  - name: kept
    events: [hello]
    fields: {log.level: ERROR, n: 42}
    expect:
      - fields: {message: hello, log.level: ERROR, n: 42}
        absent: [x]
        no_tags: true
        timestamp: 1970-01-01T00:00:00Z
        outputs: [errors, all]
  - name: dropped
    input: "a\nb"
    fields: {log.level: DEBUG}
    expect_dropped: true
  - name: quoted values match strings only
    events: [x]
    fields: {n: 42}
    expect:
      - fields: {n: "42", gone: y}
        outputs: []
)");
  EXPECT_EQ(run.errors, "");
  EXPECT_EQ(run.results.passed, 2);
  EXPECT_EQ(run.results.failed, 1);
  const std::string& report = run.results.report;
  EXPECT_NE(report.find("ok    kept\n"), std::string::npos) << report;
  EXPECT_NE(report.find("ok    dropped\n"), std::string::npos) << report;
  EXPECT_NE(report.find("FAIL  quoted values match strings only (t.yaml:22:5)\n"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("event 1: n: expected \"42\", got 42\n"), std::string::npos) << report;
  EXPECT_NE(report.find("event 1: gone: expected y, but the field is missing\n"), std::string::npos)
      << report;
  EXPECT_NE(report.find("event 1: outputs: expected [], routed to [all]\n"), std::string::npos)
      << report;
  EXPECT_NE(report.find("got event 1: {"), std::string::npos) << report;
}

TEST(TestRunnerTest, UnknownKeysSayWhereAndWhatWasMeant) {
  TestRun run = RunTests(R"(tests:
  - name: typo
    evnets: [x]
    expect:
      - feilds: {a: b}
        tags: [t]
)");
  EXPECT_EQ(run.errors,
            "t.yaml:10:5: tests[0]: unknown option 'evnets' for a test case; did you mean "
            "'events'?\n"
            "t.yaml:12:9: tests[0].expect[0]: unknown option 'feilds' for an expected event; did "
            "you mean 'fields'?\n");
  EXPECT_EQ(run.results.failed, 1);
  EXPECT_NE(
      run.results.report.find("FAIL  typo (t.yaml:9:5): the test case is invalid (see above)"),
      std::string::npos)
      << run.results.report;
}

TEST(TestRunnerTest, UnknownKeyWithoutACloseMatchListsTheOptions) {
  TestRun run = RunTests(R"(tests:
  - name: x
    events: [x]
    expect_dropped: true
    zzz: 1
)");
  EXPECT_EQ(run.errors,
            "t.yaml:12:5: tests[0]: unknown option 'zzz' for a test case; valid options: name, "
            "pipeline, input, events, fields, expect, expect_dropped\n");
}

TEST(TestRunnerTest, MissingAndContradictoryKeys) {
  TestRun run = RunTests(R"(tests:
  - events: [x]
    expect_dropped: true
  - name: both
    input: x
    events: [x]
    expect_dropped: true
  - name: neither
    expect_dropped: true
  - name: no expectation
    events: [x]
  - name: contradiction
    events: [x]
    expect: [{fields: {a: b}}]
    expect_dropped: true
)");
  EXPECT_EQ(run.errors,
            "t.yaml:9:5: tests[0]: missing required option 'name' of a test case (The case's "
            "name, printed in the report.)\n"
            "t.yaml:11:5: tests[1]: give either 'input' (text framed like the pipeline's input) or "
            "'events', not both\n"
            "t.yaml:15:5: tests[2]: a test case needs 'input' (text) or 'events' (a list of "
            "messages)\n"
            "t.yaml:17:5: tests[3]: a test case needs 'expect' (the events that come out) or "
            "'expect_dropped: true'\n"
            "t.yaml:19:5: tests[4]: 'expect_dropped: true' contradicts a non-empty 'expect'\n");
  EXPECT_EQ(run.results.passed, 0);
  EXPECT_EQ(run.results.failed, 5);
  EXPECT_NE(run.results.report.find("FAIL  (unnamed) (t.yaml:9:5): the test case is invalid"),
            std::string::npos)
      << run.results.report;
}

TEST(TestRunnerTest, WrongTypes) {
  TestRun run = RunTests(R"(tests:
  - name: types
    events: {a: b}
    fields: [a]
    expect:
      - fields: {a: [1]}
        no_tags: maybe
      - 42
  - name: expect is no list
    events: [x]
    expect: {fields: {a: b}}
)");
  EXPECT_EQ(run.errors,
            "t.yaml:10:13: tests[0].events: expected a list of strings, got a map\n"
            "t.yaml:11:13: tests[0].fields: expected a map of field name to value, got a list\n"
            "t.yaml:13:21: tests[0].expect[0].fields.a: expected a value (a string, number, bool "
            "or null), got a list\n"
            "t.yaml:14:18: tests[0].expect[0].no_tags: expected true or false, got 'maybe'\n"
            "t.yaml:15:9: tests[0].expect[1]: expected an expected event (a map with "
            "fields/absent/tags/timestamp/outputs), got '42'\n"
            "t.yaml:18:13: tests[1].expect: expected a list of expected events ('- fields: "
            "{...}'), got a map\n");
  EXPECT_EQ(run.results.failed, 2);
}

TEST(TestRunnerTest, PipelineChoice) {
  const std::string two = R"(pipelines:
  spark:
    inputs: [{type: stdin}]
    outputs: [{type: stdout}]
  other:
    inputs: [{type: stdin}]
    outputs: [{type: stdout}]
)";
  TestRun run = RunTests(R"(tests:
  - name: which
    events: [x]
    expect_dropped: true
  - name: typo
    pipeline: sprak
    events: [x]
    expect: [{fields: {message: x}}]
  - name: right
    pipeline: spark
    events: [x]
    expect: [{fields: {message: x}}]
)",
                         two);
  EXPECT_EQ(run.errors,
            "t.yaml:9:5: tests[0]: the config has several pipelines; say which one this test runs "
            "with 'pipeline:'\n"
            "t.yaml:13:15: tests[1].pipeline: no pipeline 'sprak'; did you mean 'spark'?\n");
  EXPECT_EQ(run.results.passed, 1);
  EXPECT_EQ(run.results.failed, 2);
}

TEST(TestRunnerTest, TestsMustBeAList) {
  TestRun run = RunTests("tests: {name: x}\n");
  EXPECT_EQ(run.errors,
            "t.yaml:8:8: tests: expected a list of test cases ('- name: ...'), got a map\n");
  EXPECT_EQ(run.results.passed + run.results.failed, 0);
}

}  // namespace
}  // namespace sluice
