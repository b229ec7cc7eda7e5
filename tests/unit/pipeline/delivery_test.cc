#include "pipeline/delivery.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

class DeliveryTest : public ::testing::Test {
 protected:
  std::shared_ptr<Delivery> Make(int outputs) {
    seq_ = tracker_->Begin(500);
    EXPECT_TRUE(limiter_->Acquire(1000));
    return std::make_shared<Delivery>(outputs, tracker_, seq_, 1000, limiter_,
                                      DeliveryCounters{&acked_, &failed_});
  }
  // The only handle of a one-output delivery: the delivery lives as long as the handle.
  AckHandle OnlyHandle() { return AckHandle(Make(1), nullptr, 1, 1); }
  std::vector<uint64_t> commits_;
  std::shared_ptr<SourceTracker> tracker_ =
      std::make_shared<SourceTracker>("s", [this](uint64_t cp) { commits_.push_back(cp); });
  std::shared_ptr<InflightLimiter> limiter_ = std::make_shared<InflightLimiter>(1 << 20);
  Counter acked_, failed_;
  uint64_t seq_ = 0;
};

TEST_F(DeliveryTest, CommitsOnlyWhenEveryOutputAcked) {
  MetricsRegistry registry;
  ComponentMetrics out(registry, {{"id", "o"}});
  auto d = Make(2);
  AckHandle a(d, &out, 10, 100), b(d, nullptr, 10, 100);
  d.reset();
  a.Ack();
  EXPECT_TRUE(commits_.empty());
  EXPECT_EQ(limiter_->bytes(), 1000u);
  b.Ack();
  EXPECT_EQ(commits_, std::vector<uint64_t>({500}));
  EXPECT_EQ(limiter_->bytes(), 0u);
  EXPECT_EQ(acked_.value(), 1u);
  EXPECT_EQ(out.sent_events.value(), 10u);
  EXPECT_EQ(out.sent_bytes.value(), 100u);
}

TEST_F(DeliveryTest, OneFailureHoldsTheCheckpointButReleasesTheBytes) {
  auto d = Make(2);
  AckHandle a(d, nullptr, 1, 1), b(d, nullptr, 1, 1);
  d.reset();
  a.Ack();
  b.Fail();
  EXPECT_TRUE(commits_.empty());
  EXPECT_EQ(limiter_->bytes(), 0u);
  EXPECT_EQ(failed_.value(), 1u);
  EXPECT_EQ(acked_.value(), 0u);
}

TEST_F(DeliveryTest, DestroyingAHandleFailsItAndAckAfterwardsIsANoop) {
  { AckHandle a = OnlyHandle(); }
  EXPECT_EQ(failed_.value(), 1u);
  EXPECT_EQ(limiter_->batches(), 0u);
}

TEST_F(DeliveryTest, MovedHandleSettlesOnce) {
  AckHandle a = OnlyHandle();
  AckHandle b = std::move(a);
  b.Ack();
  b.Ack();
  a.Ack();  // NOLINT: moved-from on purpose
  EXPECT_EQ(acked_.value(), 1u);
  EXPECT_EQ(failed_.value(), 0u);
  EXPECT_EQ(commits_, std::vector<uint64_t>({500}));
}

TEST_F(DeliveryTest, SharedAckAcksOnceEveryPieceSettledAndSaysWhichCallWasLast) {
  SharedAck shared(OnlyHandle());
  shared.Add(2);                      // two pieces besides the creating call
  EXPECT_FALSE(shared.Settle(true));  // a piece
  EXPECT_FALSE(shared.Settle(true));  // the creating call
  EXPECT_TRUE(commits_.empty());
  EXPECT_TRUE(shared.Settle(true));  // the last piece acks the batch
  EXPECT_EQ(acked_.value(), 1u);
  EXPECT_EQ(commits_, std::vector<uint64_t>({500}));
}

TEST_F(DeliveryTest, SharedAckFailsTheBatchWhenOnePieceFailed) {
  SharedAck shared(OnlyHandle());
  shared.Add();
  EXPECT_FALSE(shared.Settle(false));
  EXPECT_TRUE(shared.Settle(true));
  EXPECT_EQ(failed_.value(), 1u);
  EXPECT_EQ(acked_.value(), 0u);
  EXPECT_TRUE(commits_.empty());
}

}  // namespace
}  // namespace sluice
