#include "plugins/filters/dissect.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "pipeline/event_batch.h"
#include "tests/unit/plugins/filters/filter_cases.h"
#include "tests/unit/plugins/filters/spark_corpus.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::filters {
namespace {

using testing::ApplyFilter;
using testing::BuildFilter;
using testing::FilterCase;

constexpr const char* kSparkLine =
    "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers "
    "for [TERM, HUP, INT]";

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

TEST(DissectFilterTest, SplitsASparkLineWithViewsAndAnAppend) {
  auto b =
      BuildFilter<DissectFilter>("mapping: {message: \"%{ts} %{+ts} %{level} %{logger}: %{msg}\"}");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, kSparkLine);
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  testing::ExpectEvent(e, {.text = {{"ts", "17/06/09 20:10:40"},
                                    {"level", "INFO"},
                                    {"logger", "executor.CoarseGrainedExecutorBackend"},
                                    {"msg", "Registered signal handlers for [TERM, HUP, INT]"}},
                           .tags = std::vector<std::string>{}});
  // Plain captures are views of the message; the joined append is not.
  EXPECT_TRUE(Inside(e.Get("level")->as_string(), e.message()));
  EXPECT_TRUE(Inside(e.Get("msg")->as_string(), e.message()));
  EXPECT_FALSE(Inside(e.Get("ts")->as_string(), e.message()));
}

