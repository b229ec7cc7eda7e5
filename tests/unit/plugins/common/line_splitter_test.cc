#include "plugins/common/line_splitter.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::common {
namespace {

struct Line {
  std::string text;
  bool truncated;
  bool operator==(const Line&) const = default;
};

// Splits and checks that the consumed byte counts add up to exactly what was fed.
std::vector<Line> Split(const std::vector<std::string>& chunks, size_t max, bool finish = true) {
  LineSplitter s(max);
  std::vector<Line> out;
  size_t consumed = 0, fed = 0;
  auto on = [&](std::string_view l, bool t, size_t c) {
    consumed += c;
    if (!(l.empty() && t)) out.push_back({std::string(l), t});
  };
  for (const auto& c : chunks) {
    s.Feed(c, on);
    fed += c.size();
  }
  if (finish) s.Finish(on);
  EXPECT_EQ(consumed + s.pending_bytes(), fed);
  return out;
}

TEST(LineSplitterTest, LfAndCrlf) {
  EXPECT_EQ(Split({"a\nb\r\nc\n"}, 100),
            (std::vector<Line>{{"a", false}, {"b", false}, {"c", false}}));
}

TEST(LineSplitterTest, LinesAcrossChunksIncludingASplitCrlf) {
  EXPECT_EQ(Split({"hel", "lo\r", "\nwor", "ld\n"}, 100),
            (std::vector<Line>{{"hello", false}, {"world", false}}));
}

TEST(LineSplitterTest, PartialLastLineWaitsThenFinishHandsItOut) {
  EXPECT_EQ(Split({"a\npartial"}, 100, false), (std::vector<Line>{{"a", false}}));
  EXPECT_EQ(Split({"a\npartial"}, 100, true),
            (std::vector<Line>{{"a", false}, {"partial", false}}));
}

TEST(LineSplitterTest, EmptyLinesAreKept) {
  EXPECT_EQ(Split({"\n\r\nx\n"}, 100), (std::vector<Line>{{"", false}, {"", false}, {"x", false}}));
}

TEST(LineSplitterTest, LongLineInOneChunkIsCutAndTagged) {
  EXPECT_EQ(Split({"abcdefghij\nok\n"}, 4),
            (std::vector<Line>{{"abcd", true}, {"efgh", true}, {"ij", true}, {"ok", false}}));
}

TEST(LineSplitterTest, LongLineAcrossChunksNeverBuffersMoreThanTheBound) {
  LineSplitter s(8);
  std::vector<Line> out;
  auto on = [&](std::string_view l, bool t, size_t) {
    if (!(l.empty() && t)) out.push_back({std::string(l), t});
  };
  for (int i = 0; i < 100; ++i) {
    s.Feed("0123456789", on);
    ASSERT_LE(s.pending_bytes(), 9u);
  }
  s.Feed("\nnext\n", on);
  size_t total = 0;
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    EXPECT_TRUE(out[i].truncated);
    EXPECT_LE(out[i].text.size(), 8u);
    total += out[i].text.size();
  }
  EXPECT_EQ(total, 1000u);  // every byte of the long line came out, none twice
  EXPECT_EQ(out.back(), (Line{"next", false}));
}

TEST(LineSplitterTest, ConsumedBytesGiveExactOffsets) {
  LineSplitter s(4);
  std::vector<std::pair<std::string, size_t>> out;
  auto on = [&](std::string_view l, bool, size_t c) { out.emplace_back(std::string(l), c); };
  s.Feed("ab\r\nabcdefg\r\nxy", on);
  s.Finish(on);
  EXPECT_EQ(out, (std::vector<std::pair<std::string, size_t>>{
                     {"ab", 4}, {"abcd", 4}, {"efg", 5}, {"xy", 2}}));
}

TEST(LineSplitterTest, LineEndingRightAtACutGivesAnEmptyTerminatorPiece) {
  LineSplitter s(4);
  std::vector<std::pair<std::string, size_t>> out;
  auto on = [&](std::string_view l, bool t, size_t c) {
    out.emplace_back(std::string(l) + (t ? "+" : ""), c);
  };
  s.Feed("abcdef", on);  // cuts "abcd" (the slack keeps "ef")
  s.Feed("gh", on);      // "efgh" pending, 4 bytes: not over the slack yet
  s.Feed("i", on);       // "efghi": cuts "efgh"
  s.Feed("\n", on);
  size_t total = 0;
  for (auto& [l, c] : out) total += c;
  EXPECT_EQ(total, 10u);
  EXPECT_EQ(out.front().first, "abcd+");
}

TEST(LineSplitterTest, BinaryAndInvalidUtf8PassThrough) {
  std::string bin("a\0b\xff\xfe", 5);
  EXPECT_EQ(Split({bin + "\n"}, 100), (std::vector<Line>{{bin, false}}));
}

}  // namespace
}  // namespace sluice::common
