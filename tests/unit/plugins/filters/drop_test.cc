#include "plugins/filters/drop.h"

#include <gtest/gtest.h>

#include <string>

#include "pipeline/event_batch.h"
#include "pipeline/registry.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::filters {
namespace {

using testing::BuildFilter;
using testing::ParseFilterOptions;

TEST(DropFilterTest, IsRegistered) {
  EXPECT_NE(Registry::Get().Find(PluginKind::kFilter, "drop"), nullptr);
}

// How many of `count` events, the i-th with message `prefix` + i, the filter of `yaml` drops; it
// keeps (kSkipped) each of the others.
int Dropped(const std::string& yaml, int count, const std::string& prefix) {
  auto b = BuildFilter<DropFilter>(yaml);
  EXPECT_TRUE(b->filter) << b->error;
  if (!b->filter) return -1;
  EventBatch batch;
  int dropped = 0;
  for (int i = 0; i < count; ++i) {
    FilterResult r = b->filter->Apply(batch.Add(0, prefix + std::to_string(i)));
    EXPECT_TRUE(r == FilterResult::kDropped || r == FilterResult::kSkipped) << i;
    dropped += r == FilterResult::kDropped;
  }
  return dropped;
}

TEST(DropFilterTest, DropsEveryEventByDefault) { EXPECT_EQ(Dropped("{}", 100, "line "), 100); }

TEST(DropFilterTest, PercentageZeroKeepsEverything) {
  EXPECT_EQ(Dropped("percentage: 0", 1000, "line "), 0);
}

TEST(DropFilterTest, PercentageDropsAboutThatShare) {
  int dropped =
      Dropped("percentage: 30", 10'000, "22/06/09 20:10:40 INFO Executor: Finished task ");
  // Binomial(10000, 0.3): sd ~46; fixed inputs make this deterministic anyway.
  EXPECT_GT(dropped, 2800);
  EXPECT_LT(dropped, 3200);
}

TEST(DropFilterTest, FractionalPercentage) {
  int dropped = Dropped("percentage: 0.5", 100'000, "");
  EXPECT_GT(dropped, 350);  // expected 500, sd ~22
  EXPECT_LT(dropped, 650);
}

TEST(DropFilterTest, SameEventSameDecisionAcrossInstancesAndReplays) {
  auto first = BuildFilter<DropFilter>("percentage: 50");
  auto second = BuildFilter<DropFilter>("percentage: 50");
  EventBatch run1;
  EventBatch run2;  // the replay: same bytes, same source position
  int dropped = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string message = "message " + std::to_string(i);
    Event& a = run1.Add(1, message);
    a.metadata() = {.source_id = 77, .offset = static_cast<uint64_t>(i) * 100};
    Event& c = run2.Add(2, message);  // the time is not part of the decision
    c.metadata() = {.source_id = 77, .offset = static_cast<uint64_t>(i) * 100};
    FilterResult r = first->filter->Apply(a);
    EXPECT_EQ(second->filter->Apply(c), r) << i;
    dropped += r == FilterResult::kDropped;
  }
  EXPECT_GT(dropped, 850);
  EXPECT_LT(dropped, 1150);
}

TEST(DropFilterTest, IdenticalMessagesAtDifferentOffsetsAreDecidedSeparately) {
  auto b = BuildFilter<DropFilter>("percentage: 50");
  EventBatch batch;
  int dropped = 0;
  for (int i = 0; i < 2000; ++i) {
    Event& e = batch.Add(0, "heartbeat");
    e.metadata() = {.source_id = 5, .offset = static_cast<uint64_t>(i) * 10};
    dropped += b->filter->Apply(e) == FilterResult::kDropped;
  }
  EXPECT_GT(dropped, 850);
  EXPECT_LT(dropped, 1150);
}

TEST(DropFilterTest, EventHashIsPinned) {
  // FNV-1a 64 over "hello", source id 7 and offset 42 (little-endian), then fmix64. Changing it
  // would change which events a replay drops.
  EventBatch batch;
  Event& e = batch.Add(0, "hello");
  e.metadata() = {.source_id = 7, .offset = 42};
  EXPECT_EQ(DropFilter::EventHash(e), 0xb3c471f97ba27d42ull);
}

TEST(DropFilterTest, RejectsPercentageOutOfRange) {
  std::string errors;
  ParseFilterOptions<DropFilter>("percentage: 101", &errors);
  EXPECT_NE(errors.find("must be at most 100"), std::string::npos) << errors;
  ParseFilterOptions<DropFilter>("percentage: -1", &errors);
  EXPECT_NE(errors.find("must be at least 0"), std::string::npos) << errors;
  ParseFilterOptions<DropFilter>("percentage: half", &errors);
  EXPECT_FALSE(errors.empty());
  ParseFilterOptions<DropFilter>("percentge: 5", &errors);
  EXPECT_NE(errors.find("did you mean 'percentage'"), std::string::npos) << errors;
}

TEST(DropFilterTest, BinaryAndHugeMessages) {
  auto b = BuildFilter<DropFilter>("percentage: 50");
  EventBatch batch;
  std::string binary("\xff\xfe\x00\x01\x80\xc0", 6);
  b->filter->Apply(batch.Add(0, binary));
  b->filter->Apply(batch.Add(0, std::string(4 << 20, 'x')));
  b->filter->Apply(batch.Add(0, ""));
  SUCCEED();
}

}  // namespace
}  // namespace sluice::filters
