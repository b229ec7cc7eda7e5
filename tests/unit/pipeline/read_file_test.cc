#include "pipeline/read_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/unit/test_util.h"

namespace sluice {
namespace {

class ReadFileTest : public testing::TempDirTest {
 protected:
  ReadFileTest() : TempDirTest("sluice_read_file") {}
  static std::string Error(const std::string& path, size_t max_bytes) {
    Result<std::string> r = ReadBoundedFile(path, max_bytes);
    EXPECT_FALSE(r.ok()) << path;
    return r.ok() ? "" : std::string(r.status().message());
  }
};

TEST_F(ReadFileTest, ReadsARegularFileWholeUpToTheBound) {
  std::string content(10000, 'x');
  content[5] = '\0';
  const std::string path = Write("f", content);
  Result<std::string> r = ReadBoundedFile(path, content.size());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, content);
  EXPECT_EQ(ReadBoundedFile(Write("empty", ""), 0).value(), "");
  // Through a symbolic link, as Kubernetes mounts secrets.
  std::filesystem::create_symlink(path, dir_ / "link");
  EXPECT_EQ(ReadBoundedFile((dir_ / "link").string(), 1 << 20).value(), content);
}

TEST_F(ReadFileTest, RefusesWhatIsNotASmallRegularFile) {
  EXPECT_EQ(Error(Write("big", std::string(1025, 'x')), 1024),
            "it is larger than 1KiB; is it the right file?");
  EXPECT_EQ(Error((dir_ / "missing").string(), 1024), "No such file or directory");
  EXPECT_EQ(Error(dir_.string(), 1024), "it is a directory, not a file");
  EXPECT_EQ(Error("/dev/zero", 1024), "it is not a regular file (a device, pipe or socket)");
  // A FIFO with no writer: refused without opening it (open would block).
  const std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(Error(fifo, 1024), "it is not a regular file (a device, pipe or socket)");
}

}  // namespace
}  // namespace sluice
