// Time parsing for filters (`timestamp`, and any filter that reads a time from text): compiled
// strftime-style parse formats (`%Y-%m-%d %H:%M:%S,%f`, `%y/%m/%d %H:%M:%S`, `%b %e %H:%M:%S`) and
// named formats (`ISO8601`/`RFC3339`, `UNIX`, `UNIX_MS`, `UNIX_US`, `UNIX_NS`), tried in order.
// Texts without an offset are local times of a configured zone (IANA name through abseil, or
// UTC, or a fixed offset). Parsing allocates nothing; only the local→absolute conversion of a zone
// uses abseil. Two caches serve consecutive lines of the same second: the text up to the second
// (when a text starts with the previous one's, its date and time are not read again), and the
// zone conversion of the last civil second.
// Thread-safety: a TimeFormat is immutable; a TimeParser has a cache and belongs to one thread.
#pragma once

#include <absl/time/time.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/status.h"

namespace sluice::common {

// One compiled format. Conversions (all numeric fields are ASCII digits):
//   %Y 4-digit year        %y 2-digit year (00-68 → 20xx, 69-99 → 19xx, as POSIX)
//   %m month 1-2 digits    %b %B %h English month name, full or 3-letter (any case)
//   %d day 1-2 digits      %e day, optionally space-padded ("Jun  9")
//   %j day of year 1-3     %a %A English weekday name (read and ignored)
//   %H hour 0-23           %I hour 1-12, with %p (AM/PM, any case)
//   %M minute              %S second (0-60; 60 rolls into the next minute)
//   %f fraction of a second, 1 to 9 digits (after `.` or `,` written in the format)
//   %z offset: `Z`, `+hh`, `+hhmm` or `+hh:mm` (also `-`); overrides the zone
//   %T = %H:%M:%S   %F = %Y-%m-%d   %D = %m/%d/%y   %R = %H:%M   %% a literal `%`
// Any other character must appear as is. A format must give a day: a month and a day of the
// month, or a day of the year. Without a year the current year is assumed (see TimeParser).
class TimeFormat {
 public:
  enum class Kind : uint8_t { kPattern, kIso8601, kUnix, kUnixMs, kUnixUs, kUnixNs };

  // Compiles `spec`: one of the names ISO8601, RFC3339, UNIX, UNIX_MS, UNIX_US, UNIX_NS, or a
  // pattern as above. Errors name the problem: "unknown conversion '%Q' in time format '...'".
  static Result<TimeFormat> Compile(std::string_view spec);

  Kind kind() const { return kind_; }
  bool is_epoch() const { return kind_ >= Kind::kUnix; }
  const std::string& spec() const { return spec_; }

 private:
  friend class TimeParser;
  enum class Op : uint8_t {
    kLiteral,
    kYear4,
    kYear2,
    kMonth,
    kMonthName,
    kDay,
    kDaySpace,
    kYday,
    kWeekday,
    kHour,
    kHour12,
    kAmPm,
    kMinute,
    kSecond,
    kFraction,
    kOffset,
  };
  struct Item {
    Op op;
    std::string literal;  // kLiteral only
  };

