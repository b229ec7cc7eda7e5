#include "plugins/filters/grok.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/event_batch.h"
#include "pipeline/registry.h"
#include "tests/unit/plugins/filters/filter_cases.h"
#include "tests/unit/plugins/filters/spark_corpus.h"
#include "tests/unit/plugins/plugin_test_util.h"
#include "tests/unit/test_util.h"

namespace sluice::filters {
namespace {

using testing::BuildFilter;
using testing::FilterCase;

const std::vector<std::string> kNoTags;
const std::vector<std::string> kFailureTag = {"_grokparsefailure"};

std::string Text(const Event& e, std::string_view field) { return testing::FieldText(e, field); }

std::unique_ptr<testing::AppliedFilter<GrokFilter>> ApplyTo(const std::string& yaml,
                                                            std::string_view message) {
  return testing::ApplyFilter<GrokFilter>(yaml, message);
}

TEST(GrokFilterTest, IsRegistered) {
  EXPECT_NE(Registry::Get().Find(PluginKind::kFilter, "grok"), nullptr);
}

TEST(GrokFilterTest, FieldValuesAreViewsOfTheMessage) {
  auto a = ApplyTo("pattern: '^%{WORD:w}'", "hello world");
  const Value* v = a->event->Get("w");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->as_string().data(), a->event->message().data());
}

TEST(GrokFilterTest, MessageCaptureReplacesTheMessageWithoutCopy) {
  auto built = BuildFilter<GrokFilter>("pattern: '^%{INT:n:int} %{GREEDYMULTILINE:message}'");
  EventBatch batch;
  Event& e = batch.Add(0, "42 the rest\nnext line");
  const char* original = e.message().data();
  EXPECT_EQ(built->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(e.message(), "the rest\nnext line");
  EXPECT_EQ(e.message().data(), original + 3);
  EXPECT_EQ(e.Get("message"), nullptr);  // the message is not a field
  ASSERT_NE(e.Get("n"), nullptr);
  EXPECT_EQ(*e.Get("n"), Value::Int(42));
}

std::vector<FilterCase> Cases() {
  const std::string in_order =
      "patterns: ['^%{INT:num} %{WORD:first}', '^%{WORD:word} %{WORD:second}', '^%{WORD:third}']";
  const std::string empty_captures = "pattern: '^%{WORD:a}:(?<b>[0-9]*):(?:%{INT:c}|x)'\n";
  return {
      {.name = "SetsNamedCapturesAsFields",
       .yaml = "pattern: '^%{WORD:user} %{IP:client.ip} %{GREEDYDATA:rest}'",
       .events = {{.message = "ann 10.1.2.3 did things",
                   .text = {{"user", "ann"}, {"client.ip", "10.1.2.3"}, {"rest", "did things"}},
                   .message_after = "ann 10.1.2.3 did things",  // untouched: no message capture
                   .field_count = 3}}},
      // NUMBER:bad:int does not convert: it stays a string.
      {.name = "TypedCaptures",
       .yaml = "pattern: '%{INT:i:int} %{NUMBER:f:float} %{WORD:b:bool} %{NUMBER:bad:int} "
               "%{WORD:s}'",
       .events = {{.message = "-7 2.5 yes 1.5 txt",
                   .text = {{"bad", "1.5"}, {"s", "txt"}},
                   .values = {{"i", Value::Int(-7)},
                              {"f", Value::Float(2.5)},
                              {"b", Value::Bool(true)}}}}},
      {.name = "DottedAndBracketNames",
       .yaml = R"(pattern: '%{WORD:[log][level]} (?<http.verb>\w+) (?P<[url][path]>\S+)')",
       .events = {{.message = "INFO GET /x",
                   .text = {{"log.level", "INFO"}, {"http.verb", "GET"}, {"url.path", "/x"}}}}},
      {.name = "FieldOptionParsesAStringFieldAndSkipsWhenAbsent",
       .yaml = "field: raw\npattern: '^%{INT:n}'",
       .events = {{.message = "message text",
                   .set = {{"raw", Value::String("12 ab")}},
                   .text = {{"n", "12"}}},
                  {.message = "34", .result = FilterResult::kSkipped, .tags = kNoTags},
                  {.message = "34",
                   .set = {{"raw", Value::Int(34)}},
                   .result = FilterResult::kSkipped}}},
      {.name = "PatternsAreTriedInOrderFirstMatchWins",
       .yaml = in_order,
       .events = {{.message = "12 abc", .text = {{"num", "12"}}, .absent = {"second", "third"}},
                  {.message = "ab cd",
                   .text = {{"word", "ab"}, {"second", "cd"}},
                   .absent = {"third"}}}},
      {.name = "BreakOnMatchFalseAppliesEveryMatchingPattern",
       .yaml = "break_on_match: false\n"
               "patterns: ['^%{WORD:a} ', '%{INT:n}$', '^%{WORD:a}%{GREEDYMULTILINE:message}', "
               "'nope']",
       .events = {{.message = "first x 12",
                   .text = {{"a", "first"}, {"n", "12"}},
                   .message_after = " x 12",
                   .tags = kNoTags}}},
      {.name = "PatternDefinitionsFromTheConfig",
       .yaml = "pattern_definitions: {APP_ID: 'application_%{INT}_%{INT}', INT: '[0-9]{2}'}\n"
               "pattern: '%{APP_ID:app}'",
       .events = {{.message = "started application_12_34 and 5_6",
                   .text = {{"app", "application_12_34"}}}}},
      {.name = "EmptyCapturesSetNothing",
       .yaml = empty_captures,
       .events = {{.message = "w::x",
                   .text = {{"a", "w"}},
                   .absent = {"b",      // empty
                              "c"}}}},  // did not take part
      {.name = "EmptyCapturesKept",
       .yaml = empty_captures + "keep_empty_captures: true",
       .events = {{.message = "w::x",
                   .text = {{"b", ""}},
                   .absent = {"c"}}}},  // still nothing: it did not take part
      {.name = "FailureKeepsTheEventAndTagsIt",
       .yaml = "pattern: '^%{INT:n}$'",
       .events = {{.message = "not a number",
                   .result = FilterResult::kFailed,
                   .message_after = "not a number",
                   .tags = kFailureTag,
                   .field_count = 0}}},
      {.name = "FailureTagsAreConfigurable",
       .yaml = "pattern: '^%{INT:n}$'\ntag_on_failure: [no_int, parse_failed]",
       .events = {{.result = FilterResult::kFailed,
                   .tags = std::vector<std::string>{"no_int", "parse_failed"}}}},
      {.name = "NoFailureTags",
       .yaml = "pattern: '^%{INT:n}$'\ntag_on_failure: []",
       .events = {{.result = FilterResult::kFailed, .tags = kNoTags}}},
      {.name = "CombinedApacheLogWithEcsFields",
       .yaml = "pattern: '^%{COMBINEDAPACHELOG}'",
       .events = {{.message = R"x(203.0.113.9 - frank [10/Oct/2000:13:55:36 -0700] )x"
                              R"x("GET /apache_pb.gif HTTP/1.0" 200 2326 )x"
                              R"x("http://www.example.com/start.html" )x"
                              R"x("Mozilla/4.08 [en] (Win98; I ;Nav)")x",
                   .text = {{"source.address", "203.0.113.9"},
                            {"user.name", "frank"},
                            {"timestamp", "10/Oct/2000:13:55:36 -0700"},
                            {"http.request.method", "GET"},
                            {"url.original", "/apache_pb.gif"},
                            {"http.version", "1.0"},
                            {"http.request.referrer", "http://www.example.com/start.html"},
                            {"user_agent.original", "Mozilla/4.08 [en] (Win98; I ;Nav)"}},
                   .values = {{"http.response.status_code", Value::Int(200)},
                              {"http.response.body.bytes", Value::Int(2326)}},
                   .absent = {"apache.access.user.identity"}}}},  // `-`
  };
}

class GrokFilterCaseTest : public ::testing::TestWithParam<FilterCase> {};

TEST_P(GrokFilterCaseTest, Applies) { testing::ExpectCase<GrokFilter>(GetParam()); }

INSTANTIATE_TEST_SUITE_P(GrokFilterTest, GrokFilterCaseTest, ::testing::ValuesIn(Cases()),
                         testing::CaseName);

TEST(GrokFilterTest, PatternFilesAndDirectories) {
  auto dir = testing::FreshTestDir("sluice_grok_filter");
  std::filesystem::create_directories(dir / "d");
  std::ofstream(dir / "d" / "mine") << "# mine\nGREETING (?:hello|hi)\nNAME_ [A-Z][a-z]+\n";
  std::ofstream(dir / "extra.patterns") << "GREETED %{GREETING} %{NAME_:name}\n";
  std::string yaml = "patterns_dir: " + (dir / "d").string() + "\npattern_files: [" +
                     (dir / "extra.patterns").string() + "]\npattern: '%{GREETED:all}'";
  testing::ExpectCase<GrokFilter>(
      {.name = "PatternFilesAndDirectories",
       .yaml = yaml,
       .events = {{.message = "oh hi Ann", .text = {{"all", "hi Ann"}, {"name", "Ann"}}}}});
  testing::ExpectOptionErrors<GrokFilter>({
      {"patterns_dir: " + (dir / "nope").string() + "\npattern: x",
       "patterns_dir: pattern directory"},
      {"pattern_files: [/nonexistent/p]\npattern: x", "cannot read pattern file '/nonexistent/p'"},
  });
  std::filesystem::remove_all(dir);
}

TEST(GrokFilterTest, ConfigErrorsAtValidateTime) {
  testing::ExpectOptionErrors<GrokFilter>({
      {"field: message", "set 'pattern' (one grok pattern) or"},
      {"pattern: a\npatterns: [b]", "not both"},
      {"patterns: [a, '']", "patterns[1]: the pattern is empty"},
      {"pattern: a\nfield: ''", "field: must not be empty"},
      {"pattern_definitions: {'bad name': x}\npattern: x",
       "pattern_definitions: pattern name 'bad name' is not valid"},
      {"pattern: '^%{SPARK_LOG4J}'", ""},
  });
}

TEST(GrokFilterTest, BadPatternsFailValidationWithPositionAndReason) {
  const std::string patterns = "patterns: ['^%{WORD:w}', '^%{WORD:w} (?=x)', '%{NUMBR}']";
  const std::string bad_definition = "pattern_definitions: {BAD: 'a{2,1}'}\npattern: 'x%{BAD:b}'";
  testing::ExpectOptionErrors<GrokFilter>({
      {patterns, "test.yaml:"},
      {patterns,
       "patterns[1]: invalid pattern \"^%{WORD:w} (?=x)\": at offset 11 (\"(?=x)\"): RE2: invalid "
       "perl operator: (?="},
      {patterns, "patterns[2]: invalid pattern \"%{NUMBR}\": at offset 0"},
      {patterns, "did you mean 'NUMBER'?"},
      {"pattern_definitions: {LOOP: 'x%{LOOP}'}\npattern: '%{LOOP}'",
       "pattern cycle: LOOP -> LOOP"},
      {bad_definition, "at offset 1 (\"%{BAD:b}\"), in %{BAD}, at offset 1 of BAD's definition"},
      {bad_definition, "RE2: invalid repetition size: {2,1}"},
  });
}

// Build() copies what parsing compiled: instances share the programs, each with its own buffers.
TEST(GrokFilterTest, PatternsAreCompiledOnceWhenParsed) {
  testing::ExpectBuiltFromParsedOptions<GrokFilter>(
      "pattern: '^%{WORD:w} %{INT:n:int}'",
      {{.message = "ann 1", .text = {{"w", "ann"}}, .values = {{"n", Value::Int(1)}}},
       {.message = "bob 2", .text = {{"w", "bob"}}, .values = {{"n", Value::Int(2)}}},
       {.message = "-", .result = FilterResult::kFailed, .tags = kFailureTag}});
}

TEST(GrokFilterTest, InvalidUtf8AndBinaryInputNeverFail) {
  auto built = BuildFilter<GrokFilter>("pattern: '^%{WORD:w} %{DATA:mid} x %{GREEDYDATA:rest}'");
  EventBatch batch;
  std::string message("abc \xff\xfe\x00\x80 x tail\x00\xc3(", 18);
  Event& e = batch.Add(0, message);
  EXPECT_EQ(built->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "mid"), std::string("\xff\xfe\x00\x80", 4));
  EXPECT_EQ(Text(e, "rest"), std::string("tail\x00\xc3(", 7));
  // Random bytes: any outcome but a crash; failures are tagged.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(rng() % 200, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() % 256);
    Event& r = batch.Add(0, bytes);
    FilterResult result = built->filter->Apply(r);
    EXPECT_EQ(result == FilterResult::kFailed, r.HasTag("_grokparsefailure"));
  }
}

