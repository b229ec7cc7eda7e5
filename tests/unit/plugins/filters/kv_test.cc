#include "plugins/filters/kv.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "pipeline/event_batch.h"
#include "tests/unit/plugins/filters/filter_cases.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::filters {
namespace {

using testing::ApplyFilter;
using testing::BuildFilter;
using testing::FilterCase;

const std::vector<std::string> kNoTags;
const std::vector<std::string> kFailureTag = {"_kvparsefailure"};

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

TEST(KvFilterTest, PairsBecomeFieldsThatViewTheText) {
  auto r = ApplyFilter<KvFilter>("{}", "user=bob status=200  took=3ms");
  EXPECT_EQ(r->result, FilterResult::kMatched);
  const Event& e = *r->event;
  testing::ExpectEvent(e, {.text = {{"user", "bob"}, {"status", "200"}, {"took", "3ms"}},
                           .tags = kNoTags,
                           .field_count = 3});
  for (const Field& f : e.fields()) {
    EXPECT_TRUE(Inside(f.name, e.message())) << f.name;
    EXPECT_TRUE(Inside(f.value.as_string(), e.message())) << f.name;
  }
}

TEST(KvFilterTest, QuotedValues) {
  auto r = ApplyFilter<KvFilter>("{}",
                                 "msg=\"not found here\" q='single quoted' esc=\"say \\\"hi\\\" "
                                 "\\\\ ok\" path=\"C:\\temp\" it=it's tail=\"unclosed value x=1");
  EXPECT_EQ(r->result, FilterResult::kMatched);
  const Event& e = *r->event;
  testing::ExpectEvent(e, {.text = {{"msg", "not found here"},
                                    {"q", "single quoted"},
                                    {"esc", "say \"hi\" \\ ok"},
                                    {"path", "C:\\temp"},  // other backslashes stay
                                    {"it", "it's"},
                                    {"tail", "\"unclosed"},  // an unclosed quote is text
                                    {"x", "1"}}});
  EXPECT_TRUE(Inside(e.Get("msg")->as_string(), e.message()));   // no escapes: a view
  EXPECT_FALSE(Inside(e.Get("esc")->as_string(), e.message()));  // unescaped copy
}

std::vector<FilterCase> Cases() {
  const std::string duplicates = "a=1 b=x a=2 a=\"3 \\\"q\\\"\"";
  const std::string empty_values = "a= b=2 c=\"\" d=()";
  return {
      {.name = "WordsWithoutASplitAreIgnored",
       .yaml = "{}",
       .events = {{.message = "GET /index.html user=bob done",
                   .text = {{"user", "bob"}},
                   .field_count = 1},
                  // The value runs to the next field split: later value splits belong to it.
                  {.message = "q=a=b=c", .text = {{"q", "a=b=c"}}}}},
      {.name = "TextAfterAClosingQuoteIsIgnored",
       .yaml = "{}",
       .events = {{.message = "a=\"x\"y b=2", .text = {{"a", "x"}, {"b", "2"}}}}},
      {.name = "Brackets",
       .yaml = "{}",
       .events = {{.message = "a=(x y) b=[1 2] c=<z w> d=(open",
                   .text = {{"a", "x y"}, {"b", "1 2"}, {"c", "z w"}, {"d", "(open"}}}}},
      {.name = "BracketsOff",
       .yaml = "include_brackets: false",
       .events = {{.message = "a=(x y) b=\"q r\"",
                   .text = {{"a", "(x"}, {"b", "q r"}}}}},  // quotes always wrap
      {.name = "SplitCharacterSets",
       .yaml = "field_split: '&, '\nvalue_split: ':='",
       .events = {{.message = "a=1&b:2, c:=3&&d=4",
                   // The first value split counts.
                   .text = {{"a", "1"}, {"b", "2"}, {"c", "=3"}, {"d", "4"}}}}},
      {.name = "TabSplit",
       .yaml = "field_split: \"\\t\"",
       .events = {{.message = "a=1 2\tb=3", .text = {{"a", "1 2"}, {"b", "3"}}}}},
      {.name = "TrimKeysAndValues",
       .yaml = "trim_key: '<>[]'\ntrim_value: ',;'",
       .events = {{.message = "<a>=1, [b]=2; c=\";x;\"",
                   // Values are trimmed after unquoting.
                   .text = {{"a", "1"}, {"b", "2"}, {"c", "x"}}}}},
      {.name = "TrimmedToAnEmptyKey",
       .yaml = "trim_key: '-'",
       .events = {{.message = "--=1 x=2", .field_count = 1}}},
      {.name = "IncludeKeys",
       .yaml = "include_keys: [a, c]",
       .events = {{.message = "a=1 b=2 c=3", .absent = {"b"}, .field_count = 2}}},
      {.name = "ExcludeKeys",
       .yaml = "exclude_keys: [b]",
       .events = {{.message = "a=1 b=2 c=3", .absent = {"b"}, .field_count = 2}}},
      {.name = "IncludeAndExcludeKeysBeforeThePrefix",
       .yaml = "include_keys: [a, b]\nexclude_keys: [b]\nprefix: p_",
       .events = {{.message = "a=1 b=2 c=3", .text = {{"p_a", "1"}}, .field_count = 1}}},
      // All pairs filtered out: the text parsed, nothing to write.
      {.name = "AllPairsFilteredOut",
       .yaml = "include_keys: [zzz]",
       .events = {{.message = "a=1 b=2", .tags = kNoTags, .field_count = 0}}},
      {.name = "PrefixAndTarget",
       .yaml = "target: kv\nprefix: p_",
       .events = {{.message = "user=bob", .text = {{"kv.p_user", "bob"}}}}},
      {.name = "TargetWithADot",
       .yaml = "target: 'kv.'",
       .events = {{.message = "user=bob", .text = {{"kv.user", "bob"}}}}},
      {.name = "PrefixWithADot",
       .yaml = "prefix: 'x.'",
       .events = {{.message = "user=bob", .text = {{"x.user", "bob"}}}}},
      {.name = "DuplicateKeysLastWins",
       .yaml = "{}",
       .events = {{.message = duplicates, .text = {{"a", "3 \"q\""}}}}},
      {.name = "DuplicateKeysFirstWins",
       .yaml = "duplicate_keys: first",
       .events = {{.message = duplicates, .text = {{"a", "1"}}}}},
      {.name = "DuplicateKeysArray",
       .yaml = "duplicate_keys: array",
       .events = {{.message = duplicates,
                   .text = {{"b", "x"}},  // a single value stays a string
                   .values = {{"a", Value::Json("[\"1\",\"2\",\"3 \\\"q\\\"\"]")}},
                   .field_count = 2}}},
      {.name = "EmptyValuesAreDropped",
       .yaml = "{}",
       .events = {{.message = empty_values, .field_count = 1}}},
      {.name = "EmptyValuesKept",
       .yaml = "allow_empty_values: true",
       .events = {{.message = empty_values,
                   .text = {{"a", ""}, {"c", ""}, {"d", ""}},
                   .field_count = 4}}},
      // Only empty values: pairs were found, so it is not a failure.
      {.name = "OnlyEmptyValues", .yaml = "{}", .events = {{.message = "a= b="}}},
      {.name = "LowercaseKeys",
       .yaml = "lowercase_keys: true\ninclude_keys: [User, host]",
       .events = {{.message = "User=bob USER=eve Host=h x=1",
                   .text = {{"user", "eve"}, {"host", "h"}},  // one key, last wins
                   .field_count = 2}}},
      {.name = "KeysKeepTheirCase",
       .yaml = "{}",
       .events = {{.message = "User=bob USER=eve", .field_count = 2}}},
      {.name = "NoPairsIsAFailure",
       .yaml = "{}",
       .events = {{.message = "",
                   .result = FilterResult::kFailed,
                   .message_after = "",
                   .tags = kFailureTag},
                  {.message = "just some words",
                   .result = FilterResult::kFailed,
                   .message_after = "just some words",
                   .tags = kFailureTag},
                  {.message = "=novalue",
                   .result = FilterResult::kFailed,
                   .message_after = "=novalue",
                   .tags = kFailureTag},
                  {.message = "   ",
                   .result = FilterResult::kFailed,
                   .message_after = "   ",
                   .tags = kFailureTag}}},
      {.name = "FailureTagsAreConfigurable",
       .yaml = "tag_on_failure: [no_kv]",
       .events = {{.message = "nothing",
                   .result = FilterResult::kFailed,
                   .tags = std::vector<std::string>{"no_kv"}}}},
      {.name = "AbsentOrNonStringSourceIsSkipped",
       .yaml = "field: params",
       .events = {{.message = "a=1", .result = FilterResult::kSkipped, .field_count = 0},
                  {.message = "a=1",
                   .set = {{"params", Value::Int(5)}},
                   .result = FilterResult::kSkipped},
                  {.set = {{"params", Value::String("a=1&b=2")}}, .text = {{"a", "1&b=2"}}}}},
      {.name = "AMessageKeyReplacesTheMessage",
       .yaml = "{}",
       .events = {{.message = "level=INFO message=\"hello world\"",
                   .text = {{"level", "INFO"}},
                   .absent = {"message"},
                   .message_after = "hello world"}}},
  };
}

class KvFilterCaseTest : public ::testing::TestWithParam<FilterCase> {};

TEST_P(KvFilterCaseTest, Applies) { testing::ExpectCase<KvFilter>(GetParam()); }

INSTANTIATE_TEST_SUITE_P(KvFilterTest, KvFilterCaseTest, ::testing::ValuesIn(Cases()),
                         testing::CaseName);

TEST(KvFilterTest, MaxPairsTruncatesAndCounts) {
  auto b = BuildFilter<KvFilter>("max_pairs: 3");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "a=1 b=2 c=3 d=4 e=5");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(e.fields().size(), 3u);
  EXPECT_EQ(e.Get("d"), nullptr);
  Counter& truncated =
      b->registry.GetCounter("sluice_kv_truncated_events_total", "", b->metrics.labels());
  EXPECT_EQ(truncated.value(), 1u);
  Event& exact = batch.Add(0, "a=1 b=2 c=3");
  EXPECT_EQ(b->filter->Apply(exact), FilterResult::kMatched);
  EXPECT_EQ(truncated.value(), 1u);  // exactly max_pairs: nothing left out
  EXPECT_NE(testing::OptionErrors<KvFilter>("max_pairs: 0").find("at least 1"), std::string::npos);
}

