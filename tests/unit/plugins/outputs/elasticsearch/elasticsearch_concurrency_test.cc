// The elasticsearch output's adaptive concurrency limit: starts at the maximum; a 429 lowers it at
// once, ×0.9 (by 1 at least), once per window, never below 1; a latency spike at a window's end
// lowers it; a window of quick answers at the limit raises it by 1, never above the maximum;
// Acquire() holds a sender while the limit is reached, and Close() releases it. Time is passed in:
// no clock, no sleeps.
#include "plugins/outputs/elasticsearch/elasticsearch_concurrency.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace sluice::outputs::elasticsearch {
namespace {

using Change = ConcurrencyLimit::Change;

// An answer at `at_ms`, its round trip `rtt_ms` (< 0: not timed), a 429 when `overloaded`.
ConcurrencyLimit::Sample Answer(int64_t at_ms, double rtt_ms, bool overloaded = false) {
  return {.now_ns = at_ms * 1'000'000,
          .rtt_seconds = rtt_ms < 0 ? -1 : rtt_ms / 1000,
          .overloaded = overloaded};
}

// Takes every slot of `limit` and frees them: the window saw the limit reached.
void FillTheLimit(ConcurrencyLimit& limit) {
  const int64_t n = limit.limit();
  for (int64_t i = 0; i < n; ++i) ASSERT_TRUE(limit.Acquire());
  for (int64_t i = 0; i < n; ++i) limit.Release();
}

TEST(ConcurrencyLimitTest, StartsAtTheMaximumAndAFixedLimitNeverMoves) {
  Gauge gauge;
  ConcurrencyLimit fixed({.max = 4, .adaptive = false}, &gauge);
  EXPECT_EQ(fixed.limit(), 4);
  EXPECT_EQ(gauge.value(), 4);
  for (int64_t t = 0; t < 2000; t += 100) {
    EXPECT_EQ(fixed.Record(Answer(t, t % 300 == 0 ? 1000 : 10, true)), Change::kNone);
  }
  EXPECT_EQ(fixed.limit(), 4);
  EXPECT_EQ(gauge.value(), 4);
}

TEST(ConcurrencyLimitTest, A429LowersTheLimitAtOnceOncePerWindowAndNeverBelowOne) {
  Gauge gauge;
  ConcurrencyLimit limit({.max = 20}, &gauge);
  // The first timed answer sets the average (100 ms): windows of 100 ms from t=0.
  EXPECT_EQ(limit.Record(Answer(0, 100)), Change::kNone);
  EXPECT_EQ(limit.Record(Answer(10, 100, true)), Change::kDecreasedOverload);
  EXPECT_EQ(limit.limit(), 18);  // 20 × 0.9
  EXPECT_EQ(gauge.value(), 18);
  // The requests in flight at the cut answer 429 too: the same congestion, no second cut.
  EXPECT_EQ(limit.Record(Answer(20, 100, true)), Change::kNone);
  EXPECT_EQ(limit.Record(Answer(30, -1, true)), Change::kNone);  // a whole-request 429
  EXPECT_EQ(limit.limit(), 18);
  // The window ends at t=100; the next one's first 429 cuts again.
  EXPECT_EQ(limit.Record(Answer(100, 100)), Change::kNone);
  EXPECT_EQ(limit.Record(Answer(110, -1, true)), Change::kDecreasedOverload);
  EXPECT_EQ(limit.limit(), 16);  // 18 × 0.9 = 16.2
  // A 429 in every window: 16, 14, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2 (by 1 at least), 1, then 1.
  const int64_t expected[] = {14, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1, 1};
  int64_t t = 200;
  for (int64_t want : expected) {
    limit.Record(Answer(t, 100));  // ends the window
    const int64_t before = limit.limit();
    const Change change = limit.Record(Answer(t + 10, 100, true));
    EXPECT_EQ(change, want < before ? Change::kDecreasedOverload : Change::kNone) << t;
    EXPECT_EQ(limit.limit(), want) << t;
    EXPECT_EQ(gauge.value(), want) << t;
    t += 100;
  }
}

TEST(ConcurrencyLimitTest, QuickAnswersAtTheLimitRaiseItByOneUpToTheMaximum) {
  Gauge gauge;
  ConcurrencyLimit limit({.max = 4}, &gauge);
  limit.Record(Answer(0, 100));
  limit.Record(Answer(10, 100, true));
  limit.Record(Answer(100, 100));  // ends the overloaded window: no rise
  limit.Record(Answer(110, 100, true));
  ASSERT_EQ(limit.limit(), 2);     // 4 → 3 → 2
  limit.Record(Answer(200, 100));  // ends the window
  // The limit is never reached in this window: no evidence more would help, no rise.
  ASSERT_TRUE(limit.Acquire());
  limit.Release();
  limit.Record(Answer(250, 100));
  EXPECT_EQ(limit.Record(Answer(300, 100)), Change::kNone);
  EXPECT_EQ(limit.limit(), 2);
  // Reached, no 429, answers as quick as the average: +1 per window, up to the maximum.
  int64_t t = 300;
  for (int64_t want : {3, 4, 4, 4}) {
    FillTheLimit(limit);
    limit.Record(Answer(t + 50, 100));
    const int64_t before = limit.limit();
    const Change change = limit.Record(Answer(t + 100, 100));
    EXPECT_EQ(change, want > before ? Change::kIncreased : Change::kNone) << t;
    EXPECT_EQ(limit.limit(), want) << t;
    EXPECT_EQ(gauge.value(), want) << t;
    t += 100;
  }
}

TEST(ConcurrencyLimitTest, ALatencySpikeLowersTheLimitAModestRiseDoesNot) {
  ConcurrencyLimit limit({.max = 10});
  limit.Record(Answer(0, 100));
  // 140 ms against an average of 100: less than half the average above it, no spike.
  limit.Record(Answer(50, 140));
  EXPECT_EQ(limit.Record(Answer(100, 140)), Change::kNone);
  EXPECT_EQ(limit.limit(), 10);
  // Average 116 ms now. Three times that is a spike: ×0.9.
  limit.Record(Answer(150, 350));
  EXPECT_EQ(limit.Record(Answer(220, 350)), Change::kDecreasedLatency);
  EXPECT_EQ(limit.limit(), 9);
  // Untimed answers (no answer at all, an error answer) say nothing of latency.
  limit.Record(Answer(300, -1));
  EXPECT_EQ(limit.Record(Answer(600, -1)), Change::kNone);
  EXPECT_EQ(limit.limit(), 9);
}

TEST(ConcurrencyLimitTest, A429BeforeAnyTimedAnswerLowersTheLimitOnceASecond) {
  ConcurrencyLimit limit({.max = 8});
  // Whole-request 429s only: windows of a second until an answer is timed.
  EXPECT_EQ(limit.Record(Answer(0, -1, true)), Change::kDecreasedOverload);
  EXPECT_EQ(limit.Record(Answer(500, -1, true)), Change::kNone);
  EXPECT_EQ(limit.limit(), 7);
  EXPECT_EQ(limit.Record(Answer(1000, -1, true)), Change::kNone);  // ends the first window
  EXPECT_EQ(limit.Record(Answer(1001, -1, true)), Change::kDecreasedOverload);
  EXPECT_EQ(limit.limit(), 6);
}

TEST(ConcurrencyLimitTest, AcquireWaitsForAFreeSlot) {
  ConcurrencyLimit limit({.max = 1});
  ASSERT_TRUE(limit.Acquire());
  EXPECT_EQ(limit.in_flight(), 1);
  std::atomic<bool> acquired{false};
  std::thread waiter([&] { acquired = limit.Acquire(); });
  limit.Release();  // the slot goes to the waiter
  waiter.join();
  EXPECT_TRUE(acquired);
  EXPECT_EQ(limit.in_flight(), 1);
}

TEST(ConcurrencyLimitTest, CloseWakesTheSendersWaitingForASlot) {
  ConcurrencyLimit limit({.max = 1});
  ASSERT_TRUE(limit.Acquire());
  std::atomic<bool> acquired{true};
  std::thread waiter([&] { acquired = limit.Acquire(); });
  limit.Close();
  waiter.join();
  EXPECT_FALSE(acquired);
  EXPECT_FALSE(limit.Acquire());
  EXPECT_EQ(limit.in_flight(), 1);
}

}  // namespace
}  // namespace sluice::outputs::elasticsearch
