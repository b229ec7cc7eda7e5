#include "plugins/filters/grok.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "pipeline/event_batch.h"
#include "pipeline/registry.h"
#include "tests/unit/plugins/plugin_test_util.h"
#include "tests/unit/test_util.h"

namespace sluice::filters {
namespace {

using testing::BuildFilter;
using testing::ParseFilterOptions;

std::string Text(const Event& e, std::string_view field) { return testing::FieldText(e, field); }

std::unique_ptr<testing::AppliedFilter<GrokFilter>> ApplyTo(const std::string& yaml,
                                                            std::string_view message) {
  return testing::ApplyFilter<GrokFilter>(yaml, message);
}

std::string ValidationErrors(const std::string& yaml) {
  return testing::OptionErrors<GrokFilter>(yaml);
}

TEST(GrokFilterTest, IsRegistered) {
  EXPECT_NE(Registry::Get().Find(PluginKind::kFilter, "grok"), nullptr);
}

TEST(GrokFilterTest, SetsNamedCapturesAsFields) {
  auto a = ApplyTo("pattern: '^%{WORD:user} %{IP:client.ip} %{GREEDYDATA:rest}'",
                   "ann 10.1.2.3 did things");
  EXPECT_EQ(a->result, FilterResult::kMatched);
  EXPECT_EQ(Text(*a->event, "user"), "ann");
  EXPECT_EQ(Text(*a->event, "client.ip"), "10.1.2.3");
  EXPECT_EQ(Text(*a->event, "rest"), "did things");
  EXPECT_EQ(a->event->message(), "ann 10.1.2.3 did things");  // untouched: no message capture
  EXPECT_EQ(a->event->fields().size(), 3u);
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

TEST(GrokFilterTest, TypedCaptures) {
  auto a = ApplyTo(
      "pattern: '%{INT:i:int} %{NUMBER:f:float} %{WORD:b:bool} %{NUMBER:bad:int} %{WORD:s}'",
      "-7 2.5 yes 1.5 txt");
  EXPECT_EQ(*a->event->Get("i"), Value::Int(-7));
  EXPECT_EQ(*a->event->Get("f"), Value::Float(2.5));
  EXPECT_EQ(*a->event->Get("b"), Value::Bool(true));
  EXPECT_EQ(Text(*a->event, "bad"), "1.5");  // does not convert: stays a string
  EXPECT_EQ(Text(*a->event, "s"), "txt");
}

TEST(GrokFilterTest, DottedAndBracketNames) {
  auto a = ApplyTo(R"(pattern: '%{WORD:[log][level]} (?<http.verb>\w+) (?P<[url][path]>\S+)')",
                   "INFO GET /x");
  EXPECT_EQ(Text(*a->event, "log.level"), "INFO");
  EXPECT_EQ(Text(*a->event, "http.verb"), "GET");
  EXPECT_EQ(Text(*a->event, "url.path"), "/x");
}

TEST(GrokFilterTest, FieldOptionParsesAStringFieldAndSkipsWhenAbsent) {
  auto built = BuildFilter<GrokFilter>("field: raw\npattern: '^%{INT:n}'");
  EventBatch batch;
  Event& e = batch.Add(0, "message text");
  e.Set("raw", Value::String("12 ab"));
  EXPECT_EQ(built->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "n"), "12");
  Event& absent = batch.Add(0, "34");
  EXPECT_EQ(built->filter->Apply(absent), FilterResult::kSkipped);
  EXPECT_TRUE(absent.tags().empty());
  Event& not_text = batch.Add(0, "34");
  not_text.Set("raw", Value::Int(34));
  EXPECT_EQ(built->filter->Apply(not_text), FilterResult::kSkipped);
}

TEST(GrokFilterTest, PatternsAreTriedInOrderFirstMatchWins) {
  const std::string yaml =
      "patterns: ['^%{INT:num} %{WORD:first}', '^%{WORD:word} %{WORD:second}', '^%{WORD:third}']";
  auto a = ApplyTo(yaml, "12 abc");
  EXPECT_EQ(Text(*a->event, "num"), "12");
  EXPECT_EQ(a->event->Get("second"), nullptr);
  EXPECT_EQ(a->event->Get("third"), nullptr);
  auto b = ApplyTo(yaml, "ab cd");
  EXPECT_EQ(Text(*b->event, "word"), "ab");
  EXPECT_EQ(Text(*b->event, "second"), "cd");
  EXPECT_EQ(b->event->Get("third"), nullptr);
}

TEST(GrokFilterTest, BreakOnMatchFalseAppliesEveryMatchingPattern) {
  auto a = ApplyTo(
      "break_on_match: false\n"
      "patterns: ['^%{WORD:a} ', '%{INT:n}$', '^%{WORD:a}%{GREEDYMULTILINE:message}', 'nope']",
      "first x 12");
  EXPECT_EQ(a->result, FilterResult::kMatched);
  EXPECT_EQ(Text(*a->event, "a"), "first");
  EXPECT_EQ(Text(*a->event, "n"), "12");
  EXPECT_EQ(a->event->message(), " x 12");
  EXPECT_TRUE(a->event->tags().empty());
}

TEST(GrokFilterTest, PatternDefinitionsFromTheConfig) {
  auto a = ApplyTo(
      "pattern_definitions: {APP_ID: 'application_%{INT}_%{INT}', INT: '[0-9]{2}'}\n"
      "pattern: '%{APP_ID:app}'",
      "started application_12_34 and 5_6");
  EXPECT_EQ(Text(*a->event, "app"), "application_12_34");
  auto bad = ValidationErrors("pattern_definitions: {'bad name': x}\npattern: x");
  EXPECT_NE(bad.find("pattern_definitions: pattern name 'bad name' is not valid"),
            std::string::npos)
      << bad;
}

TEST(GrokFilterTest, PatternFilesAndDirectories) {
  auto dir = testing::FreshTestDir("sluice_grok_filter");
  std::filesystem::create_directories(dir / "d");
  std::ofstream(dir / "d" / "mine") << "# mine\nGREETING (?:hello|hi)\nNAME_ [A-Z][a-z]+\n";
  std::ofstream(dir / "extra.patterns") << "GREETED %{GREETING} %{NAME_:name}\n";
  std::string yaml = "patterns_dir: " + (dir / "d").string() + "\npattern_files: [" +
                     (dir / "extra.patterns").string() + "]\npattern: '%{GREETED:all}'";
  auto a = ApplyTo(yaml, "oh hi Ann");
  EXPECT_EQ(Text(*a->event, "all"), "hi Ann");
  EXPECT_EQ(Text(*a->event, "name"), "Ann");
  auto missing = ValidationErrors("patterns_dir: " + (dir / "nope").string() + "\npattern: x");
  EXPECT_NE(missing.find("patterns_dir: pattern directory"), std::string::npos) << missing;
  auto missing_file = ValidationErrors("pattern_files: [/nonexistent/p]\npattern: x");
  EXPECT_NE(missing_file.find("cannot read pattern file '/nonexistent/p'"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(GrokFilterTest, EmptyCapturesSetNothingUnlessKept) {
  const std::string pattern = "pattern: '^%{WORD:a}:(?<b>[0-9]*):(?:%{INT:c}|x)'\n";
  auto a = ApplyTo(pattern, "w::x");
  EXPECT_EQ(Text(*a->event, "a"), "w");
  EXPECT_EQ(a->event->Get("b"), nullptr);  // empty
  EXPECT_EQ(a->event->Get("c"), nullptr);  // did not take part
  auto k = ApplyTo(pattern + "keep_empty_captures: true", "w::x");
  EXPECT_EQ(Text(*k->event, "b"), "");
  EXPECT_EQ(k->event->Get("c"), nullptr);  // still nothing: it did not take part
}

TEST(GrokFilterTest, FailureKeepsTheEventAndTagsIt) {
  auto a = ApplyTo("pattern: '^%{INT:n}$'", "not a number");
  EXPECT_EQ(a->result, FilterResult::kFailed);
  EXPECT_EQ(a->event->message(), "not a number");
  ASSERT_EQ(a->event->tags().size(), 1u);
  EXPECT_EQ(a->event->tags()[0], "_grokparsefailure");
  EXPECT_TRUE(a->event->fields().empty());

  auto custom = ApplyTo("pattern: '^%{INT:n}$'\ntag_on_failure: [no_int, parse_failed]", "x");
  EXPECT_TRUE(custom->event->HasTag("no_int"));
  EXPECT_TRUE(custom->event->HasTag("parse_failed"));
  EXPECT_FALSE(custom->event->HasTag("_grokparsefailure"));

  auto none = ApplyTo("pattern: '^%{INT:n}$'\ntag_on_failure: []", "x");
  EXPECT_EQ(none->result, FilterResult::kFailed);
  EXPECT_TRUE(none->event->tags().empty());
}

TEST(GrokFilterTest, ExactlyOneOfPatternAndPatterns) {
  EXPECT_NE(ValidationErrors("field: message").find("set 'pattern' (one grok pattern) or"),
            std::string::npos);
  EXPECT_NE(ValidationErrors("pattern: a\npatterns: [b]").find("not both"), std::string::npos);
  EXPECT_NE(ValidationErrors("patterns: [a, '']").find("patterns[1]: the pattern is empty"),
            std::string::npos);
  EXPECT_NE(ValidationErrors("pattern: a\nfield: ''").find("field: must not be empty"),
            std::string::npos);
  EXPECT_EQ(ValidationErrors("pattern: '^%{SPARK_LOG4J}'"), "");
}

TEST(GrokFilterTest, BadPatternsFailValidationWithPositionAndReason) {
  std::string e = ValidationErrors("patterns: ['^%{WORD:w}', '^%{WORD:w} (?=x)', '%{NUMBR}']");
  EXPECT_NE(e.find("test.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("patterns[1]: invalid pattern \"^%{WORD:w} (?=x)\": at offset 11 (\"(?=x)\"): "
                   "RE2: invalid perl operator: (?="),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("patterns[2]: invalid pattern \"%{NUMBR}\": at offset 0"), std::string::npos)
      << e;
  EXPECT_NE(e.find("did you mean 'NUMBER'?"), std::string::npos) << e;
  e = ValidationErrors("pattern_definitions: {LOOP: 'x%{LOOP}'}\npattern: '%{LOOP}'");
  EXPECT_NE(e.find("pattern cycle: LOOP -> LOOP"), std::string::npos) << e;
  e = ValidationErrors("pattern_definitions: {BAD: 'a{2,1}'}\npattern: 'x%{BAD:b}'");
  EXPECT_NE(e.find("at offset 1 (\"%{BAD:b}\"), in %{BAD}, at offset 1 of BAD's definition"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("RE2: invalid repetition size: {2,1}"), std::string::npos) << e;
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

// One field of a CSV file (RFC 4180: quoted fields may hold commas, "" and line breaks).
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      rows.back().push_back(std::move(field));
      field.clear();
      rows.emplace_back();
    } else {
      field.push_back(c);
    }
  }
  if (!field.empty() || !rows.back().empty()) {
    rows.back().push_back(std::move(field));
  } else {
    rows.pop_back();
  }
  return rows;
}

TEST(GrokSparkTest, EveryLineOfTheLogHubSparkSample) {
  std::string dir = SLUICE_CORPUS_DIR;
  if (!std::filesystem::exists(dir + "/Spark_2k.log")) {
    GTEST_SKIP() << "corpus not found at " << dir << " (Spark_2k.log from LogHub)";
  }
  std::string log = testing::ReadFile(dir + "/Spark_2k.log");
  auto rows = ParseCsv(testing::ReadFile(dir + "/Spark_2k.log_structured.csv"));
  ASSERT_EQ(rows.size(), 2001u);
  ASSERT_EQ(rows[0], (std::vector<std::string>{"LineId", "Date", "Time", "Level", "Component",
                                               "Content", "EventId", "EventTemplate"}));
  auto built = BuildFilter<GrokFilter>("pattern: '^%{SPARK_LOG4J}'");
  EventBatch batch;
  size_t row = 1;
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    std::string line = log.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // as the file input does
    ASSERT_LT(row, rows.size());
    const auto& want = rows[row++];
    ASSERT_EQ(want.size(), 8u);
    Event& e = batch.Add(0, line);
    ASSERT_EQ(built->filter->Apply(e), FilterResult::kMatched) << line;
    EXPECT_EQ(Text(e, "timestamp"), want[1] + " " + want[2]) << line;
    EXPECT_EQ(Text(e, "log.level"), want[3]) << line;
    EXPECT_EQ(Text(e, "log.logger"), want[4]) << line;
    EXPECT_EQ(e.message(), want[5]) << line;
    EXPECT_EQ(e.fields().size(), 3u);
  }
  EXPECT_EQ(row, rows.size());
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
  struct Case {
    std::string pattern, text, field, want;
  };
  const std::vector<Case> cases = {
      {"^%{IPV4:x}$", "192.168.0.255", "x", "192.168.0.255"},
      {"^%{IP:x}$", "2001:db8::ff00:42:8329", "x", "2001:db8::ff00:42:8329"},
      {"^%{IP:x}$", "::1", "x", "::1"},
      {"^%{IP:x}$", "::ffff:10.0.0.1", "x", "::ffff:10.0.0.1"},
      {"^%{IP:x}$", "fe80::1%eth0", "x", "fe80::1%eth0"},
      {"^%{IPORHOST:x}$", "node-7.cluster.local", "x", "node-7.cluster.local"},
      {"^%{HOSTPORT:x}$", "10.0.0.1:8080", "x", "10.0.0.1:8080"},
      {"^%{UUID:x}$", "123e4567-e89b-12d3-a456-426614174000", "x",
       "123e4567-e89b-12d3-a456-426614174000"},
      {"^%{MAC:x}$", "00:1a:2B:3c:4d:5e", "x", "00:1a:2B:3c:4d:5e"},
      {"^%{TIMESTAMP_ISO8601:x}$", "2017-06-09T20:10:40.123+02:00", "x",
       "2017-06-09T20:10:40.123+02:00"},
      {"^%{HTTPDATE:x}$", "10/Oct/2000:13:55:36 -0700", "x", "10/Oct/2000:13:55:36 -0700"},
      {"^%{SYSLOGTIMESTAMP:x}$", "Jun  9 20:10:40", "x", "Jun  9 20:10:40"},
      {"^%{DATESTAMP:x}$", "06/09/2017 20:10:40", "x", "06/09/2017 20:10:40"},
      {"^%{QUOTEDSTRING:x}$", R"("say \"hi\"")", "x", R"("say \"hi\"")"},
      {"^%{URI:x}$", "https://user@example.com:8443/a/b.html?q=1&r=[2]", "x",
       "https://user@example.com:8443/a/b.html?q=1&r=[2]"},
      {"^%{UNIXPATH:x}$", "/var/log/spark-2.4/app_1.log", "x", "/var/log/spark-2.4/app_1.log"},
      {"^%{WINPATH:x}$", "C:\\Program Files\\app.exe", "x", "C:\\Program Files\\app.exe"},
      {"^%{NUMBER:x:float}$", "-1.5", "x", "-1.5"},
      {"^%{LOGLEVEL:x}$", "Warning", "x", "Warning"},
      {"^%{EMAILADDRESS:x}$", "first.last+tag@mail.example.org", "x",
       "first.last+tag@mail.example.org"},
      {"^%{SYSLOGBASE}", "Jun  9 20:10:40 host-1 sshd[4242]: Accepted", "process.pid", "4242"},
      {"^%{SYSLOGBASE}", "Jun  9 20:10:40 host-1 sshd[4242]: Accepted", "host.hostname", "host-1"},
  };
  for (const Case& c : cases) {
    auto a = ApplyTo("pattern: '" + c.pattern + "'", c.text);
    ASSERT_EQ(a->result, FilterResult::kMatched) << c.pattern << " on " << c.text;
    const Value* v = a->event->Get(c.field);
    ASSERT_NE(v, nullptr) << c.pattern;
    std::string got = v->is_string()                   ? std::string(v->as_string())
                      : v->kind() == Value::Kind::kInt ? std::to_string(v->as_int())
                                                       : std::to_string(v->as_float());
    if (v->kind() == Value::Kind::kFloat) {
      EXPECT_EQ(v->as_float(), std::stod(c.want));
    } else {
      EXPECT_EQ(got, c.want) << c.pattern;
    }
  }
}

TEST(GrokLibraryTest, CombinedApacheLogWithEcsFields) {
  auto a = ApplyTo(
      "pattern: '^%{COMBINEDAPACHELOG}'",
      R"x(203.0.113.9 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" )x"
      R"x(200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)")x");
  ASSERT_EQ(a->result, FilterResult::kMatched);
  const Event& e = *a->event;
  EXPECT_EQ(Text(e, "source.address"), "203.0.113.9");
  EXPECT_EQ(e.Get("apache.access.user.identity"), nullptr);  // `-`
  EXPECT_EQ(Text(e, "user.name"), "frank");
  EXPECT_EQ(Text(e, "timestamp"), "10/Oct/2000:13:55:36 -0700");
  EXPECT_EQ(Text(e, "http.request.method"), "GET");
  EXPECT_EQ(Text(e, "url.original"), "/apache_pb.gif");
  EXPECT_EQ(Text(e, "http.version"), "1.0");
  EXPECT_EQ(*e.Get("http.response.status_code"), Value::Int(200));
  EXPECT_EQ(*e.Get("http.response.body.bytes"), Value::Int(2326));
  EXPECT_EQ(Text(e, "http.request.referrer"), "http://www.example.com/start.html");
  EXPECT_EQ(Text(e, "user_agent.original"), "Mozilla/4.08 [en] (Win98; I ;Nav)");
}

// --- Performance --------------------------------------------------------------------------------

}  // namespace
}  // namespace sluice::filters