TEST(KvFilterTest, ConfigErrorsAtValidateTime) {
  testing::ExpectOptionErrors<KvFilter>({
      {"field_split: ''", "field_split: must not be empty"},
      {"value_split: ''", "value_split: must not be empty"},
      {"field_split: ' ='", "'=' is in both"},
      {"field_split: '\"'", "quotes"},
      {"value_split: \"'\"", "quotes"},
      {"field_split: ' │'", "ASCII"},
      {"trim_value: 'é'", "ASCII"},
      {"field: ''", "field: must not be empty"},
      {"include_keys: ['']", "empty key"},
      {"feild_split: ' '", "did you mean 'field_split'"},
      {"duplicate_keys: merge", "expected one of first, last, array"},
      {"field_split: ' &'\nvalue_split: ':='\ntarget: kv", ""},
  });
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
      auto r = ApplyFilter<KvFilter>(yaml, text);
      EXPECT_TRUE(r->result == FilterResult::kMatched || r->result == FilterResult::kFailed);
      EXPECT_LE(r->event->fields().size(), 1000u);
    }
  }
  auto r = ApplyFilter<KvFilter>("{}", pairs);
  EXPECT_EQ(r->event->fields().size(), 1000u);  // max_pairs
}

// Found by the kv_filter fuzz target: two keys that differ only in invalid UTF-8 bytes were two
// fields that encode to the same JSON key. Invalid bytes now become U+FFFD in the key itself, so
// they are one key and duplicate_keys decides between their values.
TEST(KvFilterTest, KeysDifferingOnlyInInvalidBytesAreOneKey) {
  const std::string text =
      "\xff\x86"
      "b=1 \xfe\xfe"
      "b=2 ok=3";
  auto r = ApplyFilter<KvFilter>("duplicate_keys: array", text);
  ASSERT_EQ(r->result, FilterResult::kMatched);
  testing::ExpectEvent(*r->event, {.text = {{"ok", "3"}}, .field_count = 2});
  const Value* both = r->event->Get(
      "\xEF\xBF\xBD\xEF\xBF\xBD"
      "b");
  ASSERT_NE(both, nullptr);
  EXPECT_EQ(both->as_string(), R"(["1","2"])");
  auto last = ApplyFilter<KvFilter>("{}", text);
  const Value* kept = last->event->Get(
      "\xEF\xBF\xBD\xEF\xBF\xBD"
      "b");
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->as_string(), "2");
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
    for (const auto& [key, value] : expected) EXPECT_EQ(testing::FieldText(e, key), value) << text;
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
