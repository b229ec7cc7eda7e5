#include "plugins/inputs/file/file_identity.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "tests/unit/test_util.h"

namespace sluice::inputs::file {
namespace {

TEST(FileIdentityTest, Fnv1aIsTheStandardFunction) {
  // Published FNV-1a 64 test vectors: the hash is persisted, so it must never change.
  EXPECT_EQ(Fnv1a(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(Fnv1a("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(Fnv1a("foobar"), 0x85944171f73967e8ull);
}

TEST(FileIdentityTest, FingerprintCoversAtMostTheFirstBytes) {
  auto dir = testing::FreshTestDir("sluice_identity");
  std::string path = (dir / "f.log").string();
  std::ofstream(path) << "0123456789abcdef";
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  auto short_fp = ComputeFingerprint(fd, 1024, path);
  ASSERT_TRUE(short_fp.ok());
  EXPECT_EQ(short_fp->length, 16u);
  EXPECT_EQ(short_fp->hash, Fnv1a("0123456789abcdef"));
  auto prefix = ComputeFingerprint(fd, 4, path);
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(prefix->length, 4u);
  EXPECT_EQ(prefix->hash, Fnv1a("0123"));
  EXPECT_EQ(::lseek(fd, 0, SEEK_CUR), 0);  // pread: the position is untouched
  ::close(fd);
  std::filesystem::remove_all(dir);
}

TEST(FileIdentityTest, SavedFileRoundTripsPathsWithSpaces) {
  SavedFile saved{123456, Fingerprint{1024, 0xdeadbeefcafef00dull}, 0x0123456789abcdefull,
                  "/var/log/my app/stderr"};
  std::string text = saved.Encode();
  EXPECT_EQ(text, "123456 1024 deadbeefcafef00d 0123456789abcdef /var/log/my app/stderr");
  SavedFile back;
  ASSERT_TRUE(SavedFile::Decode(text, &back));
  EXPECT_EQ(back.offset, saved.offset);
  EXPECT_EQ(back.fingerprint, saved.fingerprint);
  EXPECT_EQ(back.source_id, saved.source_id);
  EXPECT_EQ(back.path, saved.path);
}

TEST(FileIdentityTest, DecodeRejectsGarbage) {
  SavedFile out;
  EXPECT_FALSE(SavedFile::Decode("", &out));
  EXPECT_FALSE(SavedFile::Decode("12 x", &out));
  EXPECT_FALSE(SavedFile::Decode("12 1024 zz 00 /p", &out));
  EXPECT_FALSE(SavedFile::Decode("-1 1024 00 00 /p", &out));
}

}  // namespace
}  // namespace sluice::inputs::file
