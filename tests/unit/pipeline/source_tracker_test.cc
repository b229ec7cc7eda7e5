#include "pipeline/source_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace sluice {
namespace {

TEST(SourceTrackerTest, OutOfOrderAcksCommitOnlyTheContiguousPrefix) {
  std::vector<uint64_t> commits;
  SourceTracker t("file", [&](uint64_t cp) { commits.push_back(cp); });
  uint64_t s0 = t.Begin(100), s1 = t.Begin(200), s2 = t.Begin(300);
  t.Complete(s2);
  EXPECT_TRUE(commits.empty());  // 0 and 1 still in flight
  t.Complete(s1);
  EXPECT_TRUE(commits.empty());
  t.Complete(s0);
  EXPECT_EQ(commits, std::vector<uint64_t>({300}));  // one jump over the whole prefix
  EXPECT_EQ(t.pending(), 0u);
  uint64_t cp = 0;
  EXPECT_TRUE(t.committed(&cp));
  EXPECT_EQ(cp, 300u);
}

TEST(SourceTrackerTest, DuplicateAndUnknownAcksAreIgnored) {
  std::vector<uint64_t> commits;
  SourceTracker t("file", [&](uint64_t cp) { commits.push_back(cp); });
  uint64_t s0 = t.Begin(10);
  t.Complete(s0);
  t.Complete(s0);
  t.Complete(12345);
  EXPECT_EQ(commits, std::vector<uint64_t>({10}));
}

TEST(SourceTrackerTest, ShuffledAcksGiveMonotonicCommitsEndingAtTheLast) {
  std::vector<uint64_t> commits;
  SourceTracker t("kafka", [&](uint64_t cp) { commits.push_back(cp); });
  std::vector<uint64_t> seqs;
  for (uint64_t i = 1; i <= 1000; ++i) seqs.push_back(t.Begin(i * 10));
  std::mt19937 rng(7);
  std::shuffle(seqs.begin(), seqs.end(), rng);
  for (uint64_t s : seqs) t.Complete(s);
  ASSERT_FALSE(commits.empty());
  EXPECT_TRUE(std::is_sorted(commits.begin(), commits.end()));
  EXPECT_EQ(std::adjacent_find(commits.begin(), commits.end()), commits.end());
  EXPECT_EQ(commits.back(), 10000u);
}

TEST(SourceTrackerTest, AHoleHoldsTheCheckpoint) {
  std::vector<uint64_t> commits;
  SourceTracker t("file", [&](uint64_t cp) { commits.push_back(cp); });
  uint64_t a = t.Begin(1), b = t.Begin(2), c = t.Begin(3);
  (void)b;
  t.Complete(a);
  t.Complete(c);
  EXPECT_EQ(commits, std::vector<uint64_t>({1}));  // b never acked: 3 must not be committed
  EXPECT_EQ(t.pending(), 2u);
}

TEST(SourceTrackerTest, AFailedBatchStopsTheCheckpointAndFreesTheWindow) {
  std::vector<uint64_t> commits;
  SourceTracker t("file", [&](uint64_t cp) { commits.push_back(cp); });
  uint64_t a = t.Begin(1), b = t.Begin(2), c = t.Begin(3);
  t.Fail(b);
  EXPECT_FALSE(t.stuck());  // a is still in flight and may commit
  t.Complete(c);
  t.Complete(a);
  EXPECT_EQ(commits, std::vector<uint64_t>({1}));
  EXPECT_TRUE(t.stuck());
  EXPECT_EQ(t.pending(), 0u);
  for (int i = 0; i < 1000; ++i) t.Complete(t.Begin(100 + i));
  EXPECT_EQ(t.pending(), 0u);  // no slots pile up after the failure
  EXPECT_EQ(commits, std::vector<uint64_t>({1}));
}

}  // namespace
}  // namespace sluice
