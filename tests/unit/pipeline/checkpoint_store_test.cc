#include "pipeline/checkpoint_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/test_util.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

class CheckpointStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDir("sluice_ckpt");
    path_ = (dir_ / "checkpoints" / "p.file.ckpt").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<CheckpointStore> OpenOk() {
    auto r = CheckpointStore::Open(path_, Logger("test"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }
  std::string Read(const std::string& p) { return testing::ReadFile(p); }
  void Write(const std::string& p, const std::string& data) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
  }
  fs::path dir_;
  std::string path_;
};

TEST_F(CheckpointStoreTest, NewStoreIsEmptyAndRoundTripsAwkwardKeysAndValues) {
  auto s = OpenOk();
  EXPECT_EQ(s->origin(), CheckpointStore::Origin::kNew);
  EXPECT_FALSE(s->Get("a").has_value());
  s->Set("/var/log/a\tb.log", "offset=10\nfp=ab\\cd");
  s->Set("k2", "");
  ASSERT_TRUE(s->Persist().ok());
  auto again = OpenOk();
  EXPECT_EQ(again->origin(), CheckpointStore::Origin::kPrimary);
  EXPECT_EQ(again->Get("/var/log/a\tb.log"), "offset=10\nfp=ab\\cd");
  EXPECT_EQ(again->Get("k2"), "");
  EXPECT_EQ(again->Entries().size(), 2u);
}

TEST_F(CheckpointStoreTest, PersistKeepsThePreviousCopyAsBackup) {
  auto s = OpenOk();
  s->Set("k", "1");
  ASSERT_TRUE(s->Persist().ok());
  std::string first = Read(path_);
  s->Set("k", "2");
  ASSERT_TRUE(s->Persist().ok());
  EXPECT_EQ(Read(path_ + ".bak"), first);
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
}

TEST_F(CheckpointStoreTest, TruncatedFileFallsBackToTheBackup) {
  auto s = OpenOk();
  s->Set("k", "1");
  ASSERT_TRUE(s->Persist().ok());
  s->Set("k", "2");
  ASSERT_TRUE(s->Persist().ok());
  std::string data = Read(path_);
  Write(path_, data.substr(0, data.size() / 2));  // a crash mid-write
  auto r = OpenOk();
  EXPECT_EQ(r->origin(), CheckpointStore::Origin::kBackup);
  EXPECT_EQ(r->Get("k"), "1");
}

TEST_F(CheckpointStoreTest, ACorruptPrimaryNeverReplacesAGoodBackup) {
  auto s = OpenOk();
  s->Set("k", "1");
  ASSERT_TRUE(s->Persist().ok());
  s->Set("k", "2");
  ASSERT_TRUE(s->Persist().ok());
  Write(path_, "corrupt");
  auto r = OpenOk();  // from the backup (k=1)
  r->Set("k", "3");
  ASSERT_TRUE(r->Persist().ok());
  EXPECT_EQ(OpenOk()->Get("k"), "3");
  EXPECT_NE(Read(path_ + ".bak"), "corrupt");
  fs::remove(path_);
  EXPECT_EQ(OpenOk()->Get("k"), "1");  // the good backup survived
}

TEST_F(CheckpointStoreTest, FlippedByteIsDetectedByTheCrc) {
  auto s = OpenOk();
  s->Set("offset", "123456");
  ASSERT_TRUE(s->Persist().ok());
  s->Set("offset", "223456");
  ASSERT_TRUE(s->Persist().ok());
  std::string data = Read(path_);
  data[data.find("223456")] = '9';
  Write(path_, data);
  auto r = OpenOk();
  EXPECT_EQ(r->origin(), CheckpointStore::Origin::kBackup);
  EXPECT_EQ(r->Get("offset"), "123456");
}

TEST_F(CheckpointStoreTest, MissingPrimaryWithBackupUsesTheBackup) {
  auto s = OpenOk();
  s->Set("k", "1");
  ASSERT_TRUE(s->Persist().ok());
  s->Set("k", "2");
  ASSERT_TRUE(s->Persist().ok());
  fs::remove(path_);  // a crash between the two renames
  auto r = OpenOk();
  EXPECT_EQ(r->origin(), CheckpointStore::Origin::kBackup);
  EXPECT_EQ(r->Get("k"), "1");
}

TEST_F(CheckpointStoreTest, BothCorruptIsAnErrorNotASilentRestart) {
  fs::create_directories(fs::path(path_).parent_path());
  Write(path_, "garbage");
  Write(path_ + ".bak", "sluice-checkpoints 1\nk\tv\n");
  auto r = CheckpointStore::Open(path_, Logger("test"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "checkpoint file '" + path_ + "' is corrupt (bad header) and its backup '" + path_ +
                ".bak' is corrupt (truncated: no crc32 trailer); refusing to start over silently: "
                "restore "
                "one of them, or delete both to read every source from its start");
}

TEST_F(CheckpointStoreTest, PersistWithoutChangesWritesNothing) {
  auto s = OpenOk();
  s->Set("k", "1");
  ASSERT_TRUE(s->Persist().ok());
  fs::remove(path_);
  ASSERT_TRUE(s->Persist().ok());  // not dirty: no write
  EXPECT_FALSE(fs::exists(path_));
  s->Set("k", "1");  // same value: still not dirty
  ASSERT_TRUE(s->Persist().ok());
  EXPECT_FALSE(fs::exists(path_));
}

}  // namespace
}  // namespace sluice
