#include "plugins/filters/template/template_masker.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>

namespace sluice::filters::templates {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHigh(char c) { return static_cast<unsigned char>(c) >= 0x80; }  // UTF-8 text
bool IsHexDigit(char c) { return IsDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v'; }

constexpr std::string_view kLead = "([{<'\"`:";
constexpr std::string_view kTrail = ")]}>'\"`,.;:!?";

bool HasDigit(std::string_view s) { return std::any_of(s.begin(), s.end(), IsDigit); }

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
    if (c != lower[i]) return false;
  }
  return true;
}

bool OneOf(std::string_view s, std::span<const std::string_view> words) {
  return std::any_of(words.begin(), words.end(),
                     [&](std::string_view w) { return EqualsLower(s, w); });
}

constexpr std::array<std::string_view, 22> kTimeUnits = {
    "ns",   "us",     "\xc2\xb5s", "ms", "s",  "sec", "secs", "second", "seconds", "m",   "min",
    "mins", "minute", "minutes",   "h",  "hr", "hrs", "hour", "hours",  "d",       "day", "days"};
// Not "bytes": "stored as bytes" must stay a word.
constexpr std::array<std::string_view, 18> kSizeUnits = {"b",   "k", "kb", "kib", "m", "mb",
                                                         "mib", "g", "gb", "gib", "t", "tb",
                                                         "tib", "p", "pb", "pib", "e", "eb"};

bool IsUnit(std::string_view s) { return OneOf(s, kTimeUnits) || OneOf(s, kSizeUnits); }

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

TokenKind Masker::KindOf(std::string_view token) {
  if (token.find(kWildcard) != std::string_view::npos) return TokenKind::kValue;
  size_t a = 0;
  while (a < token.size() && kLead.find(token[a]) != std::string_view::npos) ++a;
  size_t b = token.size();
  while (b > a && kTrail.find(token[b - 1]) != std::string_view::npos) --b;
  const std::string_view core = token.substr(a, b - a);
  if (core.empty()) return TokenKind::kWord;  // punctuation: a separator, not a value
  if (IsUnit(core)) return TokenKind::kValue;
  bool letter = false;
  for (char c : core) {
    if (IsAlpha(c) || IsHigh(c)) {
      letter = true;
    } else if (c != '.' && c != '_' && c != '-') {
      return TokenKind::kValue;
    }
  }
  return letter ? TokenKind::kWord : TokenKind::kValue;
}

void Masker::MaskCore(std::string_view core, std::string& out) const {
  if (core.empty()) return;
  for (const config::Regex& re : extra_) {
    if (RE2::FullMatch(core, *re)) {
      out += kWildcard;
      return;
    }
  }
  if (On(Mask::kPath) && IsPath(core)) {
    out += kWildcard;
    return;
  }
  if (const size_t eq = core.find('='); eq != std::string_view::npos && eq > 0) {
    out += core.substr(0, eq + 1);  // key=value: the key stays
    MaskCore(core.substr(eq + 1), out);
    return;
  }
  if (HasDigit(core)) {
    MaskWithDigits(core, out);
  } else {
    out += core;
  }
}

void Masker::MaskWithDigits(std::string_view core, std::string& out) const {
  const size_t number = NumberPrefix(core);
  const std::string_view unit = core.substr(number);
  const bool letter =
      std::any_of(core.begin(), core.end(), [](char c) { return IsAlpha(c) || IsHigh(c); });
  if ((On(Mask::kIp) && (IsIpv4(core) || IsIpv6(core))) ||
      (On(Mask::kNumber) && number == core.size()) || (On(Mask::kHex) && IsHex(core)) ||
      (On(Mask::kDuration) && number > 0 && OneOf(unit, kTimeUnits)) ||
      (On(Mask::kSize) && number > 0 && OneOf(unit, kSizeUnits)) ||
      (On(Mask::kSparkId) && IsSparkId(core)) || (On(Mask::kId) && letter)) {
    out += kWildcard;
    return;
  }
  if (!On(Mask::kNumber)) {
    out += core;
    return;
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
}

void Masker::Apply(std::string_view message, MaskedLine* out) const {
  out->Clear();
  const size_t n = message.size();
  size_t i = 0;
  bool bare_number = false;  // the token before is a number alone, masked
  while (true) {
    while (i < n && IsSpace(message[i])) ++i;
    if (i >= n) break;
    const size_t start = i;
    while (i < n && !IsSpace(message[i])) ++i;
    const std::string_view token = message.substr(start, i - start);
    if (!out->text.empty()) out->text += ' ';
    const size_t begin = out->text.size();
    size_t next = i;
    while (next < n && IsSpace(message[next])) ++next;
    if (out->size() + 1 == max_tokens_ && next < n) {
      // The rest of the line is one value.
      out->text += kWildcard;
      out->ends.push_back(static_cast<uint32_t>(out->text.size()));
      out->kinds.push_back(TokenKind::kValue);
      break;
    }
    size_t a = 0;
    while (a < token.size() && kLead.find(token[a]) != std::string_view::npos) ++a;
    size_t b = token.size();
    while (b > a && kTrail.find(token[b - 1]) != std::string_view::npos) --b;
    const std::string_view core = token.substr(a, b - a);
    if (bare_number && a == 0 && On(Mask::kSize) && OneOf(core, kSizeUnits)) {
      // `5.2 KB,`: the unit joins the number's <*> (Spark prints sizes in the unit that fits).
      out->text.resize(begin - 1);
      out->text += token.substr(b);
      out->ends.back() = static_cast<uint32_t>(out->text.size());
      bare_number = false;
      continue;
    }
    bare_number = a == 0 && b == token.size() && On(Mask::kNumber) && !core.empty() &&
                  NumberPrefix(core) == core.size();
    out->text += token.substr(0, a);
    MaskCore(core, out->text);
    out->text += token.substr(b);
    out->ends.push_back(static_cast<uint32_t>(out->text.size()));
    out->kinds.push_back(KindOf(std::string_view(out->text).substr(begin)));
  }
}

}  // namespace sluice::filters::templates
