// Collector chaos, 429 storm: Elasticsearch refuses part of every bulk request while the collector
// is killed -9 and restarted.
#include <gtest/gtest.h>

#include "tests/chaos/collector_chaos.h"

namespace sluice::testing::collector_chaos {
namespace {

// 30% of the items of every bulk request are refused with 429 es_rejected_execution_exception
// (Elasticsearch's full write queue), all along; the collector is killed -9 mid-stream and
// restarted. Only the refused items are sent again, and the replay after the restart overwrites
// what was indexed without being committed: every event is indexed exactly once. (No assertion on
// retry timing: the retry policy is not this test's business.)
TEST_F(CollectorChaosTest, RejectionStormWithAKillAndRestartIndexesEachEventOnce) {
  constexpr int kLines = 20000;
  auto cluster = Topic(4, kLines);
  EsServer es(dir_ / "es");
  es.Command("reject 0.3");
  // Every bulk request answered after 50 ms until the kill: however fast the retries, the kill
  // falls mid-stream.
  es.Command("delay 1000000 50");
  const std::string config = CollectorConfig(cluster->bootstrap(), ElasticsearchOutput(es.url()));
  auto collector = Run(config, "collector");
  ASSERT_TRUE(WaitForDocuments(es, kLines / 3, seconds(120))) << collector->Stderr();
  const int64_t at_kill = es.Stat("docs");
  KillNine(*collector);
  EXPECT_LT(at_kill, kLines) << "the kill came after the end of the stream";
  es.Command("delay 0 0");
  collector = Run(config, "collector");
  ASSERT_TRUE(WaitForDocuments(es, kLines, seconds(180))) << es.Stat("docs") << " documents\n"
                                                          << collector->Stderr();
  StopCleanly(*collector);
  const int64_t rejected = es.Stat("rejected");
  std::printf(
      "[   INFO   ] 429 storm and a kill -9: %lld items refused with 429, %lld replayed "
      "documents overwritten\n",
      static_cast<long long>(rejected), static_cast<long long>(es.Stat("updated")));
  EXPECT_GT(rejected, kLines / 10) << "no storm";
  ExpectEachLineOnce("elasticsearch", kLines, DocumentMessages(es));
  EXPECT_EQ(es.Stat("docs"), kLines);
}

}  // namespace
}  // namespace sluice::testing::collector_chaos
