// Collector chaos, Elasticsearch outage: Elasticsearch down for 30 s, and the collector killed -9
// and restarted while it is down.
#include <gtest/gtest.h>

#include <thread>

#include "tests/chaos/collector_chaos.h"

namespace sluice::testing::collector_chaos {
namespace {

// The Elasticsearch stand-in stops listening for 30 s mid-stream; a third into the outage the
// collector is killed -9 and started again, so the new one begins with Elasticsearch down and
// acks nothing. Once it is back, every event is indexed exactly once (what the killed collector
// had indexed without committing is read again and overwrites the same documents).
TEST_F(CollectorChaosTest, ElasticsearchDownThirtySecondsWithAKillAndRestartIndexesEachEventOnce) {
  constexpr int kLines = 40000;
  auto cluster = Topic(4, kLines);
  EsServer es(dir_ / "es");
  // Every bulk request answered after 100 ms: about 10,000 events/s at most, so that the outage
  // falls mid-stream.
  es.Command("delay 1000000 100");
  const std::string config = CollectorConfig(cluster->bootstrap(), ElasticsearchOutput(es.url()));
  auto collector = Run(config, "collector");
  ASSERT_TRUE(WaitForDocuments(es, kLines / 5, seconds(120))) << collector->Stderr();
  es.Command("down " + std::to_string(kOutage.count()));  // it listens again after that
  const auto outage = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*collector) == 503; }, seconds(30)))
      << collector->Stderr();
  EXPECT_LT(es.Stat("docs"), kLines) << "the outage came after the end of the stream";

  std::this_thread::sleep_until(outage + kOutage / 3);  // holding the outage
  KillNine(*collector);
  es.Command("delay 0 0");
  collector = Run(config, "collector");
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*collector) == 503; }, seconds(15)))
      << collector->Stderr();
  EXPECT_LT(Sent(*collector, "elasticsearch"), 1) << "acked while Elasticsearch was down\n"
                                                  << collector->Stderr();

  ASSERT_TRUE(WaitForDocuments(es, kLines, kOutage + seconds(180)))
      << es.Stat("docs") << " documents\n"
      << collector->Stderr();
  EXPECT_GE(std::chrono::steady_clock::now() - outage, kOutage - seconds(1))
      << "everything was indexed during the outage";
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*collector) == 200; }, seconds(30)))
      << collector->Stderr();
  StopCleanly(*collector);
  std::printf("[   INFO   ] Elasticsearch down %lld s: %lld replayed documents overwritten\n",
              static_cast<long long>(kOutage.count()), static_cast<long long>(es.Stat("updated")));
  ExpectEachLineOnce("elasticsearch", kLines, DocumentMessages(es));
  EXPECT_EQ(es.Stat("docs"), kLines);
}

}  // namespace
}  // namespace sluice::testing::collector_chaos
