#include "plugins/common/gunzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "tests/unit/gzip_util.h"

namespace sluice::common {
namespace {

using testing::GzipBytes;

std::string Inflated(const std::string& gz, std::string* error) {
  std::string out;
  *error = Gunzip(gz, [&](std::string_view chunk) { out.append(chunk); });
  return out;
}

TEST(GunzipTest, InflatesOneMemberAndSeveralInARow) {
  std::string error;
  EXPECT_EQ(Inflated(GzipBytes("hello\nworld\n"), &error), "hello\nworld\n");
  EXPECT_EQ(error, "");
  EXPECT_EQ(Inflated(GzipBytes("first\n") + GzipBytes("second\n"), &error), "first\nsecond\n");
  EXPECT_EQ(error, "");
  EXPECT_TRUE(IsGzip(GzipBytes("x")));
  EXPECT_FALSE(IsGzip("plain text"));
}

TEST(GunzipTest, LargeDataComesInChunks) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "line " + std::to_string(i) + "\n";
  size_t chunks = 0;
  std::string out;
  EXPECT_EQ(Gunzip(GzipBytes(text),
                   [&](std::string_view c) {
                     ++chunks;
                     EXPECT_LE(c.size(), 256u << 10);
                     out.append(c);
                   }),
            "");
  EXPECT_EQ(out, text);
  EXPECT_GT(chunks, 1u);
}

TEST(GunzipTest, TruncatedAndCorruptDataSayWhatIsWrongAfterWhatCouldBeRead) {
  std::string text;
  for (int i = 0; i < 50000; ++i) text += "line " + std::to_string(i) + "\n";
  const std::string gz = GzipBytes(text);
  std::string error;
  std::string part = Inflated(gz.substr(0, gz.size() / 2), &error);
  EXPECT_EQ(error, "truncated gzip data");
  EXPECT_FALSE(part.empty());
  EXPECT_EQ(text.compare(0, part.size(), part), 0) << "what came out is the start of the text";
  std::string corrupt = gz;
  corrupt[gz.size() / 2] = static_cast<char>(corrupt[gz.size() / 2] ^ 0x55);
  Inflated(corrupt, &error);
  EXPECT_NE(error.find("corrupt gzip data"), std::string::npos) << error;
  Inflated("not gzip at all", &error);
  EXPECT_NE(error.find("corrupt gzip data"), std::string::npos) << error;
}

}  // namespace
}  // namespace sluice::common
