// Collector chaos, kill -9: the collector (kafka input → s3 and elasticsearch outputs in one
// pipeline) SIGKILLed mid-stream again and again, each time restarted at once.
#include <gtest/gtest.h>

#include <string>

#include "tests/chaos/collector_chaos.h"

namespace sluice::testing::collector_chaos {
namespace {

// Killed three times mid-stream and restarted: each new collector consumes again within 10 s of
// its spawn (kResumeBound), from the committed offsets; S3 and Elasticsearch each hold every event
// exactly once (the s3 output skips what its offset markers cover and names objects after their
// first offset, so a rewrite overwrites; replayed documents keep their ids and overwrite too).
TEST_F(CollectorChaosTest, KilledThreeTimesMidStreamResumesInTimeAndStoresEachEventOnce) {
  SLUICE_REQUIRE_PEER(ProxiedS3rver::Installed(), ProxiedS3rver::kMissing);
  constexpr int kLines = 40000;
  constexpr int kKills = 3;
  auto cluster = Topic(4, kLines);
  ProxiedS3rver s3(dir_ / "s3");
  EsServer es(dir_ / "es");
  // Every bulk request answered after 100 ms: about 10,000 events/s at most through the pipeline
  // (both outputs ack each batch), so that every kill falls mid-stream.
  es.Command("delay 1000000 100");
  const std::string config = CollectorConfig(
      cluster->bootstrap(), S3Output(s3.endpoint()) + ElasticsearchOutput(es.url()));
  auto collector = Run(config, "collector");
  for (int kill = 1; kill <= kKills; ++kill) {
    ASSERT_TRUE(WaitForDocuments(es, int64_t{kLines} * kill / (kKills + 1), seconds(120)))
        << es.Stat("docs") << " documents before kill " << kill << "\n"
        << collector->Stderr();
    const int64_t at_kill = es.Stat("docs");
    KillNine(*collector);
    EXPECT_LT(at_kill, kLines) << "kill " << kill << " came after the end of the stream";
    collector = RestartAndTimeResume(config, "restart " + std::to_string(kill));
  }
  es.Command("delay 0 0");
  ASSERT_TRUE(WaitForDocuments(es, kLines, seconds(120))) << es.Stat("docs") << " documents\n"
                                                          << collector->Stderr();
  ASSERT_TRUE(WaitForStoredLines(s3, kLines, seconds(120))) << s3.StoredLines() << " lines in S3\n"
                                                            << collector->Stderr();
  const double skipped = Metric(*collector, S3Series("sluice_s3_output_skipped_events_total"));
  StopCleanly(*collector);
  std::printf(
      "[   INFO   ] after %d kills: %lld replayed documents overwritten in Elasticsearch, "
      "%.0f replayed events skipped by S3 in the last run\n",
      kKills, static_cast<long long>(es.Stat("updated")), skipped);
  ExpectEachLineOnce("elasticsearch", kLines, DocumentMessages(es));
  ExpectEachLineOnce("s3", kLines, s3.DownloadMessages(dir_ / "download"));
}

}  // namespace
}  // namespace sluice::testing::collector_chaos
