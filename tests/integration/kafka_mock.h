// MockCluster: tests/tools/kafka_mock_cluster (librdkafka's mock cluster, the real Kafka
// protocol) as a process of its own, with its fault commands.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/subprocess.h"

namespace sluice::testing {

// A mock cluster process: 3 brokers and the topics asked for.
class MockCluster {
 public:
  MockCluster(const std::filesystem::path& dir, const std::vector<std::string>& topics)
      : dir_(dir), process_(Args(topics), dir, /*stdin_pipe=*/true) {
    std::smatch m;
    static const std::regex kBootstrap("bootstrap\\.servers=(\\S+)");
    EXPECT_TRUE(WaitUntil([&] {
      std::string out = process_.Stdout();
      if (!std::regex_search(out, m, kBootstrap)) return false;
      bootstrap_ = m[1];
      return true;
    })) << process_.Stderr();
  }
  ~MockCluster() {
    process_.CloseStdin();
    process_.WaitFor(std::chrono::seconds(10));
  }
  const std::string& bootstrap() const { return bootstrap_; }
  // Sends a fault command (see kafka_mock_cluster.cc) and waits for its "ok".
  void Command(const std::string& command) {
    ++commands_;
    process_.WriteStdin(command + "\n");
    std::string ok = "ok " + std::to_string(commands_) + "\n";
    EXPECT_TRUE(WaitUntil([&] { return process_.Stdout().find(ok) != std::string::npos; }))
        << command << ": " << process_.Stdout();
  }

 private:
  static std::vector<std::string> Args(const std::vector<std::string>& topics) {
    std::vector<std::string> args = {SLUICE_KAFKA_MOCK, "--brokers", "3"};
    for (const auto& t : topics) {
      args.push_back("--topic");
      args.push_back(t);
    }
    return args;
  }
  std::filesystem::path dir_;
  Subprocess process_;
  std::string bootstrap_;
  int commands_ = 0;
};

}  // namespace sluice::testing
