#include "pipeline/json_string.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

// What one byte on its own (surrounded by plain ASCII) becomes inside a JSON string.
std::string EscapedAlone(unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    default:
      break;
  }
  if (c >= 0x80) return "\xEF\xBF\xBD";  // a lone byte of 0x80 and above is not UTF-8
  if (c < 0x20 || c == 0x7f) return std::string("\\u00") + kHex[c >> 4] + kHex[c & 0xF];
  return std::string(1, static_cast<char>(c));
}

// The escaper scans plain text 8 bytes at a time: every byte value must be caught in every lane of
// a word, in the tail after the last whole word, and in strings shorter than a word.
TEST(JsonStringTest, EveryByteValueIsHandledAtEveryPosition) {
  for (size_t size : {1u, 7u, 8u, 9u, 16u, 23u}) {
    for (size_t pos = 0; pos < size; ++pos) {
      for (int b = 0; b < 256; ++b) {
        std::string in(size, 'a');
        in[pos] = static_cast<char>(b);
        std::string want = std::string(pos, 'a') + EscapedAlone(static_cast<unsigned char>(b)) +
                           std::string(size - pos - 1, 'a');
        std::string got;
        AppendJsonEscaped(got, in);
        ASSERT_EQ(got, want) << "byte " << b << " at " << pos << " of " << size;
      }
    }
  }
}

TEST(JsonStringTest, MultiByteUtf8AcrossWordBoundariesIsKept) {
  // "é" (2 bytes), "€" (3) and "😀" (4) starting at every offset around the first word's end.
  for (std::string_view ch : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    for (size_t pos = 0; pos < 12; ++pos) {
      std::string in = std::string(pos, 'x') + std::string(ch) + std::string(9, 'y');
      std::string got;
      AppendJsonEscaped(got, in);
      EXPECT_EQ(got, in) << "at " << pos;
    }
  }
}

TEST(JsonStringTest, AppendsAndQuotes) {
  std::string out = "x";
  AppendJsonString(out, "a long line of plain text \"quoted\" and a\ttab");
  EXPECT_EQ(out, "x\"a long line of plain text \\\"quoted\\\" and a\\ttab\"");
}

TEST(JsonStringTest, ValidUtf8ReplacesWhatTheEncoderWouldReplace) {
  Arena arena;
  for (std::string_view s : {std::string_view("plain"), std::string_view("\xC3\xA9t\xC3\xA9"),
                             std::string_view("\xF0\x9F\x98\x80"), std::string_view()}) {
    EXPECT_TRUE(IsValidUtf8(s)) << s;
    EXPECT_EQ(ValidUtf8(arena, s).data(), s.data());  // no copy
  }
  for (std::string_view s : {std::string_view("\xff"), std::string_view("a\xC3"),
                             std::string_view("\xED\xA0\x80"), std::string_view("\xC0\xAF")}) {
    EXPECT_FALSE(IsValidUtf8(s)) << s;
    const std::string_view fixed = ValidUtf8(arena, s);
    EXPECT_TRUE(IsValidUtf8(fixed));
    std::string direct, via_fixed;
    AppendJsonString(direct, s);
    AppendJsonString(via_fixed, fixed);
    EXPECT_EQ(direct, via_fixed);
  }
  EXPECT_EQ(ValidUtf8(arena,
                      "a\xff\xfe"
                      "b"),
            "a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b");
}

}  // namespace
}  // namespace sluice
