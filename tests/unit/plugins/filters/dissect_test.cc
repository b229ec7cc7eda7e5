#include "plugins/filters/dissect.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "pipeline/event_batch.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::filters {
namespace {

using testing::BuildFilter;

constexpr const char* kSparkLine =
    "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers "
    "for [TERM, HUP, INT]";

std::string OptionErrors(const std::string& yaml) {
  return testing::OptionErrors<DissectFilter>(yaml);
}

std::string Text(const Event& e, std::string_view name) {
  const Value* v = e.Get(name);
  if (v == nullptr) return "<absent>";
  if (!v->is_string()) return "<not a string>";
  return std::string(v->as_string());
}

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
  EXPECT_EQ(Text(e, "ts"), "17/06/09 20:10:40");
  EXPECT_EQ(Text(e, "level"), "INFO");
  EXPECT_EQ(Text(e, "logger"), "executor.CoarseGrainedExecutorBackend");
  EXPECT_EQ(Text(e, "msg"), "Registered signal handlers for [TERM, HUP, INT]");
  // Plain captures are views of the message; the joined append is not.
  EXPECT_TRUE(Inside(e.Get("level")->as_string(), e.message()));
  EXPECT_TRUE(Inside(e.Get("msg")->as_string(), e.message()));
  EXPECT_FALSE(Inside(e.Get("ts")->as_string(), e.message()));
  EXPECT_TRUE(e.tags().empty());
}

TEST(DissectFilterTest, FieldAndPatternOnAnotherField) {
  auto b = BuildFilter<DissectFilter>("field: raw\npattern: '%{a}|%{b}'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "not this");
  e.SetView("raw", Value::String("x|y|z"));
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "a"), "x");
  EXPECT_EQ(Text(e, "b"), "y|z");
  Event& absent = batch.Add(0, "x|y");
  EXPECT_EQ(b->filter->Apply(absent), FilterResult::kSkipped);
  EXPECT_EQ(absent.Get("a"), nullptr);
  Event& not_text = batch.Add(0, "x|y");
  not_text.SetView("raw", Value::Int(3));
  EXPECT_EQ(b->filter->Apply(not_text), FilterResult::kSkipped);
}

TEST(DissectFilterTest, LastKeyTakesTheRestWithNewlines) {
  auto b = BuildFilter<DissectFilter>("pattern: '%{level} %{msg}'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "ERROR boom\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "msg"), "boom\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)");
  Event& empty_rest = batch.Add(0, "ERROR ");
  EXPECT_EQ(b->filter->Apply(empty_rest), FilterResult::kMatched);
  EXPECT_EQ(Text(empty_rest, "msg"), "");
}

