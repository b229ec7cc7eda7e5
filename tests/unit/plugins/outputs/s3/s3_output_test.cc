// The s3 output's layout, rotation rules, acks and offset markers, against local bronze
// (endpoint file://): the same code path as S3 up to the store.
#include "plugins/outputs/s3/s3_output.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/unit/plugins/outputs/output_test.h"
#include "tests/unit/plugins/outputs/s3/gunzip.h"
#include "tests/unit/plugins/plugin_test_util.h"
#include "tests/unit/test_util.h"

namespace sluice::outputs {
namespace {

namespace fs = std::filesystem;
using testing::ParseFilterOptions;

constexpr int64_t k2026 = 1'796'169'600'000'000'000;  // 2026-12-02T00:00:00Z

std::vector<std::string> Gunzip(const fs::path& path) {
  std::vector<std::string> lines;
  std::stringstream in(testing::GunzipFile(path));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(S3OutputOptionsTest, Defaults) {
  auto o = ParseFilterOptions<S3Output>("{bucket: b}");
  EXPECT_EQ(o.prefix.source(), "{{kafka.topic}}/dt=%Y-%m-%d/hour=%H/");
  EXPECT_EQ(o.compression, common::Compression::kGzip);
  EXPECT_EQ(o.max_object_size.bytes, 64ull << 20);
  EXPECT_EQ(o.part_size.bytes, 16ull << 20);
  EXPECT_TRUE(o.timezone.is_utc());
  EXPECT_EQ(o.sse, S3Output::Sse::kNone);
}

// Enums and the time zone are read once, where the config names them.
TEST(S3OutputOptionsTest, TypedOptions) {
  auto o = ParseFilterOptions<S3Output>(
      "{bucket: b, compression: zstd, compression_level: 19, sse: 'aws:kms', sse_kms_key_id: k, "
      "timezone: Europe/Paris}");
  EXPECT_EQ(o.compression, common::Compression::kZstd);
  EXPECT_EQ(o.sse, S3Output::Sse::kKms);
  EXPECT_EQ(o.timezone.name, "Europe/Paris");
  EXPECT_FALSE(o.timezone.is_utc());
  EXPECT_EQ(ParseFilterOptions<S3Output>("{bucket: b, sse: AES256}").sse, S3Output::Sse::kAes256);
  EXPECT_EQ(ParseFilterOptions<S3Output>("{bucket: b, sse: ''}").sse, S3Output::Sse::kNone);
  EXPECT_EQ(ParseFilterOptions<S3Output>("{bucket: b, compression: none, compression_level: 19}")
                .compression,
            common::Compression::kNone);
}

TEST(S3OutputOptionsTest, BadOptionsSayWhatIsWrong) {
  const struct {
    std::string yaml;
    std::string error;
  } cases[] = {
      {"{prefix: x}", "missing required option 'bucket'"},
      {"{bucket: b, part_size: 1MiB}", "part_size"},
      {"{bucket: b, sse_kms_key_id: k}", "sse_kms_key_id needs sse: aws:kms"},
      {"{bucket: b, endpoint: 's3.example.com'}",
       "endpoint must start with http://, https:// or file://"},
      {"{bucket: b, timezone: Mars/Olympus}", "timezone: unknown time zone 'Mars/Olympus'"},
      {"{bucket: b, access_key_id: AK}", "access_key_id and secret_access_key go together"},
      {"{bucket: b, compression: gz}", "compression: expected one of gzip, zstd, none; got 'gz'"},
      {"{bucket: b, sse: aes}", "sse: expected one of AES256, aws:kms; got 'aes'"},
      // zlib takes levels up to 9: more would fail every object at its first line.
      {"{bucket: b, compression_level: 10}", "compression_level: gzip takes -1 to 9, got 10"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);
    const std::string errors = testing::OptionErrors<S3Output>(c.yaml);
    EXPECT_NE(errors.find(c.error), std::string::npos) << errors;
  }
}

class S3OutputTest : public testing::OutputTest {
 protected:
  void SetUp() override { MakeContext("sluice_s3_output"); }
  std::unique_ptr<S3Output> Make(const std::string& extra) {
    auto o = ParseFilterOptions<S3Output>("{bucket: lake, endpoint: 'file://" +
                                          (dir_ / "bronze").string() + "', " + extra + "}");
    auto out = std::make_unique<S3Output>(o, context_);
    EXPECT_TRUE(out->Start().ok());
    return out;
  }
  // A batch of Kafka events of topic `spark`, `partition`, offsets [first, first + n), one minute
  // apart from `start_ns`.
  static EventBatch KafkaBatch(int partition, int64_t first, int n, int64_t start_ns) {
    EventBatch batch;
    for (int i = 0; i < n; ++i) {
      Event& e = batch.Add(start_ns + i * 60'000'000'000, "m" + std::to_string(first + i));
      e.Set("kafka.topic", Value::String("spark"));
      e.Set("kafka.partition", Value::Int(partition));
      e.Set("kafka.offset", Value::Int(first + i));
    }
    return batch;
  }
  // Relative path → messages, of every object in the bucket.
  std::map<std::string, std::vector<std::string>> Objects() {
    std::map<std::string, std::vector<std::string>> objects;
    fs::path root = dir_ / "bronze" / "lake";
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file() || e.path().extension() != ".gz") continue;
      std::vector<std::string> messages;
      for (const auto& line : Gunzip(e.path())) {
        size_t at = line.find("\"message\":\"") + 11;
        messages.push_back(line.substr(at, line.find('"', at) - at));
      }
      objects[fs::relative(e.path(), root).string()] = messages;
    }
    return objects;
  }
};

// Objects of Kafka events: Hive-style hour prefixes, one partition's contiguous offsets each,
// named after the first; closed by max_events and by a new hour; acked only once stored.
TEST_F(S3OutputTest, KafkaObjectsAreNamedByFirstOffsetAndRotateByCountAndHour) {
  auto out = Make("max_events: 50, flush_interval: 0");
  // 100 events a minute apart from 00:00: hour 00 holds 60 (50 + 10), hour 01 holds 40.
  out->Write(KafkaBatch(3, 1000, 100, k2026), Handle());
  EXPECT_EQ(Committed(), 0u) << "acked before the last object was stored";
  out->Drain(/*all=*/true);
  ASSERT_TRUE(testing::WaitUntil([&] { return Committed() == 1; }, std::chrono::seconds(10)));
  auto objects = Objects();
  std::vector<std::string> names;
  for (const auto& [name, messages] : objects) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "spark/dt=2026-12-02/hour=00/spark+3+00000000000000001000.ndjson.gz",
                       "spark/dt=2026-12-02/hour=00/spark+3+00000000000000001050.ndjson.gz",
                       "spark/dt=2026-12-02/hour=01/spark+3+00000000000000001060.ndjson.gz"}));
  EXPECT_EQ(objects[names[0]].size(), 50u);
  EXPECT_EQ(objects[names[1]].size(), 10u);
  EXPECT_EQ(objects[names[2]].front(), "m1060");
  EXPECT_EQ(testing::ReadFile(dir_ / "bronze/lake/_sluice/offsets/spark+3"), "1099\n");
  EXPECT_TRUE(out->Close().ok());
}

