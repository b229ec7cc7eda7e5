#include "plugins/filters/sample.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "pipeline/event_batch.h"
#include "pipeline/registry.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::filters {
namespace {

using testing::BuildFilter;
using testing::ParseFilterOptions;

TEST(SampleFilterTest, IsRegistered) {
  EXPECT_NE(Registry::Get().Find(PluginKind::kFilter, "sample"), nullptr);
}

TEST(SampleFilterTest, UnkeyedKeepsExactlyOneInN) {
  auto b = BuildFilter<SampleFilter>("rate: 4");
  ASSERT_TRUE(b->filter) << b->error;
  EventBatch batch;
  int kept = 0;
  for (int i = 0; i < 1000; ++i) {
    FilterResult r = b->filter->Apply(batch.Add(0, "same line"));
    // The 1st, 5th, 9th, ... event this instance sees.
    EXPECT_EQ(r, i % 4 == 0 ? FilterResult::kMatched : FilterResult::kDropped) << i;
    kept += r == FilterResult::kMatched;
  }
  EXPECT_EQ(kept, 250);
}

TEST(SampleFilterTest, UnkeyedCounterContinuesAcrossBatches) {
  auto b = BuildFilter<SampleFilter>("rate: 3");
  int kept = 0;
  for (int n = 0; n < 10; ++n) {
    EventBatch batch;  // 7 events a batch: not a multiple of the rate
    for (int i = 0; i < 7; ++i)
      kept += b->filter->Apply(batch.Add(0, "x")) == FilterResult::kMatched;
  }
  EXPECT_EQ(kept, 24);  // ceil(70 / 3)
}

TEST(SampleFilterTest, RateOneKeepsEverything) {
  auto b = BuildFilter<SampleFilter>("rate: 1");
  EventBatch batch;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(b->filter->Apply(batch.Add(0, std::to_string(i))), FilterResult::kMatched);
  }
  auto keyed = BuildFilter<SampleFilter>("{rate: 1, key: '{{k}}'}");
  for (int i = 0; i < 100; ++i) {
    Event& e = batch.Add(0, "m");
    e.Set("k", Value::String(std::to_string(i)));
    EXPECT_EQ(keyed->filter->Apply(e), FilterResult::kMatched);
  }
}

TEST(SampleFilterTest, KeyedKeepsAllOrNoneOfEachKey) {
  auto b = BuildFilter<SampleFilter>("rate: 10\nkey: '{{spark.app_id}}'");
  ASSERT_TRUE(b->filter) << b->error;
  const int kKeys = 1000;
  std::map<std::string, std::pair<int, int>> seen;  // key → (kept, dropped)
  EventBatch batch;
  for (int i = 0; i < 10'000; ++i) {  // keys interleaved: 10 events per key
    std::string key = "application_1496969700420_" + std::to_string(i % kKeys);
    Event& e = batch.Add(0, "line " + std::to_string(i));
    e.Set("spark.app_id", Value::String(key));
    FilterResult r = b->filter->Apply(e);
    ASSERT_TRUE(r == FilterResult::kMatched || r == FilterResult::kDropped);
    (r == FilterResult::kMatched ? seen[key].first : seen[key].second)++;
  }
  int kept_keys = 0;
  for (const auto& [key, counts] : seen) {
    EXPECT_TRUE(counts.first == 0 || counts.second == 0) << key << " split";
    kept_keys += counts.first > 0;
  }
  // Binomial(1000, 0.1): mean 100, sd ~9.5.
  EXPECT_GT(kept_keys, 70);
  EXPECT_LT(kept_keys, 130);
}

TEST(SampleFilterTest, KeyedDecisionIsTheSameOnEveryInstance) {
  // Two workers (instances) and a restart (a third) agree on every key.
  auto a = BuildFilter<SampleFilter>("{rate: 5, key: '{{host.name}}/{{spark.app_id}}'}");
  auto c = BuildFilter<SampleFilter>("{rate: 5, key: '{{host.name}}/{{spark.app_id}}'}");
  EventBatch batch;
  for (int i = 0; i < 500; ++i) {
    Event& e = batch.Add(0, "x");
    e.Set("host.name", Value::String("ip-10-0-0-" + std::to_string(i % 7)));
    e.Set("spark.app_id", Value::String("app-" + std::to_string(i)));
    EXPECT_EQ(a->filter->Apply(e), c->filter->Apply(e)) << i;
  }
}

