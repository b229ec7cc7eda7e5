#include "plugins/common/time_parse.h"

#include <array>
#include <cmath>
#include <cstring>

#include "pipeline/civil_time.h"
#include "pipeline/clock.h"

namespace sluice::common {
namespace {

constexpr int kMinYear = 1678;  // the years whose every instant fits int64 nanoseconds
constexpr int kMaxYear = 2261;
constexpr int64_t kNanosPerSecond = 1'000'000'000;

constexpr std::array<std::string_view, 12> kMonths = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<std::string_view, 7> kWeekdays = {"sunday",   "monday", "tuesday", "wednesday",
                                                       "thursday", "friday", "saturday"};
constexpr std::array<int64_t, 10> kPow10 = {
    1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000, 100'000'000, 1'000'000'000};

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Whether `text` at `pos` starts with `word` (lowercase), ignoring ASCII case.
bool StartsWithNoCase(std::string_view text, size_t pos, std::string_view word) {
  if (text.size() - pos < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (Lower(text[pos + i]) != word[i]) return false;
  }
  return true;
}

// Reads `min`..`max` digits at *pos into *value.
bool ReadDigits(std::string_view text, size_t* pos, int min, int max, int* value) {
  int v = 0;
  int n = 0;
  size_t p = *pos;
  while (n < max && p < text.size() && IsDigit(text[p])) {
    v = v * 10 + (text[p] - '0');
    ++p;
    ++n;
  }
  if (n < min) return false;
  *pos = p;
  *value = v;
  return true;
}

// 1 to 9 digits of a fraction of a second, as nanoseconds.
bool ReadFraction(std::string_view text, size_t* pos, int* nanos) {
  size_t start = *pos;
  int v = 0;
  if (!ReadDigits(text, pos, 1, 9, &v)) return false;
  *nanos = static_cast<int>(v * kPow10[9 - (*pos - start)]);
  return true;
}

// An English month or weekday name (full, or its first three letters) at *pos; its index.
template <size_t N>
bool ReadName(std::string_view text, size_t* pos, const std::array<std::string_view, N>& names,
              int* index) {
  for (size_t i = 0; i < N; ++i) {
    if (StartsWithNoCase(text, *pos, names[i])) {
      *pos += names[i].size();
      *index = static_cast<int>(i);
      return true;
    }
  }
  for (size_t i = 0; i < N; ++i) {
    if (StartsWithNoCase(text, *pos, names[i].substr(0, 3))) {
      *pos += 3;
      *index = static_cast<int>(i);
      return true;
    }
  }
  return false;
}

// `Z`, `+hh`, `+hhmm`, `+hh:mm` (or `-`): seconds east of UTC.
bool ReadOffset(std::string_view text, size_t* pos, int* offset) {
  size_t p = *pos;
  if (p >= text.size()) return false;
  if (text[p] == 'Z' || text[p] == 'z') {
    *pos = p + 1;
    *offset = 0;
    return true;
  }
  if (text[p] != '+' && text[p] != '-') return false;
  const int sign = text[p] == '-' ? -1 : 1;
  ++p;
  int hours = 0;
  int minutes = 0;
  if (!ReadDigits(text, &p, 2, 2, &hours) || hours > 23) return false;
  if (p + 2 < text.size() && text[p] == ':' && IsDigit(text[p + 1])) {
    ++p;
    if (!ReadDigits(text, &p, 2, 2, &minutes)) return false;
  } else if (p < text.size() && IsDigit(text[p])) {
    if (!ReadDigits(text, &p, 2, 2, &minutes)) return false;
  }
  if (minutes > 59) return false;
  *pos = p;
  *offset = sign * (hours * 3600 + minutes * 60);
  return true;
}

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

}  // namespace

Result<TimeFormat> TimeFormat::Compile(std::string_view spec) {
  TimeFormat f;
  f.spec_ = std::string(spec);
  struct Named {
    std::string_view name;
    Kind kind;
  };
  static constexpr Named kNamed[] = {
      {"iso8601", Kind::kIso8601}, {"rfc3339", Kind::kIso8601}, {"unix", Kind::kUnix},
      {"unix_ms", Kind::kUnixMs},  {"unix_us", Kind::kUnixUs},  {"unix_ns", Kind::kUnixNs},
  };
  for (const Named& n : kNamed) {
    if (spec.size() == n.name.size() && StartsWithNoCase(spec, 0, n.name)) {
      f.kind_ = n.kind;
      f.has_year_ = true;
      return f;
    }
  }
  const std::string quoted = "time format '" + std::string(spec) + "'";
  if (spec.empty()) return InvalidArgument("empty time format");
  if (spec.find('%') == std::string_view::npos) {
    return InvalidArgument(quoted +
                           " has no % conversion and is not a named format (ISO8601, RFC3339, "
                           "UNIX, UNIX_MS, UNIX_US, UNIX_NS); formats are strftime-style, e.g. "
                           "%Y-%m-%d %H:%M:%S, not yyyy-MM-dd HH:mm:ss");
  }
  auto add = [&f](Op op) { f.items_.push_back(Item{op, {}}); };
  auto literal = [&f](std::string_view text) {
    if (f.items_.empty() || f.items_.back().op != Op::kLiteral) {
      f.items_.push_back(Item{Op::kLiteral, {}});
    }
    f.items_.back().literal += text;
  };
  bool month = false, day = false, yday = false, hour12 = false, ampm = false;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%') {
      literal(spec.substr(i, 1));
      continue;
    }
    if (i + 1 == spec.size()) return InvalidArgument(quoted + " ends with a lone '%'");
    const char c = spec[++i];
    switch (c) {
      case 'Y':
        add(Op::kYear4);
        f.has_year_ = true;
        break;
      case 'y':
        add(Op::kYear2);
        f.has_year_ = true;
        break;
      case 'm':
        add(Op::kMonth);
        month = true;
        break;
      case 'b':
      case 'B':
      case 'h':
        add(Op::kMonthName);
        month = true;
        break;
      case 'd':
        add(Op::kDay);
        day = true;
        break;
      case 'e':
        add(Op::kDaySpace);
        day = true;
        break;
      case 'j':
        add(Op::kYday);
        yday = true;
        break;
      case 'a':
      case 'A':
        add(Op::kWeekday);
        break;
      case 'H':
        add(Op::kHour);
        break;
      case 'I':
        add(Op::kHour12);
        hour12 = true;
        break;
      case 'p':
        add(Op::kAmPm);
        ampm = true;
        break;
      case 'M':
        add(Op::kMinute);
        break;
      case 'S':
        add(Op::kSecond);
        break;
      case 'f':
        add(Op::kFraction);
        break;
      case 'z':
        add(Op::kOffset);
        break;
      case 'T':
        add(Op::kHour);
        literal(":");
        add(Op::kMinute);
        literal(":");
        add(Op::kSecond);
        break;
      case 'R':
        add(Op::kHour);
        literal(":");
        add(Op::kMinute);
        break;
      case 'F':
        add(Op::kYear4);
        literal("-");
        add(Op::kMonth);
        literal("-");
        add(Op::kDay);
        f.has_year_ = month = day = true;
        break;
      case 'D':
        add(Op::kMonth);
        literal("/");
        add(Op::kDay);
        literal("/");
        add(Op::kYear2);
        f.has_year_ = month = day = true;
        break;
      case '%':
        literal("%");
        break;
      default:
        return InvalidArgument("unknown conversion '%" + std::string(1, c) + "' in " + quoted +
                               " (known: %Y %y %m %b %B %h %d %e %j %a %A %H %I %p %M %S %f %z "
                               "%T %F %D %R %%)");
    }
  }
  if (!(month && day) && !yday) {
    return InvalidArgument(quoted +
                           " has no date: it needs a month (%m or %b) and a day (%d or %e), or "
                           "a day of the year (%j)");
  }
  // The civil second is read by the items before the first fraction or offset; when no date or
  // time item follows them, that prefix of a text can be cached (see PrefixCache).
  if (f.has_year_) {
    size_t k = 0;
    while (k < f.items_.size() && f.items_[k].op != Op::kFraction &&
           f.items_[k].op != Op::kOffset) {
      ++k;
    }
    bool civil_after = false;
    for (size_t i = k; i < f.items_.size(); ++i) {
      const Op op = f.items_[i].op;
      civil_after |= op != Op::kFraction && op != Op::kOffset && op != Op::kLiteral;
    }
    f.cache_items_ = civil_after ? 0 : k;
  }
  if (hour12 != ampm) {
    return InvalidArgument(quoted + (hour12 ? " has %I (12-hour clock) without %p (AM/PM); use %H "
                                              "for a 24-hour clock"
                                            : " has %p (AM/PM) without %I (12-hour clock)"));
  }
  return f;
}