  Kind kind_ = Kind::kPattern;
  std::string spec_;
  std::vector<Item> items_;
  bool has_year_ = false;
  // Items [0, cache_items_) read the civil second; what follows (fraction, offset, literals) is
  // read per text. 0: the format's prefixes are not cached (no year, or a date/time item after
  // the fraction or offset).
  size_t cache_items_ = 0;
};

// Loads the zone named `name`: "UTC", a fixed offset ("+02:00", "-0530"), or an IANA name
// ("Europe/Paris", read from the system's tzdata). Returns an error naming it when unknown.
Result<absl::TimeZone> LoadZone(std::string_view name);

// Parses texts with a list of formats, the first that matches the whole text winning.
// Local times (texts without an offset) are in the parser's zone; a time that a DST change skips
// or repeats resolves with the offset in force before the change (absl's TimeInfo::pre: 02:30 on a
// spring-forward night is read as 02:30 winter time, i.e. 03:30 summer time; an ambiguous 02:30 in
// autumn is the first, summer-time one).
// A format without a year takes the current year of the zone, or the year before when that would
// put the time more than a day in the future (December lines read in January).
// Results are limited to years 1678..2261 (the range of int64 nanoseconds).
class TimeParser {
 public:
  // Compiles `formats` (at least one) and loads `zone`. Errors as TimeFormat::Compile and
  // LoadZone.
  static Result<TimeParser> Make(const std::vector<std::string>& formats, std::string_view zone);
  // Compiles `formats` (at least one) for the loaded `zone`; `is_utc` says it is UTC by name, which
  // needs no zone conversion. Errors as TimeFormat::Compile.
  static Result<TimeParser> Make(const std::vector<std::string>& formats, absl::TimeZone zone,
                                 bool is_utc);

  // Nanoseconds since the epoch of `text` per the first format matching it entirely; false when
  // none does (trailing text, an invalid date such as February 30, a year out of range).
  bool Parse(std::string_view text, int64_t* ns);
  // A number of seconds/ms/µs/ns since the epoch (a JSON number), per the first epoch format of the
  // list; false when there is none or the result overflows.
  bool ParseNumber(int64_t value, int64_t* ns) const;
  bool ParseNumber(double value, int64_t* ns) const;

  const std::vector<TimeFormat>& formats() const { return formats_; }

  // The wall clock used for year-less formats (tests pin it).
  void set_clock_for_testing(int64_t (*now_ns)()) { now_ns_ = now_ns; }

 private:
  // What a text gave, before validation.
  struct Fields {
    int year = -1;  // -1: the format has no year
    int month = 0;  // 0: not given (a day of the year may be)
    int day = 0;
    int yday = 0;
    int hour = 0;
    int hour12 = -1;  // -1: no %I
    int pm = -1;      // -1: no %p; 0 AM; 1 PM
    int minute = 0;
    int second = 0;
    int nanos = 0;
    bool has_offset = false;
    int offset = 0;  // seconds east of UTC
  };
  // Per format: the last text's prefix up to its second (the whole text when nothing follows the
  // second) and the civil fields read from it. A text that starts with the same bytes resumes
  // after them. Only prefixes that end where no reading could go on are kept (see Compile).
  struct PrefixCache {
    static constexpr size_t kMaxBytes = 40;
    size_t size = 0;  // 0: empty
    char bytes[kMaxBytes];
    Fields fields;
  };

  bool ParseWith(size_t index, std::string_view text, int64_t* ns);
  // Reads items [first, end) of `format` from `text` at `pos`. Sets *prefix_end to the text
  // position after item format.cache_items_-1 when that prefix may be cached, else leaves it.
  static bool ParseItems(const TimeFormat& format, std::string_view text, size_t first, size_t pos,
                         Fields* f, size_t* prefix_end);
  static bool ParseIso8601(std::string_view text, size_t pos, Fields* f, size_t* prefix_end);
  static bool ParseEpoch(TimeFormat::Kind kind, std::string_view text, int64_t* ns);
  // Validates the fields and converts them; false when invalid or out of range.
  bool Finish(Fields& f, int64_t* ns);
  // Seconds since the epoch of the local civil time `f` in the zone (cached per civil second).
  int64_t LocalToEpoch(const Fields& f, int64_t utc_seconds);

  std::vector<TimeFormat> formats_;
  std::vector<PrefixCache> prefix_caches_;  // one per format
  absl::TimeZone zone_;
  bool zone_is_utc_ = true;
  int64_t (*now_ns_)() = nullptr;
  // The last civil second converted in the zone: its UTC-as-civil seconds and epoch seconds.
  bool cache_valid_ = false;
  int64_t cache_key_ = 0;
  int64_t cache_epoch_ = 0;
};

}  // namespace sluice::common
