#include "plugins/common/time_parse.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "pipeline/civil_time.h"

namespace sluice::common {
namespace {

constexpr int64_t kSec = 1'000'000'000;

TimeParser Make(std::vector<std::string> formats, std::string zone = "UTC") {
  auto p = TimeParser::Make(formats, zone);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return std::move(p).value();
}

// The parse result of `text`, or nullopt when it fails.
std::optional<int64_t> Parse(TimeParser& p, std::string_view text) {
  int64_t ns = 0;
  if (!p.Parse(text, &ns)) return std::nullopt;
  return ns;
}

std::optional<int64_t> ParseOne(const std::string& format, std::string_view text,
                                std::string zone = "UTC") {
  TimeParser p = Make({format}, zone);
  return Parse(p, text);
}

std::string CompileError(const std::string& format) {
  auto f = TimeFormat::Compile(format);
  return f.ok() ? "" : f.status().message();
}

TEST(TimeParseTest, SparkTwoDigitYearFormat) {
  EXPECT_EQ(ParseOne("%y/%m/%d %H:%M:%S", "17/06/09 20:10:40"), 1497039040 * kSec);
  // POSIX pivot: 00-68 are 20xx, 69-99 are 19xx.
  EXPECT_EQ(ParseOne("%y/%m/%d %H:%M:%S", "68/12/31 00:00:00"), FromCivil(2068, 12, 31));
  EXPECT_EQ(ParseOne("%y/%m/%d %H:%M:%S", "00/01/01 00:00:00"), FromCivil(2000, 1, 1));
  EXPECT_EQ(ParseOne("%y/%m/%d %H:%M:%S", "69/01/01 00:00:00"), FromCivil(1969, 1, 1));
  EXPECT_EQ(ParseOne("%y/%m/%d %H:%M:%S", "99/12/31 23:59:59"),
            FromCivil(1999, 12, 31, 23, 59, 59));
  EXPECT_EQ(ParseOne("%y/%m/%d %H:%M:%S", "7/06/09 20:10:40"), std::nullopt);  // %y is 2 digits
}

TEST(TimeParseTest, HadoopCommaFraction) {
  EXPECT_EQ(ParseOne("%Y-%m-%d %H:%M:%S,%f", "2015-10-18 18:01:47,978"),
            FromCivil(2015, 10, 18, 18, 1, 47, 978'000'000));
  EXPECT_EQ(ParseOne("%Y-%m-%d %H:%M:%S,%f", "2015-10-18 18:01:47.978"), std::nullopt);
  EXPECT_EQ(ParseOne("%Y-%m-%d %H:%M:%S,%f", "2015-10-18 18:01:47"), std::nullopt);
}

TEST(TimeParseTest, FractionsOfOneToNineDigits) {
  const std::string digits = "123456789";
  const int64_t base = 1497039040 * kSec;
  for (size_t n = 1; n <= 9; ++n) {
    int64_t nanos = std::stoll(digits.substr(0, n));
    for (size_t i = n; i < 9; ++i) nanos *= 10;
    const std::string frac = digits.substr(0, n);
    EXPECT_EQ(ParseOne("%F %T.%f", "2017-06-09 20:10:40." + frac), base + nanos) << n;
    EXPECT_EQ(ParseOne("ISO8601", "2017-06-09T20:10:40." + frac + "Z"), base + nanos) << n;
    EXPECT_EQ(ParseOne("UNIX", "1497039040." + frac), base + nanos) << n;
  }
  EXPECT_EQ(ParseOne("%F %T.%f", "2017-06-09 20:10:40.1234567890"), std::nullopt);
  EXPECT_EQ(ParseOne("ISO8601", "2017-06-09T20:10:40.1234567890Z"), std::nullopt);
  EXPECT_EQ(ParseOne("%F %T.%f", "2017-06-09 20:10:40."), std::nullopt);
  EXPECT_EQ(ParseOne("%F %T.%f", "2017-06-09 20:10:40.000000001"), base + 1);
}

TEST(TimeParseTest, Offsets) {
  const int64_t utc = 1497039040 * kSec;  // 2017-06-09T20:10:40Z
  const std::string f = "%F %T %z";
  EXPECT_EQ(ParseOne(f, "2017-06-09 22:10:40 +02:00"), utc);
  EXPECT_EQ(ParseOne(f, "2017-06-09 22:10:40 +0200"), utc);
  EXPECT_EQ(ParseOne(f, "2017-06-09 22:10:40 +02"), utc);
  EXPECT_EQ(ParseOne(f, "2017-06-09 20:10:40 Z"), utc);
  EXPECT_EQ(ParseOne(f, "2017-06-09 20:10:40 z"), utc);
  EXPECT_EQ(ParseOne(f, "2017-06-09 14:40:40 -05:30"), utc);
  EXPECT_EQ(ParseOne(f, "2017-06-09 20:10:40 +2"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-06-09 20:10:40 +24:00"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-06-09 20:10:40 +02:60"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-06-09 20:10:40 +02:0"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-06-09 20:10:40 UTC"), std::nullopt);
  // An offset in the text overrides the zone.
  EXPECT_EQ(ParseOne(f, "2017-06-09 22:10:40 +02:00", "America/New_York"), utc);
  EXPECT_EQ(ParseOne("ISO8601", "2017-06-09T20:10:40Z", "Europe/Paris"), utc);
  // Apache's access log time.
  EXPECT_EQ(ParseOne("%d/%b/%Y:%H:%M:%S %z", "09/Jun/2017:20:10:40 +0000"), utc);
}

TEST(TimeParseTest, MonthAndWeekdayNames) {
  const int64_t utc = 1497039040 * kSec;
  for (const char* text : {"Jun 09 2017 20:10:40", "June 09 2017 20:10:40", "jun 09 2017 20:10:40",
                           "JUNE 09 2017 20:10:40"}) {
    EXPECT_EQ(ParseOne("%b %d %Y %T", text), utc) << text;
    EXPECT_EQ(ParseOne("%B %d %Y %T", text), utc) << text;
  }
  EXPECT_EQ(ParseOne("%b %d %Y %T", "Jum 09 2017 20:10:40"), std::nullopt);
  // ctime(3): weekday read and ignored, space-padded day.
  EXPECT_EQ(ParseOne("%a %b %e %T %Y", "Fri Jun  9 20:10:40 2017"), utc);
  EXPECT_EQ(ParseOne("%A %b %e %T %Y", "Friday Jun  9 20:10:40 2017"), utc);
  EXPECT_EQ(ParseOne("%a %b %e %T %Y", "Fri Jun 19 20:10:40 2017"), utc + 10 * 86400 * kSec);
  EXPECT_EQ(ParseOne("%a %b %e %T %Y", "Xyz Jun  9 20:10:40 2017"), std::nullopt);
  // %d is not space-padded.
  EXPECT_EQ(ParseOne("%b %d %Y %T", "Jun  9 2017 20:10:40"), std::nullopt);
  int month = 1;
  for (const char* name :
       {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}) {
    EXPECT_EQ(ParseOne("%d %b %Y", std::string("01 ") + name + " 2020"), FromCivil(2020, month, 1))
        << name;
    ++month;
  }
}

TEST(TimeParseTest, TwelveHourClock) {
  const std::string f = "%F %I:%M:%S %p";
  EXPECT_EQ(ParseOne(f, "2017-06-09 08:10:40 PM"), 1497039040 * kSec);
  EXPECT_EQ(ParseOne(f, "2017-06-09 08:10:40 pm"), 1497039040 * kSec);
  EXPECT_EQ(ParseOne(f, "2017-06-09 12:00:00 AM"), FromCivil(2017, 6, 9, 0));
  EXPECT_EQ(ParseOne(f, "2017-06-09 12:00:00 PM"), FromCivil(2017, 6, 9, 12));
  EXPECT_EQ(ParseOne(f, "2017-06-09 8:00:00 am"), FromCivil(2017, 6, 9, 8));
  EXPECT_EQ(ParseOne(f, "2017-06-09 13:00:00 PM"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-06-09 00:00:00 AM"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-06-09 08:00:00 XM"), std::nullopt);
}

TEST(TimeParseTest, DayOfYear) {
  EXPECT_EQ(ParseOne("%Y-%j %T", "2017-160 20:10:40"), 1497039040 * kSec);
  EXPECT_EQ(ParseOne("%Y %j", "2016 366"), FromCivil(2016, 12, 31));
  EXPECT_EQ(ParseOne("%Y %j", "2017 366"), std::nullopt);
  EXPECT_EQ(ParseOne("%Y %j", "2017 0"), std::nullopt);
  EXPECT_EQ(ParseOne("%Y %j", "2017 001"), FromCivil(2017, 1, 1));
}

TEST(TimeParseTest, ShorthandsAndLiterals) {
  const int64_t utc = 1497039040 * kSec;
  EXPECT_EQ(ParseOne("%F %T", "2017-06-09 20:10:40"), utc);
  EXPECT_EQ(ParseOne("%FT%TZ", "2017-06-09T20:10:40Z"), utc);
  EXPECT_EQ(ParseOne("%D %R", "06/09/17 20:10"), utc - 40 * kSec);
  EXPECT_EQ(ParseOne("[%F %T]", "[2017-06-09 20:10:40]"), utc);
  EXPECT_EQ(ParseOne("[%F %T]", "[2017-06-09 20:10:40"), std::nullopt);
  EXPECT_EQ(ParseOne("%%%F", "%2017-06-09"), FromCivil(2017, 6, 9));
  EXPECT_EQ(ParseOne("%Y%m%d%H%M%S", "20170609201040"), utc);
  EXPECT_EQ(ParseOne("%Y-%m-%d", "2017-6-9"), FromCivil(2017, 6, 9));  // 1-2 digits
  // Date only: midnight.
  EXPECT_EQ(ParseOne("%F", "2017-06-09"), FromCivil(2017, 6, 9));
}

TEST(TimeParseTest, Iso8601Variants) {
  const int64_t utc = 1497039040 * kSec;
  for (const char* name : {"ISO8601", "RFC3339", "iso8601"}) {
    EXPECT_EQ(ParseOne(name, "2017-06-09T20:10:40Z"), utc) << name;
  }
  EXPECT_EQ(ParseOne("ISO8601", "2017-06-09 20:10:40Z"), utc);
  EXPECT_EQ(ParseOne("ISO8601", "2017-06-09t20:10:40z"), utc);
  EXPECT_EQ(ParseOne("ISO8601", "2017-06-09T22:10:40.123+02:00"), utc + 123'000'000);
  EXPECT_EQ(ParseOne("ISO8601", "2017-06-09T22:10:40,5+0200"), utc + 500'000'000);
  EXPECT_EQ(ParseOne("ISO8601", "2017-06-09T22:10:40+02"), utc);
  EXPECT_EQ(ParseOne("ISO8601", "2017-06-09T20:10Z"), utc - 40 * kSec);
  EXPECT_EQ(ParseOne("ISO8601", "2017-06-09"), FromCivil(2017, 6, 9));
  EXPECT_EQ(ParseOne("ISO8601", "2017-06-09T20:10:40"), utc);  // local time, zone UTC
  EXPECT_EQ(ParseOne("ISO8601", "2017-06-09T22:10:40", "Europe/Paris"), utc);
  for (const char* bad : {"2017-06-09T20:10:40Zjunk", "2017-6-9", "2017-06-09T", "2017-06-09T20",
                          "2017-06-09T20:10:40.", "2017-06-09X20:10:40", "2017-06-09T20:10:4",
                          " 2017-06-09", "2017-06-09 ", "", "2017-13-01", "2017-02-29"}) {
    EXPECT_EQ(ParseOne("ISO8601", bad), std::nullopt) << bad;
  }
}

TEST(TimeParseTest, EpochFormats) {
  EXPECT_EQ(ParseOne("UNIX", "1497039040"), 1497039040 * kSec);
  EXPECT_EQ(ParseOne("UNIX", "1497039040.5"), 1497039040 * kSec + 500'000'000);
  EXPECT_EQ(ParseOne("UNIX", "-1"), -kSec);
  EXPECT_EQ(ParseOne("UNIX", "-1.5"), -kSec - 500'000'000);
  EXPECT_EQ(ParseOne("UNIX", "0"), 0);
  EXPECT_EQ(ParseOne("UNIX_MS", "1497039040123"), 1497039040123 * 1'000'000);
  EXPECT_EQ(ParseOne("UNIX_MS", "1497039040123.456789"), 1497039040123456789);
  EXPECT_EQ(ParseOne("UNIX_MS", "1497039040123.4567891"), std::nullopt);  // below 1 ns
  EXPECT_EQ(ParseOne("UNIX_US", "1497039040123456"), 1497039040123456 * 1'000);
  EXPECT_EQ(ParseOne("UNIX_US", "1497039040123456.789"), 1497039040123456789);
  EXPECT_EQ(ParseOne("UNIX_NS", "1497039040123456789"), 1497039040123456789);
  EXPECT_EQ(ParseOne("UNIX_NS", "1497039040123456789.5"), std::nullopt);
  for (const char* bad : {"", "-", "abc", "1e9", "+1", "1.", ".5", " 1", "1 ", "0x10",
                          "99999999999999999999", "9223372037"}) {
    EXPECT_EQ(ParseOne("UNIX", bad), std::nullopt) << bad;
  }
  EXPECT_EQ(ParseOne("UNIX_NS", "9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseOne("UNIX_NS", "9223372036854775808"), std::nullopt);
  // Epoch texts ignore the zone.
  EXPECT_EQ(ParseOne("UNIX", "1497039040", "Europe/Paris"), 1497039040 * kSec);
}

TEST(TimeParseTest, NumbersWithTheFirstEpochFormat) {
  TimeParser p = Make({"ISO8601", "UNIX_MS", "UNIX"});
  int64_t ns = 0;
  ASSERT_TRUE(p.ParseNumber(int64_t{1497039040123}, &ns));
  EXPECT_EQ(ns, 1497039040123 * 1'000'000);
  ASSERT_TRUE(p.ParseNumber(1497039040123.5, &ns));
  EXPECT_EQ(ns, 1497039040123500000);
  EXPECT_FALSE(p.ParseNumber(INT64_MAX, &ns));
  EXPECT_FALSE(p.ParseNumber(1e300, &ns));
  EXPECT_FALSE(p.ParseNumber(std::nan(""), &ns));
  TimeParser seconds = Make({"UNIX"});
  ASSERT_TRUE(seconds.ParseNumber(1497039040.25, &ns));
  EXPECT_EQ(ns, 1497039040250000000);
  TimeParser none = Make({"ISO8601"});
  EXPECT_FALSE(none.ParseNumber(int64_t{1}, &ns));
}

TEST(TimeParseTest, InvalidCivilTimesFail) {
  const std::string f = "%F %T";
  EXPECT_EQ(ParseOne(f, "2017-02-29 00:00:00"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2016-02-29 00:00:00"), FromCivil(2016, 2, 29));
  EXPECT_EQ(ParseOne(f, "2000-02-29 00:00:00"), FromCivil(2000, 2, 29));
  EXPECT_EQ(ParseOne(f, "2100-02-29 00:00:00"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-04-31 00:00:00"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-13-01 00:00:00"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-00-01 00:00:00"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-01-00 00:00:00"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-01-01 24:00:00"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-01-01 00:60:00"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "2017-01-01 00:00:61"), std::nullopt);
  // A leap second rolls into the next minute.
  EXPECT_EQ(ParseOne(f, "2016-12-31 23:59:60"), FromCivil(2017, 1, 1));
}

TEST(TimeParseTest, YearRange) {
  EXPECT_EQ(ParseOne("ISO8601", "1678-01-01T00:00:00Z"), -9214560000 * kSec);
  EXPECT_EQ(ParseOne("ISO8601", "2261-12-31T23:59:59.999999999Z"), 9214646399 * kSec + 999999999);
  EXPECT_EQ(ParseOne("ISO8601", "2261-12-31T23:59:59-23:59"), 9214646399 * kSec + 86340 * kSec);
  EXPECT_EQ(ParseOne("ISO8601", "1677-12-31T23:59:59Z"), std::nullopt);
  EXPECT_EQ(ParseOne("ISO8601", "2262-01-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseOne("ISO8601", "0000-01-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseOne("ISO8601", "9999-12-31T23:59:59Z"), std::nullopt);
  EXPECT_EQ(ParseOne("ISO8601", "1969-12-31T23:59:59Z"), -kSec);
  EXPECT_EQ(ParseOne("ISO8601", "1969-12-31T23:59:59", "Europe/Paris"), -kSec - 3600 * kSec);
}

TEST(TimeParseTest, PartialParsesFail) {
  const std::string f = "%y/%m/%d %H:%M:%S";
  EXPECT_EQ(ParseOne(f, "17/06/09 20:10:40 INFO x"), std::nullopt);
  EXPECT_EQ(ParseOne(f, " 17/06/09 20:10:40"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "17/06/09 20:10"), std::nullopt);
  EXPECT_EQ(ParseOne(f, "17/06/09 20:10:400"), std::nullopt);
  EXPECT_EQ(ParseOne(f, ""), std::nullopt);
}

TEST(TimeParseTest, FormatsAreTriedInOrder) {
  TimeParser p = Make({"%y/%m/%d %H:%M:%S", "ISO8601", "UNIX"});
  EXPECT_EQ(Parse(p, "17/06/09 20:10:40"), 1497039040 * kSec);
  EXPECT_EQ(Parse(p, "2017-06-09T20:10:40Z"), 1497039040 * kSec);
  EXPECT_EQ(Parse(p, "1497039040"), 1497039040 * kSec);
  EXPECT_EQ(Parse(p, "yesterday"), std::nullopt);
  // The first format that matches wins, even when a later one would read it differently.
  TimeParser order = Make({"UNIX_MS", "UNIX"});
  EXPECT_EQ(Parse(order, "1497039040"), int64_t{1497039040} * 1'000'000);
}

TEST(TimeParseTest, EuropeParisAcrossDst) {
  const std::string f = "%F %T";
  const std::string z = "Europe/Paris";
  EXPECT_EQ(ParseOne(f, "2021-01-15 12:00:00", z), FromCivil(2021, 1, 15, 11));  // CET +1
  EXPECT_EQ(ParseOne(f, "2021-07-01 12:00:00", z), FromCivil(2021, 7, 1, 10));   // CEST +2
  // 2021-03-28: 02:00 CET jumps to 03:00 CEST (01:00Z).
  EXPECT_EQ(ParseOne(f, "2021-03-28 01:59:59", z), FromCivil(2021, 3, 28, 0, 59, 59));
  EXPECT_EQ(ParseOne(f, "2021-03-28 03:00:00", z), FromCivil(2021, 3, 28, 1));
  // Skipped 02:30 uses the pre-transition offset (+1): 01:30Z, the same instant as 03:30 CEST.
  EXPECT_EQ(ParseOne(f, "2021-03-28 02:30:00", z), 1616895000 * kSec);
  EXPECT_EQ(ParseOne(f, "2021-03-28 03:30:00", z), 1616895000 * kSec);
  // 2021-10-31: 03:00 CEST falls back to 02:00 CET (01:00Z). Repeated 02:30 is the first one
  // (CEST, +2): 00:30Z.
  EXPECT_EQ(ParseOne(f, "2021-10-31 02:30:00", z), 1635640200 * kSec);
  EXPECT_EQ(ParseOne(f, "2021-10-31 03:30:00", z), FromCivil(2021, 10, 31, 2, 30));
  // An explicit offset picks the other one.
  EXPECT_EQ(ParseOne(f + " %z", "2021-10-31 02:30:00 +01:00", z), 1635643800 * kSec);
}

TEST(TimeParseTest, AmericaNewYorkAcrossDst) {
  const std::string f = "%F %T";
  const std::string z = "America/New_York";
  EXPECT_EQ(ParseOne(f, "2021-01-15 12:00:00", z), FromCivil(2021, 1, 15, 17));  // EST -5
  EXPECT_EQ(ParseOne(f, "2021-07-01 12:00:00", z), FromCivil(2021, 7, 1, 16));   // EDT -4
  EXPECT_EQ(ParseOne(f, "2021-03-14 02:30:00", z), 1615707000 * kSec);           // skipped
  EXPECT_EQ(ParseOne(f, "2021-11-07 01:30:00", z), 1636263000 * kSec);           // repeated
}

TEST(TimeParseTest, FixedOffsetZones) {
  EXPECT_EQ(ParseOne("%F %T", "2017-06-09 22:10:40", "+02:00"), 1497039040 * kSec);
  EXPECT_EQ(ParseOne("%F %T", "2017-06-09 14:40:40", "-0530"), 1497039040 * kSec);
  EXPECT_EQ(ParseOne("%F %T", "2017-06-09 20:10:40", "Z"), 1497039040 * kSec);
}

TEST(TimeParseTest, UnknownZonesAreErrorsNamingThem) {
  auto p = TimeParser::Make({"ISO8601"}, "Mars/Olympus_Mons");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("unknown time zone 'Mars/Olympus_Mons'"), std::string::npos)
      << p.status().message();
  EXPECT_FALSE(TimeParser::Make({"ISO8601"}, "").ok());
  EXPECT_FALSE(TimeParser::Make({"ISO8601"}, "+25:00").ok());
  EXPECT_FALSE(TimeParser::Make({"ISO8601"}, "+02:00x").ok());
  EXPECT_FALSE(TimeParser::Make({"ISO8601"}, "../../../etc/passwd").ok());
  EXPECT_FALSE(TimeParser::Make({}, "UTC").ok());
}

TEST(TimeParseTest, BadFormatsAreErrorsNamingTheProblem) {
  EXPECT_NE(CompileError("%Y-%m-%d %Q").find("unknown conversion '%Q'"), std::string::npos);
  EXPECT_NE(CompileError("%Y-%m-%d %Q").find("'%Y-%m-%d %Q'"), std::string::npos);
  EXPECT_NE(CompileError("%F %").find("lone '%'"), std::string::npos);
  EXPECT_NE(CompileError("yyyy-MM-dd HH:mm:ss").find("no % conversion"), std::string::npos);
  EXPECT_NE(CompileError("%H:%M:%S").find("has no date"), std::string::npos);
  EXPECT_NE(CompileError("%Y-%m %H").find("has no date"), std::string::npos);
  EXPECT_NE(CompileError("%F %I:%M").find("without %p"), std::string::npos);
  EXPECT_NE(CompileError("%F %H %p").find("without %I"), std::string::npos);
  EXPECT_NE(CompileError("").find("empty"), std::string::npos);
  EXPECT_NE(CompileError("UNIX_S").find("no % conversion"), std::string::npos);
  for (const char* good : {"%F", "%Y %j", "%b %e %T", "ISO8601", "unix_ms", "%D", "%F %I %p"}) {
    EXPECT_EQ(CompileError(good), "") << good;
  }
}

int64_t PinnedNow() { return FromCivil(2021, 1, 1, 0, 0, 5); }
int64_t SummerNow() { return FromCivil(2021, 6, 15, 12); }

TEST(TimeParseTest, YearlessFormatsUseTheCurrentYearOrTheOneBefore) {
  TimeParser p = Make({"%b %e %H:%M:%S"});
  p.set_clock_for_testing(&PinnedNow);
  EXPECT_EQ(Parse(p, "Jan  1 00:00:01"), FromCivil(2021, 1, 1, 0, 0, 1));
  EXPECT_EQ(Parse(p, "Jan  1 12:00:00"), FromCivil(2021, 1, 1, 12));  // less than a day ahead
  EXPECT_EQ(Parse(p, "Dec 31 23:59:59"), FromCivil(2020, 12, 31, 23, 59, 59));
  EXPECT_EQ(Parse(p, "Jun 15 10:00:00"), FromCivil(2020, 6, 15, 10));
  p.set_clock_for_testing(&SummerNow);
  EXPECT_EQ(Parse(p, "Jun 15 10:00:00"), FromCivil(2021, 6, 15, 10));
  // Not a day of 2021: the year before, a leap year.
  EXPECT_EQ(Parse(p, "Feb 29 10:00:00"), FromCivil(2020, 2, 29, 10));
}

TEST(TimeParseTest, CacheNeverMixesSeconds) {
  TimeParser p = Make({"%F %T.%f"}, "Europe/Paris");
  // Same second, different fractions; then other seconds and back.
  EXPECT_EQ(Parse(p, "2021-07-01 12:00:00.1"), FromCivil(2021, 7, 1, 10, 0, 0, 100'000'000));
  EXPECT_EQ(Parse(p, "2021-07-01 12:00:00.2"), FromCivil(2021, 7, 1, 10, 0, 0, 200'000'000));
  EXPECT_EQ(Parse(p, "2021-07-01 12:00:01.0"), FromCivil(2021, 7, 1, 10, 0, 1));
  EXPECT_EQ(Parse(p, "2021-01-01 12:00:01.0"), FromCivil(2021, 1, 1, 11, 0, 1));
  EXPECT_EQ(Parse(p, "2021-07-01 12:00:00.3"), FromCivil(2021, 7, 1, 10, 0, 0, 300'000'000));
  // 1969-12-31 23:59:59 UTC-as-civil is -1, once used as a "no entry" mark.
  TimeParser utc_offset = Make({"%F %T"}, "+00:00");
  EXPECT_EQ(Parse(utc_offset, "1969-12-31 23:59:59"), -kSec);
  EXPECT_EQ(Parse(utc_offset, "1969-12-31 23:59:59"), -kSec);
}

TEST(TimeParseTest, CachedResultsMatchUncachedOnRandomTimes) {
  std::mt19937_64 rng(42);
  TimeParser cached = Make({"%F %T"}, "America/New_York");
  for (int i = 0; i < 2000; ++i) {
    const int64_t secs = static_cast<int64_t>(rng() % 2'000'000'000ull);
    CivilTime t = ToCivil(secs * kSec);
    char text[32];
    std::snprintf(text, sizeof(text), "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day,
                  t.hour, t.minute, t.second);
    TimeParser fresh = Make({"%F %T"}, "America/New_York");
    auto a = Parse(cached, text);
    auto b = Parse(fresh, text);
    ASSERT_EQ(a, b) << text;
    ASSERT_EQ(Parse(cached, text), b) << text;  // a cache hit
  }
}

TEST(TimeParseTest, PrefixCacheRespectsVariableWidths) {
  // The whole text is the cached prefix: a longer text with the same start reads differently.
  TimeParser whole = Make({"%Y-%m-%d %H:%M:%S"});
  EXPECT_EQ(Parse(whole, "2017-06-09 20:10:4"), FromCivil(2017, 6, 9, 20, 10, 4));
  EXPECT_EQ(Parse(whole, "2017-06-09 20:10:45"), FromCivil(2017, 6, 9, 20, 10, 45));
  EXPECT_EQ(Parse(whole, "2017-06-09 20:10:4"), FromCivil(2017, 6, 9, 20, 10, 4));
  EXPECT_EQ(Parse(whole, "2017-06-09 20:10:4 "), std::nullopt);
  // The prefix ends with a one-digit second before an offset: not cached.
  TimeParser offset = Make({"%F %H:%M:%S%z"});
  EXPECT_EQ(Parse(offset, "2017-06-09 20:10:4Z"), FromCivil(2017, 6, 9, 20, 10, 4));
  EXPECT_EQ(Parse(offset, "2017-06-09 20:10:45Z"), FromCivil(2017, 6, 9, 20, 10, 45));
  // ISO8601: the first 19 bytes, then per text fraction and offset.
  TimeParser iso = Make({"ISO8601"}, "Europe/Paris");
  EXPECT_EQ(Parse(iso, "2017-06-09T20:10:40.1Z"), FromCivil(2017, 6, 9, 20, 10, 40, 100'000'000));
  EXPECT_EQ(Parse(iso, "2017-06-09T20:10:40.2+02:00"),
            FromCivil(2017, 6, 9, 18, 10, 40, 200'000'000));
  EXPECT_EQ(Parse(iso, "2017-06-09T20:10:40"), FromCivil(2017, 6, 9, 18, 10, 40));
  EXPECT_EQ(Parse(iso, "2017-06-09T20:10:40.x"), std::nullopt);
  EXPECT_EQ(Parse(iso, "2017-06-09T20:10:40,3Z"), FromCivil(2017, 6, 9, 20, 10, 40, 300'000'000));
}

TEST(TimeParseTest, CachedParsesMatchFreshOnesOnMutatedTexts) {
  std::mt19937 rng(1234);
  const std::vector<std::string> formats = {"%Y-%m-%d %H:%M:%S",       "%Y-%m-%d %H:%M:%S,%f",
                                            "%Y-%m-%d %H:%M:%S%z",     "ISO8601",
                                            "%b %e %Y %H:%M:%S.%f %z", "%y%m%d%H%M%S"};
  const std::vector<std::string> bases = {"2017-06-09 20:10:40",       "2017-06-09 20:10:40,123",
                                          "2017-06-09 20:10:40+02:00", "2017-06-09T20:10:40.5Z",
                                          "Jun  9 2017 20:10:40.5 Z",  "170609201040",
                                          "2021-10-31 02:30:00",       "2021-03-28 02:30:00,1"};
  const std::string alphabet = "0123456789 :-.,+ZTJun";
  for (const std::string& format : formats) {
    TimeParser cached = Make({format}, "Europe/Paris");
    std::string text = bases[0];
    for (int i = 0; i < 5000; ++i) {
      if (i % 50 == 0) text = bases[rng() % bases.size()];
      switch (rng() % 4) {
        case 0:  // change a byte, mostly near the end
          if (!text.empty())
            text[text.size() - 1 - rng() % std::min<size_t>(text.size(), 6)] =
                alphabet[rng() % alphabet.size()];
          break;
        case 1:  // append a byte
          text.push_back(alphabet[rng() % alphabet.size()]);
          break;
        case 2:  // drop the last byte
          if (!text.empty()) text.pop_back();
          break;
        default:  // same text again
          break;
      }
      TimeParser fresh = Make({format}, "Europe/Paris");
      ASSERT_EQ(Parse(cached, text), Parse(fresh, text)) << format << " / " << text;
    }
  }
}

TEST(TimeParseTest, BadBytesNeverCrash) {
  TimeParser p =
      Make({"%y/%m/%d %H:%M:%S", "%a %b %e %T %Y %z", "ISO8601", "UNIX"}, "Europe/Paris");
  std::mt19937 rng(7);
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text.assign(rng() % 40, '\0');
    for (char& c : text) c = static_cast<char>(rng() % 256);
    if (i % 3 == 0 && !text.empty()) text.replace(0, std::min<size_t>(text.size(), 9), "17/06/09 ");
    int64_t ns = 0;
    (void)p.Parse(text, &ns);
  }
  std::string huge(1 << 20, '7');
  int64_t ns = 0;
  EXPECT_FALSE(p.Parse(huge, &ns));
  EXPECT_FALSE(p.Parse("17/06/09 20:10:4\xff", &ns));
  EXPECT_FALSE(p.Parse(std::string_view("17/06/09\0 20:10:40", 18), &ns));
}

}  // namespace
}  // namespace sluice::common