Result<absl::TimeZone> LoadZone(std::string_view name) {
  if (name == "UTC" || name == "Z") return absl::UTCTimeZone();
  if (!name.empty() && (name[0] == '+' || name[0] == '-')) {
    size_t pos = 0;
    int offset = 0;
    if (!ReadOffset(name, &pos, &offset) || pos != name.size()) {
      return InvalidArgument("invalid time zone offset '" + std::string(name) +
                             "' (expected +hh:mm, +hhmm or +hh)");
    }
    return absl::FixedTimeZone(offset);
  }
  absl::TimeZone zone;
  if (name.empty() || !absl::LoadTimeZone(std::string(name), &zone)) {
    return InvalidArgument("unknown time zone '" + std::string(name) +
                           "' (expected UTC, an offset like +02:00, or an IANA name like "
                           "Europe/Paris from the system's tzdata)");
  }
  return zone;
}

Result<TimeParser> TimeParser::Make(const std::vector<std::string>& formats,
                                    std::string_view zone) {
  auto loaded = LoadZone(zone);
  if (!loaded.ok()) return loaded.status();
  return Make(formats, loaded.value(), zone == "UTC" || zone == "Z");
}

Result<TimeParser> TimeParser::Make(const std::vector<std::string>& formats, absl::TimeZone zone,
                                    bool is_utc) {
  TimeParser p;
  if (formats.empty()) return InvalidArgument("no time format given");
  for (const std::string& spec : formats) {
    auto compiled = TimeFormat::Compile(spec);
    if (!compiled.ok()) return compiled.status();
    p.formats_.push_back(std::move(compiled).value());
  }
  p.zone_ = zone;
  p.zone_is_utc_ = is_utc;
  p.prefix_caches_.resize(p.formats_.size());
  return p;
}

