#include "pipeline/units.h"

#include <charconv>
#include <limits>

namespace sluice {
namespace {

struct Unit {
  std::string_view suffix;
  uint64_t factor;
};

// Largest first: ToString writes each non-zero unit in this order.
constexpr Unit kDurationUnits[] = {
    {"d", 86'400'000'000'000},
    {"h", 3'600'000'000'000},
    {"m", 60'000'000'000},
    {"s", 1'000'000'000},
    {"ms", 1'000'000},
    {"us", 1'000},
    {"ns", 1},
};

constexpr Unit kBinaryUnits[] = {{"TiB", uint64_t{1} << 40},
                                 {"GiB", uint64_t{1} << 30},
                                 {"MiB", uint64_t{1} << 20},
                                 {"KiB", uint64_t{1} << 10}};
constexpr Unit kDecimalUnits[] = {
    {"TB", 1'000'000'000'000}, {"GB", 1'000'000'000}, {"MB", 1'000'000}, {"KB", 1'000}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

// Parses the decimal digits `digits` (all digits, not empty); false when they overflow.
bool ParseDigits(std::string_view digits, uint64_t* value) {
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *value);
  return ec == std::errc() && end == digits.data() + digits.size();
}

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

Status BadDuration(std::string_view text) {
  return InvalidArgument("expected a duration such as 500ms, 5s, 2m or 1h30m, got " + Quoted(text));
}

Status BadSize(std::string_view text) {
  return InvalidArgument("expected a size such as 512KiB, 64MiB or 1GB, got " + Quoted(text));
}

}  // namespace

Result<Duration> Duration::Parse(std::string_view text) {
  if (!text.empty() && text[0] == '-') {
    return InvalidArgument("a duration cannot be negative, got " + Quoted(text));
  }
  if (text.empty()) return BadDuration(text);
  if (text == "0") return Duration{};
  auto too_large = [text] {
    return InvalidArgument("a duration must be less than 106752d (292 years), got " + Quoted(text));
  };

  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t digits = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    if (i == digits) return BadDuration(text);
    uint64_t number = 0;
    if (!ParseDigits(text.substr(digits, i - digits), &number)) return too_large();

    const size_t suffix = i;
    while (i < text.size() && !IsDigit(text[i])) ++i;
    const Unit* unit = nullptr;
    for (const Unit& u : kDurationUnits) {
      if (text.substr(suffix, i - suffix) == u.suffix) unit = &u;
    }
    if (unit == nullptr) return BadDuration(text);

    int64_t part = 0;
    if (number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
        __builtin_mul_overflow(static_cast<int64_t>(number), static_cast<int64_t>(unit->factor),
                               &part) ||
        __builtin_add_overflow(total, part, &total)) {
      return too_large();
    }
  }
  return Duration{std::chrono::nanoseconds(total)};
}

std::string Duration::ToString() const {
  const int64_t ns = value.count();
  if (ns == 0) return "0s";
  std::string out = ns < 0 ? "-" : "";
  uint64_t rest = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  for (const Unit& unit : kDurationUnits) {
    if (rest >= unit.factor) {
      out += std::to_string(rest / unit.factor);
      out += unit.suffix;
      rest %= unit.factor;
    }
  }
  return out;
}

Result<ByteSize> ByteSize::Parse(std::string_view text) {
  if (!text.empty() && text[0] == '-') {
    return InvalidArgument("a size cannot be negative, got " + Quoted(text));
  }
  auto too_large = [text] {
    return InvalidArgument("a size must be less than 16777216TiB (2^64 bytes), got " +
                           Quoted(text));
  };

  size_t i = 0;
  while (i < text.size() && IsDigit(text[i])) ++i;
  const std::string_view whole = text.substr(0, i);
  std::string_view fraction;
  if (i < text.size() && text[i] == '.') {
    const size_t start = ++i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    fraction = text.substr(start, i - start);
    // 18 digits keep the arithmetic below within 128 bits; nobody needs more.
    if (fraction.empty() || fraction.size() > 18) return BadSize(text);
  }
  if (whole.empty()) return BadSize(text);

  const std::string_view suffix = text.substr(i);
  uint64_t factor = 0;
  if (suffix.empty() || EqualsIgnoreCase(suffix, "B")) factor = 1;
  for (const Unit& u : kBinaryUnits) {
    if (EqualsIgnoreCase(suffix, u.suffix)) factor = u.factor;
  }
  for (const Unit& u : kDecimalUnits) {
    if (EqualsIgnoreCase(suffix, u.suffix)) factor = u.factor;
  }
  if (factor == 0) return BadSize(text);
  if (factor == 1 && !fraction.empty()) {
    return InvalidArgument("a byte count must be a whole number, got " + Quoted(text));
  }

  uint64_t whole_value = 0;
  if (!ParseDigits(whole, &whole_value)) return too_large();
  unsigned __int128 bytes = static_cast<unsigned __int128>(whole_value) * factor;
  if (!fraction.empty()) {
    uint64_t fraction_value = 0;
    uint64_t scale = 1;
    for (size_t k = 0; k < fraction.size(); ++k) scale *= 10;
    if (!ParseDigits(fraction, &fraction_value)) return BadSize(text);
    bytes += static_cast<unsigned __int128>(fraction_value) * factor / scale;  // rounds down
  }
  if (bytes > std::numeric_limits<uint64_t>::max()) return too_large();
  return ByteSize{static_cast<uint64_t>(bytes)};
}

std::string ByteSize::ToString() const {
  if (bytes == 0) return "0";
  const Unit* best = nullptr;
  for (const Unit* units : {kBinaryUnits, kDecimalUnits}) {
    for (size_t k = 0; k < 4; ++k) {
      const Unit& unit = units[k];
      if (bytes % unit.factor == 0 && (best == nullptr || unit.factor > best->factor)) best = &unit;
    }
  }
  if (best == nullptr) return std::to_string(bytes);
  return std::to_string(bytes / best->factor) + std::string(best->suffix);
}

}  // namespace sluice
