// The agent SIGKILLed while its disk buffer holds the only copy of the data, three times: the
// sink (tests/tools/es_test_server, the Elasticsearch stand-in) refuses every bulk request (503),
// numbered Spark lines are appended and buffered until the input's persisted checkpoint covers
// them (so nothing will be read from the file again), kill -9; the sink comes back and the agent
// restarts; as soon as its replay delivers, kill -9 again (mid-replay: delivered batches whose
// ack position was not yet written repeat); restart and wait for the rest. Nothing may be lost;
// what repeats is at most what each mid-replay kill found in flight, and it repeats under the same
// document id (the event's stable id travels through the buffer), so Elasticsearch keeps one copy.
// tests/integration/disk_buffer_test.cc checks a single kill with the source deleted.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "tests/chaos/chaos_agent.h"
#include "tests/integration/es_server.h"

namespace sluice::testing::agent_chaos {
namespace {

constexpr int kCycles = 3;
constexpr uint64_t kChunk = 4000;       // lines per cycle
constexpr uint64_t kBatchEvents = 500;  // the file input's batches: one buffer record each

class AgentBufferKillTest : public ChaosAgentTest {
 protected:
  void SetUp() override { MakeDir("sluice_chaos_buffer_kill"); }
  static std::string BufferSeries(const std::string& name) {
    return OutputSeries(name, "a", "elasticsearch", "es");
  }
};

TEST_F(AgentBufferKillTest, KilledWithTheSinkDownAndMidReplayLosesNothing) {
  fs::create_directories(dir_ / "logs");
  fs::create_directories(dir_ / "es");
  EsServer es(dir_ / "es");
  const fs::path log = dir_ / "logs" / "app.log";
  const fs::path checkpoints = dir_ / "data" / "checkpoints" / "a" / "file.ckpt";
  const std::string config = AgentConfig(
      "agent", "data",
      "pipelines:\n  a:\n    max_inflight_bytes: 256KiB\n    inputs:\n      - type: file\n"
      "        include: ['" +
          (dir_ / "logs" / "*.log").string() +
          "']\n        batch_events: " + std::to_string(kBatchEvents) +
          "\n    outputs:\n      - type: elasticsearch\n        id: es\n        hosts: ['" +
          es.url() +
          "']\n        flush_interval: 200ms\n        max_backoff: 1s\n"
          "        buffer: {type: disk, max_size: 64MiB}\n");

  auto agent = StartAgent(config, "agent");
  uint64_t written = 0;
  int mid_replay_kills = 0;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    es.Command("unavailable 1000000000");  // every bulk request gets 503 from now on
    AppendSparkLines(log, "app", written, kChunk);
    written += kChunk;
    // Every line is in the buffer: the input's persisted checkpoint is past them all.
    ASSERT_TRUE(WaitUntil([&] { return CheckpointedOffset(checkpoints, log) == FileBytes(log); },
                          kLongWait))
        << ReadFile(checkpoints) << agent->Stderr();
    Kill(*agent);  // the buffer holds data, the sink is down

    es.Command("unavailable 0");
    const int64_t before = es.Stat("docs");
    agent = StartAgent(config, "agent");
    ASSERT_TRUE(WaitUntil([&] { return es.Stat("docs") > before; }, kLongWait)) << agent->Stderr();
    Kill(*agent);  // as soon as the replay delivers
    ++mid_replay_kills;

    agent = StartAgent(config, "agent");
    ASSERT_TRUE(
        WaitUntil([&] { return es.Stat("docs") >= static_cast<int64_t>(written); }, kLongWait))
        << es.Stat("docs") << " documents of " << written << "\n"
        << agent->Stderr();
  }
  EXPECT_TRUE(WaitForMetric(*agent, BufferSeries("sluice_buffer_events"), 0, kLongWait))
      << agent->Stderr();
  EXPECT_EQ(Metric(*agent, BufferSeries("sluice_buffer_corrupt_records_total")), 0);
  Stop(*agent);

  const Delivery delivery = Count(EsDocuments(es), "app", written);
  // With the sink down nothing is delivered, so a kill then repeats nothing. A kill mid-replay
  // repeats the records the output had delivered and the buffer had not yet recorded in its ack
  // file: those handed to the output, at most max_inflight_bytes (256 KiB) of batch memory (each
  // event takes its ~105-byte line and its ~80-byte slot: under 256 KiB / 180 B events), plus the
  // one record (a batch of kBatchEvents) handed over while the ack position was being written.
  const uint64_t per_kill = (256u << 10) / 180 + kBatchEvents;
  const uint64_t bound = per_kill * static_cast<uint64_t>(mid_replay_kills);
  std::printf(
      "[   INFO   ] %d kills with the sink down and %d mid-replay: %llu lines; lost = %llu, "
      "duplicated = %llu (bound %llu; resent under the same id %llu, under a new id %llu)\n",
      kCycles, mid_replay_kills, static_cast<unsigned long long>(written),
      static_cast<unsigned long long>(delivery.report.total.lost),
      static_cast<unsigned long long>(delivery.report.total.duplicates),
      static_cast<unsigned long long>(bound), static_cast<unsigned long long>(delivery.resent),
      static_cast<unsigned long long>(delivery.new_id));
  EXPECT_EQ(delivery.report.total.lost, 0u) << delivery.ToString();
  EXPECT_LE(delivery.report.total.duplicates, bound) << delivery.ToString();
  // What repeats keeps its id: Elasticsearch holds each line once.
  EXPECT_EQ(delivery.new_id, 0u) << delivery.ToString();
  EXPECT_EQ(delivery.collisions, 0u) << delivery.ToString();
  EXPECT_EQ(delivery.report.malformed + delivery.report.unexpected, 0u) << delivery.ToString();
}

}  // namespace
}  // namespace sluice::testing::agent_chaos