TEST(GrokFilterTest, OneMebibyteLine) {
  auto built = BuildFilter<GrokFilter>(
      "patterns: ['^%{WORD:w} %{INT:n:int}$', '^%{WORD:w} %{GREEDYDATA:rest}']");
  auto mid = BuildFilter<GrokFilter>("pattern: '^%{WORD:w} %{DATA:d} (?<x>x+)$'");
  EventBatch batch;
  std::string line = "start " + std::string(1 << 20, 'x');
  line[500000] = ' ';
  Event& e = batch.Add(0, line);
  EXPECT_EQ(built->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "w"), "start");
  EXPECT_EQ(e.Get("rest")->as_string().size(), line.size() - 6);
  // A middle capture over a long line goes through RE2's slower engines: still right.
  Event& m = batch.Add(0, line);
  EXPECT_EQ(mid->filter->Apply(m), FilterResult::kMatched);
  EXPECT_EQ(m.Get("d")->as_string().size(), 500000u - 6);
  EXPECT_EQ(m.Get("x")->as_string().size(), line.size() - 500001);
}

// --- Shipped patterns ---------------------------------------------------------------------------

TEST(GrokSparkTest, EveryLineOfTheLogHubSparkSample) {
  std::vector<testing::SparkLine> corpus;
  ASSERT_NO_FATAL_FAILURE(testing::ReadSparkCorpus(&corpus));
  if (corpus.empty()) GTEST_SKIP() << "corpus not found at " << SLUICE_CORPUS_DIR;
  auto built = BuildFilter<GrokFilter>("pattern: '^%{SPARK_LOG4J}'");
  EventBatch batch;
  for (const testing::SparkLine& want : corpus) {
    std::string line = want.line;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // as the file input does
    Event& e = batch.Add(0, line);
    ASSERT_EQ(built->filter->Apply(e), FilterResult::kMatched) << line;
    SCOPED_TRACE(line);
    testing::ExpectEvent(e, {.text = {{"timestamp", want.date + " " + want.time},
                                      {"log.level", want.level},
                                      {"log.logger", want.component}},
                             .message_after = want.content,
                             .field_count = 3});
  }
  EXPECT_EQ(corpus.size(), 2000u);
}

