// The mock Kafka cluster helper (tests/tools/kafka_mock_cluster) speaks the real Kafka protocol:
// kcat, an outside client, produces to it and reads everything back in per-partition order.
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "tests/integration/require_peer.h"
#include "tests/integration/subprocess.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;

TEST(KafkaMockClusterTest, KcatProducesAndConsumesThroughIt) {
  SLUICE_REQUIRE_PEER(fs::exists("/usr/bin/kcat"),
                      "kcat not installed (scripts/deps.sh installs it)");
  fs::path dir = FreshTestDir("sluice_kafka_mock");
  Subprocess cluster({SLUICE_KAFKA_MOCK, "--brokers", "3", "--topic", "spark:3"}, dir,
                     /*stdin_pipe=*/true);
  std::smatch m;
  static const std::regex kBootstrap("bootstrap\\.servers=(\\S+)");
  std::string out;
  ASSERT_TRUE(WaitUntil([&] {
    out = cluster.Stdout();
    return std::regex_search(out, m, kBootstrap);
  })) << cluster.Stderr();
  std::string bootstrap = m[1];
  EXPECT_EQ(std::count(bootstrap.begin(), bootstrap.end(), ','), 2) << bootstrap;
  EXPECT_EQ(bootstrap.rfind("127.0.0.1:", 0), 0u) << bootstrap;

  // 3000 keyed messages: key k<i%10>, value <i>.
  std::string input;
  for (int i = 0; i < 3000; ++i)
    input += "k" + std::to_string(i % 10) + ":" + std::to_string(i) + "\n";
  std::ofstream(dir / "in.txt") << input;
  std::string produce = "/usr/bin/kcat -P -b " + bootstrap + " -t spark -K: -l " +
                        (dir / "in.txt").string() + " 2>" + (dir / "produce.err").string();
  ASSERT_EQ(std::system(produce.c_str()), 0) << ReadFile(dir / "produce.err");
  std::string consume = "/usr/bin/kcat -C -b " + bootstrap + " -t spark -e -q -f '%k %s\\n' >" +
                        (dir / "out.txt").string() + " 2>" + (dir / "consume.err").string();
  ASSERT_EQ(std::system(consume.c_str()), 0) << ReadFile(dir / "consume.err");

  std::vector<std::string> lines = ReadLines(dir / "out.txt");
  EXPECT_EQ(lines.size(), 3000u);
  std::map<std::string, std::vector<int>> by_key;
  for (const auto& l : lines) {
    size_t sp = l.find(' ');
    ASSERT_NE(sp, std::string::npos) << l;
    by_key[l.substr(0, sp)].push_back(std::stoi(l.substr(sp + 1)));
  }
  ASSERT_EQ(by_key.size(), 10u);
  for (const auto& [key, values] : by_key) {
    ASSERT_EQ(values.size(), 300u) << key;
    for (size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(values[i] % 10, key[1] - '0') << key;
      if (i > 0) {
        EXPECT_LT(values[i - 1], values[i]) << key << ": per-key order lost";
      }
    }
  }
  cluster.CloseStdin();  // the helper stops when its stdin closes
  EXPECT_EQ(cluster.WaitFor(std::chrono::seconds(10)), 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sluice::testing
