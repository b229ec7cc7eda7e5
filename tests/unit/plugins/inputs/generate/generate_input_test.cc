#include "plugins/inputs/generate/generate_input.h"

#include <gtest/gtest.h>

#include <mutex>
#include <regex>

#include "tests/unit/test_util.h"

namespace sluice::inputs {
namespace {

class CollectingContext final : public InputContext {
 public:
  std::shared_ptr<SourceTracker> AddSource(std::string name, SourceTracker::CommitFn fn) override {
    return std::make_shared<SourceTracker>(std::move(name), std::move(fn));
  }
  bool Emit(EventBatch&& batch, const std::shared_ptr<SourceTracker>&, uint64_t cp) override {
    std::lock_guard lock(mu);
    for (const Event& e : batch.events()) {
      messages.emplace_back(e.message());
      const Value* level = e.Get("log.level");
      levels.emplace_back(level ? level->as_string() : "");
      const Value* logger = e.Get("log.logger");
      loggers.emplace_back(logger ? logger->as_string() : "");
      has_path.push_back(e.Get("log.file.path") != nullptr && e.Get("host.name") != nullptr &&
                         e.Get("spark.app_id") != nullptr);
      times.push_back(e.timestamp_ns());
    }
    checkpoints.push_back(cp);
    return true;
  }
  bool WaitForCapacity(size_t, int64_t, bool) override { return true; }
  void Finished() override { finished = true; }
  bool stopping() const override { return false; }

  std::mutex mu;
  std::vector<std::string> messages, levels, loggers;
  std::vector<bool> has_path;
  std::vector<int64_t> times;
  std::vector<uint64_t> checkpoints;
  std::atomic<bool> finished{false};
};

std::unique_ptr<CollectingContext> Generate(GenerateInput::Options options) {
  MetricsRegistry registry;
  ComponentMetrics metrics(registry, {});
  PluginContext plugin;
  plugin.metrics = &metrics;
  auto ctx = std::make_unique<CollectingContext>();
  GenerateInput input(options, plugin);
  EXPECT_TRUE(input.Start(*ctx).ok());
  EXPECT_TRUE(testing::WaitUntil([&] { return ctx->finished.load(); }));
  input.Join();
  return ctx;
}

TEST(GenerateInputTest, CountFinishesWithExactlyThatManyEventsInBatches) {
  auto ctx = Generate({.count = 2500, .batch_events = 1000});
  EXPECT_EQ(ctx->messages.size(), 2500u);
  EXPECT_EQ(ctx->checkpoints, std::vector<uint64_t>({1000, 2000, 2500}));
  EXPECT_TRUE(std::is_sorted(ctx->times.begin(), ctx->times.end()));
}

TEST(GenerateInputTest, FieldsMatchTheMessage) {
  auto ctx = Generate({.count = 2000, .stack_trace_ratio = 0.1});
  const std::regex head(R"(^\d\d/\d\d/\d\d \d\d:\d\d:\d\d (\w+) ([^:]+): )");
  size_t traces = 0;
  for (size_t i = 0; i < ctx->messages.size(); ++i) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(ctx->messages[i], m, head)) << ctx->messages[i];
    EXPECT_EQ(m[1], ctx->levels[i]);
    EXPECT_EQ(m[2], ctx->loggers[i]);
    EXPECT_TRUE(ctx->has_path[i]);
    if (ctx->messages[i].find("\n\tat ") != std::string::npos) ++traces;
  }
  EXPECT_GT(traces, 100u);  // ~10% of 2000 carry a multi-line stack trace
}

TEST(GenerateInputTest, SameSeedSameEventsOtherSeedOtherEvents) {
  auto a = Generate({.count = 300, .seed = 5});
  auto b = Generate({.count = 300, .seed = 5});
  auto c = Generate({.count = 300, .seed = 6});
  EXPECT_EQ(a->messages, b->messages);
  EXPECT_NE(a->messages, c->messages);
}

TEST(GenerateInputTest, FieldsOffSendsTheRawMessageOnly) {
  auto ctx = Generate({.count = 10, .fields = false});
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(ctx->levels[i], "");
    EXPECT_FALSE(ctx->has_path[i]);
  }
}

}  // namespace
}  // namespace sluice::inputs