bool TimeParser::Parse(std::string_view text, int64_t* ns) {
  for (size_t i = 0; i < formats_.size(); ++i) {
    if (ParseWith(i, text, ns)) return true;
  }
  return false;
}

bool TimeParser::ParseWith(size_t index, std::string_view text, int64_t* ns) {
  const TimeFormat& format = formats_[index];
  if (format.is_epoch()) return ParseEpoch(format.kind_, text, ns);
  PrefixCache& cache = prefix_caches_[index];
  Fields f;
  size_t first = 0;
  size_t pos = 0;
  // A prefix that is a whole text only serves the very same text.
  const bool whole =
      format.kind_ == TimeFormat::Kind::kPattern && format.cache_items_ == format.items_.size();
  const bool hit = cache.size != 0 &&
                   (whole ? text.size() == cache.size : text.size() >= cache.size) &&
                   std::memcmp(text.data(), cache.bytes, cache.size) == 0;
  if (hit) {
    f = cache.fields;
    first = format.cache_items_;
    pos = cache.size;
  }
  size_t prefix_end = 0;
  const bool read = format.kind_ == TimeFormat::Kind::kPattern
                        ? ParseItems(format, text, first, pos, &f, &prefix_end)
                        : ParseIso8601(text, pos, &f, &prefix_end);
  if (!read) return false;
  if (!hit && prefix_end != 0 && prefix_end <= PrefixCache::kMaxBytes) {
    cache.size = prefix_end;
    std::memcpy(cache.bytes, text.data(), prefix_end);
    cache.fields = f;
    cache.fields.nanos = 0;
    cache.fields.has_offset = false;
    cache.fields.offset = 0;
  }
  if (f.year >= 0) return Finish(f, ns);
  // No year in the text: this year in the zone, or last year if that is more than a day ahead.
  const int64_t now = now_ns_ != nullptr ? now_ns_() : WallNs();
  f.year = zone_is_utc_ ? ToCivil(now).year
                        : static_cast<int>(zone_.At(absl::FromUnixNanos(now)).cs.year());
  Fields copy = f;
  if (Finish(f, ns) && *ns <= now + 86'400 * kNanosPerSecond) return true;
  --copy.year;
  return Finish(copy, ns);
}

bool TimeParser::ParseItems(const TimeFormat& format, std::string_view text, size_t first,
                            size_t pos, Fields* f, size_t* prefix_end) {
  const auto& items = format.items_;
  for (size_t i = first; i < items.size(); ++i) {
    using Op = TimeFormat::Op;
    // Whether a longer text could not have been read differently up to here: a literal, a
    // number of its greatest width, AM/PM.
    bool closed = true;
    size_t before = pos;
    int v = 0;
    auto digits = [&](int min, int max, int* out) {
      before = pos;
      if (!ReadDigits(text, &pos, min, max, out)) return false;
      closed = pos - before == static_cast<size_t>(max);
      return true;
    };
    switch (items[i].op) {
      case Op::kLiteral:
        if (text.substr(pos, items[i].literal.size()) != items[i].literal) return false;
        pos += items[i].literal.size();
        break;
      case Op::kYear4:
        if (!digits(4, 4, &f->year)) return false;
        break;
      case Op::kYear2:
        if (!digits(2, 2, &v)) return false;
        f->year = v < 69 ? 2000 + v : 1900 + v;
        break;
      case Op::kMonth:
        if (!digits(1, 2, &f->month)) return false;
        break;
      case Op::kMonthName:
        if (!ReadName(text, &pos, kMonths, &v)) return false;
        f->month = v + 1;
        closed = false;
        break;
      case Op::kDaySpace:
        if (pos < text.size() && text[pos] == ' ') ++pos;
        [[fallthrough]];
      case Op::kDay:
        if (!digits(1, 2, &f->day)) return false;
        break;
      case Op::kYday:
        if (!digits(1, 3, &f->yday)) return false;
        break;
      case Op::kWeekday:
        if (!ReadName(text, &pos, kWeekdays, &v)) return false;
        closed = false;
        break;
      case Op::kHour:
        if (!digits(1, 2, &f->hour)) return false;
        break;
      case Op::kHour12:
        if (!digits(1, 2, &f->hour12)) return false;
        break;
      case Op::kAmPm:
        if (StartsWithNoCase(text, pos, "am")) {
          f->pm = 0;
        } else if (StartsWithNoCase(text, pos, "pm")) {
          f->pm = 1;
        } else {
          return false;
        }
        pos += 2;
        break;
      case Op::kMinute:
        if (!digits(1, 2, &f->minute)) return false;
        break;
      case Op::kSecond:
        if (!digits(1, 2, &f->second)) return false;
        break;
      case Op::kFraction:
        if (!ReadFraction(text, &pos, &f->nanos)) return false;
        break;
      case Op::kOffset:
        if (!ReadOffset(text, &pos, &f->offset)) return false;
        f->has_offset = true;
        break;
    }
    // The whole text as a prefix is always safe: it only serves the very same text.
    if (i + 1 == format.cache_items_ && (closed || i + 1 == items.size())) *prefix_end = pos;
  }
  return pos == text.size();
}

// YYYY-MM-DD, optionally followed by `T` (or `t`, or a space) and HH:MM, optionally :SS and a
// fraction after `.` or `,`, optionally an offset (Z, +hh, +hhmm, +hh:mm). Every part has a fixed
// width, so the first 19 bytes (up to the second) can be cached; `pos` 19 resumes after them.
bool TimeParser::ParseIso8601(std::string_view text, size_t pos, Fields* f, size_t* prefix_end) {
  constexpr size_t kSecondEnd = 19;  // YYYY-MM-DDTHH:MM:SS
  auto expect = [&](char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
  };
  bool has_seconds = pos == kSecondEnd;
  if (pos == 0) {
    if (!ReadDigits(text, &pos, 4, 4, &f->year) || !expect('-') ||
        !ReadDigits(text, &pos, 2, 2, &f->month) || !expect('-') ||
        !ReadDigits(text, &pos, 2, 2, &f->day)) {
      return false;
    }
    if (pos == text.size()) return true;
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return false;
    ++pos;
    if (!ReadDigits(text, &pos, 2, 2, &f->hour) || !expect(':') ||
        !ReadDigits(text, &pos, 2, 2, &f->minute)) {
      return false;
    }
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!ReadDigits(text, &pos, 2, 2, &f->second)) return false;
      has_seconds = true;
      *prefix_end = pos;
    }
  }
  if (has_seconds && pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    if (!ReadFraction(text, &pos, &f->nanos)) return false;
  }
  if (pos < text.size()) {
    if (!ReadOffset(text, &pos, &f->offset)) return false;
    f->has_offset = true;
  }
  return pos == text.size();
}

