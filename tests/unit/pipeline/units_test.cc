#include "pipeline/units.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace sluice {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr int64_t kMaxNanos = std::numeric_limits<int64_t>::max();

// The parsed duration in nanoseconds, or nothing when parsing failed.
std::optional<int64_t> ParseNanos(std::string_view text) {
  Result<Duration> d = Duration::Parse(text);
  if (!d.ok()) return std::nullopt;
  return d->value.count();
}

std::string DurationError(std::string_view text) {
  Result<Duration> d = Duration::Parse(text);
  if (d.ok()) return "parsed";
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  return d.status().message();
}

std::string DurationString(nanoseconds value) { return Duration{value}.ToString(); }

// The parsed size in bytes, or nothing when parsing failed.
std::optional<uint64_t> ParseBytes(std::string_view text) {
  Result<ByteSize> s = ByteSize::Parse(text);
  if (!s.ok()) return std::nullopt;
  return s->bytes;
}

std::string SizeError(std::string_view text) {
  Result<ByteSize> s = ByteSize::Parse(text);
  if (s.ok()) return "parsed";
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  return s.status().message();
}

std::string SizeString(uint64_t bytes) { return ByteSize{bytes}.ToString(); }

TEST(DurationTest, ParsesEachUnit) {
  EXPECT_EQ(ParseNanos("7ns"), 7);
  EXPECT_EQ(ParseNanos("7us"), nanoseconds(microseconds(7)).count());
  EXPECT_EQ(ParseNanos("250ms"), nanoseconds(milliseconds(250)).count());
  EXPECT_EQ(ParseNanos("5s"), nanoseconds(seconds(5)).count());
  EXPECT_EQ(ParseNanos("2m"), nanoseconds(minutes(2)).count());
  EXPECT_EQ(ParseNanos("3h"), nanoseconds(hours(3)).count());
  EXPECT_EQ(ParseNanos("2d"), nanoseconds(hours(48)).count());
}

TEST(DurationTest, ParsesZero) {
  EXPECT_EQ(ParseNanos("0"), 0);
  EXPECT_EQ(ParseNanos("0s"), 0);
  EXPECT_EQ(ParseNanos("0ms"), 0);
}

TEST(DurationTest, AddsUpSeveralUnits) {
  EXPECT_EQ(ParseNanos("1h30m"), nanoseconds(minutes(90)).count());
  EXPECT_EQ(ParseNanos("30m1h"), nanoseconds(minutes(90)).count());
  EXPECT_EQ(ParseNanos("1s500ms"), nanoseconds(milliseconds(1500)).count());
  EXPECT_EQ(ParseNanos("1d2h3m4s5ms6us7ns"), 93'784'005'006'007);
  EXPECT_EQ(ParseNanos("007s"), nanoseconds(seconds(7)).count());
}

TEST(DurationTest, Millis) {
  EXPECT_EQ(Duration::Parse("2s")->millis(), 2000);
  EXPECT_EQ(Duration::Parse("1999us")->millis(), 1);
}

TEST(DurationTest, ParsesTheLargestValue) {
  EXPECT_EQ(ParseNanos("106751d23h47m16s854ms775us807ns"), kMaxNanos);
  EXPECT_EQ(ParseNanos("9223372036854775807ns"), kMaxNanos);
}

TEST(DurationTest, RejectsMalformedText) {
  for (std::string_view text : {"", "abc", "5", "1h30", "s", "5 s", " 5s", "5s ", "5S", "5sec",
                                "1.5s", "+5s", "5y", "1h-30m", "0x10s", "5µs"}) {
    EXPECT_EQ(DurationError(text), "expected a duration such as 500ms, 5s, 2m or 1h30m, got '" +
                                       std::string(text) + "'");
  }
}

TEST(DurationTest, RejectsNegativeValues) {
  EXPECT_EQ(DurationError("-5s"), "a duration cannot be negative, got '-5s'");
  EXPECT_EQ(DurationError("-0"), "a duration cannot be negative, got '-0'");
}

TEST(DurationTest, RejectsOverflow) {
  const std::string message = "a duration must be less than 106752d (292 years), got ";
  EXPECT_EQ(DurationError("106752d"), message + "'106752d'");
  EXPECT_EQ(DurationError("106751d23h47m16s854ms775us808ns"),
            message + "'106751d23h47m16s854ms775us808ns'");
  EXPECT_EQ(DurationError("9223372036854775808ns"), message + "'9223372036854775808ns'");
  EXPECT_EQ(DurationError("99999999999999999999s"), message + "'99999999999999999999s'");
  EXPECT_EQ(DurationError("18446744073709551616ns"), message + "'18446744073709551616ns'");
}