// A replay after a crash that came between an object's upload and its marker (a new output over
// the same bucket): what the marker covers is skipped and acked, and the next object starts right
// after it, under the name of the object already there, which it overwrites: nothing twice.
TEST_F(S3OutputTest, AReplaySkipsWhatTheMarkerCoversAndOverwritesTheSameName) {
  {
    auto out = Make("max_events: 10, flush_interval: 0");
    out->Write(KafkaBatch(0, 0, 25, k2026), Handle());  // 0-9, 10-19, and 20-24 at Close
    EXPECT_TRUE(out->Close().ok());
  }
  ASSERT_EQ(Objects().size(), 3u);
  EXPECT_EQ(testing::ReadFile(dir_ / "bronze/lake/_sluice/offsets/spark+0"), "24\n");
  std::ofstream(dir_ / "bronze/lake/_sluice/offsets/spark+0") << "19\n";  // the marker is lost
  auto out = Make("max_events: 10, flush_interval: 0");
  out->Write(KafkaBatch(0, 0, 30, k2026), Handle());  // the input replays from offset 0
  out->Drain(/*all=*/true);
  ASSERT_TRUE(testing::WaitUntil([&] { return Committed() == 2; }, std::chrono::seconds(10)));
  EXPECT_TRUE(out->Close().ok());
  EXPECT_EQ(registry_.GetCounter("sluice_s3_output_skipped_events_total", "", {}).value(), 20u);
  auto objects = Objects();
  EXPECT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects["spark/dt=2026-12-02/hour=00/spark+0+00000000000000000020.ndjson.gz"].size(),
            10u);
  std::multiset<std::string> all;
  for (const auto& [name, messages] : objects) all.insert(messages.begin(), messages.end());
  EXPECT_EQ(all.size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(all.count("m" + std::to_string(i)), 1u) << i;
  EXPECT_EQ(testing::ReadFile(dir_ / "bronze/lake/_sluice/offsets/spark+0"), "29\n");
}