std::vector<FilterCase> Cases() {
  return {
      {.name = "FieldAndPatternOnAnotherField",
       .yaml = "field: raw\npattern: '%{a}|%{b}'",
       .events = {{.message = "not this",
                   .set = {{"raw", Value::String("x|y|z")}},
                   .text = {{"a", "x"}, {"b", "y|z"}}},
                  {.message = "x|y", .result = FilterResult::kSkipped, .absent = {"a"}},
                  {.message = "x|y",
                   .set = {{"raw", Value::Int(3)}},
                   .result = FilterResult::kSkipped}}},
      {.name = "LastKeyTakesTheRestWithNewlines",
       .yaml = "pattern: '%{level} %{msg}'",
       .events = {{.message = "ERROR boom\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)",
                   .text = {{"msg", "boom\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)"}}},
                  {.message = "ERROR ", .text = {{"msg", ""}}}}},
      {.name = "SkipKeys",
       .yaml = "pattern: '%{} %{?pid} %{level} %{}'",
       .events = {{.message = "host 1234 WARN the rest",
                   .text = {{"level", "WARN"}},
                   .field_count = 1}}},
      // Each joined with the text before it; the delimiter travels with its key (Logstash): /2
      // of y was preceded by "|". Orders: /1 first, then /2.
      {.name = "AppendsJoinWithTheirDelimiterInOrder",
       .yaml = "pattern: '%{d}T%{+d} [%{+d/3}] %{z} %{+x/2} %{+x/1}|%{+y/2},%{+y/1}'",
       .events = {{.message = "2017-06-09T20:10:40 [UTC] z b a|d,c",
                   .text = {{"d", "2017-06-09T20:10:40 [UTC"}, {"x", "a b"}, {"y", "c|d"}}}}},
      {.name = "AppendSeparator",
       .yaml = "pattern: '%{a} %{+a} %{+a}'\nappend_separator: '-'",
       .events = {{.message = "x y z", .text = {{"a", "x-y-z"}}}}},
      {.name = "OnlyAppends",
       .yaml = "pattern: '%{+a} %{+a}'",
       .events = {{.message = "x y", .text = {{"a", "x y"}}}}},
      {.name = "RightPaddingSkipsRepeatedDelimiters",
       .yaml = "pattern: '%{ts->} %{level->} %{msg}'",
       .events = {{.message = "20:10:40     INFO   started  now",
                   .text = {{"ts", "20:10:40"}, {"level", "INFO"}, {"msg", "started  now"}}}}},
      {.name = "WithoutPaddingSpacesBecomeCaptures",
       .yaml = "pattern: '%{ts} %{level} %{msg}'",
       .events = {{.message = "20:10:40  INFO x", .text = {{"level", ""}}}}},
      {.name = "AMultiByteDelimiterRepeatsAsAWhole",
       .yaml = "pattern: '%{a->}--%{b}'",
       .events = {{.message = "x------y", .text = {{"a", "x"}, {"b", "y"}}}}},
      {.name = "ReferenceKeysNameFields",
       .yaml = "pattern: '%{?k1}=%{&k1} %{*k2}=%{&k2}'",
       .events = {{.message = "user=bob host=h1",
                   .text = {{"user", "bob"}, {"host", "h1"}},
                   .field_count = 2},
                  // An empty name writes nothing.
                  {.message = "=bob h=1", .field_count = 1}}},
      {.name = "DottedAndBracketNames",
       .yaml = "pattern: '%{[log][level]} %{log.logger}: %{msg}'",
       .events = {{.message = "INFO a.B: hi",
                   .text = {{"log.level", "INFO"}, {"log.logger", "a.B"}}}}},
      {.name = "LeadingAndTrailingLiterals",
       .yaml = "pattern: '[%{level}] %{msg}!'",
       .events = {{.message = "[INFO] hello! and more",  // up to the first '!', the rest ignored
                   .text = {{"level", "INFO"}, {"msg", "hello"}}},
                  {.message = "INFO] hello!", .result = FilterResult::kFailed},
                  {.message = "[INFO] hello", .result = FilterResult::kFailed}}},
      {.name = "FailuresTagAndSetNothing",
       .yaml = "pattern: '%{a} %{b}: %{c}'",
       .events = {{.message = "x y without colon",
                   .result = FilterResult::kFailed,
                   .message_after = "x y without colon",
                   .tags = std::vector<std::string>{"_dissectfailure"},
                   .field_count = 0}}},
      {.name = "FailureTagsAreConfigurable",
       .yaml = "pattern: '%{a} %{b}'\ntag_on_failure: [nope, x]",
       .events = {{.message = "nospace",
                   .result = FilterResult::kFailed,
                   .tags = std::vector<std::string>{"nope", "x"}}}},
      {.name = "MappingAppliesEachPattern",
       .yaml = "mapping:\n  message: '%{level} %{rest}'\n  path: '/%{}/%{app}/%{file}'",
       .events = {{.message = "INFO hi",
                   .set = {{"path", Value::String("/logs/spark/app.log")}},
                   .text = {{"level", "INFO"}, {"app", "spark"}, {"file", "app.log"}}},
                  // One source absent: the other still applies.
                  {.message = "WARN x", .text = {{"level", "WARN"}}},
                  // One fails: tagged, the other's fields are kept.
                  {.message = "INFO hi",
                   .set = {{"path", Value::String("no slashes")}},
                   .result = FilterResult::kFailed,
                   .text = {{"level", "INFO"}},
                   .absent = {"app"},
                   .tags = std::vector<std::string>{"_dissectfailure"}}}},
      {.name = "AllSourcesAbsentIsSkipped",
       .yaml = "mapping: {a: '%{x} %{y}', b: '%{z}'}",
       .events = {{.message = "x y", .result = FilterResult::kSkipped}}},
      {.name = "WritingTheMessage",
       .yaml = "pattern: '%{ts} %{+ts} %{level} %{message}'",
       .events = {{.message = "17/06/09 20:10:40 INFO the text",
                   .text = {{"ts", "17/06/09 20:10:40"}},
                   .absent = {"message"},
                   .message_after = "the text"}}},
      // "tr ue" is not a bool: kept as text, tagged; so is "12x" as an int.
      {.name = "ConvertDatatype",
       .yaml = "pattern: '%{bytes} %{secs} %{ok} %{+ok} %{name}'\n"
               "convert_datatype: {bytes: int, secs: float, ok: bool, name: string}",
       .events = {{.message = "1024 0.25 tr ue bob",
                   .result = FilterResult::kFailed,
                   .text = {{"name", "bob"}, {"ok", "tr ue"}},
                   .values = {{"bytes", Value::Int(1024)}, {"secs", Value::Float(0.25)}},
                   .tags = std::vector<std::string>{"_dissectfailure"}},
                  {.message = "12x 1.5 true yes bob",
                   .result = FilterResult::kFailed,
                   .text = {{"bytes", "12x"}},
                   .values = {{"secs", Value::Float(1.5)}}},
                  {.message = "-7 1e3 o n bob",  // "o" + " " + "n" = "o n"
                   .result = FilterResult::kFailed}}},
      {.name = "ConvertDatatypeWithAppendSeparator",
       .yaml = "pattern: '%{bytes} %{secs} %{ok} %{+ok} %{name}'\nappend_separator: '_'\n"
               "convert_datatype: {bytes: int, secs: float, ok: string}",
       .events = {{.message = "-7 1e3 tr ue bob",
                   .text = {{"ok", "tr_ue"}},
                   .values = {{"bytes", Value::Int(-7)}, {"secs", Value::Float(1000)}},
                   .tags = std::vector<std::string>{}}}},
      // An empty append_separator means "the delimiter": "1,2" does not convert.
      {.name = "ConvertDatatypeOfAJoinedAppend",
       .yaml = "pattern: '%{n},%{+n}'\nappend_separator: ''\nconvert_datatype: {n: int}",
       .events = {{.message = "1,2", .result = FilterResult::kFailed}}},
      {.name = "ConvertDatatypeOfAReference",
       .yaml = "pattern: '%{?k}=%{&k}'\nconvert_datatype: {port: int}",
       .events = {{.message = "port=8080", .values = {{"port", Value::Int(8080)}}}}},
  };
}

