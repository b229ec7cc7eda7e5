#include "pipeline/inflight_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/unit/test_util.h"

namespace sluice {
namespace {

TEST(InflightLimiterTest, BlocksAtTheBoundUntilReleased) {
  InflightLimiter limiter(100);
  ASSERT_TRUE(limiter.Acquire(60));
  std::atomic<bool> got{false};
  std::thread t([&] {
    EXPECT_TRUE(limiter.Acquire(60));
    got = true;
  });
  ASSERT_TRUE(testing::WaitUntil([&] { return limiter.blocked_count() == 1; }));
  EXPECT_FALSE(got);
  limiter.Release(60);
  t.join();
  EXPECT_TRUE(got);
  EXPECT_EQ(limiter.bytes(), 60u);
}

TEST(InflightLimiterTest, AnOversizedBatchPassesWhenNothingElseIsInFlight) {
  InflightLimiter limiter(100);
  EXPECT_TRUE(limiter.Acquire(1000));
  EXPECT_EQ(limiter.bytes(), 1000u);
  limiter.Release(1000);
  EXPECT_TRUE(limiter.WaitEmpty(0));
}

TEST(InflightLimiterTest, CancelWakesWaitersWhoTakeNothing) {
  InflightLimiter limiter(10);
  ASSERT_TRUE(limiter.Acquire(10));
  std::atomic<int> result{-1};
  std::thread t([&] { result = limiter.Acquire(5) ? 1 : 0; });
  ASSERT_TRUE(testing::WaitUntil([&] { return limiter.blocked_count() == 1; }));
  limiter.Cancel();
  t.join();
  EXPECT_EQ(result, 0);
  EXPECT_EQ(limiter.bytes(), 10u);
  EXPECT_FALSE(limiter.WaitEmpty(1));
}

TEST(InflightLimiterTest, WaitFitsTimesOutWithoutTakingAndSucceedsAfterRelease) {
  InflightLimiter limiter(100);
  ASSERT_TRUE(limiter.Acquire(80));
  EXPECT_FALSE(limiter.WaitFits(50, 1));
  EXPECT_EQ(limiter.bytes(), 80u);
  EXPECT_TRUE(limiter.WaitFits(20, 1));
  limiter.Release(80);
  EXPECT_TRUE(limiter.WaitFits(50, 1));
  EXPECT_EQ(limiter.bytes(), 0u);
}

}  // namespace
}  // namespace sluice
