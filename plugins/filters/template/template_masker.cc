#include "plugins/filters/template/template_masker.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>

namespace sluice::filters::templates {
namespace {

// Character classes, one table lookup per byte.
enum : uint8_t {
  kSpace = 1,
  kLead = 2,   // kept before a token's core: ( [ { < ' " ` :
  kTrail = 4,  // kept after it: ) ] } > ' " ` , . ; : ! ?
  kDigit = 8,
  kLetter = 16,    // ASCII letters and every byte of a multi-byte UTF-8 character
  kWordChar = 32,  // letters and . _ - : what a plain word is made of
  kSlash = 64,
  kEquals = 128,
};

constexpr std::array<uint8_t, 256> kClasses = [] {
  std::array<uint8_t, 256> t{};
  for (unsigned char c : std::string_view(" \t\r\n\v\f")) t[c] |= kSpace;
  for (unsigned char c : std::string_view("([{<'\"`:")) t[c] |= kLead;
  for (unsigned char c : std::string_view(")]}>'\"`,.;:!?")) t[c] |= kTrail;
  for (int c = '0'; c <= '9'; ++c) t[c] |= kDigit;
  for (int c = 0; c < 256; ++c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80) t[c] |= kLetter | kWordChar;
  }
  for (unsigned char c : std::string_view("._-")) t[c] |= kWordChar;
  t['/'] |= kSlash;
  t['='] |= kEquals;
  return t;
}();

uint8_t ClassOf(char c) { return kClasses[static_cast<unsigned char>(c)]; }
bool IsDigit(char c) { return ClassOf(c) & kDigit; }
bool IsHexDigit(char c) { return IsDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

// The classes some byte of `s` has (any) and those every byte has (all).
struct Classes {
  uint8_t any = 0;
  uint8_t all = 0xff;
};
Classes ClassesOf(std::string_view s) {
  Classes c;
  for (char ch : s) {
    const uint8_t k = ClassOf(ch);
    c.any |= k;
    c.all &= k;
  }
  return c;
}

// A token's brackets, quotes and punctuation: [0, lead) before its core, [trail, size) after.
struct Split {
  size_t lead;
  size_t trail;
};
Split SplitToken(std::string_view token) {
  size_t a = 0;
  while (a < token.size() && (ClassOf(token[a]) & kLead)) ++a;
  size_t b = token.size();
  while (b > a && (ClassOf(token[b - 1]) & kTrail)) --b;
  return {a, b};
}

constexpr std::array<std::string_view, 22> kTimeUnits = {
    "ns",   "us",     "\xc2\xb5s", "ms", "s",  "sec", "secs", "second", "seconds", "m",   "min",
    "mins", "minute", "minutes",   "h",  "hr", "hrs", "hour", "hours",  "d",       "day", "days"};
// Not "bytes": "stored as bytes" must stay a word.
constexpr std::array<std::string_view, 18> kSizeUnits = {"b",   "k", "kb", "kib", "m", "mb",
                                                         "mib", "g", "gb", "gib", "t", "tb",
                                                         "tib", "p", "pb", "pib", "e", "eb"};

// A word of at most 7 bytes, lower-cased, as one integer (0 for others), so that a unit is found
// by a binary search over integers.
constexpr uint64_t Pack(std::string_view s) {
  if (s.empty() || s.size() > 7) return 0;
  uint64_t v = s.size();
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
    v = (v << 8) | static_cast<unsigned char>(c);
  }
  return v;
}

template <size_t N>
constexpr std::array<uint64_t, N> PackAll(const std::array<std::string_view, N>& words) {
  std::array<uint64_t, N> packed{};
  for (size_t i = 0; i < N; ++i) packed[i] = Pack(words[i]);
  std::sort(packed.begin(), packed.end());
  return packed;
}

constexpr auto kTimeUnitsPacked = PackAll(kTimeUnits);
constexpr auto kSizeUnitsPacked = PackAll(kSizeUnits);

bool IsTimeUnit(std::string_view s) {
  const uint64_t p = Pack(s);
  return p != 0 && std::binary_search(kTimeUnitsPacked.begin(), kTimeUnitsPacked.end(), p);
}
bool IsSizeUnit(std::string_view s) {
  const uint64_t p = Pack(s);
  return p != 0 && std::binary_search(kSizeUnitsPacked.begin(), kSizeUnitsPacked.end(), p);
}
bool IsUnit(std::string_view s) { return IsTimeUnit(s) || IsSizeUnit(s); }

// The length of the number at the start of `s`: [+-]digits([.,]digits)*([eE][+-]?digits)?; 0 when
// `s` does not start with one.
size_t NumberPrefix(std::string_view s) {
  const size_t n = s.size();
  size_t i = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  const size_t digits = i;
  while (i < n && IsDigit(s[i])) ++i;
  if (i == digits) return 0;
  while (i + 1 < n && (s[i] == '.' || s[i] == ',') && IsDigit(s[i + 1])) {
    ++i;
    while (i < n && IsDigit(s[i])) ++i;
  }
  if (i + 1 < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < n && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < n && IsDigit(s[j])) {
      while (j < n && IsDigit(s[j])) ++j;
      i = j;
    }
  }
  return i;
}