TEST(GrokSparkTest, MultiLineErrorKeepsTheStackTraceInTheMessage) {
  const std::string event =
      "17/06/09 20:11:11 ERROR executor.Executor: Exception in task 0.0 in stage 1.0 (TID 8)\n"
      "java.io.IOException: Connection reset by peer\n"
      "\tat sun.nio.ch.FileDispatcherImpl.read0(Native Method)\n"
      "\tat org.apache.spark.network.util.TransportFrameDecoder.channelRead("
      "TransportFrameDecoder.java:85)\n"
      "Caused by: java.net.SocketException: reset\n"
      "\t... 12 more";
  auto a = ApplyTo("pattern: '^%{SPARK_LOG4J}'", event);
  EXPECT_EQ(a->result, FilterResult::kMatched);
  EXPECT_EQ(Text(*a->event, "timestamp"), "17/06/09 20:11:11");
  EXPECT_EQ(Text(*a->event, "log.level"), "ERROR");
  EXPECT_EQ(Text(*a->event, "log.logger"), "executor.Executor");
  EXPECT_EQ(a->event->message(), event.substr(event.find(": ") + 2));
  // The same without ^ (unanchored): the same result.
  auto u = ApplyTo("pattern: '%{SPARK_LOG4J}'", event);
  EXPECT_EQ(u->event->message(), a->event->message());
  // A stack trace line on its own.
  auto t = ApplyTo("pattern: '^%{JAVASTACKTRACEPART}$'",
                   "\tat org.apache.spark.network.util.TransportFrameDecoder.channelRead("
                   "TransportFrameDecoder.java:85)");
  EXPECT_EQ(Text(*t->event, "java.log.origin.class.name"),
            "org.apache.spark.network.util.TransportFrameDecoder");
  EXPECT_EQ(Text(*t->event, "log.origin.function"), "channelRead");
  EXPECT_EQ(Text(*t->event, "log.origin.file.name"), "TransportFrameDecoder.java");
  EXPECT_EQ(*t->event->Get("log.origin.file.line"), Value::Int(85));
}

