// OutputTest: a fixture for output unit tests: a test directory as data_dir, a plugin context
// with metrics, and ack handles whose completion the test sees in a source tracker.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "pipeline/delivery.h"
#include "pipeline/engine_metrics.h"
#include "pipeline/plugin.h"
#include "pipeline/source_tracker.h"
#include "tests/unit/test_util.h"

namespace sluice::testing {

class OutputTest : public ::testing::Test {
 protected:
  // Makes /tmp/PREFIX_... the data_dir of pipeline "p", output "out" (SetUp calls it).
  void MakeContext(const std::string& prefix) {
    dir_ = FreshTestDir(prefix);
    context_.metrics = &metrics_;
    context_.data_dir = dir_.string();
    context_.pipeline = "p";
    context_.id = "out";
  }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  // A delivery of one batch; Committed() counts those acked, in order.
  AckHandle Handle() {
    auto d = std::make_shared<Delivery>(1, tracker_, tracker_->Begin(++checkpoint_), 0, nullptr,
                                        DeliveryCounters{});
    return AckHandle(d, &metrics_, 1, 1);
  }
  uint64_t Committed() {
    uint64_t cp = 0;
    return tracker_->committed(&cp) ? cp : 0;
  }

  std::filesystem::path dir_;
  MetricsRegistry registry_;
  ComponentMetrics metrics_{registry_, {}};
  PluginContext context_;
  std::shared_ptr<SourceTracker> tracker_ = std::make_shared<SourceTracker>("s", nullptr);
  uint64_t checkpoint_ = 0;
};

}  // namespace sluice::testing
