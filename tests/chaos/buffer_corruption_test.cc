// A disk buffer damaged on purpose while the agent is stopped: the sink
// (tests/tools/es_test_server) refuses every bulk request, 5,000 numbered Spark lines go into the
// buffer in records of 100 events (the file input's batches) spread over segments of 256 KiB, the
// source file is deleted (the buffer holds the only copy) and the agent is SIGKILLed. Then, reading
// the segment format (pipeline/buffer/segment_log.h: a 12-byte header, magic "SLB1", payload
// length, CRC-32C, then the payload), the test flips 8 bytes in the middle of the middle record of
// the second segment and cuts the last segment in the middle of its last record (a torn tail). On
// restart with the sink up the two damaged records, and only they, are skipped and counted exactly
// (`sluice_buffer_corrupt_records_total` 2, `..._corrupt_bytes_total` the bytes from each damaged
// record's start to the next record or the segment's end), the lines they held (a batch of 100
// each) are the only ones missing, every other line is delivered exactly once, and the agent goes
// on delivering new lines.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <string>

#include "tests/chaos/chaos_agent.h"
#include "tests/integration/es_server.h"

namespace sluice::testing::agent_chaos {
namespace {

constexpr uint64_t kLines = 5000;
constexpr uint64_t kBatchEvents = 100;
constexpr uint64_t kAfter = 300;  // lines written after the restart

class AgentBufferCorruptionTest : public ChaosAgentTest {
 protected:
  void SetUp() override { MakeDir("sluice_chaos_buffer_corruption"); }
  static std::string BufferSeries(const std::string& name) {
    return OutputSeries(name, "a", "elasticsearch", "es");
  }
};

TEST_F(AgentBufferCorruptionTest, FlippedBytesAndATornTailAreCountedAndTheRestDeliveredOnce) {
  fs::create_directories(dir_ / "logs");
  fs::create_directories(dir_ / "es");
  EsServer es(dir_ / "es");
  const fs::path log = dir_ / "logs" / "app.log";
  const fs::path checkpoints = dir_ / "data" / "checkpoints" / "a" / "file.ckpt";
  const fs::path buffer_dir = dir_ / "data" / "buffers" / "a" / "es";
  // max_size 2MiB: segments of 256 KiB (an eighth, at least 256 KiB), ~11 records of ~22 KB each.
  const std::string config = AgentConfig(
      "agent", "data",
      "pipelines:\n  a:\n    inputs:\n      - type: file\n        include: ['" +
          (dir_ / "logs" / "*.log").string() + "']\n        scan_interval: 200ms\n" +
          "        batch_events: " + std::to_string(kBatchEvents) +
          "\n    outputs:\n      - type: elasticsearch\n        id: es\n        hosts: ['" +
          es.url() +
          "']\n        flush_interval: 200ms\n        max_backoff: 1s\n"
          "        buffer: {type: disk, max_size: 2MiB}\n");

  es.Command("unavailable 1000000000");  // every bulk request gets 503
  AppendSparkLines(log, "app", 0, kLines);
  {
    auto agent = StartAgent(config, "first");
    ASSERT_TRUE(WaitUntil([&] { return CheckpointedOffset(checkpoints, log) == FileBytes(log); },
                          kLongWait))
        << agent->Stderr();
    // Every line is in the buffer (acked, so written and synced: no write is under way) and
    // nowhere else once the source is gone.
    fs::remove(log);
    Kill(*agent);
  }
  EXPECT_EQ(es.Stat("docs"), 0);

  const std::vector<fs::path> segments = Segments(buffer_dir);
  ASSERT_GE(segments.size(), 3u) << "the buffer should span several segments";
  std::set<uint64_t> damaged;  // the lines of the damaged records
  // 1. Bytes flipped in the middle of a record in the middle of the second segment: its CRC no
  //    longer matches; the reader skips to the next record.
  const std::vector<SegmentRecord> second = SegmentRecords(segments[1]);
  ASSERT_GE(second.size(), 3u);
  const SegmentRecord flipped = second[second.size() / 2];
  {
    std::fstream f(segments[1], std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(flipped.offset + 12 + flipped.length / 2);
    char bytes[8];
    f.seekg(at);
    f.read(bytes, sizeof(bytes));
    for (char& b : bytes) b = static_cast<char>(~b);
    f.seekp(at);
    f.write(bytes, sizeof(bytes));
    ASSERT_TRUE(f.good()) << segments[1];
  }
  damaged.insert(flipped.seqs.begin(), flipped.seqs.end());
  // 2. The last segment cut in the middle of its last record, as a crash mid-write leaves it.
  const std::vector<SegmentRecord> last = SegmentRecords(segments.back());
  ASSERT_FALSE(last.empty());
  const SegmentRecord torn = last.back();
  fs::resize_file(segments.back(), torn.offset + 12 + torn.length / 2);
  damaged.insert(torn.seqs.begin(), torn.seqs.end());
  ASSERT_FALSE(flipped.seqs.empty() || torn.seqs.empty()) << "records without numbered lines";
  const uint64_t damaged_bytes = (12 + flipped.length) + (12 + torn.length / 2);

  // The sink is up; the agent replays the buffer, then reads new lines.
  es.Command("unavailable 0");
  AppendSparkLines(dir_ / "logs" / "after.log", "after", 0, kAfter);
  auto agent = StartAgent(config, "again");
  const int64_t expected_docs = static_cast<int64_t>(kLines - damaged.size() + kAfter);
  ASSERT_TRUE(WaitUntil([&] { return es.Stat("docs") >= expected_docs; }, kLongWait))
      << es.Stat("docs") << " documents of " << expected_docs << "\n"
      << agent->Stderr();
  ASSERT_TRUE(WaitForMetric(*agent, BufferSeries("sluice_buffer_events"), 0, kLongWait))
      << agent->Stderr();
  const double corrupt_records =
      Metric(*agent, BufferSeries("sluice_buffer_corrupt_records_total"));
  const double corrupt_bytes = Metric(*agent, BufferSeries("sluice_buffer_corrupt_bytes_total"));
  EXPECT_EQ(ReadyStatus(*agent), 200) << agent->Stderr();
  const std::string log_text = agent->Stderr();
  Stop(*agent);

  // Exactly the damaged records are counted, once each, with their bytes; one line per segment.
  EXPECT_EQ(corrupt_records, 2);
  EXPECT_EQ(corrupt_bytes, static_cast<double>(damaged_bytes));
  for (const fs::path& segment : {segments[1], segments.back()}) {
    const std::string line = "segment " + std::to_string(std::stoull(segment.stem().string())) +
                             " has torn or corrupt records: skipped ";
    EXPECT_NE(log_text.find(line), std::string::npos) << line << "\n" << log_text;
  }

  // Every other line exactly once: missing are the damaged lines and nothing else, and nothing
  // was sent twice (no kill after the restart: duplicates are not expected, bound 0).
  const std::vector<Stored> docs = EsDocuments(es);
  SequenceChecker checker;
  checker.Expect("app", kLines);
  for (const Stored& d : docs) checker.Add(d.message);
  uint64_t wrong = 0;  // lines whose arrivals are not 0 for a damaged one, 1 for the others
  for (uint64_t i = 0; i < kLines; ++i) {
    wrong += checker.Arrivals("app", i) != (damaged.count(i) > 0 ? 0u : 1u) ? 1 : 0;
  }
  const Delivery app = Count(docs, "app", kLines);
  const Delivery after = Count(docs, "after", kAfter);
  std::printf(
      "[   INFO   ] corrupt records %.0f (damaged 2), corrupt bytes %.0f (damaged %llu); of %llu "
      "lines: lost = %llu (the %zu in the damaged records), duplicated = %llu (bound 0); lines "
      "written after the restart: lost = %llu, duplicated = %llu\n",
      corrupt_records, corrupt_bytes, static_cast<unsigned long long>(damaged_bytes),
      static_cast<unsigned long long>(kLines),
      static_cast<unsigned long long>(app.report.total.lost), damaged.size(),
      static_cast<unsigned long long>(app.report.total.duplicates),
      static_cast<unsigned long long>(after.report.total.lost),
      static_cast<unsigned long long>(after.report.total.duplicates));
  EXPECT_EQ(wrong, 0u) << app.ToString();
  EXPECT_EQ(app.report.total.lost, damaged.size()) << app.ToString();
  EXPECT_EQ(app.report.total.duplicates, 0u) << app.ToString();
  EXPECT_EQ(after.report.total.lost + after.report.total.duplicates, 0u) << after.ToString();
  EXPECT_EQ(es.Stat("updated"), 0);
  EXPECT_EQ(es.Stat("created"), expected_docs);
}

}  // namespace
}  // namespace sluice::testing::agent_chaos
