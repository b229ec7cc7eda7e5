#include "agent/secret_file_check.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/test_util.h"

namespace sluice::agent {
namespace {

TEST(SecretFileCheckTest, OthersAndForeignGroupsMustNotRead) {
  EXPECT_EQ(OtherReaders(0600, 10, 20), "");
  EXPECT_EQ(OtherReaders(0400, 10, 20), "");
  EXPECT_EQ(OtherReaders(0644, 10, 10), "others");
  EXPECT_EQ(OtherReaders(0604, 10, 10), "others");
  EXPECT_EQ(OtherReaders(0640, 10, 10), "");  // root:sluice 0640, running as group sluice
  EXPECT_EQ(OtherReaders(0640, 10, 20), "group 10");
  EXPECT_EQ(OtherReaders(0620, 10, 20), "");  // writable, not readable: no secret leaks
}

class SecretFileWarningsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::FreshTestDir("secret_file_check"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, mode_t mode) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << "admin: {token: x}\n";
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(SecretFileWarningsTest, OneWarningPerFileOthersCanRead) {
  std::string open = Write("open.yaml", 0644);
  std::string closed = Write("closed.yaml", 0600);
  std::string token = Write("admin-token", 0604);
  std::vector<config::SecretFileUse> uses = {
      {open, {open, 1, 16}, "admin.token"},
      {closed, {closed, 3, 9}, "pipelines.p.outputs[0].password"},
      {open, {open, 9, 20}, "pipelines.p.outputs[0].sasl.password"},
      {token, {closed, 2, 15}, "admin.token_file"},
      {(dir_ / "gone.yaml").string(), {"gone.yaml", 1, 1}, "admin.token"},
      {"t.yaml", {"t.yaml", 1, 1}, "admin.token"},
  };
  std::vector<std::string> warnings = SecretFileWarnings(uses);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], open + " holds a secret (admin.token at " + open +
                             ":1:16, pipelines.p.outputs[0].sasl.password at " + open +
                             ":9:20) and is readable by others (mode 0644); run `chmod 600 " +
                             open +
                             "` (or `chmod 640` with its group the one sluice runs as, e.g. "
                             "root:sluice), or set the secret from the environment (${VAR})");
  EXPECT_EQ(warnings[1], token + " holds a secret (read by admin.token_file at " + closed +
                             ":2:15) and is readable by others (mode 0604); run `chmod 600 " +
                             token +
                             "` (or `chmod 640` with its group the one sluice runs as, e.g. "
                             "root:sluice)");
}

TEST_F(SecretFileWarningsTest, NoWarningWhenOnlyTheOwnerReads) {
  std::string closed = Write("closed.yaml", 0600);
  EXPECT_TRUE(SecretFileWarnings({{closed, {closed, 1, 16}, "admin.token"}}).empty());
  EXPECT_TRUE(SecretFileWarnings({}).empty());
}

}  // namespace
}  // namespace sluice::agent
