// Collector chaos, S3 outage: S3 down for 30 s, and the collector killed -9 and restarted while it
// is down.
#include <gtest/gtest.h>

#include <thread>

#include "tests/chaos/collector_chaos.h"

namespace sluice::testing::collector_chaos {
namespace {

// S3 (s3rver) stops for 30 s mid-stream; a third into the outage the collector is killed -9 and
// started again, so the new one begins with S3 down: it cannot read the offset markers and acks
// nothing. Once S3 is back, it skips what the markers cover, and every event is in the bucket
// exactly once.
TEST_F(CollectorChaosTest, S3DownThirtySecondsWithAKillAndRestartStoresEachEventOnce) {
  SLUICE_REQUIRE_PEER(ProxiedS3rver::Installed(), ProxiedS3rver::kMissing);
  constexpr int kLines = 40000;
  auto cluster = Topic(4, kLines);
  ProxiedS3rver s3(dir_ / "s3");
  // Each S3 request forwarded after 100 ms: an object and its marker take 200 ms, about 5,000
  // events/s, so that the outage falls mid-stream.
  s3.Throttle(100);
  const std::string config = CollectorConfig(cluster->bootstrap(), S3Output(s3.endpoint()));
  auto collector = Run(config, "collector");
  ASSERT_TRUE(WaitUntil([&] { return Sent(*collector, "s3") >= kLines / 5; }, seconds(120)))
      << collector->Stderr();
  s3.Stop();
  const auto outage = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*collector) == 503; }, seconds(30)))
      << collector->Stderr();
  EXPECT_LT(Sent(*collector, "s3"), kLines) << "the outage came after the end of the stream";

  std::this_thread::sleep_until(outage + kOutage / 3);  // holding the outage
  KillNine(*collector);
  collector = Run(config, "collector");
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*collector) == 503; }, seconds(15)))
      << collector->Stderr();
  std::this_thread::sleep_until(outage + kOutage);  // the rest of the outage
  EXPECT_LT(Sent(*collector, "s3"), 1) << "acked while S3 was down\n" << collector->Stderr();
  const double retries = Metric(*collector, S3Series("sluice_s3_output_retries_total"));

  s3.Throttle(0);
  s3.Start();
  ASSERT_TRUE(WaitForStoredLines(s3, kLines, seconds(180))) << s3.StoredLines() << " lines in S3\n"
                                                            << collector->Stderr();
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*collector) == 200; }, seconds(30)))
      << collector->Stderr();
  const double skipped = Metric(*collector, S3Series("sluice_s3_output_skipped_events_total"));
  StopCleanly(*collector);
  std::printf(
      "[   INFO   ] S3 down %lld s: the restarted collector retried %.0f times while it "
      "was down, then skipped %.0f replayed events\n",
      static_cast<long long>(kOutage.count()), retries, skipped);
  ExpectEachLineOnce("s3", kLines, s3.DownloadMessages(dir_ / "download"));
}

}  // namespace
}  // namespace sluice::testing::collector_chaos
