#include "plugins/filters/timestamp.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/civil_time.h"
#include "pipeline/event_batch.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::filters {
namespace {

using testing::BuildFilter;
using testing::ParseFilterOptions;

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kSpark = 1497039040 * kSec;  // 2017-06-09T20:10:40Z

std::string OptionErrors(const std::string& yaml) {
  std::string errors;
  ParseFilterOptions<TimestampFilter>(yaml, &errors);
  return errors;
}

TEST(TimestampFilterTest, SetsTheEventTimeFromAField) {
  auto b = BuildFilter<TimestampFilter>("formats: ['%y/%m/%d %H:%M:%S']");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "x");
  e.SetView("timestamp", Value::String("17/06/09 20:10:40"));
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(e.timestamp_ns(), kSpark);
  EXPECT_NE(e.Get("timestamp"), nullptr);  // kept by default
  EXPECT_TRUE(e.tags().empty());
}

TEST(TimestampFilterTest, SingleFormatOptionAndTheMessage) {
  auto b = BuildFilter<TimestampFilter>("field: message\nformat: '%Y-%m-%d %H:%M:%S,%f'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "2015-10-18 18:01:47,978");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(e.timestamp_ns(), FromCivil(2015, 10, 18, 18, 1, 47, 978'000'000));
  EXPECT_EQ(e.message(), "2015-10-18 18:01:47,978");
}

TEST(TimestampFilterTest, FormatsAreTriedInOrder) {
  auto b = BuildFilter<TimestampFilter>("field: t\nformats: ['%y/%m/%d %H:%M:%S', ISO8601, UNIX]");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  for (const char* text : {"17/06/09 20:10:40", "2017-06-09T22:10:40+02:00", "1497039040"}) {
    Event& e = batch.Add(0, "x");
    e.SetView("t", Value::String(text));
    EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched) << text;
    EXPECT_EQ(e.timestamp_ns(), kSpark) << text;
  }
}

TEST(TimestampFilterTest, TimezoneAppliesToLocalTimesOnly) {
  auto b = BuildFilter<TimestampFilter>(
      "field: t\nformats: ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S %z']\n"
      "timezone: Europe/Paris");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& summer = batch.Add(0, "x");
  summer.SetView("t", Value::String("2017-06-09 22:10:40"));
  EXPECT_EQ(b->filter->Apply(summer), FilterResult::kMatched);
  EXPECT_EQ(summer.timestamp_ns(), kSpark);
  Event& winter = batch.Add(0, "x");
  winter.SetView("t", Value::String("2017-01-09 22:10:40"));
  EXPECT_EQ(b->filter->Apply(winter), FilterResult::kMatched);
  EXPECT_EQ(winter.timestamp_ns(), FromCivil(2017, 1, 9, 21, 10, 40));
  Event& offset = batch.Add(0, "x");
  offset.SetView("t", Value::String("2017-06-09 20:10:40 Z"));
  EXPECT_EQ(b->filter->Apply(offset), FilterResult::kMatched);
  EXPECT_EQ(offset.timestamp_ns(), kSpark);
}

TEST(TimestampFilterTest, TargetFieldGetsRfc3339AndTheEventTimeStays) {
  auto b = BuildFilter<TimestampFilter>(
      "field: t\nformat: ISO8601\ntarget: parsed.time\nremove_field: true");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(42, "x");
  e.SetView("t", Value::String("2017-06-09T22:10:40.120+02:00"));
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(e.timestamp_ns(), 42);
  ASSERT_NE(e.Get("parsed.time"), nullptr);
  EXPECT_EQ(e.Get("parsed.time")->as_string(), "2017-06-09T20:10:40.120Z");
  EXPECT_EQ(e.Get("t"), nullptr);  // removed
}

TEST(TimestampFilterTest, TargetCanBeTheSourceField) {
  auto b = BuildFilter<TimestampFilter>("field: t\nformat: UNIX\ntarget: t\nremove_field: true");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(0, "x");
  e.SetView("t", Value::String("1497039040"));
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  ASSERT_NE(e.Get("t"), nullptr);  // rewritten, not removed
  EXPECT_EQ(e.Get("t")->as_string(), "2017-06-09T20:10:40Z");
}

