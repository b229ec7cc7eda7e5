#include "plugins/filters/regex.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "pipeline/event_batch.h"
#include "pipeline/registry.h"
#include "tests/unit/plugins/filters/filter_cases.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::filters {
namespace {

using testing::BuildFilter;

std::string Text(const Event& e, std::string_view field) { return testing::FieldText(e, field); }

std::unique_ptr<testing::AppliedFilter<RegexFilter>> ApplyTo(const std::string& yaml,
                                                             std::string_view message) {
  return testing::ApplyFilter<RegexFilter>(yaml, message);
}

TEST(RegexFilterTest, IsRegistered) {
  EXPECT_NE(Registry::Get().Find(PluginKind::kFilter, "regex"), nullptr);
}

TEST(RegexFilterTest, NamedGroupsBecomeFieldsAndDoubleUnderscoreIsADot) {
  auto a = ApplyTo(
      R"(pattern: '^(?P<client__ip>\S+) (?P<status>\d+) (\w+) (?<http__request__method>\w+)')",
      "10.0.0.1 404 unnamed GET /x");
  EXPECT_EQ(a->result, FilterResult::kMatched);
  EXPECT_EQ(Text(*a->event, "client.ip"), "10.0.0.1");
  EXPECT_EQ(Text(*a->event, "status"), "404");
  EXPECT_EQ(Text(*a->event, "http.request.method"), "GET");
  EXPECT_EQ(a->event->fields().size(), 3u);  // the unnamed group sets nothing
  EXPECT_EQ(a->event->message(), "10.0.0.1 404 unnamed GET /x");
}

TEST(RegexFilterTest, TypesConvertCapturedFields) {
  auto a = ApplyTo(
      "pattern: '^(?P<n>\\S+) (?P<f>\\S+) (?P<b>\\S+) (?P<bad>\\S+) (?P<s__x>\\S+)'\n"
      "types: {n: int, f: float, b: bool, bad: int, s.x: string}",
      "12 0.25 off abc 7");
  EXPECT_EQ(*a->event->Get("n"), Value::Int(12));
  EXPECT_EQ(*a->event->Get("f"), Value::Float(0.25));
  EXPECT_EQ(*a->event->Get("b"), Value::Bool(false));
  EXPECT_EQ(Text(*a->event, "bad"), "abc");  // does not convert: stays a string
  EXPECT_EQ(Text(*a->event, "s.x"), "7");
}

TEST(RegexFilterTest, TypesAreChecked) {
  testing::ExpectOptionErrors<RegexFilter>({
      {"pattern: '(?P<n>\\d+)'\ntypes: {n: number}", "types: unknown type 'number' for 'n'"},
      {"pattern: '(?P<n>\\d+)'\ntypes: {m: int}",
       "types: 'm' is not a named group of any pattern (they set: n)"},
  });
}

TEST(RegexFilterTest, MessageGroupReplacesTheMessage) {
  auto a = ApplyTo(R"(pattern: '^(?P<level>[A-Z]+): (?P<message>(?s:.*))')", "WARN: disk\nfull");
  EXPECT_EQ(Text(*a->event, "level"), "WARN");
  EXPECT_EQ(a->event->message(), "disk\nfull");
  EXPECT_EQ(a->event->Get("message"), nullptr);
}

TEST(RegexFilterTest, PatternsInOrderFirstMatchWins) {
  const std::string yaml = R"(patterns: ['^(?P<a>\d+)$', '^(?P<b>\w+)$', '^(?P<c>.+)$'])";
  EXPECT_EQ(Text(*ApplyTo(yaml, "42")->event, "a"), "42");
  auto w = ApplyTo(yaml, "word");
  EXPECT_EQ(Text(*w->event, "b"), "word");
  EXPECT_EQ(w->event->Get("c"), nullptr);
  EXPECT_EQ(Text(*ApplyTo(yaml, "two words")->event, "c"), "two words");
}

TEST(RegexFilterTest, FieldOptionAndSkip) {
  auto built = BuildFilter<RegexFilter>("field: raw\npattern: '(?P<n>\\d+)'");
  EventBatch batch;
  Event& e = batch.Add(0, "99");
  e.Set("raw", Value::String("x 12"));
  EXPECT_EQ(built->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "n"), "12");
  Event& absent = batch.Add(0, "99");
  EXPECT_EQ(built->filter->Apply(absent), FilterResult::kSkipped);
}

TEST(RegexFilterTest, FailureTagsTheEvent) {
  auto a = ApplyTo("pattern: '^(?P<n>\\d+)$'", "nope");
  EXPECT_EQ(a->result, FilterResult::kFailed);
  EXPECT_TRUE(a->event->HasTag("_regexparsefailure"));
  auto c = ApplyTo("pattern: '^(?P<n>\\d+)$'\ntag_on_failure: [bad_line]", "nope");
  EXPECT_TRUE(c->event->HasTag("bad_line"));
  EXPECT_FALSE(c->event->HasTag("_regexparsefailure"));
}

TEST(RegexFilterTest, NoGrokExpansion) {
  // %{...} is plain regex text here (`{` not after a repeatable item is literal in RE2).
  auto a = ApplyTo(R"(pattern: '^%\{(?P<n>\w+)\}')", "%{INT}");
  EXPECT_EQ(Text(*a->event, "n"), "INT");
}

TEST(RegexFilterTest, InvalidRegexesFailValidation) {
  const std::string patterns = R"(patterns: ['^(?P<a>\d+)', '(?P<b>x)++', '(?P<c.d>x)'])";
  testing::ExpectOptionErrors<RegexFilter>({
      {patterns,
       "patterns[1]: invalid pattern \"(?P<b>x)++\": at offset 8 (\"++\"): RE2: bad repetition "
       "operator: ++"},
      {patterns, "patterns[2]: invalid pattern \"(?P<c.d>x)\": at offset 4"},
      {"types: {a: int}", "set 'pattern' (one regex) or"},
      {"pattern: a\npatterns: [b]", "not both"},
      {"pattern: a\nfield: ''", "field: must not be empty"},
  });
}

// The patterns are compiled once, when the options are parsed; every instance shares them.
TEST(RegexFilterTest, PatternsAreCompiledOnceWhenParsed) {
  testing::ExpectBuiltFromParsedOptions<RegexFilter>(
      "pattern: '^(?P<w>\\w+) (?P<n>\\d+)'\ntypes: {n: int}",
      {{.message = "ann 1", .text = {{"w", "ann"}}, .values = {{"n", Value::Int(1)}}},
       {.message = "bob 2", .text = {{"w", "bob"}}, .values = {{"n", Value::Int(2)}}},
       {.message = "-",
        .result = FilterResult::kFailed,
        .tags = std::vector<std::string>{"_regexparsefailure"}}});
}

TEST(RegexFilterTest, BinaryInput) {
  auto built = BuildFilter<RegexFilter>(R"(pattern: '^(?P<a>[^ ]+) (?P<b>.*)$')");
  EventBatch batch;
  Event& e = batch.Add(0, std::string("\xff\x00\xfe \x80\x81", 6));
  EXPECT_EQ(built->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "a"), std::string("\xff\x00\xfe", 3));
  EXPECT_EQ(Text(e, "b"), "\x80\x81");
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1000; ++i) {
    std::string bytes(rng() % 100, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() % 256);
    Event& r = batch.Add(0, bytes);
    FilterResult result = built->filter->Apply(r);
    EXPECT_EQ(result == FilterResult::kFailed, r.HasTag("_regexparsefailure"));
  }
}

}  // namespace
}  // namespace sluice::filters
