#include "pipeline/civil_time.h"

namespace sluice {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kNanosPerDay = 86'400 * kNanosPerSecond;

bool IsLeapYear(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

}  // namespace

// http://howardhinnant.github.io/date_algorithms.html#days_from_civil
int64_t DaysFromCivil(int64_t year, int month, int day) {
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                                  // [0, 399]
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                          // [0, 146096]
  return era * 146097 + doe - 719468;
}

CivilTime ToCivil(int64_t ns_since_epoch) {
  int64_t days = ns_since_epoch / kNanosPerDay;
  int64_t rem = ns_since_epoch % kNanosPerDay;
  if (rem < 0) {
    rem += kNanosPerDay;
    --days;
  }

  CivilTime t;
  // http://howardhinnant.github.io/date_algorithms.html#civil_from_days
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // [0, 365], from March 1
  const int64_t mp = (5 * doy + 2) / 153;                       // [0, 11]
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int64_t year = yoe + era * 400 + (t.month <= 2 ? 1 : 0);
  t.year = static_cast<int>(year);
  // doy counts from March 1: January 1 is 306, and March 1 is day 60 (61 in leap years).
  t.yday = static_cast<int>(t.month <= 2 ? doy - 305 : doy + 60 + (IsLeapYear(year) ? 1 : 0));
  t.wday = static_cast<int>(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);

  const int64_t seconds = rem / kNanosPerSecond;
  t.nanos = static_cast<int>(rem % kNanosPerSecond);
  t.hour = static_cast<int>(seconds / 3600);
  t.minute = static_cast<int>(seconds / 60 % 60);
  t.second = static_cast<int>(seconds % 60);
  return t;
}

int64_t FromCivil(int year, int month, int day, int hour, int minute, int second, int nanos) {
  // Unsigned arithmetic: out of range wraps instead of being undefined behaviour.
  const uint64_t days = static_cast<uint64_t>(DaysFromCivil(year, month, day));
  const uint64_t seconds =
      static_cast<uint64_t>(int64_t{hour} * 3600 + int64_t{minute} * 60 + int64_t{second});
  return static_cast<int64_t>(days * static_cast<uint64_t>(kNanosPerDay) +
                              seconds * static_cast<uint64_t>(kNanosPerSecond) +
                              static_cast<uint64_t>(int64_t{nanos}));
}

}  // namespace sluice
