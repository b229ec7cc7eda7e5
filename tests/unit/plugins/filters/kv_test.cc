#include "plugins/filters/kv.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "pipeline/event_batch.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::filters {
namespace {

using testing::BuildFilter;

std::string OptionErrors(const std::string& yaml) { return testing::OptionErrors<KvFilter>(yaml); }

std::string Text(const Event& e, std::string_view name) {
  const Value* v = e.Get(name);
  if (v == nullptr) return "<absent>";
  if (!v->has_bytes()) return "<not text>";
  return std::string(v->as_string());
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

// Runs a kv filter built from `yaml` on an event with `message`; returns the event.
struct Run {
  std::unique_ptr<testing::BuiltFilter<KvFilter>> built;
  EventBatch batch;
  FilterResult result = FilterResult::kSkipped;
  Event* event = nullptr;
};
std::unique_ptr<Run> Apply(const std::string& yaml, std::string_view message) {
  auto r = std::make_unique<Run>();
  r->built = BuildFilter<KvFilter>(yaml);
  EXPECT_TRUE(r->built->filter) << r->built->error;
  r->event = &r->batch.Add(0, message);
  if (r->built->filter) r->result = r->built->filter->Apply(*r->event);
  return r;
}

TEST(KvFilterTest, PairsBecomeFieldsThatViewTheText) {
  auto r = Apply("{}", "user=bob status=200  took=3ms");
  EXPECT_EQ(r->result, FilterResult::kMatched);
  const Event& e = *r->event;
  EXPECT_EQ(Text(e, "user"), "bob");
  EXPECT_EQ(Text(e, "status"), "200");
  EXPECT_EQ(Text(e, "took"), "3ms");
  EXPECT_EQ(e.fields().size(), 3u);
  for (const Field& f : e.fields()) {
    EXPECT_TRUE(Inside(f.name, e.message())) << f.name;
    EXPECT_TRUE(Inside(f.value.as_string(), e.message())) << f.name;
  }
  EXPECT_TRUE(e.tags().empty());
}

TEST(KvFilterTest, WordsWithoutASplitAreIgnored) {
  auto r = Apply("{}", "GET /index.html user=bob done");
  EXPECT_EQ(r->result, FilterResult::kMatched);
  EXPECT_EQ(r->event->fields().size(), 1u);
  EXPECT_EQ(Text(*r->event, "user"), "bob");
  // The value runs to the next field split: later value splits belong to it.
  auto eq = Apply("{}", "q=a=b=c");
  EXPECT_EQ(Text(*eq->event, "q"), "a=b=c");
}

TEST(KvFilterTest, QuotedValues) {
  auto r = Apply("{}",
                 "msg=\"not found here\" q='single quoted' esc=\"say \\\"hi\\\" \\\\ ok\" "
                 "path=\"C:\\temp\" it=it's tail=\"unclosed value x=1");
  EXPECT_EQ(r->result, FilterResult::kMatched);
  const Event& e = *r->event;
  EXPECT_EQ(Text(e, "msg"), "not found here");
  EXPECT_TRUE(Inside(e.Get("msg")->as_string(), e.message()));  // no escapes: a view
  EXPECT_EQ(Text(e, "q"), "single quoted");
  EXPECT_EQ(Text(e, "esc"), "say \"hi\" \\ ok");
  EXPECT_FALSE(Inside(e.Get("esc")->as_string(), e.message()));  // unescaped copy
  EXPECT_EQ(Text(e, "path"), "C:\\temp");                        // other backslashes stay
  EXPECT_EQ(Text(e, "it"), "it's");
  EXPECT_EQ(Text(e, "tail"), "\"unclosed");  // an unclosed quote is text
  EXPECT_EQ(Text(e, "x"), "1");
  // Text between a closing quote and the next split is ignored.
  auto after = Apply("{}", "a=\"x\"y b=2");
  EXPECT_EQ(Text(*after->event, "a"), "x");
  EXPECT_EQ(Text(*after->event, "b"), "2");
}

TEST(KvFilterTest, Brackets) {
  auto r = Apply("{}", "a=(x y) b=[1 2] c=<z w> d=(open");
  const Event& e = *r->event;
  EXPECT_EQ(Text(e, "a"), "x y");
  EXPECT_EQ(Text(e, "b"), "1 2");
  EXPECT_EQ(Text(e, "c"), "z w");
  EXPECT_EQ(Text(e, "d"), "(open");
  auto off = Apply("include_brackets: false", "a=(x y) b=\"q r\"");
  EXPECT_EQ(Text(*off->event, "a"), "(x");
  EXPECT_EQ(Text(*off->event, "b"), "q r");  // quotes always wrap
}

TEST(KvFilterTest, SplitCharacterSets) {
  auto r = Apply("field_split: '&, '\nvalue_split: ':='", "a=1&b:2, c:=3&&d=4");
  const Event& e = *r->event;
  EXPECT_EQ(Text(e, "a"), "1");
  EXPECT_EQ(Text(e, "b"), "2");
  EXPECT_EQ(Text(e, "c"), "=3");  // the first value split counts
  EXPECT_EQ(Text(e, "d"), "4");
  auto tabs = Apply("field_split: \"\\t\"", "a=1 2\tb=3");
  EXPECT_EQ(Text(*tabs->event, "a"), "1 2");
  EXPECT_EQ(Text(*tabs->event, "b"), "3");
}

TEST(KvFilterTest, TrimKeysAndValues) {
  auto r = Apply("trim_key: '<>[]'\ntrim_value: ',;'", "<a>=1, [b]=2; c=\";x;\"");
  const Event& e = *r->event;
  EXPECT_EQ(Text(e, "a"), "1");
  EXPECT_EQ(Text(e, "b"), "2");
  EXPECT_EQ(Text(e, "c"), "x");  // trimmed after unquoting
  auto empty_key = Apply("trim_key: '-'", "--=1 x=2");
  EXPECT_EQ(empty_key->event->fields().size(), 1u);
}

TEST(KvFilterTest, IncludeAndExcludeKeys) {
  auto inc = Apply("include_keys: [a, c]", "a=1 b=2 c=3");
  EXPECT_EQ(inc->event->fields().size(), 2u);
  EXPECT_EQ(Text(*inc->event, "b"), "<absent>");
  auto exc = Apply("exclude_keys: [b]", "a=1 b=2 c=3");
  EXPECT_EQ(exc->event->fields().size(), 2u);
  EXPECT_EQ(Text(*exc->event, "b"), "<absent>");
  auto both = Apply("include_keys: [a, b]\nexclude_keys: [b]\nprefix: p_", "a=1 b=2 c=3");
  EXPECT_EQ(both->event->fields().size(), 1u);
  EXPECT_EQ(Text(*both->event, "p_a"), "1");
  // All pairs filtered out: the text parsed, nothing to write.
  auto none = Apply("include_keys: [zzz]", "a=1 b=2");
  EXPECT_EQ(none->result, FilterResult::kMatched);
  EXPECT_TRUE(none->event->fields().empty());
  EXPECT_TRUE(none->event->tags().empty());
}

TEST(KvFilterTest, PrefixAndTarget) {
  auto r = Apply("target: kv\nprefix: p_", "user=bob");
  EXPECT_EQ(Text(*r->event, "kv.p_user"), "bob");
  auto dotted = Apply("target: 'kv.'", "user=bob");
  EXPECT_EQ(Text(*dotted->event, "kv.user"), "bob");
  auto prefix = Apply("prefix: 'x.'", "user=bob");
  EXPECT_EQ(Text(*prefix->event, "x.user"), "bob");
}

TEST(KvFilterTest, DuplicateKeys) {
  const std::string text = "a=1 b=x a=2 a=\"3 \\\"q\\\"\"";
  auto last = Apply("{}", text);
  EXPECT_EQ(Text(*last->event, "a"), "3 \"q\"");
  auto first = Apply("duplicate_keys: first", text);
  EXPECT_EQ(Text(*first->event, "a"), "1");
  auto array = Apply("duplicate_keys: array", text);
  const Value* a = array->event->Get("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->kind(), Value::Kind::kJson);
  EXPECT_EQ(a->as_string(), "[\"1\",\"2\",\"3 \\\"q\\\"\"]");
  EXPECT_EQ(Text(*array->event, "b"), "x");  // a single value stays a string
  EXPECT_EQ(array->event->fields().size(), 2u);
  auto bad = OptionErrors("duplicate_keys: merge");
  EXPECT_NE(bad.find("expected one of first, last, array"), std::string::npos) << bad;
}

TEST(KvFilterTest, EmptyValues) {
  auto dropped = Apply("{}", "a= b=2 c=\"\" d=()");
  EXPECT_EQ(dropped->result, FilterResult::kMatched);
  EXPECT_EQ(dropped->event->fields().size(), 1u);
  auto kept = Apply("allow_empty_values: true", "a= b=2 c=\"\" d=()");
  EXPECT_EQ(kept->event->fields().size(), 4u);
  EXPECT_EQ(Text(*kept->event, "a"), "");
  EXPECT_EQ(Text(*kept->event, "c"), "");
  EXPECT_EQ(Text(*kept->event, "d"), "");
  // Only empty values: pairs were found, so it is not a failure.
  auto only = Apply("{}", "a= b=");
  EXPECT_EQ(only->result, FilterResult::kMatched);
}

TEST(KvFilterTest, LowercaseKeys) {
  auto r =
      Apply("lowercase_keys: true\ninclude_keys: [User, host]", "User=bob USER=eve Host=h x=1");
  EXPECT_EQ(Text(*r->event, "user"), "eve");  // one key, last wins
  EXPECT_EQ(Text(*r->event, "host"), "h");
  EXPECT_EQ(r->event->fields().size(), 2u);
  auto kept_case = Apply("{}", "User=bob USER=eve");
  EXPECT_EQ(kept_case->event->fields().size(), 2u);
}

TEST(KvFilterTest, NoPairsIsAFailure) {
  for (const char* text : {"", "just some words", "=novalue", "   "}) {
    auto r = Apply("{}", text);
    EXPECT_EQ(r->result, FilterResult::kFailed) << text;
    EXPECT_TRUE(r->event->HasTag("_kvparsefailure")) << text;
    EXPECT_EQ(r->event->message(), text);
  }
  auto custom = Apply("tag_on_failure: [no_kv]", "nothing");
  EXPECT_TRUE(custom->event->HasTag("no_kv"));
  EXPECT_FALSE(custom->event->HasTag("_kvparsefailure"));
}

TEST(KvFilterTest, AbsentOrNonStringSourceIsSkipped) {
  auto b = BuildFilter<KvFilter>("field: params");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& absent = batch.Add(0, "a=1");
  EXPECT_EQ(b->filter->Apply(absent), FilterResult::kSkipped);
  EXPECT_TRUE(absent.fields().empty());
  Event& number = batch.Add(0, "a=1");
  number.SetView("params", Value::Int(5));
  EXPECT_EQ(b->filter->Apply(number), FilterResult::kSkipped);
  Event& text = batch.Add(0, "x");
  text.SetView("params", Value::String("a=1&b=2"));
  EXPECT_EQ(b->filter->Apply(text), FilterResult::kMatched);
  EXPECT_EQ(Text(text, "a"), "1&b=2");
}

TEST(KvFilterTest, AMessageKeyReplacesTheMessage) {
  auto r = Apply("{}", "level=INFO message=\"hello world\"");
  EXPECT_EQ(r->event->message(), "hello world");
  EXPECT_EQ(r->event->Get("message"), nullptr);
  EXPECT_EQ(Text(*r->event, "level"), "INFO");
}

TEST(KvFilterTest, MaxPairsTruncatesAndCounts) {
  auto b = BuildFilter<KvFilter>("max_pairs: 3");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "a=1 b=2 c=3 d=4 e=5");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(e.fields().size(), 3u);
  EXPECT_EQ(Text(e, "d"), "<absent>");
  Counter& truncated =
      b->registry.GetCounter("sluice_kv_truncated_events_total", "", b->metrics.labels());
  EXPECT_EQ(truncated.value(), 1u);
  Event& exact = batch.Add(0, "a=1 b=2 c=3");
  EXPECT_EQ(b->filter->Apply(exact), FilterResult::kMatched);
  EXPECT_EQ(truncated.value(), 1u);  // exactly max_pairs: nothing left out
  EXPECT_NE(OptionErrors("max_pairs: 0").find("at least 1"), std::string::npos);
}

TEST(KvFilterTest, ConfigErrorsAtValidateTime) {
  auto has = [](const std::string& yaml, const std::string& what) {
    std::string errors = OptionErrors(yaml);
    EXPECT_NE(errors.find(what), std::string::npos) << yaml << " → " << errors;
  };
  has("field_split: ''", "field_split: must not be empty");
  has("value_split: ''", "value_split: must not be empty");
  has("field_split: ' ='", "'=' is in both");
  has("field_split: '\"'", "quotes");
  has("value_split: \"'\"", "quotes");
  has("field_split: ' │'", "ASCII");
  has("trim_value: 'é'", "ASCII");
  has("field: ''", "field: must not be empty");
  has("include_keys: ['']", "empty key");
  has("feild_split: ' '", "did you mean 'field_split'");
  EXPECT_EQ(OptionErrors("field_split: ' &'\nvalue_split: ':='\ntarget: kv"), "");
}

TEST(KvFilterTest, BadBytesAndHugeTexts) {
  static constexpr char kBytes[] = "\xff=\xfe k\x80=v\0z=1";
  const std::string embedded_nul(kBytes, sizeof(kBytes) - 1);
  std::string pairs;
  while (pairs.size() < (1u << 20)) pairs += "k" + std::to_string(pairs.size()) + "=v ";
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
  std::string unclosed = "a=\"" + std::string(1 << 20, 'x');
  std::string escapes = "a=\"" + std::string(1 << 20, '\\');
  std::string splits(1 << 20, '=');
  for (const std::string& text :
       {pairs, binary, unclosed, escapes, splits, embedded_nul, std::string(1 << 20, ' ')}) {
    for (const char* yaml : {"{}", "duplicate_keys: array\nlowercase_keys: true\ntarget: t"}) {
      auto r = Apply(yaml, text);
      EXPECT_TRUE(r->result == FilterResult::kMatched || r->result == FilterResult::kFailed);
      EXPECT_LE(r->event->fields().size(), 1000u);
    }
  }
  auto r = Apply("{}", pairs);
  EXPECT_EQ(r->event->fields().size(), 1000u);  // max_pairs
}

// Texts made of known pairs (joined by random runs of split characters, values quoted or
// bracketed when they hold a split) give those pairs back.
TEST(KvFilterTest, RandomPairsRoundTrip) {
  std::mt19937 rng(4242);
  auto b = BuildFilter<KvFilter>("field_split: ' ,&'\nvalue_split: '=:'");
  ASSERT_TRUE(b->filter) << b->error;
  const std::string splits = " ,&";
  for (int round = 0; round < 3000; ++round) {
    std::map<std::string, std::string> expected;
    std::string text;
    for (int n = 1 + rng() % 8; n > 0; --n) {
      std::string key;
      for (int k = 1 + rng() % 5; k > 0; --k) key += static_cast<char>('a' + rng() % 26);
      std::string value;
      for (int k = 1 + rng() % 8; k > 0; --k) value += "abc01 ,&=:.-"[rng() % 12];
      bool plain = value.find_first_of(" ,&") == std::string::npos;
      std::string written = value;
      if (!plain || rng() % 4 == 0) {
        const char* wraps[][2] = {{"\"", "\""}, {"'", "'"}, {"(", ")"}, {"[", "]"}, {"<", ">"}};
        auto* w = wraps[rng() % 5];
        written = w[0] + value + w[1];
      }
      for (int s = 1 + rng() % 3; s > 0; --s) text += splits[rng() % splits.size()];
      text += key + (rng() % 2 ? "=" : ":") + written;
      expected[key] = value;  // last wins
    }
    if (rng() % 2) text += splits[rng() % splits.size()];
    EventBatch batch;
    Event& e = batch.Add(0, text);
    ASSERT_EQ(b->filter->Apply(e), FilterResult::kMatched) << text;
    ASSERT_EQ(e.fields().size(), expected.size()) << text;
    for (const auto& [key, value] : expected) EXPECT_EQ(Text(e, key), value) << text;
  }
}

TEST(KvFilterTest, RandomTextsNeverCrash) {
  std::mt19937 rng(77);
  const std::string alphabet = " =:\"'\\()[]<>ab,\n\t&";
  const std::vector<std::string> configs = {
      "{}", "duplicate_keys: array\nallow_empty_values: true", "duplicate_keys: first",
      "include_brackets: false\nfield_split: ' ,'\nvalue_split: '=:'\ntrim_key: '\"'",
      "lowercase_keys: true\ntarget: t\nprefix: p\nmax_pairs: 2"};
  for (const std::string& yaml : configs) {
    auto b = BuildFilter<KvFilter>(yaml);
    ASSERT_TRUE(b->filter) << b->error;
    EventBatch batch;
    for (int i = 0; i < 5000; ++i) {
      std::string text;
      for (int n = rng() % 30; n > 0; --n) text += alphabet[rng() % alphabet.size()];
      Event& e = batch.Add(0, text);
      FilterResult r = b->filter->Apply(e);
      ASSERT_TRUE(r == FilterResult::kMatched || r == FilterResult::kFailed) << text;
      for (const Field& f : e.fields()) EXPECT_FALSE(f.name.empty()) << text;
    }
  }
}

}  // namespace
}  // namespace sluice::filters