TEST(TimestampFilterTest, RemoveFieldOnlyOnSuccess) {
  auto b = BuildFilter<TimestampFilter>("format: ISO8601\nremove_field: true");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& ok = batch.Add(0, "x");
  ok.SetView("timestamp", Value::String("2017-06-09T20:10:40Z"));
  EXPECT_EQ(b->filter->Apply(ok), FilterResult::kMatched);
  EXPECT_EQ(ok.Get("timestamp"), nullptr);
  Event& bad = batch.Add(7, "x");
  bad.SetView("timestamp", Value::String("yesterday"));
  EXPECT_EQ(b->filter->Apply(bad), FilterResult::kFailed);
  EXPECT_NE(bad.Get("timestamp"), nullptr);
  EXPECT_EQ(bad.timestamp_ns(), 7);
}

TEST(TimestampFilterTest, FailuresAreTaggedAndKeepTheEvent) {
  auto b = BuildFilter<TimestampFilter>("format: '%y/%m/%d %H:%M:%S'");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& e = batch.Add(5, "x");
  e.SetView("timestamp", Value::String("17/06/09 20:10:40 trailing"));
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kFailed);
  EXPECT_TRUE(e.HasTag("_timestampparsefailure"));
  EXPECT_EQ(e.timestamp_ns(), 5);

  auto custom =
      BuildFilter<TimestampFilter>("format: ISO8601\ntag_on_failure: [bad_time, needs_review]");
  ASSERT_TRUE(custom->filter) << custom->error;
  Event& c = batch.Add(5, "x");
  c.SetView("timestamp", Value::String("2017-02-30T00:00:00Z"));
  EXPECT_EQ(custom->filter->Apply(c), FilterResult::kFailed);
  EXPECT_TRUE(c.HasTag("bad_time"));
  EXPECT_TRUE(c.HasTag("needs_review"));
  EXPECT_FALSE(c.HasTag("_timestampparsefailure"));

  auto none = BuildFilter<TimestampFilter>("format: ISO8601\ntag_on_failure: []");
  ASSERT_TRUE(none->filter) << none->error;
  Event& n = batch.Add(5, "x");
  n.SetView("timestamp", Value::String("nope"));
  EXPECT_EQ(none->filter->Apply(n), FilterResult::kFailed);
  EXPECT_TRUE(n.tags().empty());
}

TEST(TimestampFilterTest, AbsentOrNullFieldIsSkipped) {
  auto b = BuildFilter<TimestampFilter>("format: ISO8601");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& absent = batch.Add(5, "2017-06-09T20:10:40Z");
  EXPECT_EQ(b->filter->Apply(absent), FilterResult::kSkipped);
  EXPECT_TRUE(absent.tags().empty());
  Event& null = batch.Add(5, "x");
  null.SetView("timestamp", Value::Null());
  EXPECT_EQ(b->filter->Apply(null), FilterResult::kSkipped);
  EXPECT_EQ(null.timestamp_ns(), 5);
}

TEST(TimestampFilterTest, NumbersUseTheFirstEpochFormat) {
  auto b = BuildFilter<TimestampFilter>("field: t\nformats: [ISO8601, UNIX_MS]");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  Event& i = batch.Add(0, "x");
  i.SetView("t", Value::Int(1497039040123));
  EXPECT_EQ(b->filter->Apply(i), FilterResult::kMatched);
  EXPECT_EQ(i.timestamp_ns(), kSpark + 123'000'000);
  Event& f = batch.Add(0, "x");
  f.SetView("t", Value::Float(1497039040123.5));
  EXPECT_EQ(b->filter->Apply(f), FilterResult::kMatched);
  EXPECT_EQ(f.timestamp_ns(), kSpark + 123'500'000);
  Event& boolean = batch.Add(0, "x");
  boolean.SetView("t", Value::Bool(true));
  EXPECT_EQ(b->filter->Apply(boolean), FilterResult::kFailed);

  auto no_epoch = BuildFilter<TimestampFilter>("field: t\nformat: ISO8601");
  ASSERT_TRUE(no_epoch->filter) << no_epoch->error;
  Event& n = batch.Add(0, "x");
  n.SetView("t", Value::Int(1497039040));
  EXPECT_EQ(no_epoch->filter->Apply(n), FilterResult::kFailed);
  EXPECT_TRUE(n.HasTag("_timestampparsefailure"));
}

