#include "plugins/common/compressor.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

namespace sluice::common {
namespace {

// `capacity`: at least the decompressed size.
std::string Gunzip(const std::string& in, size_t capacity) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(capacity, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

std::string Unzstd(const std::string& in, size_t capacity) {
  std::string out(capacity, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
  EXPECT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

// Many appends make one stream that the codec's own decoder reads back whole.
TEST(StreamCompressorTest, EveryCodecRoundTripsAStreamOfAppends) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "{\"message\":\"line " + std::to_string(i) + "\"}\n";
  for (std::string codec : {"gzip", "zstd", "none"}) {
    auto c = StreamCompressor::Make(codec, 1);
    ASSERT_TRUE(c.ok()) << codec;
    std::string out;
    for (size_t at = 0; at < text.size(); at += 777) {
      ASSERT_TRUE(c.value()->Append(std::string_view(text).substr(at, 777), out).ok());
    }
    ASSERT_TRUE(c.value()->Finish(out).ok());
    if (codec == "gzip") {
      EXPECT_LT(out.size(), text.size() / 4);
      EXPECT_TRUE(Gunzip(out, text.size() + 1024) == text);
    } else if (codec == "zstd") {
      EXPECT_LT(out.size(), text.size() / 4);
      EXPECT_TRUE(Unzstd(out, text.size() + 1024) == text);
    } else {
      EXPECT_TRUE(out == text);
    }
  }
  EXPECT_EQ(StreamCompressor::Extension("gzip"), ".gz");
  EXPECT_EQ(StreamCompressor::Extension("zstd"), ".zst");
  EXPECT_EQ(StreamCompressor::ContentEncoding("none"), "");
  EXPECT_FALSE(StreamCompressor::Make("brotli", 1).ok());
}

// Incompressible bytes in small appends: each append's output room is about its input, so a
// flushed block (as large as its input) drains over several calls; nothing is lost.
TEST(StreamCompressorTest, ZstdRoundTripsIncompressibleBytesAppendedInSmallPieces) {
  std::string text;
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 600000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    text += static_cast<char>(x & 0xff);
  }
  auto c = StreamCompressor::Make("zstd", 1);
  ASSERT_TRUE(c.ok());
  std::string out;
  for (size_t at = 0; at < text.size(); at += 300) {
    ASSERT_TRUE(c.value()->Append(std::string_view(text).substr(at, 300), out).ok());
  }
  ASSERT_TRUE(c.value()->Finish(out).ok());
  EXPECT_TRUE(Unzstd(out, text.size() + 1024) == text);
}

}  // namespace
}  // namespace sluice::common
