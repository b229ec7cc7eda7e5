// The tap's sessions: glob patterns over PIPELINE.ID, a sample per event as one JSON line, a rate
// per component (a busy component does not starve another), a bounded queue, and every sample not
// taken counted as missed; the hub samples only for the sessions a component matches.
#include "pipeline/tap.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

EventBatch Batch(size_t n) {
  EventBatch batch;
  for (size_t i = 0; i < n; ++i) batch.Add(1'000'000'000, "line " + std::to_string(i));
  return batch;
}

TEST(TapSessionTest, PatternsAreGlobsOverPipelineDotId) {
  TapSession s({"spark.*", "*.grok"}, 10);
  EXPECT_TRUE(s.Matches("spark.file"));
  EXPECT_TRUE(s.Matches("other.grok"));
  EXPECT_FALSE(s.Matches("other.file"));
  EXPECT_FALSE(s.Matches("sparkling.file"));
}

TEST(TapSessionTest, EachSampleIsOneJsonLineNamingItsComponent) {
  TapSession s({"*"}, 100);
  EXPECT_EQ(s.Offer("spark.grok", "filter", Batch(2)), 0u);
  std::vector<std::string> lines = s.Take(std::chrono::milliseconds(0));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "{\"component\":\"spark.grok\",\"kind\":\"filter\",\"event\":{\"@timestamp\":"
            "\"1970-01-01T00:00:01Z\",\"message\":\"line 0\"}}\n");
  EXPECT_TRUE(s.Take(std::chrono::milliseconds(0)).empty());
}

// A rate of 5/s gives a burst of 5 per component: the rest of a batch is missed, per component.
TEST(TapSessionTest, TheRateIsPerComponentAndTheRestIsMissed) {
  TapSession s({"*"}, 5);
  EXPECT_EQ(s.Offer("p.a", "filter", Batch(8)), 3u);
  EXPECT_EQ(s.Offer("p.b", "output", Batch(8)), 3u);
  EXPECT_EQ(s.Take(std::chrono::milliseconds(0)).size(), 10u);
  EXPECT_EQ(s.missed(), 6u);
}

// A client that does not take: the queue holds at most its limit, the rest is missed.
TEST(TapSessionTest, AFullQueueMissesInsteadOfGrowing) {
  TapSession s({"*"}, 1e6, /*queue_limit=*/4);
  EXPECT_EQ(s.Offer("p.a", "input", Batch(10)), 6u);
  EXPECT_EQ(s.Take(std::chrono::milliseconds(0)).size(), 4u);
}

TEST(TapHubTest, ActiveOnlyWhileASessionIsOpenAndOffersToMatchingSessions) {
  MetricsRegistry registry;
  TapHub hub(registry);
  EXPECT_FALSE(hub.active());
  auto grok = hub.Open({"*.grok"}, 100);
  auto file = hub.Open({"spark.file"}, 100);
  EXPECT_TRUE(hub.active());
  hub.Offer("spark", "filter", "grok", Batch(3));
  EXPECT_EQ(grok->Take(std::chrono::milliseconds(0)).size(), 3u);
  EXPECT_TRUE(file->Take(std::chrono::milliseconds(0)).empty());
  hub.Close(grok);
  hub.Close(file);
  EXPECT_FALSE(hub.active());
  EXPECT_TRUE(grok->closed());
  EXPECT_NE(registry.PrometheusText().find("sluice_tap_sessions 0"), std::string::npos);
}

}  // namespace
}  // namespace sluice