class DissectFilterCaseTest : public ::testing::TestWithParam<FilterCase> {};

TEST_P(DissectFilterCaseTest, Applies) { testing::ExpectCase<DissectFilter>(GetParam()); }

INSTANTIATE_TEST_SUITE_P(DissectFilterTest, DissectFilterCaseTest, ::testing::ValuesIn(Cases()),
                         testing::CaseName);

TEST(DissectFilterTest, ConfigErrorsAtValidateTime) {
  testing::ExpectOptionErrors<DissectFilter>({
      {"field: message", "missing option 'pattern'"},
      {"pattern: '%{a}'\nmapping: {message: '%{a}'}", "not both"},
      {"pattern: '%{a} %{b'", "unclosed '%{' at offset 5"},
      {"pattern: '%{a}%{b}'", "keys '%{a}' and '%{b}' have no delimiter between them"},
      {"pattern: '%{a} %{&b}'", "'%{&b}' has no '%{?b}'"},
      {"pattern: '%{a} %{+}'", "'%{+}' needs a name"},
      {"pattern: '%{a} %{+a/x}'", "invalid append order '/x'"},
      {"pattern: '%{a} %{+a/}'", "invalid append order '/'"},
      {"pattern: 'no keys'", "no %{key}"},
      {"pattern: '%{[a]b} %{c}'", "malformed field reference '[a]b'"},
      {"pattern: '%{[a][]} %{c}'", "malformed field reference"},
      {"mapping: {message: '%{a}%{b}'}", "pattern for 'message'"},
      {"pattern: '%{a} %{b}'\nconvert_datatype: {a: number}", "'number' (for 'a') is not a type"},
      {"pattern: '%{a} %{b}'\nconvert_datatype: {c: int}", "'c' is not a key of any pattern"},
      {"pattern: '%{a} %{message}'\nconvert_datatype: {message: int}", "message cannot be"},
      {"pattern: '%{a}'\nfield: ''", "field: must not be empty"},
      {"mapping: {'': '%{a}'}", "mapping: a source field name must not be empty"},
      {"patern: '%{a}'", "did you mean 'pattern'"},
      {"pattern: '100%% %{a} %{b}'", ""},  // a lone % is literal text
      {"pattern: '%{a} } %{b}'", ""},
  });
}

// The patterns are compiled once, when the options are parsed; every instance shares them.
TEST(DissectFilterTest, PatternsAreCompiledOnceWhenParsed) {
  testing::ExpectBuiltFromParsedOptions<DissectFilter>(
      "pattern: '%{a} %{+a} %{n}'\nconvert_datatype: {n: int}",
      {{.message = "x y 1", .text = {{"a", "x y"}}, .values = {{"n", Value::Int(1)}}},
       {.message = "p q 2", .text = {{"a", "p q"}}, .values = {{"n", Value::Int(2)}}},
       {.message = "nospace", .result = FilterResult::kFailed}});
}

TEST(DissectFilterTest, BadBytesAndHugeTexts) {
  static constexpr char kBytes[] = "\xff \xfe \xc3 k=\x80 tail\0z";
  const std::string embedded_nul(kBytes, sizeof(kBytes) - 1);
  auto b = BuildFilter<DissectFilter>("pattern: '%{a} %{b->} %{+a} %{?k}=%{&k} %{c}'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  std::string huge(1 << 20, 'x');
  huge[100] = ' ';
  huge[200] = ' ';
  huge[300] = ' ';
  huge[400] = '=';
  huge[500] = ' ';
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
  for (const std::string& text : {huge, binary, embedded_nul, std::string(1 << 20, ' ')}) {
    Event& e = batch.Add(0, text);
    FilterResult r = b->filter->Apply(e);
    EXPECT_TRUE(r == FilterResult::kMatched || r == FilterResult::kFailed);
  }
  Event& h = batch.events()[0];
  ASSERT_NE(h.Get("c"), nullptr);
  EXPECT_EQ(h.Get("c")->as_string().size(), (1u << 20) - 501);
}

TEST(DissectFilterTest, AReferenceNameWithInvalidBytesIsValidUtf8) {
  auto r = ApplyFilter<DissectFilter>("pattern: '%{?k}=%{&k}'", "a\xff=1");
  EXPECT_EQ(r->result, FilterResult::kMatched);
  const Value* v = r->event->Get("a\xEF\xBF\xBD");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->as_string(), "1");
}

