#include "plugins/common/ca_bundle.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/unit/test_util.h"

namespace sluice::common {
namespace {

TEST(CaBundleTest, TheFirstReadableRegularFileWins) {
  auto dir = testing::FreshTestDir("ca_bundle");
  const std::string absent = (dir / "absent.pem").string();
  const std::string a_directory = dir.string();
  const std::string first = (dir / "first.pem").string();
  const std::string second = (dir / "second.pem").string();
  std::ofstream(first) << "-----BEGIN CERTIFICATE-----\n";
  std::ofstream(second) << "-----BEGIN CERTIFICATE-----\n";
  EXPECT_EQ(FindCaBundle({absent, a_directory, first, second}), first);
  EXPECT_EQ(FindCaBundle({absent, second, first}), second);
  EXPECT_EQ(FindCaBundle({absent, a_directory}), "");
  EXPECT_EQ(FindCaBundle({}), "");
  std::filesystem::remove_all(dir);
}

TEST(CaBundleTest, TheSystemBundleExistsOnThisMachine) {
  // Debian 12 with ca-certificates (curl and the test peers' TLS need it): the bundle is found.
  const std::string& bundle = SystemCaBundle();
  ASSERT_FALSE(bundle.empty());
  EXPECT_TRUE(std::filesystem::is_regular_file(bundle)) << bundle;
}

}  // namespace
}  // namespace sluice::common