TEST(GrokSparkTest, SparkLayoutVariants) {
  auto padded = ApplyTo("pattern: '^%{SPARK_LOG4J2}'",
                        "23/01/02 03:04:05.678 WARN  SparkContext: Using an existing one.");
  EXPECT_EQ(Text(*padded->event, "timestamp"), "23/01/02 03:04:05.678");
  EXPECT_EQ(Text(*padded->event, "log.level"), "WARN");
  EXPECT_EQ(Text(*padded->event, "log.logger"), "SparkContext");
  EXPECT_EQ(padded->event->message(), "Using an existing one.");
  auto empty = ApplyTo("pattern: '^%{SPARK_LOG4J}'", "23/01/02 03:04:05 INFO DAGScheduler:");
  EXPECT_EQ(empty->result, FilterResult::kMatched);
  EXPECT_EQ(empty->event->message(), "");
  for (std::string bad : {"2023-01-02 03:04:05,678 INFO X: m", "23/01/02 03:04:05 NOTE X: m",
                          "23/01/02 03:04:05 INFO no colon here"}) {
    EXPECT_EQ(ApplyTo("pattern: '^%{SPARK_LOG4J}'", bad)->result, FilterResult::kFailed) << bad;
  }
}

TEST(GrokSparkTest, HadoopYarnHdfsAndEmrLines) {
  struct Case {
    std::string line, timestamp, level, logger, thread, message;
  };
  const std::vector<Case> cases = {
      {"2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: "
       "Created MRAppMaster for application appattempt_1445144423722_0020_000001",
       "2015-10-18 18:01:47,978", "INFO", "org.apache.hadoop.mapreduce.v2.app.MRAppMaster", "main",
       "Created MRAppMaster for application appattempt_1445144423722_0020_000001"},
      {"2017-03-01 10:11:12,013 WARN org.apache.hadoop.hdfs.server.datanode.DataNode: Slow "
       "BlockReceiver write packet to mirror took 512ms",
       "2017-03-01 10:11:12,013", "WARN", "org.apache.hadoop.hdfs.server.datanode.DataNode",
       "<unset>", "Slow BlockReceiver write packet to mirror took 512ms"},
      {"2021-06-30 23:59:59,999 ERROR [IPC Server handler 5 on 8020] "
       "org.apache.hadoop.yarn.server.resourcemanager.ResourceManager: boom\n\tat a.B.c(B.java:1)",
       "2021-06-30 23:59:59,999", "ERROR",
       "org.apache.hadoop.yarn.server.resourcemanager.ResourceManager",
       "IPC Server handler 5 on 8020", "boom\n\tat a.B.c(B.java:1)"},
      {"2024-02-29 12:00:00,001 INFO YarnClientImpl: Submitted application "
       "application_1709200000000_0001",
       "2024-02-29 12:00:00,001", "INFO", "YarnClientImpl", "<unset>",
       "Submitted application application_1709200000000_0001"},
      {"2024-02-29T12:00:00.001 DEBUG Client: log4j2 ISO8601", "2024-02-29T12:00:00.001", "DEBUG",
       "Client", "<unset>", "log4j2 ISO8601"},
  };
  auto built = BuildFilter<GrokFilter>("pattern: '^%{HADOOP_LOG4J}'");
  EventBatch batch;
  for (const Case& c : cases) {
    Event& e = batch.Add(0, c.line);
    ASSERT_EQ(built->filter->Apply(e), FilterResult::kMatched) << c.line;
    EXPECT_EQ(Text(e, "timestamp"), c.timestamp);
    EXPECT_EQ(Text(e, "log.level"), c.level);
    EXPECT_EQ(Text(e, "log.logger"), c.logger);
    EXPECT_EQ(Text(e, "process.thread.name"), c.thread);
    EXPECT_EQ(e.message(), c.message);
  }
}