TEST(SampleFilterTest, KeysKeptAtAHigherRateAreASubset) {
  // hash % 100 == 0 implies hash % 10 == 0: raising the rate only removes keys.
  auto r10 = BuildFilter<SampleFilter>("{rate: 10, key: '{{k}}'}");
  auto r100 = BuildFilter<SampleFilter>("{rate: 100, key: '{{k}}'}");
  EventBatch batch;
  int kept100 = 0;
  for (int i = 0; i < 5000; ++i) {
    Event& e = batch.Add(0, "x");
    e.Set("k", Value::String("key" + std::to_string(i)));
    bool keep100 = r100->filter->Apply(e) == FilterResult::kMatched;
    kept100 += keep100;
    if (keep100) {
      EXPECT_EQ(r10->filter->Apply(e), FilterResult::kMatched);
    }
  }
  EXPECT_GT(kept100, 0);
}

TEST(SampleFilterTest, KeyHashIsPinned) {
  EXPECT_EQ(SampleFilter::KeyHash("app-1"), 0x19022ee37f9dbe1full);
}

TEST(SampleFilterTest, MissingKeyFieldKeepsTheEventUnsampled) {
  auto b =
      BuildFilter<SampleFilter>("{rate: 1000000, key: '{{spark.app_id}}', rate_field: s.rate}");
  EventBatch batch;
  for (int i = 0; i < 50; ++i) {
    Event& e = batch.Add(0, "no app id " + std::to_string(i));
    EXPECT_EQ(b->filter->Apply(e), FilterResult::kSkipped);
    EXPECT_EQ(e.Get("s.rate"), nullptr);
  }
}

TEST(SampleFilterTest, RateFieldMarksKeptEvents) {
  auto b = BuildFilter<SampleFilter>("{rate: 3, rate_field: sample.rate}");
  EventBatch batch;
  Event& kept = batch.Add(0, "a");
  ASSERT_EQ(b->filter->Apply(kept), FilterResult::kMatched);
  ASSERT_NE(kept.Get("sample.rate"), nullptr);
  EXPECT_EQ(*kept.Get("sample.rate"), Value::Int(3));
  Event& dropped = batch.Add(0, "b");
  EXPECT_EQ(b->filter->Apply(dropped), FilterResult::kDropped);

  auto none = BuildFilter<SampleFilter>("rate: 3");
  Event& plain = batch.Add(0, "c");
  ASSERT_EQ(none->filter->Apply(plain), FilterResult::kMatched);
  EXPECT_TRUE(plain.fields().empty());
}

TEST(SampleFilterTest, OptionErrors) {
  std::string errors;
  ParseFilterOptions<SampleFilter>("{}", &errors);
  EXPECT_NE(errors.find("missing required option 'rate'"), std::string::npos) << errors;
  ParseFilterOptions<SampleFilter>("rate: 0", &errors);
  EXPECT_NE(errors.find("must be at least 1"), std::string::npos) << errors;
  ParseFilterOptions<SampleFilter>("{rate: 2, key: constant}", &errors);
  EXPECT_NE(errors.find("references no field"), std::string::npos) << errors;
  ParseFilterOptions<SampleFilter>("{rate: 2, key: '{{oops'}", &errors);
  EXPECT_FALSE(errors.empty());
  ParseFilterOptions<SampleFilter>("{rate: 2, kye: '{{a}}'}", &errors);
  EXPECT_NE(errors.find("did you mean 'key'"), std::string::npos) << errors;
  ParseFilterOptions<SampleFilter>("{rate: 2, key: '%Y-{{a}}'}", &errors);
  EXPECT_TRUE(errors.empty()) << errors;
}

TEST(SampleFilterTest, BinaryKeys) {
  auto b = BuildFilter<SampleFilter>("{rate: 2, key: '{{message}}'}");
  EventBatch batch;
  std::string binary("\xff\x00\xfe\x80", 4);
  FilterResult r = b->filter->Apply(batch.Add(0, binary));
  EXPECT_TRUE(r == FilterResult::kMatched || r == FilterResult::kDropped);
  EXPECT_EQ(b->filter->Apply(batch.Add(0, binary)), r);
}

}  // namespace
}  // namespace sluice::filters
