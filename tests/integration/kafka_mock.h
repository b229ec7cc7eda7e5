// MockCluster: tests/tools/kafka_mock_cluster (librdkafka's mock cluster, the real Kafka
// protocol) as a process of its own, with its fault commands.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/integration/command_process.h"

namespace sluice::testing {

// A mock cluster process: 3 brokers and the topics asked for; Command() sends a fault command
// (see kafka_mock_cluster.cc) and waits for its "ok".
class MockCluster : public CommandProcess {
 public:
  MockCluster(const std::filesystem::path& dir, const std::vector<std::string>& topics)
      : CommandProcess(Args(topics), dir, "bootstrap\\.servers=(\\S+)") {}
  const std::string& bootstrap() const { return announced(); }

 private:
  static std::vector<std::string> Args(const std::vector<std::string>& topics) {
    std::vector<std::string> args = {SLUICE_KAFKA_MOCK, "--brokers", "3"};
    for (const auto& t : topics) {
      args.push_back("--topic");
      args.push_back(t);
    }
    return args;
  }
};

}  // namespace sluice::testing