// A marker that holds no offset (an empty object, as an S3 stand-in can leave after a crash
// mid-upload): treated as absent, so the replay is written again, but said and counted.
TEST_F(S3OutputTest, AnUnreadableMarkerIsCountedAndTreatedAsAbsent) {
  for (const std::string text : {"", "12x\n", "-5\n"}) {
    SCOPED_TRACE("marker '" + text + "'");
    fs::remove_all(dir_ / "bronze");
    fs::create_directories(dir_ / "bronze/lake/_sluice/offsets");
    std::ofstream(dir_ / "bronze/lake/_sluice/offsets/spark+0") << text;
    const uint64_t before =
        registry_.GetCounter("sluice_s3_output_unreadable_markers_total", "", {}).value();
    auto out = Make("max_events: 10, flush_interval: 0");
    out->Write(KafkaBatch(0, 0, 10, k2026), Handle());
    EXPECT_TRUE(out->Close().ok());
    EXPECT_EQ(registry_.GetCounter("sluice_s3_output_unreadable_markers_total", "", {}).value(),
              before + 1);
    EXPECT_EQ(registry_.GetCounter("sluice_s3_output_skipped_events_total", "", {}).value(), 0u);
    EXPECT_EQ(testing::ReadFile(dir_ / "bronze/lake/_sluice/offsets/spark+0"), "9\n");
  }
}

// Under the in-flight bound (Drain without `all`) the largest objects go first, until half of what
// is open is on its way; the small ones keep growing.
TEST_F(S3OutputTest, DrainUnderPressureClosesTheLargestObjectsFirst) {
  auto out = Make("flush_interval: 0");
  // One hour of events (a minute apart): partition 0 holds more than half.
  out->Write(KafkaBatch(0, 0, 50, k2026), Handle());
  out->Write(KafkaBatch(1, 0, 20, k2026), Handle());
  out->Write(KafkaBatch(2, 0, 5, k2026), Handle());
  out->Drain(/*all=*/false);
  ASSERT_TRUE(testing::WaitUntil([&] { return Committed() == 1; }, std::chrono::seconds(10)));
  auto objects = Objects();
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_NE(objects.begin()->first.find("spark+0+"), std::string::npos);
  out->Drain(/*all=*/true);
  ASSERT_TRUE(testing::WaitUntil([&] { return Committed() == 3; }, std::chrono::seconds(10)));
  EXPECT_EQ(Objects().size(), 3u);
  EXPECT_TRUE(out->Close().ok());
}

// `timezone` puts events in local-time partitions: 23:30 UTC is 00:30 the next day in Paris.
TEST_F(S3OutputTest, PrefixTimeConversionsFollowTheTimezone) {
  auto out = Make("timezone: Europe/Paris, flush_interval: 0");
  out->Write(KafkaBatch(0, 0, 1, k2026 - 30 * 60'000'000'000), Handle());  // 2026-12-01T23:30Z
  out->Drain(/*all=*/true);
  ASSERT_TRUE(testing::WaitUntil([&] { return Committed() == 1; }, std::chrono::seconds(10)));
  auto objects = Objects();
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects.begin()->first,
            "spark/dt=2026-12-02/hour=00/spark+0+00000000000000000000.ndjson.gz");
  EXPECT_TRUE(out->Close().ok());
}

// flush_interval by event time closes an object when a later event comes; events without Kafka
// fields are grouped by prefix and named host-time-sequence.
TEST_F(S3OutputTest, EventTimeIntervalAndNonKafkaNames) {
  auto out = Make("flush_interval: 10m, prefix: 'app/%Y/'");
  EventBatch batch;
  for (int i = 0; i < 30; ++i) {
    Event& e = batch.Add(k2026 + i * 60'000'000'000, "e" + std::to_string(i));
    e.Set("host.name", Value::String("node-7"));
  }
  out->Write(batch, Handle());
  out->Drain(/*all=*/true);
  ASSERT_TRUE(testing::WaitUntil([&] { return Committed() == 1; }, std::chrono::seconds(10)));
  auto objects = Objects();
  ASSERT_EQ(objects.size(), 3u);  // minutes 0-9, 10-19, 20-29
  for (const auto& [name, messages] : objects) {
    EXPECT_EQ(messages.size(), 10u) << name;
    EXPECT_EQ(name.rfind("app/2026/node-7-", 0), 0u) << name;
    EXPECT_NE(name.find(".ndjson.gz"), std::string::npos) << name;
  }
  EXPECT_FALSE(fs::exists(dir_ / "bronze/lake/_sluice")) << "markers are for Kafka events only";
  EXPECT_TRUE(out->Close().ok());
}

}  // namespace
}  // namespace sluice::outputs