TEST(GrokLibraryTest, CommonPatternsMatchWhatTheirNamesSay) {
  // Each pattern, as `^%{NAME:x}$`, matches each of its texts whole.
  const std::vector<std::pair<std::string, std::vector<std::string>>> whole = {
      {"IPV4", {"192.168.0.255"}},
      {"IP", {"2001:db8::ff00:42:8329", "::1", "::ffff:10.0.0.1", "fe80::1%eth0"}},
      {"IPORHOST", {"node-7.cluster.local"}},
      {"HOSTPORT", {"10.0.0.1:8080"}},
      {"UUID", {"123e4567-e89b-12d3-a456-426614174000"}},
      {"MAC", {"00:1a:2B:3c:4d:5e"}},
      {"TIMESTAMP_ISO8601", {"2017-06-09T20:10:40.123+02:00"}},
      {"HTTPDATE", {"10/Oct/2000:13:55:36 -0700"}},
      {"SYSLOGTIMESTAMP", {"Jun  9 20:10:40"}},
      {"DATESTAMP", {"06/09/2017 20:10:40"}},
      {"QUOTEDSTRING", {R"("say \"hi\"")"}},
      {"URI", {"https://user@example.com:8443/a/b.html?q=1&r=[2]"}},
      {"UNIXPATH", {"/var/log/spark-2.4/app_1.log"}},
      {"WINPATH", {"C:\\Program Files\\app.exe"}},
      {"LOGLEVEL", {"Warning"}},
      {"EMAILADDRESS", {"first.last+tag@mail.example.org"}},
  };
  for (const auto& [name, texts] : whole) {
    for (const std::string& text : texts) {
      auto a = ApplyTo("pattern: '^%{" + name + ":x}$'", text);
      ASSERT_EQ(a->result, FilterResult::kMatched) << name << " on " << text;
      EXPECT_EQ(Text(*a->event, "x"), text) << name;
    }
  }
  testing::ExpectCase<GrokFilter>(
      {.name = "NUMBER",
       .yaml = "pattern: '^%{NUMBER:x:float}$'",
       .events = {{.message = "-1.5", .values = {{"x", Value::Float(-1.5)}}}}});
  testing::ExpectCase<GrokFilter>(
      {.name = "SYSLOGBASE",
       .yaml = "pattern: '^%{SYSLOGBASE}'",
       .events = {{.message = "Jun  9 20:10:40 host-1 sshd[4242]: Accepted",
                   .text = {{"host.hostname", "host-1"}},
                   .values = {{"process.pid", Value::Int(4242)}}}}});
}

// --- Performance --------------------------------------------------------------------------------

}  // namespace
}  // namespace sluice::filters
