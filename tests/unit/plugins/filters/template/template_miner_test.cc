#include "plugins/filters/template/template_miner.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace sluice::filters::templates {
namespace {

constexpr Mask kAll[] = {Mask::kPath,     Mask::kIp,   Mask::kNumber,  Mask::kHex,
                         Mask::kDuration, Mask::kSize, Mask::kSparkId, Mask::kId};

// A miner and a masker with the filter's defaults unless told otherwise.
class TemplateMinerTest : public ::testing::Test {
 protected:
  Miner::Match Add(Miner& miner, std::string_view message, int64_t now = 100) {
    masker_.Apply(message, &line_);
    Miner::Match m;
    miner.Add(line_, Miner::LineHash(line_), now, &m);
    return m;
  }
  Masker masker_{kAll, {}, 100};
  MaskedLine line_;
};

TEST_F(TemplateMinerTest, OneStatementWithOtherValuesIsOneTemplate) {
  Miner miner({});
  Miner::Match a = Add(miner, "Running task 0.0 in stage 0.0 (TID 0)");
  Miner::Match b = Add(miner, "Running task 12.0 in stage 3.1 (TID 97)");
  EXPECT_TRUE(a.created);
  EXPECT_FALSE(b.created);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(b.text, "Running task <*> in stage <*> (TID <*>)");
  EXPECT_EQ(b.id, Miner::TemplateId(b.text));
  EXPECT_EQ(Miner::IdText(b.id).size(), 16u);
  EXPECT_EQ(miner.size(), 1u);
}

// The id is a function of the template text alone, the same on every host, build and run: a
// golden value (docs/plugins/filters/template.md shows it).
TEST(TemplateIdTest, IsTheSameEverywhere) {
  EXPECT_EQ(Miner::IdText(Miner::TemplateId(
                "Finished task <*> in stage <*> (TID <*>). <*> bytes result sent to driver")),
            "f57009baf68a26a2");
}

TEST_F(TemplateMinerTest, DifferentWordsAreDifferentStatementsUnlessMergeWords) {
  Miner miner({});
  Add(miner, "Block broadcast_1 stored as bytes in memory (estimated size 5.2 KB, free 1 KB)");
  Miner::Match values =
      Add(miner, "Block broadcast_2 stored as values in memory (estimated size 8 B, free 9 KB)");
  EXPECT_TRUE(values.created);
  EXPECT_EQ(miner.size(), 2u);
  // Units are values: `B` and `KB` after a number belong to it.
  Miner::Match bytes_again =
      Add(miner, "Block broadcast_3 stored as bytes in memory (estimated size 7 B, free 2 KB)");
  EXPECT_FALSE(bytes_again.created);
  EXPECT_EQ(bytes_again.text, "Block <*> stored as bytes in memory (estimated size <*>, free <*>)");

  Miner classic({.merge_words = true});
  Add(classic, "Block broadcast_1 stored as bytes in memory (estimated size 5.2 KB, free 1 KB)");
  Miner::Match merged =
      Add(classic, "Block broadcast_2 stored as values in memory (estimated size 8 KB, free 9 KB)");
  EXPECT_FALSE(merged.created);
  EXPECT_EQ(merged.text, "Block <*> stored as <*> in memory (estimated size <*>, free <*>)");
}

TEST_F(TemplateMinerTest, SimilarityDecidesWhenValuesWithoutDigitsDiffer) {
  // `k=a,b` has no digit, so it is not masked; it is no plain word either, so it may merge.
  Miner loose({.similarity = 0.5});
  Add(loose, "open now k=a,b");
  EXPECT_FALSE(Add(loose, "open now k=c,d").created);
  EXPECT_EQ(Add(loose, "open now k=e,f").text, "open now <*>");
  Miner strict({.similarity = 0.9});
  Add(strict, "open now k=a,b");
  EXPECT_TRUE(Add(strict, "open now k=c,d").created);
}

TEST_F(TemplateMinerTest, TheTreeComparesOnlyLinesWithTheSameLeadingTokens) {
  // depth 4: the first two tokens choose the leaf, so "a b ..." and "a x ..." never meet.
  Miner deep({.depth = 4, .merge_words = true});
  Add(deep, "a b c d");
  EXPECT_TRUE(Add(deep, "a x c d").created);
  Miner shallow({.depth = 3, .merge_words = true});
  Add(shallow, "a b c d");
  EXPECT_EQ(Add(shallow, "a x c d").text, "a <*> c d");
}

TEST_F(TemplateMinerTest, TheLeastRecentlyMatchedTemplateIsForgotten) {
  Miner miner({.max_templates = 2});
  EXPECT_TRUE(Add(miner, "alpha one").created);
  EXPECT_TRUE(Add(miner, "beta two").created);
  EXPECT_FALSE(Add(miner, "alpha one").created);  // alpha is now the most recent
  Miner::Match gamma = Add(miner, "gamma three");
  EXPECT_TRUE(gamma.created);
  EXPECT_TRUE(gamma.evicted);
  EXPECT_EQ(miner.size(), 2u);
  EXPECT_FALSE(Add(miner, "alpha one").created);
  EXPECT_TRUE(Add(miner, "beta two").created);  // it was forgotten
}

TEST_F(TemplateMinerTest, RestoredTemplatesKeepTheirIdsAndAreNotNew) {
  Miner first({});
  Miner::Match a = Add(first, "Got assigned task 1", 10);
  Add(first, "Got assigned task 2", 20);
  Miner::Match b = Add(first, "Reading broadcast variable 9 took 160 ms", 30);
  std::vector<TemplateInfo> saved = first.Snapshot();
  ASSERT_EQ(saved.size(), 2u);

  Miner second({});
  for (auto it = saved.rbegin(); it != saved.rend(); ++it) second.Restore(*it);
  EXPECT_EQ(second.size(), 2u);
  Miner::Match again = Add(second, "Got assigned task 77");
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.id, a.id);
  EXPECT_EQ(Add(second, "Reading broadcast variable 3 took 12 ms").id, b.id);
  for (const TemplateInfo& t : second.Snapshot()) {
    if (t.id == a.id) {
      EXPECT_EQ(t.count, 3u);
      EXPECT_EQ(t.first_seen, 10);
    }
  }
  second.Restore(saved[0]);  // known already: ignored
  EXPECT_EQ(second.size(), 2u);
}

TEST_F(TemplateMinerTest, WorkersAddingAtOnceCountEveryLine) {
  Miner miner({});
  constexpr int kPerThread = 20000;
  auto work = [&](int offset) {
    Masker masker(kAll, {}, 100);
    MaskedLine line;
    Miner::Match m;
    for (int i = 0; i < kPerThread; ++i) {
      const std::string msg = (i % 2 ? "Got assigned task " : "Finished task ") +
                              std::to_string(i + offset) + (i % 2 ? "" : " in stage 0.0");
      masker.Apply(msg, &line);
      miner.Add(line, Miner::LineHash(line), 1, &m);
    }
  };
  std::thread t1(work, 0), t2(work, 1000000);
  t1.join();
  t2.join();
  uint64_t total = 0;
  for (const TemplateInfo& t : miner.Snapshot()) total += t.count;
  EXPECT_EQ(miner.size(), 2u);
  EXPECT_EQ(total, 2u * kPerThread);
}

}  // namespace
}  // namespace sluice::filters::templates
