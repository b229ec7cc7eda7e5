#include "pipeline/json_string.h"

#include <cstdint>
#include <cstring>

namespace sluice {
namespace {

// 0: copy as is; 1: needs escaping or UTF-8 validation.
constexpr auto kSpecial = [] {
  struct Table {
    bool v[256] = {};
  } t;
  for (int c = 0; c < 0x20; ++c) t.v[c] = true;
  t.v[static_cast<int>('"')] = true;
  t.v[static_cast<int>('\\')] = true;
  for (int c = 0x7f; c < 256; ++c) t.v[c] = true;  // DEL escaped too; >= 0x80 validated
  return t;
}();

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid (overlong forms, surrogates
// and code points above U+10FFFF count as invalid).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  auto cont = [&](size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
  uint8_t b = byte(i);
  if (b >= 0xC2 && b <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    uint8_t b1 = byte(i + 1);
    if (b == 0xE0 && b1 < 0xA0) return 0;   // overlong
    if (b == 0xED && b1 >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    uint8_t b1 = byte(i + 1);
    if (b == 0xF0 && b1 < 0x90) return 0;   // overlong
    if (b == 0xF4 && b1 >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// Whether any of the 8 bytes in `w` is special (kSpecial): below 0x20, '"', '\\', or 0x7f and
// above. Bit tricks on a 64-bit word (exact as a yes/no answer), so plain ASCII text is scanned
// 8 bytes per step on any CPU; the byte order of the load does not matter.
bool AnySpecial(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
  return (below_space | (w & kHigh) | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\')) |
          has_zero(w ^ (kOnes * 0x7f))) != 0;
}

}  // namespace

void AppendJsonEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t run = 0;  // start of the pending run of plain bytes
  size_t i = 0;
  while (i < s.size()) {
    if (i + 8 <= s.size()) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, sizeof(word));
      if (!AnySpecial(word)) {
        i += 8;
        continue;
      }
    }
    uint8_t c = static_cast<uint8_t>(s[i]);
    if (!kSpecial.v[c]) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(s, i);
      if (n > 0) {
        i += n;
        continue;
      }
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c >= 0x80) {
          out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
        } else {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        }
    }
    ++i;
    run = i;
  }
  out.append(s.data() + run, s.size() - run);
}

size_t FirstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string_view ValidUtf8(Arena& arena, std::string_view s) {
  if (IsValidUtf8(s)) return s;
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  char* out = static_cast<char*>(arena.Allocate(s.size() * kReplacement.size(), 1));
  size_t size = 0;
  size_t i = 0;
  while (i < s.size()) {
    const size_t n = static_cast<uint8_t>(s[i]) < 0x80 ? 1 : Utf8SequenceLength(s, i);
    if (n == 0) {
      std::memcpy(out + size, kReplacement.data(), kReplacement.size());
      size += kReplacement.size();
      ++i;
      continue;
    }
    std::memcpy(out + size, s.data() + i, n);
    size += n;
    i += n;
  }
  return {out, size};
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  AppendJsonEscaped(out, s);
  out += '"';
}

}  // namespace sluice