bool IsIpv4(std::string_view s) {
  size_t i = 0;
  for (int group = 0; group < 4; ++group) {
    if (group > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    const size_t start = i;
    while (i < s.size() && IsDigit(s[i]) && i - start < 3) ++i;
    if (i == start) return false;
  }
  if (i < s.size() && s[i] == ':') {  // a port
    ++i;
    if (i == s.size()) return false;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  return i == s.size();
}

// IPv6 needs "::" or all seven colons (a time such as 20:10:40 has two and is not one).
bool IsIpv6(std::string_view s) {
  const auto colons = std::count(s.begin(), s.end(), ':');
  if (colons < 2 || (colons < 7 && s.find("::") == std::string_view::npos)) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsHexDigit(c) || c == ':' || c == '.'; });
}

bool IsHex(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    return std::all_of(s.begin() + 2, s.end(), IsHexDigit);
  }
  return s.size() >= 8 && std::all_of(s.begin(), s.end(), IsHexDigit);
}

constexpr std::array<std::string_view, 20> kSparkIdPrefixes = {
    "application_", "appattempt_", "container_", "attempt_",   "job_",
    "task_",        "stage_",      "rdd_",       "broadcast_", "shuffle_",
    "taskresult_",  "input_",      "blockmgr-",  "executor-",  "spark-",
    "app-",         "driver-",     "local-",     "streaming-", "input-"};

bool IsSparkId(std::string_view s) {
  return std::any_of(kSparkIdPrefixes.begin(), kSparkIdPrefixes.end(),
                     [&](std::string_view p) { return s.starts_with(p); });
}

bool IsPath(std::string_view s) {
  return s.find("://") != std::string_view::npos || (s.size() > 1 && s[0] == '/') ||
         s.starts_with("./") || s.starts_with("../") || s.starts_with("~/");
}

}  // namespace

Masker::Masker(std::span<const Mask> masks, std::vector<config::Regex> extra_masks,
               size_t max_tokens)
    : extra_(std::move(extra_masks)), max_tokens_(max_tokens) {
  for (Mask m : masks) enabled_ |= 1u << static_cast<int>(m);
}

namespace {

// The kind of a core that no mask changed.
TokenKind KindOfCore(std::string_view core, Classes c) {
  if (core.empty()) return TokenKind::kWord;  // punctuation: a separator, not a value
  if ((c.all & kWordChar) && (c.any & kLetter) && !IsUnit(core)) return TokenKind::kWord;
  return TokenKind::kValue;
}

}  // namespace

TokenKind Masker::KindOf(std::string_view token) {
  if (token.find(kWildcard) != std::string_view::npos) return TokenKind::kValue;
  const Split split = SplitToken(token);
  const std::string_view core = token.substr(split.lead, split.trail - split.lead);
  return KindOfCore(core, ClassesOf(core));
}

