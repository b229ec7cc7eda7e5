#include "plugins/inputs/file/file_poll.h"

#include <gtest/gtest.h>

namespace sluice::inputs::file {
namespace {

constexpr int64_t kMin = PollSchedule::kMinWaitNs;
constexpr int64_t kMax = 2'000'000'000;

// A new file is due at once; each poll that finds nothing doubles the wait up to the bound.
TEST(PollScheduleTest, IdlePollsBackOffToTheBound) {
  PollSchedule poll;
  int64_t now = 1'000'000'000;
  EXPECT_TRUE(poll.Due(now));
  for (int64_t expected : {kMin, 2 * kMin, 4 * kMin, 8 * kMin, kMax, kMax}) {
    poll.Polled(now, /*grew=*/false, kMax);
    EXPECT_EQ(poll.wait_ns(), expected);
    EXPECT_FALSE(poll.Due(now + expected - 1));
    now += expected;
    EXPECT_TRUE(poll.Due(now));
  }
}

// Growth, and an fs event about the file, make it due on the next turn and start the backoff over.
TEST(PollScheduleTest, GrowthAndPokesMakeItDueAtOnce) {
  PollSchedule poll;
  const int64_t now = 5'000'000'000;
  for (int i = 0; i < 4; ++i) poll.Polled(now, /*grew=*/false, kMax);
  EXPECT_FALSE(poll.Due(now + kMin));
  poll.Poke();
  EXPECT_TRUE(poll.Due(now));
  poll.Polled(now, /*grew=*/false, kMax);
  EXPECT_EQ(poll.wait_ns(), kMin);
  poll.Polled(now, /*grew=*/true, kMax);
  EXPECT_TRUE(poll.Due(now));
  EXPECT_EQ(poll.wait_ns(), 0);
}

// Without an inotify watch the bound is the fallback interval; a bound below it is raised to it.
TEST(PollScheduleTest, UnwatchedFilesArePolledEveryFallbackInterval) {
  PollSchedule poll;
  for (int i = 0; i < 5; ++i) {
    poll.Polled(0, /*grew=*/false, kMin);
    EXPECT_EQ(poll.wait_ns(), kMin);
  }
  poll.Polled(0, /*grew=*/false, 0);
  EXPECT_EQ(poll.wait_ns(), kMin);
}

}  // namespace
}  // namespace sluice::inputs::file
