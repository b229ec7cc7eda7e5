#include "plugins/inputs/file/file_cri.h"

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace sluice::inputs::file {
namespace {

// A container line as handed out, with its views copied.
struct Line {
  std::string text;
  uint64_t begin, end;
  int64_t time_ns;
  std::string stream;
  bool truncated, malformed;
  bool operator==(const Line&) const = default;
};

void PrintTo(const Line& l, std::ostream* os) {
  *os << "{[" << l.begin << ", " << l.end << ") " << l.time_ns << " " << l.stream
      << (l.truncated ? " truncated" : "") << (l.malformed ? " malformed" : "") << " \"" << l.text
      << "\"}";
}

class CriDecoderTest : public ::testing::Test {
 protected:
  // Pushes `line` as the next file line (offsets follow from its length plus a newline).
  void Push(const std::string& line, bool truncated = false) {
    decoder_.Push(line, offset_, offset_ + line.size() + 1, truncated, collect_);
    offset_ += line.size() + 1;
  }
  CriDecoder decoder_{64};
  uint64_t offset_ = 0;
  std::vector<Line> out_;
  std::function<void(const CriLine&)> collect_ = [this](const CriLine& c) {
    out_.push_back({std::string(c.text), c.begin, c.end, c.time_ns, std::string(c.stream),
                    c.truncated, c.malformed});
  };
};

// 2024-05-01T12:00:00.123456789Z in nanoseconds since the epoch.
constexpr int64_t kNoonNs = 1714564800'123456789;

TEST_F(CriDecoderTest, AFullLineLosesItsPrefixAndKeepsTimeAndStream) {
  Push(
      "2024-05-01T12:00:00.123456789Z stderr F 24/05/01 12:00:00 INFO SparkContext: Running Spark");
  EXPECT_EQ(out_, (std::vector<Line>{{"24/05/01 12:00:00 INFO SparkContext: Running Spark", 0,
                                      offset_, kNoonNs, "stderr", false, false}}));
  EXPECT_FALSE(decoder_.pending());
}

TEST_F(CriDecoderTest, PartialLinesAreJoinedWithTheFirstPartsTimeAndOffsets) {
  Push("2024-05-01T12:00:00.123456789Z stdout P first part, ");
  const uint64_t second_begin = offset_;
  Push("2024-05-01T12:00:00.2Z stdout P second part, ");
  EXPECT_TRUE(decoder_.pending());
  EXPECT_EQ(decoder_.pending_begin(), 0u);
  EXPECT_GT(second_begin, 0u);
  EXPECT_TRUE(out_.empty());
  Push("2024-05-01T12:00:00.3Z stdout F last part");
  EXPECT_EQ(out_, (std::vector<Line>{{"first part, second part, last part", 0, offset_, kNoonNs,
                                      "stdout", false, false}}));
  EXPECT_FALSE(decoder_.pending());
}

TEST_F(CriDecoderTest, TagsAfterTheFirstAndEmptyLinesAreAccepted) {
  Push("2024-05-01T12:00:00+02:00 stdout F:x:y text");
  Push("2024-05-01T12:00:00Z stdout F ");
  Push("2024-05-01T12:00:00Z stdout F");
  ASSERT_EQ(out_.size(), 3u);
  EXPECT_EQ(out_[0].text, "text");
  EXPECT_EQ(out_[0].time_ns, kNoonNs - 123456789 - 2 * 3600 * int64_t{1'000'000'000});
  EXPECT_EQ(out_[1].text, "");
  EXPECT_EQ(out_[2].text, "");
  for (const auto& l : out_) EXPECT_FALSE(l.malformed) << l.text;
}

TEST_F(CriDecoderTest, LinesThatAreNotCriArePassedOnWholeAndFlagged) {
  const std::vector<std::string> bad = {
      "24/05/01 12:00:00 INFO plain log4j line",       // no CRI prefix at all
      "2024-05-01T12:00:00Z stdin F text",             // not a stream
      "2024-05-01T12:00:00Z stdout X text",            // not P or F
      "2024-05-01T12:00:00Z stdout Full text",         // a tag word, not P/F
      "2024-13-01T12:00:00Z stdout F month thirteen",  // not a time
      "",                                              // empty
      "2024-05-01T12:00:00Z",                          // the time alone
  };
  for (const auto& line : bad) Push(line);
  ASSERT_EQ(out_.size(), bad.size());
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_TRUE(out_[i].malformed) << bad[i];
    EXPECT_EQ(out_[i].text, bad[i]);
    EXPECT_EQ(out_[i].stream, "");
    EXPECT_EQ(out_[i].time_ns, 0);
  }
}

TEST_F(CriDecoderTest, AMalformedLineCompletesAPendingPartialFirst) {
  Push("2024-05-01T12:00:00Z stdout P half a line");
  Push("garbage");
  ASSERT_EQ(out_.size(), 2u);
  EXPECT_EQ(out_[0].text, "half a line");
  EXPECT_FALSE(out_[0].malformed);
  EXPECT_EQ(out_[1].text, "garbage");
  EXPECT_TRUE(out_[1].malformed);
}

TEST_F(CriDecoderTest, JoinedPartsAreCutAtMaxBytesAndFlagged) {
  const std::string part(40, 'a');
  Push("2024-05-01T12:00:00Z stdout P " + part);
  Push("2024-05-01T12:00:00Z stdout P " + part);
  Push("2024-05-01T12:00:00Z stdout F " + part);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].text, std::string(64, 'a'));
  EXPECT_TRUE(out_[0].truncated);
}

TEST_F(CriDecoderTest, FlushHandsOutAPartialWhoseLastPartNeverCame) {
  Push("2024-05-01T12:00:00Z stderr P killed mid-");
  decoder_.Flush(collect_);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(out_[0].text, "killed mid-");
  EXPECT_EQ(out_[0].stream, "stderr");
  decoder_.Flush(collect_);  // nothing pending: nothing more
  EXPECT_EQ(out_.size(), 1u);
}

}  // namespace
}  // namespace sluice::inputs::file
