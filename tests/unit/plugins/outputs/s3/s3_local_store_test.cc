// LocalStore (local bronze, `endpoint: file://DIR`): the ObjectStore contract on a directory.
#include "plugins/outputs/s3/s3_local_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/test_util.h"

namespace sluice::outputs::s3 {
namespace {

namespace fs = std::filesystem;

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::FreshTestDir("sluice_s3_local_store"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// Put copies the staging file to DIR/BUCKET/KEY, making the directories, replacing what is there
// and leaving no temporary file; Get reads it back.
TEST_F(LocalStoreTest, PutStoresTheStagingFileUnderTheKey) {
  LocalStore store(dir_.string(), "lake");
  ASSERT_TRUE(store.Check().ok());
  EXPECT_TRUE(fs::is_directory(dir_ / "lake"));
  std::ofstream(dir_ / "staging") << "first";
  S3Result r = store.Put("spark/dt=2026-12-02/o.ndjson.gz", (dir_ / "staging").string(), 5);
  ASSERT_TRUE(r.ok()) << r.ToString();
  EXPECT_EQ(r.status, 200);
  std::ofstream(dir_ / "staging") << "second";
  ASSERT_TRUE(store.Put("spark/dt=2026-12-02/o.ndjson.gz", (dir_ / "staging").string(), 6).ok());
  EXPECT_EQ(testing::ReadFile(dir_ / "lake/spark/dt=2026-12-02/o.ndjson.gz"), "second");
  EXPECT_FALSE(fs::exists(dir_ / "lake/spark/dt=2026-12-02/o.ndjson.gz.tmp"));
  std::string body;
  ASSERT_TRUE(store.Get("spark/dt=2026-12-02/o.ndjson.gz", &body).ok());
  EXPECT_EQ(body, "second");
  EXPECT_EQ(store.Describe("k/o"), (dir_ / "lake/k/o").string());
}

// Markers: PutText then Get; a key never written is 404 NoSuchKey (the output's "no marker").
TEST_F(LocalStoreTest, TextRoundTripsAndAMissingKeyIs404) {
  LocalStore store(dir_.string(), "lake");
  ASSERT_TRUE(store.PutText("_sluice/offsets/spark+3", "1099\n").ok());
  EXPECT_EQ(testing::ReadFile(dir_ / "lake/_sluice/offsets/spark+3"), "1099\n");
  std::string body;
  ASSERT_TRUE(store.Get("_sluice/offsets/spark+3", &body).ok());
  EXPECT_EQ(body, "1099\n");
  S3Result missing = store.Get("_sluice/offsets/spark+4", &body);
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.code, "NoSuchKey");
}

// Failures have no HTTP status and name the file: a staging file that is gone, a bucket directory
// that cannot be made.
TEST_F(LocalStoreTest, FailuresNameTheFile) {
  LocalStore store(dir_.string(), "lake");
  S3Result r = store.Put("o.ndjson.gz", (dir_ / "gone").string(), 5);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.message.find("o.ndjson.gz.tmp"), std::string::npos) << r.message;
  EXPECT_FALSE(fs::exists(dir_ / "lake/o.ndjson.gz"));
  std::ofstream(dir_ / "file") << "not a directory";
  LocalStore under_a_file((dir_ / "file").string(), "lake");
  r = under_a_file.Check();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.message.find((dir_ / "file/lake").string()), std::string::npos) << r.message;
}

}  // namespace
}  // namespace sluice::outputs::s3