// [-]digits[.digits], in the unit of `kind`; the fraction may not go below a nanosecond.
bool TimeParser::ParseEpoch(TimeFormat::Kind kind, std::string_view text, int64_t* ns) {
  int64_t scale = kNanosPerSecond;
  int max_fraction = 9;
  if (kind == TimeFormat::Kind::kUnixMs) {
    scale = 1'000'000;
    max_fraction = 6;
  } else if (kind == TimeFormat::Kind::kUnixUs) {
    scale = 1'000;
    max_fraction = 3;
  } else if (kind == TimeFormat::Kind::kUnixNs) {
    scale = 1;
    max_fraction = 0;
  }
  size_t pos = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++pos;
  const size_t digits_start = pos;
  int64_t whole = 0;
  while (pos < text.size() && IsDigit(text[pos])) {
    if (__builtin_mul_overflow(whole, 10, &whole) ||
        __builtin_add_overflow(whole, text[pos] - '0', &whole)) {
      return false;
    }
    ++pos;
  }
  if (pos == digits_start) return false;
  int64_t fraction = 0;
  if (pos < text.size() && text[pos] == '.' && max_fraction > 0) {
    ++pos;
    const size_t start = pos;
    int v = 0;
    if (!ReadDigits(text, &pos, 1, max_fraction, &v)) return false;
    fraction = v * kPow10[max_fraction - (pos - start)];
  }
  if (pos != text.size()) return false;
  int64_t result = 0;
  if (__builtin_mul_overflow(whole, scale, &result) ||
      __builtin_add_overflow(result, fraction, &result)) {
    return false;
  }
  *ns = negative ? -result : result;
  return true;
}