Masker::Masked Masker::MaskCore(std::string_view core, uint8_t any, std::string& out) const {
  if (core.empty()) return Masked::kKept;
  for (const config::Regex& re : extra_) {
    if (RE2::FullMatch(core, *re)) {
      out += kWildcard;
      return Masked::kValue;
    }
  }
  if ((any & kSlash) && On(Mask::kPath) && IsPath(core)) {
    out += kWildcard;
    return Masked::kValue;
  }
  if (any & kEquals) {
    if (const size_t eq = core.find('='); eq > 0) {
      out += core.substr(0, eq + 1);  // key=value: the key stays
      const std::string_view value = core.substr(eq + 1);
      MaskCore(value, ClassesOf(value).any, out);
      return Masked::kValue;
    }
  }
  if (any & kDigit) return MaskWithDigits(core, (any & kLetter) != 0, out);
  out += core;
  return Masked::kKept;
}

Masker::Masked Masker::MaskWithDigits(std::string_view core, bool letter, std::string& out) const {
  const size_t number = NumberPrefix(core);
  if (number == core.size() && On(Mask::kNumber)) {  // the most common value first
    out += kWildcard;
    return Masked::kNumber;
  }
  const std::string_view unit = core.substr(number);
  if ((On(Mask::kIp) && (IsIpv4(core) || IsIpv6(core))) || (On(Mask::kHex) && IsHex(core)) ||
      (On(Mask::kDuration) && number > 0 && IsTimeUnit(unit)) ||
      (On(Mask::kSize) && number > 0 && IsSizeUnit(unit)) ||
      (On(Mask::kSparkId) && IsSparkId(core)) || (On(Mask::kId) && letter)) {
    out += kWildcard;
    return Masked::kValue;
  }
  if (!On(Mask::kNumber)) {
    out += core;
    return Masked::kValue;  // digits: a value, masked or not
  }
  // Digits among other characters (3/10, 20:10:40, rdd_2_0 without the id masks): each run of
  // digits is a value.
  for (size_t i = 0; i < core.size();) {
    if (IsDigit(core[i])) {
      i += std::max<size_t>(1, NumberPrefix(core.substr(i)));
      out += kWildcard;
    } else {
      out += core[i++];
    }
  }
  return Masked::kValue;
}

void Masker::Apply(std::string_view message, MaskedLine* out) const {
  out->Clear();
  const size_t n = message.size();
  size_t i = 0;
  bool bare_number = false;  // the token before is a number alone, masked
  const bool plain_words_kept = extra_.empty();
  while (true) {
    while (i < n && (ClassOf(message[i]) & kSpace)) ++i;
    if (i >= n) break;
    const size_t start = i;
    uint8_t any = 0;  // the classes of the token's bytes (lead and trail have none that matter)
    for (uint8_t k; i < n && !((k = ClassOf(message[i])) & kSpace); ++i) any |= k;
    const std::string_view token = message.substr(start, i - start);
    if (!out->text.empty()) out->text += ' ';
    const size_t begin = out->text.size();
    if (out->size() + 1 == max_tokens_) {
      size_t next = i;
      while (next < n && (ClassOf(message[next]) & kSpace)) ++next;
      if (next < n) {  // the rest of the line is one value
        out->text += kWildcard;
        out->ends.push_back(static_cast<uint32_t>(out->text.size()));
        break;
      }
    }
    if (plain_words_kept && !(any & (kDigit | kSlash | kEquals)) && !bare_number) {
      out->text += token;  // no mask can apply
      out->ends.push_back(static_cast<uint32_t>(out->text.size()));
      continue;
    }
    const Split split = SplitToken(token);
    const std::string_view core = token.substr(split.lead, split.trail - split.lead);
    if (bare_number && split.lead == 0 && On(Mask::kSize) && IsSizeUnit(core)) {
      // `5.2 KB,`: the unit joins the number's <*> (Spark prints sizes in the unit that fits).
      out->text.resize(begin - 1);
      out->text += token.substr(split.trail);
      out->ends.back() = static_cast<uint32_t>(out->text.size());
      bare_number = false;
      continue;
    }
    out->text += token.substr(0, split.lead);
    bare_number = MaskCore(core, any, out->text) == Masked::kNumber && split.lead == 0 &&
                  split.trail == token.size();
    out->text += token.substr(split.trail);
    out->ends.push_back(static_cast<uint32_t>(out->text.size()));
  }
}

}  // namespace sluice::filters::templates