TEST(DurationTest, ToStringWritesEachNonZeroUnitLargestFirst) {
  EXPECT_EQ(DurationString(nanoseconds(0)), "0s");
  EXPECT_EQ(DurationString(seconds(5)), "5s");
  EXPECT_EQ(DurationString(milliseconds(250)), "250ms");
  EXPECT_EQ(DurationString(minutes(90)), "1h30m");
  EXPECT_EQ(DurationString(milliseconds(1500)), "1s500ms");
  EXPECT_EQ(DurationString(hours(36)), "1d12h");
  EXPECT_EQ(DurationString(hours(24) + nanoseconds(1)), "1d1ns");
  EXPECT_EQ(DurationString(microseconds(1)), "1us");
  EXPECT_EQ(DurationString(nanoseconds(kMaxNanos)), "106751d23h47m16s854ms775us807ns");
}

TEST(DurationTest, ToStringOfNegativeValues) {
  EXPECT_EQ(DurationString(seconds(-5)), "-5s");
  EXPECT_EQ(DurationString(nanoseconds(std::numeric_limits<int64_t>::min())),
            "-106751d23h47m16s854ms775us808ns");
}

TEST(DurationTest, RoundTrips) {
  for (int64_t ns : {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1'000}, int64_t{1'500'000},
                     int64_t{60'000'000'000}, int64_t{5'400'000'000'000},
                     int64_t{86'399'999'999'999}, int64_t{123'456'789'012'345}, kMaxNanos}) {
    const std::string text = DurationString(nanoseconds(ns));
    EXPECT_EQ(ParseNanos(text), ns) << text;
  }
  for (std::string_view text : {"5s", "1h30m", "250ms", "1d12h", "1s500ms", "1ns"}) {
    EXPECT_EQ(Duration::Parse(text)->ToString(), text);
  }
}

TEST(DurationTest, Equality) {
  EXPECT_EQ(Duration::Parse("90m").value(), Duration::Parse("1h30m").value());
  EXPECT_NE(Duration::Parse("90m").value(), Duration::Parse("1h31m").value());
}

TEST(ByteSizeTest, ParsesPlainBytes) {
  EXPECT_EQ(ParseBytes("0"), 0u);
  EXPECT_EQ(ParseBytes("512"), 512u);
  EXPECT_EQ(ParseBytes("512B"), 512u);
  EXPECT_EQ(ParseBytes("512b"), 512u);
  EXPECT_EQ(ParseBytes("18446744073709551615"), std::numeric_limits<uint64_t>::max());
}

TEST(ByteSizeTest, ParsesDecimalUnits) {
  EXPECT_EQ(ParseBytes("1KB"), 1'000u);
  EXPECT_EQ(ParseBytes("2MB"), 2'000'000u);
  EXPECT_EQ(ParseBytes("1GB"), 1'000'000'000u);
  EXPECT_EQ(ParseBytes("3TB"), 3'000'000'000'000u);
}

TEST(ByteSizeTest, ParsesBinaryUnits) {
  EXPECT_EQ(ParseBytes("512KiB"), 512u << 10);
  EXPECT_EQ(ParseBytes("64MiB"), 64u << 20);
  EXPECT_EQ(ParseBytes("1GiB"), 1u << 30);
  EXPECT_EQ(ParseBytes("2TiB"), uint64_t{2} << 40);
  EXPECT_EQ(ParseBytes("16777215TiB"), uint64_t{16777215} << 40);
}

TEST(ByteSizeTest, UnitsAreCaseInsensitive) {
  EXPECT_EQ(ParseBytes("64mib"), 64u << 20);
  EXPECT_EQ(ParseBytes("64MIB"), 64u << 20);
  EXPECT_EQ(ParseBytes("1gb"), 1'000'000'000u);
  EXPECT_EQ(ParseBytes("1kB"), 1'000u);
}

TEST(ByteSizeTest, ParsesDecimalsAndRoundsDown) {
  EXPECT_EQ(ParseBytes("1.5MiB"), 1'572'864u);
  EXPECT_EQ(ParseBytes("0.5KB"), 500u);
  EXPECT_EQ(ParseBytes("1.0001KiB"), 1024u);  // 1024.1024 bytes
  EXPECT_EQ(ParseBytes("0.999999999999999999KiB"), 1023u);
  EXPECT_EQ(ParseBytes("2.25GB"), 2'250'000'000u);
}

TEST(ByteSizeTest, RejectsMalformedText) {
  for (std::string_view text :
       {"", "12 parsecs", "abc", "MiB", "1 MiB", " 1MiB", "1MiB ", "1Ki", "1K", "1KiBs", "1.",
        ".5MiB", "1..5MiB", "+1MiB", "1e3", "0.0000000000000000001KiB", "1,5MiB", "1PiB"}) {
    EXPECT_EQ(SizeError(text),
              "expected a size such as 512KiB, 64MiB or 1GB, got '" + std::string(text) + "'");
  }
}

TEST(ByteSizeTest, RejectsFractionsOfBytes) {
  EXPECT_EQ(SizeError("1.5"), "a byte count must be a whole number, got '1.5'");
  EXPECT_EQ(SizeError("1.5B"), "a byte count must be a whole number, got '1.5B'");
}

TEST(ByteSizeTest, RejectsNegativeValues) {
  EXPECT_EQ(SizeError("-1MiB"), "a size cannot be negative, got '-1MiB'");
}

TEST(ByteSizeTest, RejectsOverflow) {
  const std::string message = "a size must be less than 16777216TiB (2^64 bytes), got ";
  EXPECT_EQ(SizeError("18446744073709551616"), message + "'18446744073709551616'");
  EXPECT_EQ(SizeError("16777216TiB"), message + "'16777216TiB'");
  EXPECT_EQ(SizeError("18446744073709551.616KB"), message + "'18446744073709551.616KB'");
  EXPECT_EQ(SizeError("99999999999999999999999TB"), message + "'99999999999999999999999TB'");
}

TEST(ByteSizeTest, LargestValueWithAFraction) {
  EXPECT_EQ(ParseBytes("18446744073709551.615KB"), std::numeric_limits<uint64_t>::max());
}

TEST(ByteSizeTest, ToString) {
  EXPECT_EQ(SizeString(0), "0");
  EXPECT_EQ(SizeString(1), "1");
  EXPECT_EQ(SizeString(512), "512");
  EXPECT_EQ(SizeString(1024), "1KiB");
  EXPECT_EQ(SizeString(1536), "1536");
  EXPECT_EQ(SizeString(3072), "3KiB");
  EXPECT_EQ(SizeString(64u << 20), "64MiB");
  EXPECT_EQ(SizeString(1536u << 20), "1536MiB");
  EXPECT_EQ(SizeString(1u << 30), "1GiB");
  EXPECT_EQ(SizeString(uint64_t{5} << 40), "5TiB");
  EXPECT_EQ(SizeString(uint64_t{1} << 50), "1024TiB");
  EXPECT_EQ(SizeString(1'000), "1KB");
  EXPECT_EQ(SizeString(1'500), "1500");
  EXPECT_EQ(SizeString(1'000'000'000), "1GB");
  EXPECT_EQ(SizeString(1'024'000), "1000KiB");      // a KiB is larger than a KB
  EXPECT_EQ(SizeString(2'097'152'000), "2000MiB");  // also 2097152KB
  EXPECT_EQ(SizeString(1'000'000'000'000), "1TB");  // also 976562500KiB
  EXPECT_EQ(SizeString(3'000'000'000'000'000), "3000TB");
  EXPECT_EQ(SizeString(std::numeric_limits<uint64_t>::max()), "18446744073709551615");
}

TEST(ByteSizeTest, RoundTrips) {
  for (uint64_t bytes : {uint64_t{0}, uint64_t{1}, uint64_t{1000}, uint64_t{1024}, uint64_t{1536},
                         uint64_t{64} << 20, uint64_t{2'000'000}, uint64_t{123'456'789},
                         std::numeric_limits<uint64_t>::max()}) {
    const std::string text = SizeString(bytes);
    EXPECT_EQ(ParseBytes(text), bytes) << text;
  }
  for (std::string_view text : {"64MiB", "1GB", "512", "3KiB", "7TB"}) {
    EXPECT_EQ(ByteSize::Parse(text)->ToString(), text);
  }
}

}  // namespace
}  // namespace sluice
