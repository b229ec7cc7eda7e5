#include "plugins/outputs/stdout.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sluice::outputs {
namespace {

class StdoutOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::pipe(fds_), 0);
    context_.metrics = &metrics_;
  }
  void TearDown() override {
    ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  std::string Drain() {
    ::close(fds_[1]);
    fds_[1] = -1;
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds_[0], buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
  AckHandle Handle() {
    auto d = std::make_shared<Delivery>(1, tracker_, tracker_->Begin(1), 0, nullptr,
                                        DeliveryCounters{&acked_, &failed_});
    return AckHandle(d, &metrics_, 1, 1);
  }
  int fds_[2];
  MetricsRegistry registry_;
  ComponentMetrics metrics_{registry_, {}};
  PluginContext context_;
  std::shared_ptr<SourceTracker> tracker_ = std::make_shared<SourceTracker>("s", nullptr);
  Counter acked_, failed_;
};

TEST_F(StdoutOutputTest, TextCodecWritesMessagesAndAcks) {
  StdoutOutput out({.codec = common::Codec::kText}, context_, fds_[1]);
  EventBatch batch;
  batch.Add(0, "line one");
  batch.Add(0, "line\ttwo");
  out.Write(batch, Handle());
  EXPECT_EQ(Drain(), "line one\nline\ttwo\n");
  EXPECT_EQ(acked_.value(), 1u);
}

TEST_F(StdoutOutputTest, JsonCodecWritesOneObjectPerLine) {
  StdoutOutput out({.codec = common::Codec::kJson}, context_, fds_[1]);
  EventBatch batch;
  batch.Add(1'000'000'000, "m").Set("log.level", Value::String("WARN"));
  out.Write(batch, Handle());
  EXPECT_EQ(Drain(),
            "{\"@timestamp\":\"1970-01-01T00:00:01Z\",\"message\":\"m\",\"log\":{\"level\":"
            "\"WARN\"}}\n");
}

TEST_F(StdoutOutputTest, AClosedReaderFailsTheBatchAndTheHealth) {
  ::close(fds_[0]);
  fds_[0] = ::open("/dev/null", O_RDONLY);  // keep TearDown's close valid
  StdoutOutput out({.codec = common::Codec::kText}, context_, fds_[1]);
  EventBatch batch;
  batch.Add(0, "x");
  out.Write(batch, Handle());  // EPIPE (SIGPIPE is ignored by the test runner below)
  EXPECT_EQ(failed_.value(), 1u);
  EXPECT_EQ(acked_.value(), 0u);
  EXPECT_FALSE(out.healthy());
}

}  // namespace
}  // namespace sluice::outputs
