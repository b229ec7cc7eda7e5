#include "pipeline/log.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(LogTest, LimitedLetsOneLineThroughPerIntervalAndCountsTheRest) {
  RateLimiter limiter(60'000);
  Logger logger("output:file:x");
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 5; ++i) logger.Limited(limiter, LogLevel::kError, "disk full ({})", i);
  std::string first = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(first.find("ERROR [output:file:x] disk full (0)\n"), std::string::npos) << first;
  EXPECT_EQ(first.find("disk full (1)"), std::string::npos) << first;
}

TEST(LogTest, RateLimiterReportsWhatItHeldBack) {
  RateLimiter limiter(0);  // every call may pass once its (zero) interval is over
  uint64_t suppressed = 99;
  EXPECT_TRUE(limiter.Allow(&suppressed));
  EXPECT_EQ(suppressed, 0u);
  RateLimiter slow(60'000);
  EXPECT_TRUE(slow.Allow(&suppressed));
  EXPECT_FALSE(slow.Allow(&suppressed));
  EXPECT_FALSE(slow.Allow(&suppressed));
}

TEST(LogTest, LevelsBelowTheSettingAreDropped) {
  SetLogLevel(LogLevel::kError);
  ::testing::internal::CaptureStderr();
  Logger("c").Warn("hidden");
  Logger("c").Error("shown");
  std::string out = ::testing::internal::GetCapturedStderr();
  SetLogLevel(LogLevel::kWarn);
  EXPECT_EQ(out.find("hidden"), std::string::npos);
  EXPECT_NE(out.find("ERROR [c] shown"), std::string::npos);
}

}  // namespace
}  // namespace sluice
