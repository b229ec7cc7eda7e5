// StagedObject: an open object compressed into its staging file, in chunks, and finished whole.
#include "plugins/outputs/s3/s3_staged_object.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/unit/plugins/outputs/s3/gunzip.h"
#include "tests/unit/test_util.h"

namespace sluice::outputs::s3 {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<common::StreamCompressor> Codec(const std::string& name) {
  return common::StreamCompressor::Make(name, 1).value();
}

class StagedObjectTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::FreshTestDir("sluice_s3_staged_object"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// Lines are counted and compressed; the staging file gets them kWriteChunk at a time, and all of
// them, as one valid gzip stream, after Finish().
TEST_F(StagedObjectTest, LinesGoToTheStagingFileInChunksThenWhole) {
  StagedObject o;
  o.StartStaging((dir_ / "00000001.part").string(), Codec("none"));
  o.Append("{\"message\":\"a\"}\n");
  EXPECT_EQ(o.events, 1u);
  EXPECT_EQ(o.raw_bytes, 16u);
  EXPECT_EQ(o.staged, 0u) << "written before a chunk was full";
  EXPECT_EQ(o.size(), 16u);
  const std::string big(StagedObject::kWriteChunk, 'x');
  o.Append(big);
  EXPECT_EQ(o.staged, StagedObject::kWriteChunk + 16);
  EXPECT_TRUE(o.buffer.empty());
  EXPECT_EQ(fs::file_size(dir_ / "00000001.part"), o.staged);
  o.Append("tail\n");
  o.Finish();
  EXPECT_FALSE(o.broken);
  EXPECT_EQ(o.fd, -1);
  EXPECT_EQ(o.compressor, nullptr);
  EXPECT_EQ(o.size(), o.staged);
  EXPECT_EQ(testing::ReadFile(dir_ / "00000001.part"), "{\"message\":\"a\"}\n" + big + "tail\n");

  StagedObject gz;
  gz.StartStaging((dir_ / "00000002.part").string(), Codec("gzip"));
  gz.Append("one\n");
  gz.Append("two\n");
  gz.Finish();
  EXPECT_FALSE(gz.broken);
  EXPECT_EQ(gz.events, 2u);
  EXPECT_EQ(fs::file_size(dir_ / "00000002.part"), gz.staged);
  EXPECT_EQ(testing::GunzipFile(dir_ / "00000002.part"), "one\ntwo\n");
}

// A staging file that cannot be created breaks the object (its batches will not be acked).
TEST_F(StagedObjectTest, AStagingFileThatCannotBeWrittenBreaksTheObject) {
  StagedObject o;
  o.StartStaging((dir_ / "missing_dir/00000001.part").string(), Codec("gzip"));
  EXPECT_EQ(o.fd, -1);
  o.Append("line\n");
  EXPECT_FALSE(o.broken) << "nothing written yet";
  o.Finish();
  EXPECT_TRUE(o.broken);
}

}  // namespace
}  // namespace sluice::outputs::s3
