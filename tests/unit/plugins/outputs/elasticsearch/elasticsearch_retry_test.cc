// The elasticsearch output's retry waits: a try that settled some documents sends the rest again
// promptly (50 to 100 ms) however often that happened; tries that settle nothing wait twice as
// long each time, up to max_backoff; and, in a simulated 429 storm (30% of the documents of every
// try refused), the waits of a 30,000-event replay add up to a few seconds, not minutes.
#include "plugins/outputs/elasticsearch/elasticsearch_retry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace sluice::outputs::elasticsearch {
namespace {

TEST(RetryWaitTest, ATryThatSettledSomeDocumentsIsRetriedPromptly) {
  std::mt19937_64 random(1);
  int attempt = 7;  // however many tries without progress came before
  for (int i = 0; i < 200; ++i) {
    const int64_t ms = RetryWaitMs(true, &attempt, 30'000, random);
    EXPECT_GE(ms, 50);
    EXPECT_LE(ms, 100);
    EXPECT_EQ(attempt, 0);
  }
}

TEST(RetryWaitTest, TriesThatSettleNothingBackOffExponentiallyUpToMaxBackoff) {
  std::mt19937_64 random(2);
  int attempt = 0;
  int64_t step = 100;
  for (int i = 0; i < 12; ++i) {
    step = std::min<int64_t>(step * 2, 5'000);
    const int64_t ms = RetryWaitMs(false, &attempt, 5'000, random);
    EXPECT_EQ(attempt, i + 1);
    EXPECT_GE(ms, step / 2) << i;  // jitter: the upper half of the step
    EXPECT_LE(ms, step) << i;
  }
  // Progress ends the backoff.
  EXPECT_LE(RetryWaitMs(true, &attempt, 5'000, random), 100);
  EXPECT_EQ(attempt, 0);
  const int64_t ms = RetryWaitMs(false, &attempt, 5'000, random);
  EXPECT_GE(ms, 100);
  EXPECT_LE(ms, 200);
}

// The waits a bulk request of `documents` goes through when each try has `refused` of its
// documents refused for now (each independently), until all are indexed.
int64_t StormWaitMs(int documents, double refused, std::mt19937_64& random) {
  std::bernoulli_distribution refuse(refused);
  int attempt = 0;
  int64_t waited = 0;
  for (int left = documents; left > 0;) {
    int again = 0;
    for (int i = 0; i < left; ++i) again += refuse(random) ? 1 : 0;
    if (again == 0) break;
    waited += RetryWaitMs(again < left, &attempt, 30'000, random);
    left = again;
  }
  return waited;
}

TEST(RetryWaitTest, ASimulatedStormOfA30000EventReplayWaitsSecondsNotMinutes) {
  // 30% of each try refused (es_test_server's `reject 0.3`), max_backoff 30 s (the default), with
  // max_events 10,000 (the default) and 2,000. The old policy (every retry doubling from 100 ms)
  // waited about 90 s and 250 s: about 2 s and 8 s now.
  std::mt19937_64 random(42);
  for (int documents : {10'000, 2'000}) {
    int64_t waited = 0;
    for (int bulk = 0; bulk < 30'000 / documents; ++bulk) {
      waited += StormWaitMs(documents, 0.3, random);
    }
    EXPECT_LT(waited, 30'000) << documents << " documents per request";
  }
}

}  // namespace
}  // namespace sluice::outputs::elasticsearch