TEST(TimestampFilterTest, ConfigErrorsAtValidateTime) {
  EXPECT_NE(OptionErrors("field: t").find("missing option 'formats'"), std::string::npos);
  EXPECT_NE(OptionErrors("format: ISO8601\nformats: [UNIX]").find("not both"), std::string::npos);
  std::string bad = OptionErrors("formats: [ISO8601, '%Y-%m-%d %Q']");
  EXPECT_NE(bad.find("unknown conversion '%Q'"), std::string::npos) << bad;
  EXPECT_NE(bad.find("test.yaml:"), std::string::npos) << bad;
  EXPECT_NE(OptionErrors("format: '%H:%M:%S'").find("has no date"), std::string::npos);
  EXPECT_NE(OptionErrors("format: 'yyyy-MM-dd'").find("no % conversion"), std::string::npos);
  std::string zone = OptionErrors("format: ISO8601\ntimezone: Europe/Pariss");
  EXPECT_NE(zone.find("unknown time zone 'Europe/Pariss'"), std::string::npos) << zone;
  EXPECT_NE(OptionErrors("format: ISO8601\nfield: message\nremove_field: true")
                .find("cannot remove the message"),
            std::string::npos);
  EXPECT_NE(OptionErrors("format: ISO8601\ntarget: ''").find("target: must not be empty"),
            std::string::npos);
  EXPECT_NE(OptionErrors("format: ISO8601\ntimezon: UTC").find("did you mean 'timezone'"),
            std::string::npos);
  EXPECT_EQ(OptionErrors("format: ISO8601\ntimezone: America/New_York"), "");
  EXPECT_EQ(OptionErrors("format: ISO8601\ntimezone: '+05:30'"), "");
}

TEST(TimestampFilterTest, BuildRejectsWhatCheckRejects) {
  TimestampFilter::Options o;
  o.formats = {"%Q"};
  PluginContext context;
  EXPECT_FALSE(TimestampFilter::Build(o, context).ok());
  o.formats = {"ISO8601"};
  o.timezone = "Nowhere/Land";
  auto built = TimestampFilter::Build(o, context);
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("Nowhere/Land"), std::string::npos);
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
  const std::filesystem::path dir = SLUICE_CORPUS_DIR;
  std::ifstream log(dir / "Spark_2k.log");
  std::ifstream csv(dir / "Spark_2k.log_structured.csv");
  if (!log || !csv) GTEST_SKIP() << "Spark corpus not found in " << dir;
  auto b = BuildFilter<TimestampFilter>("field: ts\nformat: '%y/%m/%d %H:%M:%S'");
  ASSERT_TRUE(b->filter) << b->error;
  std::string line;
  std::string row;
  std::getline(csv, row);  // header: LineId,Date,Time,...
  ASSERT_EQ(row.rfind("LineId,Date,Time,", 0), 0u) << row;
  EventBatch batch;
  int lines = 0;
  while (std::getline(log, line)) {
    ASSERT_TRUE(std::getline(csv, row)) << "CSV shorter than the log at line " << lines + 1;
    ++lines;
    ASSERT_GE(line.size(), 17u) << line;
    Event& e = batch.Add(0, line);
    e.SetView("ts", Value::String(e.message().substr(0, 17)));
    ASSERT_EQ(b->filter->Apply(e), FilterResult::kMatched) << line;
    // Columns 2 and 3 (Date, Time) are never quoted.
    size_t c1 = row.find(',');
    size_t c2 = row.find(',', c1 + 1);
    size_t c3 = row.find(',', c2 + 1);
    const std::string time = row.substr(c2 + 1, c3 - c2 - 1);
    CivilTime t = ToCivil(e.timestamp_ns());
    EXPECT_EQ(t.year, 2017) << line;
    EXPECT_EQ(t.month, 6) << line;
    EXPECT_EQ(t.day, 9) << line;
    char hms[9];
    std::snprintf(hms, sizeof(hms), "%02d:%02d:%02d", t.hour, t.minute, t.second);
    EXPECT_EQ(hms, time) << line;
  }
  EXPECT_EQ(lines, 2000);
}

}  // namespace
}  // namespace sluice::filters