bool TimeParser::ParseNumber(int64_t value, int64_t* ns) const {
  for (const TimeFormat& format : formats_) {
    if (!format.is_epoch()) continue;
    int64_t scale = format.kind_ == TimeFormat::Kind::kUnix     ? kNanosPerSecond
                    : format.kind_ == TimeFormat::Kind::kUnixMs ? 1'000'000
                    : format.kind_ == TimeFormat::Kind::kUnixUs ? 1'000
                                                                : 1;
    return !__builtin_mul_overflow(value, scale, ns);
  }
  return false;
}

bool TimeParser::ParseNumber(double value, int64_t* ns) const {
  for (const TimeFormat& format : formats_) {
    if (!format.is_epoch()) continue;
    const int64_t scale = format.kind_ == TimeFormat::Kind::kUnix     ? kNanosPerSecond
                          : format.kind_ == TimeFormat::Kind::kUnixMs ? 1'000'000
                          : format.kind_ == TimeFormat::Kind::kUnixUs ? 1'000
                                                                      : 1;
    // Whole units and the fraction apart: a double holds ~16 digits, not the 19 of nanoseconds.
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    if (!std::isfinite(value) || value >= 9223372036854775808.0 || value < -9223372036854775808.0) {
      return false;
    }
    const double whole = std::floor(value);
    const auto fraction = static_cast<int64_t>(std::round((value - whole) * scale));
    int64_t result = 0;
    return !__builtin_mul_overflow(static_cast<int64_t>(whole), scale, &result) &&
           !__builtin_add_overflow(result, fraction, ns);
  }
  return false;
}

bool TimeParser::Finish(Fields& f, int64_t* ns) {
  if (f.year < kMinYear || f.year > kMaxYear) return false;
  if (f.month == 0) {  // a day of the year
    if (f.yday < 1 || f.yday > (IsLeap(f.year) ? 366 : 365)) return false;
    int month = 1;
    int day = f.yday;
    while (day > DaysInMonth(f.year, month)) day -= DaysInMonth(f.year, month++);
    f.month = month;
    f.day = day;
  }
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > DaysInMonth(f.year, f.month)) {
    return false;
  }
  if (f.hour12 >= 0) {
    if (f.hour12 < 1 || f.hour12 > 12) return false;
    f.hour = f.hour12 % 12 + (f.pm == 1 ? 12 : 0);
  }
  if (f.hour > 23 || f.minute > 59 || f.second > 60) return false;
  const int64_t utc_seconds =
      DaysFromCivil(f.year, f.month, f.day) * 86'400 + f.hour * 3'600 + f.minute * 60 + f.second;
  int64_t epoch = utc_seconds;
  if (f.has_offset) {
    epoch -= f.offset;
  } else if (!zone_is_utc_) {
    epoch = LocalToEpoch(f, utc_seconds);
  }
  *ns = epoch * kNanosPerSecond + f.nanos;
  return true;
}

int64_t TimeParser::LocalToEpoch(const Fields& f, int64_t utc_seconds) {
  // utc_seconds identifies the civil second uniquely, so it is the cache key.
  if (cache_valid_ && utc_seconds == cache_key_) return cache_epoch_;
  const absl::TimeZone::TimeInfo info =
      zone_.At(absl::CivilSecond(f.year, f.month, f.day, f.hour, f.minute, f.second));
  cache_valid_ = true;
  cache_key_ = utc_seconds;
  cache_epoch_ = absl::ToUnixSeconds(info.pre);
  return cache_epoch_;
}

}  // namespace sluice::common