TEST(DissectFilterTest, AKeyNameMustBeValidUtf8) {
  const std::string errors = testing::OptionErrors<DissectFilter>(
      "pattern: '%{\xFF"
      "a} %{\xFE"
      "a}'");
  EXPECT_NE(errors.find("a key name is not valid UTF-8"), std::string::npos) << errors;
}

TEST(DissectFilterTest, RandomPatternsCompileOrFailCleanly) {
  std::mt19937 rng(20170609);
  const std::vector<std::string> atoms = {"%{", "}", "a", "b", "+", "?", "&", "*", "/",    "1",
                                          "->", " ", ":", "%", "[", "]", "-", ".", "%{a}", "%{}"};
  const std::string text_alphabet = "ab :-[]=1.\n";
  int compiled = 0;
  std::vector<std::string_view> values;
  for (int i = 0; i < 20000; ++i) {
    std::string pattern;
    for (int n = rng() % 12; n > 0; --n) pattern += atoms[rng() % atoms.size()];
    auto p = DissectFilter::Pattern::Compile(pattern);
    if (!p.ok()) {
      EXPECT_FALSE(p.status().message().empty());
      continue;
    }
    ++compiled;
    // Invariants: a key between two others has a delimiter; only the last may lack one.
    for (size_t k = 0; k + 1 < p->keys.size(); ++k) EXPECT_FALSE(p->keys[k].delimiter.empty());
    values.assign(p->keys.size(), {});
    for (int t = 0; t < 5; ++t) {
      std::string text;
      for (int n = rng() % 16; n > 0; --n) text += text_alphabet[rng() % text_alphabet.size()];
      if (p->Match(text, &values)) {
        for (std::string_view v : values) EXPECT_TRUE(Inside(v, text) || v.empty());
      }
    }
  }
  EXPECT_GT(compiled, 1000);
}

// Validation accepts exactly the patterns that compile, and Build() takes whatever it accepted.
TEST(DissectFilterTest, RandomConfigsThroughTheFilter) {
  std::mt19937 rng(99);
  const std::vector<std::string> atoms = {"%{a}", "%{+a}",  "%{b->}", "%{?k}", "%{&k}",
                                          "%{}",  " ",      "=",      ":",     "[",
                                          "]",    "%{c.d}", "%{+a/2}"};
  EventBatch batch;
  PluginContext context;
  for (int i = 0; i < 2000; ++i) {
    std::string pattern;
    for (int n = 1 + rng() % 8; n > 0; --n) pattern += atoms[rng() % atoms.size()];
    std::string errors;
    auto options =
        testing::ParseFilterOptions<DissectFilter>("pattern: '" + pattern + "'", &errors);
    EXPECT_EQ(errors.empty(), DissectFilter::Pattern::Compile(pattern).ok()) << pattern << errors;
    if (!errors.empty()) continue;
    auto built = DissectFilter::Build(options, context);
    ASSERT_TRUE(built.ok()) << pattern << ": " << built.status().message();
    for (int t = 0; t < 5; ++t) {
      std::string text;
      for (int n = rng() % 20; n > 0; --n) text += " =:[]abk"[rng() % 8];
      Event& e = batch.Add(0, text);
      (void)built.value()->Apply(e);
    }
  }
}

// Every Spark corpus line is `date time level logger: text`; the CSV holds each line's level and
// logger.
TEST(DissectFilterTest, SparkCorpus) {
  std::vector<testing::SparkLine> corpus;
  ASSERT_NO_FATAL_FAILURE(testing::ReadSparkCorpus(&corpus));
  if (corpus.empty()) GTEST_SKIP() << "Spark corpus not found in " << SLUICE_CORPUS_DIR;
  auto b = BuildFilter<DissectFilter>("pattern: '%{date} %{time} %{level} %{logger}: %{msg}'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  for (const testing::SparkLine& want : corpus) {
    Event& e = batch.Add(0, want.line);
    ASSERT_EQ(b->filter->Apply(e), FilterResult::kMatched) << want.line;
    SCOPED_TRACE(want.line);
    testing::ExpectEvent(e, {.text = {{"date", want.date},
                                      {"time", want.time},
                                      {"level", want.level},
                                      {"logger", want.component}}});
  }
  EXPECT_EQ(corpus.size(), 2000u);
}

}  // namespace
}  // namespace sluice::filters
