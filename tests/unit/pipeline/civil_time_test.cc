#include "pipeline/civil_time.h"

#include <gtest/gtest.h>

#include <ctime>
#include <limits>

namespace sluice {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kNanosPerDay = 86'400 * kNanosPerSecond;

void ExpectCivil(const CivilTime& t, int year, int month, int day, int hour, int minute, int second,
                 int nanos, int yday, int wday) {
  EXPECT_EQ(t.year, year);
  EXPECT_EQ(t.month, month);
  EXPECT_EQ(t.day, day);
  EXPECT_EQ(t.hour, hour);
  EXPECT_EQ(t.minute, minute);
  EXPECT_EQ(t.second, second);
  EXPECT_EQ(t.nanos, nanos);
  EXPECT_EQ(t.yday, yday);
  EXPECT_EQ(t.wday, wday);
}

TEST(CivilTimeTest, Epoch) {
  ExpectCivil(ToCivil(0), 1970, 1, 1, 0, 0, 0, 0, 1, 4);  // a Thursday
  EXPECT_EQ(FromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
}

TEST(CivilTimeTest, JustBeforeTheEpoch) {
  ExpectCivil(ToCivil(-1), 1969, 12, 31, 23, 59, 59, 999'999'999, 365, 3);  // a Wednesday
  ExpectCivil(ToCivil(-kNanosPerDay), 1969, 12, 31, 0, 0, 0, 0, 365, 3);
  ExpectCivil(ToCivil(-kNanosPerDay - 1), 1969, 12, 30, 23, 59, 59, 999'999'999, 364, 2);
  EXPECT_EQ(FromCivil(1969, 12, 31, 23, 59, 59, 999'999'999), -1);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
}

TEST(CivilTimeTest, LeapDays) {
  // 2000 is a leap year (divisible by 400); 2100 is not (divisible by 100).
  const int64_t leap_day = FromCivil(2000, 2, 29);
  EXPECT_EQ(leap_day, 951'782'400 * kNanosPerSecond);
  ExpectCivil(ToCivil(leap_day), 2000, 2, 29, 0, 0, 0, 0, 60, 2);  // a Tuesday
  ExpectCivil(ToCivil(leap_day + kNanosPerDay), 2000, 3, 1, 0, 0, 0, 0, 61, 3);
  ExpectCivil(ToCivil(FromCivil(2000, 12, 31)), 2000, 12, 31, 0, 0, 0, 0, 366, 0);

  const int64_t march_2100 = FromCivil(2100, 3, 1);
  EXPECT_EQ(march_2100, 4'107'542'400 * kNanosPerSecond);
  ExpectCivil(ToCivil(march_2100), 2100, 3, 1, 0, 0, 0, 0, 60, 1);  // a Monday
  ExpectCivil(ToCivil(march_2100 - kNanosPerDay), 2100, 2, 28, 0, 0, 0, 0, 59, 0);
  ExpectCivil(ToCivil(FromCivil(2100, 12, 31)), 2100, 12, 31, 0, 0, 0, 0, 365, 5);
}

TEST(CivilTimeTest, TimeOfDay) {
  const int64_t ns = FromCivil(2017, 6, 9, 20, 10, 40, 123'456'789);
  EXPECT_EQ(ns, 1'497'039'040'123'456'789);
  ExpectCivil(ToCivil(ns), 2017, 6, 9, 20, 10, 40, 123'456'789, 160, 5);  // a Friday
}

TEST(CivilTimeTest, ExtremesOfInt64) {
  ExpectCivil(ToCivil(std::numeric_limits<int64_t>::min()), 1677, 9, 21, 0, 12, 43, 145'224'192,
              264, 2);
  ExpectCivil(ToCivil(std::numeric_limits<int64_t>::max()), 2262, 4, 11, 23, 47, 16, 854'775'807,
              101, 5);
  EXPECT_EQ(FromCivil(ToCivil(std::numeric_limits<int64_t>::min())),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(FromCivil(ToCivil(std::numeric_limits<int64_t>::max())),
            std::numeric_limits<int64_t>::max());
}

TEST(CivilTimeTest, FromCivilAddsOutOfRangeFieldsLinearly) {
  EXPECT_EQ(FromCivil(2024, 3, 0), FromCivil(2024, 2, 29));
  EXPECT_EQ(FromCivil(2023, 3, 0), FromCivil(2023, 2, 28));
  EXPECT_EQ(FromCivil(2023, 12, 31, 24), FromCivil(2024, 1, 1));
  EXPECT_EQ(FromCivil(2023, 12, 31, 23, 59, 60), FromCivil(2024, 1, 1));
  EXPECT_EQ(FromCivil(1970, 1, 1, 0, 0, 0, -1), -1);
}

TEST(CivilTimeTest, DaysFromCivilBeforeYearZero) {
  EXPECT_EQ(DaysFromCivil(0, 3, 1), -719'468);
  EXPECT_EQ(DaysFromCivil(-1, 12, 31), DaysFromCivil(0, 1, 1) - 1);
  EXPECT_EQ(DaysFromCivil(1, 1, 1), -719'162);
}

// Every day representable in int64_t nanoseconds, checked against the C library and round-tripped,
// at a time of day that is not midnight.
TEST(CivilTimeTest, EveryDayMatchesGmtimeAndRoundTrips) {
  const int64_t first_day = std::numeric_limits<int64_t>::min() / kNanosPerDay + 1;
  const int64_t last_day = std::numeric_limits<int64_t>::max() / kNanosPerDay - 1;
  ASSERT_LT(first_day, -106'000);
  ASSERT_GT(last_day, 106'000);
  const int64_t time_of_day = (13 * 3600 + 14 * 60 + 15) * kNanosPerSecond + 16;
  int failures = 0;
  for (int64_t day = first_day; day <= last_day && failures < 5; ++day) {
    const int64_t ns = day * kNanosPerDay + time_of_day;
    const CivilTime t = ToCivil(ns);
    const time_t seconds = static_cast<time_t>(day * 86'400 + 13 * 3600 + 14 * 60 + 15);
    std::tm tm{};
    ASSERT_NE(gmtime_r(&seconds, &tm), nullptr);
    const bool same = t.year == tm.tm_year + 1900 && t.month == tm.tm_mon + 1 &&
                      t.day == tm.tm_mday && t.hour == 13 && t.minute == 14 && t.second == 15 &&
                      t.nanos == 16 && t.yday == tm.tm_yday + 1 && t.wday == tm.tm_wday &&
                      FromCivil(t) == ns && DaysFromCivil(t.year, t.month, t.day) == day;
    if (!same) {
      ++failures;
      ADD_FAILURE() << "day " << day << ": got " << t.year << "-" << t.month << "-" << t.day
                    << " yday " << t.yday << " wday " << t.wday << ", gmtime says "
                    << tm.tm_year + 1900 << "-" << tm.tm_mon + 1 << "-" << tm.tm_mday << " yday "
                    << tm.tm_yday + 1 << " wday " << tm.tm_wday;
    }
  }
}

}  // namespace
}  // namespace sluice
