#include "plugins/inputs/stdin.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <mutex>

#include "tests/unit/test_util.h"

namespace sluice::inputs {
namespace {

// An InputContext that keeps what it is given.
class RecordingContext final : public InputContext {
 public:
  std::shared_ptr<SourceTracker> AddSource(std::string name, SourceTracker::CommitFn fn) override {
    return std::make_shared<SourceTracker>(std::move(name), std::move(fn));
  }
  bool Emit(EventBatch&& batch, const std::shared_ptr<SourceTracker>&, uint64_t) override {
    std::lock_guard lock(mu);
    for (const Event& e : batch.events()) {
      lines.emplace_back(e.message());
      truncated.push_back(e.HasTag("_line_truncated"));
    }
    batches++;
    return true;
  }
  bool WaitForCapacity(size_t, int64_t, bool) override { return true; }
  void Finished() override { finished = true; }
  bool stopping() const override { return false; }

  std::mutex mu;
  std::vector<std::string> lines;
  std::vector<bool> truncated;
  int batches = 0;
  std::atomic<bool> finished{false};
};

class StdinInputTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::pipe(fds_), 0); }
  void TearDown() override {
    if (fds_[1] >= 0) ::close(fds_[1]);
    ::close(fds_[0]);
  }
  void WriteAndClose(const std::string& data) {
    ASSERT_EQ(::write(fds_[1], data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fds_[1]);
    fds_[1] = -1;
  }
  std::unique_ptr<StdinInput> Make(StdinInput::Options options) {
    context_.metrics = &metrics_;
    return std::make_unique<StdinInput>(options, context_, fds_[0]);
  }
  int fds_[2];
  MetricsRegistry registry_;
  ComponentMetrics metrics_{registry_, {}};
  PluginContext context_;
};

TEST_F(StdinInputTest, ReadsLinesUntilEofThenFinishes) {
  auto input = Make({});
  RecordingContext ctx;
  ASSERT_TRUE(input->Start(ctx).ok());
  WriteAndClose("17/06/09 20:10:40 INFO a: one\r\ntwo\n\nlast without newline");
  ASSERT_TRUE(testing::WaitUntil([&] { return ctx.finished.load(); }));
  input->Join();
  EXPECT_EQ(ctx.lines, std::vector<std::string>(
                           {"17/06/09 20:10:40 INFO a: one", "two", "", "last without newline"}));
}

TEST_F(StdinInputTest, BatchesAreBoundedByBatchEvents) {
  auto input = Make({.batch_events = 10});
  RecordingContext ctx;
  ASSERT_TRUE(input->Start(ctx).ok());
  std::string data;
  for (int i = 0; i < 95; ++i) data += "line " + std::to_string(i) + "\n";
  WriteAndClose(data);
  ASSERT_TRUE(testing::WaitUntil([&] { return ctx.finished.load(); }));
  input->Join();
  ASSERT_EQ(ctx.lines.size(), 95u);
  EXPECT_EQ(ctx.lines[94], "line 94");
  EXPECT_GE(ctx.batches, 10);
}

TEST_F(StdinInputTest, HugeLineIsCutAndTagged) {
  auto input = Make({.max_line_bytes = ByteSize{100}});
  RecordingContext ctx;
  ASSERT_TRUE(input->Start(ctx).ok());
  WriteAndClose(std::string(250, 'x') + "\nshort\n");
  ASSERT_TRUE(testing::WaitUntil([&] { return ctx.finished.load(); }));
  input->Join();
  ASSERT_EQ(ctx.lines.size(), 4u);
  EXPECT_EQ(ctx.lines[0].size(), 100u);
  EXPECT_EQ(ctx.lines[2].size(), 50u);
  EXPECT_EQ(ctx.truncated, std::vector<bool>({true, true, true, false}));
}

TEST_F(StdinInputTest, StopInterruptsAnIdleRead) {
  auto input = Make({});
  RecordingContext ctx;
  ASSERT_TRUE(input->Start(ctx).ok());
  input->Stop();
  input->Join();  // returns although the pipe is still open and silent
  EXPECT_FALSE(ctx.finished);
}

}  // namespace
}  // namespace sluice::inputs