TEST(DissectFilterTest, SkipKeys) {
  auto b = BuildFilter<DissectFilter>("pattern: '%{} %{?pid} %{level} %{}'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "host 1234 WARN the rest");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "level"), "WARN");
  EXPECT_EQ(e.fields().size(), 1u);
}

TEST(DissectFilterTest, AppendsJoinWithTheirDelimiterInOrder) {
  auto b = BuildFilter<DissectFilter>(
      "pattern: '%{d}T%{+d} [%{+d/3}] %{z} %{+x/2} %{+x/1}|%{+y/2},%{+y/1}'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "2017-06-09T20:10:40 [UTC] z b a|d,c");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "d"), "2017-06-09T20:10:40 [UTC");  // each joined with the text before it
  EXPECT_EQ(Text(e, "x"), "a b");                       // /1 first, then /2
  // The delimiter travels with its key (Logstash): /2 was preceded by "|".
  EXPECT_EQ(Text(e, "y"), "c|d");

  auto sep = BuildFilter<DissectFilter>("pattern: '%{a} %{+a} %{+a}'\nappend_separator: '-'");
  ASSERT_TRUE(sep->filter) << sep->error;
  Event& s = batch.Add(0, "x y z");
  EXPECT_EQ(sep->filter->Apply(s), FilterResult::kMatched);
  EXPECT_EQ(Text(s, "a"), "x-y-z");

  auto only = BuildFilter<DissectFilter>("pattern: '%{+a} %{+a}'");
  ASSERT_TRUE(only->filter) << only->error;
  Event& o = batch.Add(0, "x y");
  EXPECT_EQ(only->filter->Apply(o), FilterResult::kMatched);
  EXPECT_EQ(Text(o, "a"), "x y");
}

TEST(DissectFilterTest, RightPaddingSkipsRepeatedDelimiters) {
  auto b = BuildFilter<DissectFilter>("pattern: '%{ts->} %{level->} %{msg}'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "20:10:40     INFO   started  now");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "ts"), "20:10:40");
  EXPECT_EQ(Text(e, "level"), "INFO");
  EXPECT_EQ(Text(e, "msg"), "started  now");
  // Without ->, the spaces become captures.
  auto plain = BuildFilter<DissectFilter>("pattern: '%{ts} %{level} %{msg}'");
  Event& p = batch.Add(0, "20:10:40  INFO x");
  EXPECT_EQ(plain->filter->Apply(p), FilterResult::kMatched);
  EXPECT_EQ(Text(p, "level"), "");
  // A multi-byte delimiter repeats as a whole.
  auto multi = BuildFilter<DissectFilter>("pattern: '%{a->}--%{b}'");
  Event& m = batch.Add(0, "x------y");
  EXPECT_EQ(multi->filter->Apply(m), FilterResult::kMatched);
  EXPECT_EQ(Text(m, "a"), "x");
  EXPECT_EQ(Text(m, "b"), "y");
}

TEST(DissectFilterTest, ReferenceKeysNameFields) {
  auto b = BuildFilter<DissectFilter>("pattern: '%{?k1}=%{&k1} %{*k2}=%{&k2}'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "user=bob host=h1");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "user"), "bob");
  EXPECT_EQ(Text(e, "host"), "h1");
  EXPECT_EQ(e.fields().size(), 2u);
  Event& empty_name = batch.Add(0, "=bob h=1");
  EXPECT_EQ(b->filter->Apply(empty_name), FilterResult::kMatched);
  EXPECT_EQ(empty_name.fields().size(), 1u);  // an empty name writes nothing
}

TEST(DissectFilterTest, DottedAndBracketNames) {
  auto b = BuildFilter<DissectFilter>("pattern: '%{[log][level]} %{log.logger}: %{msg}'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "INFO a.B: hi");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "log.level"), "INFO");
  EXPECT_EQ(Text(e, "log.logger"), "a.B");
}

TEST(DissectFilterTest, LeadingAndTrailingLiterals) {
  auto b = BuildFilter<DissectFilter>("pattern: '[%{level}] %{msg}!'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "[INFO] hello! and more");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "level"), "INFO");
  EXPECT_EQ(Text(e, "msg"), "hello");  // up to the first '!', the rest ignored
  Event& no_prefix = batch.Add(0, "INFO] hello!");
  EXPECT_EQ(b->filter->Apply(no_prefix), FilterResult::kFailed);
  Event& no_end = batch.Add(0, "[INFO] hello");
  EXPECT_EQ(b->filter->Apply(no_end), FilterResult::kFailed);
}

TEST(DissectFilterTest, FailuresTagAndSetNothing) {
  auto b = BuildFilter<DissectFilter>("pattern: '%{a} %{b}: %{c}'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "x y without colon");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kFailed);
  EXPECT_TRUE(e.HasTag("_dissectfailure"));
  EXPECT_TRUE(e.fields().empty());
  EXPECT_EQ(e.message(), "x y without colon");

  auto custom = BuildFilter<DissectFilter>("pattern: '%{a} %{b}'\ntag_on_failure: [nope, x]");
  Event& c = batch.Add(0, "nospace");
  EXPECT_EQ(custom->filter->Apply(c), FilterResult::kFailed);
  EXPECT_TRUE(c.HasTag("nope"));
  EXPECT_TRUE(c.HasTag("x"));
  EXPECT_FALSE(c.HasTag("_dissectfailure"));
}

TEST(DissectFilterTest, MappingAppliesEachPattern) {
  auto b = BuildFilter<DissectFilter>(
      "mapping:\n  message: '%{level} %{rest}'\n  path: '/%{}/%{app}/%{file}'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& both = batch.Add(0, "INFO hi");
  both.SetView("path", Value::String("/logs/spark/app.log"));
  EXPECT_EQ(b->filter->Apply(both), FilterResult::kMatched);
  EXPECT_EQ(Text(both, "level"), "INFO");
  EXPECT_EQ(Text(both, "app"), "spark");
  EXPECT_EQ(Text(both, "file"), "app.log");
  // One source absent: the other still applies.
  Event& one = batch.Add(0, "WARN x");
  EXPECT_EQ(b->filter->Apply(one), FilterResult::kMatched);
  EXPECT_EQ(Text(one, "level"), "WARN");
  // One fails: tagged, the other's fields are kept.
  Event& half = batch.Add(0, "INFO hi");
  half.SetView("path", Value::String("no slashes"));
  EXPECT_EQ(b->filter->Apply(half), FilterResult::kFailed);
  EXPECT_EQ(Text(half, "level"), "INFO");
  EXPECT_EQ(half.Get("app"), nullptr);
  EXPECT_TRUE(half.HasTag("_dissectfailure"));
}

TEST(DissectFilterTest, AllSourcesAbsentIsSkipped) {
  auto b = BuildFilter<DissectFilter>("mapping: {a: '%{x} %{y}', b: '%{z}'}");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "x y");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kSkipped);
}

TEST(DissectFilterTest, WritingTheMessage) {
  auto b = BuildFilter<DissectFilter>("pattern: '%{ts} %{+ts} %{level} %{message}'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "17/06/09 20:10:40 INFO the text");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(e.message(), "the text");
  EXPECT_EQ(e.Get("message"), nullptr);
  EXPECT_EQ(Text(e, "ts"), "17/06/09 20:10:40");
}

TEST(DissectFilterTest, ConvertDatatype) {
  auto b = BuildFilter<DissectFilter>(
      "pattern: '%{bytes} %{secs} %{ok} %{+ok} %{name}'\n"
      "convert_datatype: {bytes: int, secs: float, ok: bool, name: string}");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "1024 0.25 tr ue bob");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kFailed);
  EXPECT_EQ(*e.Get("bytes"), Value::Int(1024));
  EXPECT_EQ(*e.Get("secs"), Value::Float(0.25));
  EXPECT_EQ(Text(e, "name"), "bob");
  // "tr ue" is not a bool: kept as text, tagged.
  EXPECT_EQ(Text(e, "ok"), "tr ue");
  EXPECT_TRUE(e.HasTag("_dissectfailure"));

  Event& bad = batch.Add(0, "12x 1.5 true yes bob");
  EXPECT_EQ(b->filter->Apply(bad), FilterResult::kFailed);
  EXPECT_EQ(Text(bad, "bytes"), "12x");
  EXPECT_EQ(*bad.Get("secs"), Value::Float(1.5));

  Event& not_bool = batch.Add(0, "-7 1e3 o n bob");  // "o" + " " + "n" = "o n"
  EXPECT_EQ(b->filter->Apply(not_bool), FilterResult::kFailed);
  Event& all = batch.Add(0, "-7 1e3 tr ue bob");
  auto no_space = BuildFilter<DissectFilter>(
      "pattern: '%{bytes} %{secs} %{ok} %{+ok} %{name}'\nappend_separator: '_'\n"
      "convert_datatype: {bytes: int, secs: float, ok: string}");
  EXPECT_EQ(no_space->filter->Apply(all), FilterResult::kMatched);
  EXPECT_EQ(*all.Get("bytes"), Value::Int(-7));
  EXPECT_EQ(*all.Get("secs"), Value::Float(1000));
  EXPECT_EQ(Text(all, "ok"), "tr_ue");
  EXPECT_TRUE(all.tags().empty());

  auto join = BuildFilter<DissectFilter>(
      "pattern: '%{n},%{+n}'\nappend_separator: ''\n"
      "convert_datatype: {n: int}");
  Event& j = batch.Add(0, "1,2");
  // An empty append_separator means "the delimiter": "1,2" does not convert.
  EXPECT_EQ(join->filter->Apply(j), FilterResult::kFailed);

  auto refs = BuildFilter<DissectFilter>("pattern: '%{?k}=%{&k}'\nconvert_datatype: {port: int}");
  ASSERT_TRUE(refs->filter) << refs->error;
  Event& r = batch.Add(0, "port=8080");
  EXPECT_EQ(refs->filter->Apply(r), FilterResult::kMatched);
  EXPECT_EQ(*r.Get("port"), Value::Int(8080));
}

TEST(DissectFilterTest, ConfigErrorsAtValidateTime) {
  auto has = [](const std::string& yaml, const std::string& what) {
    std::string errors = OptionErrors(yaml);
    EXPECT_NE(errors.find(what), std::string::npos) << yaml << " → " << errors;
  };
  has("field: message", "missing option 'pattern'");
  has("pattern: '%{a}'\nmapping: {message: '%{a}'}", "not both");
  has("pattern: '%{a} %{b'", "unclosed '%{' at offset 5");
  has("pattern: '%{a}%{b}'", "keys '%{a}' and '%{b}' have no delimiter between them");
  has("pattern: '%{a} %{&b}'", "'%{&b}' has no '%{?b}'");
  has("pattern: '%{a} %{+}'", "'%{+}' needs a name");
  has("pattern: '%{a} %{+a/x}'", "invalid append order '/x'");
  has("pattern: '%{a} %{+a/}'", "invalid append order '/'");
  has("pattern: 'no keys'", "no %{key}");
  has("pattern: '%{[a]b} %{c}'", "malformed field reference '[a]b'");
  has("pattern: '%{[a][]} %{c}'", "malformed field reference");
  has("mapping: {message: '%{a}%{b}'}", "pattern for 'message'");
  has("pattern: '%{a} %{b}'\nconvert_datatype: {a: number}", "'number' (for 'a') is not a type");
  has("pattern: '%{a} %{b}'\nconvert_datatype: {c: int}", "'c' is not a key of any pattern");
  has("pattern: '%{a} %{message}'\nconvert_datatype: {message: int}", "message cannot be");
  has("pattern: '%{a}'\nfield: ''", "must not be empty");
  has("patern: '%{a}'", "did you mean 'pattern'");
  EXPECT_EQ(OptionErrors("pattern: '100%% %{a} %{b}'"), "");  // a lone % is literal text
  EXPECT_EQ(OptionErrors("pattern: '%{a} } %{b}'"), "");
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

TEST(DissectFilterTest, RandomConfigsThroughTheFilter) {
  std::mt19937 rng(99);
  const std::vector<std::string> atoms = {"%{a}", "%{+a}",  "%{b->}", "%{?k}", "%{&k}",
                                          "%{}",  " ",      "=",      ":",     "[",
                                          "]",    "%{c.d}", "%{+a/2}"};
  EventBatch batch;
  for (int i = 0; i < 2000; ++i) {
    DissectFilter::Options o;
    for (int n = 1 + rng() % 8; n > 0; --n) o.pattern += atoms[rng() % atoms.size()];
    if (!DissectFilter::Pattern::Compile(o.pattern).ok()) continue;
    PluginContext context;
    auto built = DissectFilter::Build(o, context);
    if (!built.ok()) continue;
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
  const std::filesystem::path dir = SLUICE_CORPUS_DIR;
  std::ifstream log(dir / "Spark_2k.log");
  std::ifstream csv(dir / "Spark_2k.log_structured.csv");
  if (!log || !csv) GTEST_SKIP() << "Spark corpus not found in " << dir;
  auto b = BuildFilter<DissectFilter>("pattern: '%{date} %{time} %{level} %{logger}: %{msg}'");
  ASSERT_TRUE(b->filter) << b->error;
  std::string line;
  std::string row;
  std::getline(csv, row);
  EventBatch batch;
  int n = 0;
  while (std::getline(log, line) && std::getline(csv, row)) {
    Event& e = batch.Add(0, line);
    ASSERT_EQ(b->filter->Apply(e), FilterResult::kMatched) << line;
    // LineId,Date,Time,Level,Component,...: the first five are never quoted.
    std::vector<std::string> cols;
    size_t start = 0;
    for (int c = 0; c < 5; ++c) {
      size_t comma = row.find(',', start);
      cols.push_back(row.substr(start, comma - start));
      start = comma + 1;
    }
    EXPECT_EQ(Text(e, "date"), cols[1]);
    EXPECT_EQ(Text(e, "time"), cols[2]);
    EXPECT_EQ(Text(e, "level"), cols[3]);
    EXPECT_EQ(Text(e, "logger"), cols[4]);
    ++n;
  }
  EXPECT_EQ(n, 2000);
}

}  // namespace
}  // namespace sluice::filters
