// Civil time: conversions between nanoseconds since the Unix epoch and the proleptic Gregorian
// calendar in UTC, by pure arithmetic (Howard Hinnant's days_from_civil / civil_from_days), so the
// data path never calls gmtime or strftime. Times before 1970 are handled (floor division).
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>

namespace sluice {

struct CivilTime {
  int year = 1970;
  int month = 1;   // 1..12
  int day = 1;     // 1..31
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  int second = 0;  // 0..59 (no leap seconds)
  int nanos = 0;   // 0..999'999'999
  int yday = 1;    // day of the year, 1..366
  int wday = 4;    // day of the week, 0 = Sunday .. 6 = Saturday
};

// Days since 1970-01-01 of the given date; `month` must be 1..12, `day` is added linearly (day 0 is
// the last day of the previous month).
int64_t DaysFromCivil(int64_t year, int month, int day);

// The UTC calendar time of `ns` nanoseconds since the epoch. Every int64_t is valid.
CivilTime ToCivil(int64_t ns_since_epoch);

// Nanoseconds since the epoch of the given UTC time. `month` must be 1..12; the other fields are
// added linearly (second 60 is the next minute). The result must fit in an int64_t (years 1678 to
// 2261); outside that range it is unspecified.
int64_t FromCivil(int year, int month, int day, int hour = 0, int minute = 0, int second = 0,
                  int nanos = 0);
// Same, from the date and time fields of `t` (yday and wday are ignored).
inline int64_t FromCivil(const CivilTime& t) {
  return FromCivil(t.year, t.month, t.day, t.hour, t.minute, t.second, t.nanos);
}

}  // namespace sluice
