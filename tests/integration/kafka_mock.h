// MockCluster: tests/tools/kafka_mock_cluster (librdkafka's mock cluster, the real Kafka
// protocol) as a process of its own, with its fault commands.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
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

// Writes `lines` numbered lines (`seq=N file=app0 ...`) to `file` and produces them to `topic`
// with kcat (an outside client), one message each.
inline void ProduceNumberedLines(const std::string& bootstrap, const std::string& topic,
                                 const std::filesystem::path& file, int lines) {
  {
    std::ofstream out(file);
    for (int i = 0; i < lines; ++i) {
      char buf[128];
      std::snprintf(buf, sizeof(buf), "seq=%07d file=app0 17/06/09 20:10:40 INFO Executor: task %d",
                    i, i % 1000);
      out << buf << "\n";
    }
  }
  std::string produce = "/usr/bin/kcat -P -X sticky.partitioning.linger.ms=0 -b " + bootstrap +
                        " -t " + topic + " -l " + file.string();
  ASSERT_EQ(std::system(produce.c_str()), 0);
}

}  // namespace sluice::testing
