#include "plugins/filters/timestamp.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "pipeline/civil_time.h"
#include "pipeline/event_batch.h"
#include "tests/unit/plugins/filters/filter_cases.h"
#include "tests/unit/plugins/filters/spark_corpus.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::filters {
namespace {

using testing::BuildFilter;
using testing::FilterCase;

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kSpark = 1497039040 * kSec;  // 2017-06-09T20:10:40Z
const std::vector<std::string> kNoTags;
const std::vector<std::string> kFailureTag = {"_timestampparsefailure"};

constexpr Value Text(std::string_view text) { return Value::String(text); }

std::vector<FilterCase> Cases() {
  return {
      {.name = "SetsTheEventTimeFromAField",
       .yaml = "formats: ['%y/%m/%d %H:%M:%S']",
       .events = {{.set = {{"timestamp", Text("17/06/09 20:10:40")}},
                   .text = {{"timestamp", "17/06/09 20:10:40"}},  // kept by default
                   .time_after = kSpark,
                   .tags = kNoTags}}},
      {.name = "SingleFormatOptionAndTheMessage",
       .yaml = "field: message\nformat: '%Y-%m-%d %H:%M:%S,%f'",
       .events = {{.message = "2015-10-18 18:01:47,978",
                   .message_after = "2015-10-18 18:01:47,978",
                   .time_after = FromCivil(2015, 10, 18, 18, 1, 47, 978'000'000)}}},
      {.name = "FormatsAreTriedInOrder",
       .yaml = "field: t\nformats: ['%y/%m/%d %H:%M:%S', ISO8601, UNIX]",
       .events = {{.set = {{"t", Text("17/06/09 20:10:40")}}, .time_after = kSpark},
                  {.set = {{"t", Text("2017-06-09T22:10:40+02:00")}}, .time_after = kSpark},
                  {.set = {{"t", Text("1497039040")}}, .time_after = kSpark}}},
      {.name = "TimezoneAppliesToLocalTimesOnly",
       .yaml = "field: t\nformats: ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S %z']\n"
               "timezone: Europe/Paris",
       .events = {{.set = {{"t", Text("2017-06-09 22:10:40")}}, .time_after = kSpark},
                  {.set = {{"t", Text("2017-01-09 22:10:40")}},
                   .time_after = FromCivil(2017, 1, 9, 21, 10, 40)},
                  {.set = {{"t", Text("2017-06-09 20:10:40 Z")}}, .time_after = kSpark}}},
      {.name = "TargetFieldGetsRfc3339AndTheEventTimeStays",
       .yaml = "field: t\nformat: ISO8601\ntarget: parsed.time\nremove_field: true",
       .events = {{.set = {{"t", Text("2017-06-09T22:10:40.120+02:00")}},
                   .time = 42,
                   .text = {{"parsed.time", "2017-06-09T20:10:40.120Z"}},
                   .absent = {"t"},  // removed
                   .time_after = 42}}},
      {.name = "TargetCanBeTheSourceField",
       .yaml = "field: t\nformat: UNIX\ntarget: t\nremove_field: true",
       .events = {{.set = {{"t", Text("1497039040")}},
                   .text = {{"t", "2017-06-09T20:10:40Z"}}}}},  // rewritten, not removed
      {.name = "RemoveFieldOnlyOnSuccess",
       .yaml = "format: ISO8601\nremove_field: true",
       .events = {{.set = {{"timestamp", Text("2017-06-09T20:10:40Z")}}, .absent = {"timestamp"}},
                  {.set = {{"timestamp", Text("yesterday")}},
                   .time = 7,
                   .result = FilterResult::kFailed,
                   .text = {{"timestamp", "yesterday"}},
                   .time_after = 7}}},
      {.name = "FailuresAreTaggedAndKeepTheEvent",
       .yaml = "format: '%y/%m/%d %H:%M:%S'",
       .events = {{.set = {{"timestamp", Text("17/06/09 20:10:40 trailing")}},
                   .time = 5,
                   .result = FilterResult::kFailed,
                   .time_after = 5,
                   .tags = kFailureTag}}},
      {.name = "FailureTagsAreConfigurable",
       .yaml = "format: ISO8601\ntag_on_failure: [bad_time, needs_review]",
       .events = {{.set = {{"timestamp", Text("2017-02-30T00:00:00Z")}},
                   .time = 5,
                   .result = FilterResult::kFailed,
                   .tags = std::vector<std::string>{"bad_time", "needs_review"}}}},
      {.name = "NoFailureTags",
       .yaml = "format: ISO8601\ntag_on_failure: []",
       .events = {{.set = {{"timestamp", Text("nope")}},
                   .time = 5,
                   .result = FilterResult::kFailed,
                   .tags = kNoTags}}},
      {.name = "AbsentOrNullFieldIsSkipped",
       .yaml = "format: ISO8601",
       .events = {{.message = "2017-06-09T20:10:40Z",
                   .time = 5,
                   .result = FilterResult::kSkipped,
                   .tags = kNoTags},
                  {.set = {{"timestamp", Value::Null()}},
                   .time = 5,
                   .result = FilterResult::kSkipped,
                   .time_after = 5}}},
      {.name = "NumbersUseTheFirstEpochFormat",
       .yaml = "field: t\nformats: [ISO8601, UNIX_MS]",
       .events = {{.set = {{"t", Value::Int(1497039040123)}}, .time_after = kSpark + 123'000'000},
                  {.set = {{"t", Value::Float(1497039040123.5)}},
                   .time_after = kSpark + 123'500'000},
                  {.set = {{"t", Value::Bool(true)}}, .result = FilterResult::kFailed}}},
      {.name = "NumbersNeedAnEpochFormat",
       .yaml = "field: t\nformat: ISO8601",
       .events = {{.set = {{"t", Value::Int(1497039040)}},
                   .result = FilterResult::kFailed,
                   .tags = kFailureTag}}},
  };
}

class TimestampFilterCaseTest : public ::testing::TestWithParam<FilterCase> {};

TEST_P(TimestampFilterCaseTest, Applies) { testing::ExpectCase<TimestampFilter>(GetParam()); }

INSTANTIATE_TEST_SUITE_P(TimestampFilterTest, TimestampFilterCaseTest, ::testing::ValuesIn(Cases()),
                         testing::CaseName);

TEST(TimestampFilterTest, ConfigErrorsAtValidateTime) {
  testing::ExpectOptionErrors<TimestampFilter>({
      {"field: t", "missing option 'formats'"},
      {"format: ISO8601\nformats: [UNIX]", "not both"},
      {"formats: [ISO8601, '%Y-%m-%d %Q']", "unknown conversion '%Q'"},
      {"formats: [ISO8601, '%Y-%m-%d %Q']", "test.yaml:"},
      {"format: '%H:%M:%S'", "has no date"},
      {"format: 'yyyy-MM-dd'", "no % conversion"},
      {"format: ISO8601\ntimezone: Europe/Pariss", "unknown time zone 'Europe/Pariss'"},
      {"format: ISO8601\nfield: message\nremove_field: true", "cannot remove the message"},
      {"format: ISO8601\ntarget: ''", "target: must not be empty"},
      {"format: ISO8601\ntimezon: UTC", "did you mean 'timezone'"},
      {"format: ISO8601\ntimezone: America/New_York", ""},
      {"format: ISO8601\ntimezone: '+05:30'", ""},
  });
}

// What validation rejects never reaches Build(): the formats and the zone are compiled and loaded
// once, when the options are parsed, and Build() copies the parser (its caches are per instance).
TEST(TimestampFilterTest, FormatsAndZoneAreCompiledOnceWhenParsed) {
  testing::ExpectOptionErrors<TimestampFilter>({
      {"formats: ['%Q']", "unknown conversion '%Q'"},
      {"formats: [ISO8601]\ntimezone: Nowhere/Land", "Nowhere/Land"},
  });
  testing::ExpectBuiltFromParsedOptions<TimestampFilter>(
      "format: '%Y-%m-%d %H:%M:%S'\ntimezone: Europe/Paris\nfield: message",
      {{.message = "2017-06-09 22:10:40", .time_after = kSpark},
       {.message = "2017-06-09 22:10:40", .time_after = kSpark},
       {.message = "2017-01-09 22:10:40", .time_after = FromCivil(2017, 1, 9, 21, 10, 40)}});
}

TEST(TimestampFilterTest, BadBytesAndHugeTextsFailCleanly) {
  auto b = BuildFilter<TimestampFilter>(
      "formats: ['%y/%m/%d %H:%M:%S', '%a %b %e %T %Y', ISO8601, UNIX]\ntimezone: Europe/Paris");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  std::string huge(1 << 20, '1');
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
  for (const std::string& text : {huge, binary, std::string("17/06/09 20:10:40\xc3"),
                                  std::string("\xff\xfe", 2), std::string("17/06/09\0x", 10)}) {
    Event& e = batch.Add(3, "x");
    e.Set("timestamp", Value::String(text));
    EXPECT_EQ(b->filter->Apply(e), FilterResult::kFailed);
    EXPECT_EQ(e.timestamp_ns(), 3);
  }
}

// Every line of the Spark corpus starts with `yy/MM/dd HH:mm:ss`; the structured CSV gives each
// line's Time.
TEST(TimestampFilterTest, SparkCorpusTimes) {
  std::vector<testing::SparkLine> corpus;
  ASSERT_NO_FATAL_FAILURE(testing::ReadSparkCorpus(&corpus));
  if (corpus.empty()) GTEST_SKIP() << "Spark corpus not found in " << SLUICE_CORPUS_DIR;
  auto b = BuildFilter<TimestampFilter>("field: ts\nformat: '%y/%m/%d %H:%M:%S'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  for (const testing::SparkLine& want : corpus) {
    ASSERT_GE(want.line.size(), 17u) << want.line;
    Event& e = batch.Add(0, want.line);
    e.SetView("ts", Value::String(e.message().substr(0, 17)));
    ASSERT_EQ(b->filter->Apply(e), FilterResult::kMatched) << want.line;
    CivilTime t = ToCivil(e.timestamp_ns());
    EXPECT_EQ(t.year, 2017) << want.line;
    EXPECT_EQ(t.month, 6) << want.line;
    EXPECT_EQ(t.day, 9) << want.line;
    char hms[9];
    std::snprintf(hms, sizeof(hms), "%02d:%02d:%02d", t.hour, t.minute, t.second);
    EXPECT_EQ(hms, want.time) << want.line;
  }
  EXPECT_EQ(corpus.size(), 2000u);
}

}  // namespace
}  // namespace sluice::filters
