// What the tests of a collector fed from Kafka share (the elasticsearch and s3 outputs behind the
// kafka input): kcat, the outside producer, as a required peer; a mock cluster whose topic holds
// numbered lines; and the count of what the output stored against those lines.
// Thread-safety: none; used by the test's thread.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "tests/integration/kafka_mock.h"
#include "tests/integration/require_peer.h"
#include "tests/integration/sequence_checker.h"

namespace sluice::testing {

inline constexpr char kKcatBinary[] = "/usr/bin/kcat";

// A mock cluster under `dir` (created) with the topic `spark` of `partitions` partitions, holding
// `lines` numbered lines (`seq=N file=app0 ...`, in DIR/lines.txt too) produced by kcat.
inline std::unique_ptr<MockCluster> SparkTopicWithNumberedLines(const std::filesystem::path& dir,
                                                                int partitions, int lines) {
  std::filesystem::create_directories(dir);
  auto cluster = std::make_unique<MockCluster>(
      dir, std::vector<std::string>{"spark:" + std::to_string(partitions) + ":1"});
  ProduceNumberedLines(cluster->bootstrap(), "spark", dir / "lines.txt", lines);
  return cluster;
}

// Expects the numbered lines [0, lines) of app0, as `feed` hands what was stored to the checker:
// none lost, none twice.
inline void ExpectEachNumberedLineOnce(int lines,
                                       const std::function<void(SequenceChecker&)>& feed) {
  SequenceChecker checker;
  checker.Expect("app0", lines);
  feed(checker);
  SequenceReport report = checker.Report();
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_EQ(report.total.duplicates, 0u) << report.ToString();
}

}  // namespace sluice::testing

// Skips the test (fails it under SLUICE_REQUIRE_PEERS=1) when kcat is missing; see require_peer.h.
#define SLUICE_REQUIRE_KCAT()                                                  \
  SLUICE_REQUIRE_PEER(std::filesystem::exists(::sluice::testing::kKcatBinary), \
                      "kcat not installed (scripts/deps.sh installs it)")
