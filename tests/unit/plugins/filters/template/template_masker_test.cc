#include "plugins/filters/template/template_masker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::filters::templates {
namespace {

constexpr Mask kAll[] = {Mask::kPath,     Mask::kIp,   Mask::kNumber,  Mask::kHex,
                         Mask::kDuration, Mask::kSize, Mask::kSparkId, Mask::kId};

std::string Masked(std::string_view message, std::span<const Mask> masks = kAll,
                   std::vector<config::Regex> extra = {}, size_t max_tokens = 100) {
  Masker masker(masks, std::move(extra), max_tokens);
  MaskedLine line;
  masker.Apply(message, &line);
  return line.text;
}

TEST(TemplateMaskerTest, SparkStatementsKeepTheirWordsAndPunctuation) {
  EXPECT_EQ(Masked("Finished task 3.0 in stage 0.0 (TID 3). 2703 bytes result sent to driver"),
            "Finished task <*> in stage <*> (TID <*>). <*> bytes result sent to driver");
  EXPECT_EQ(Masked("Finished task 1.0 in stage 2.0 (TID 9) in 312 ms on "
                   "ip-10-0-1-5.ec2.internal (executor 2) (3/10)"),
            "Finished task <*> in stage <*> (TID <*>) in <*> ms on <*> (executor <*>) (<*>/<*>)");
  EXPECT_EQ(Masked("Block broadcast_9_piece0 stored as bytes in memory (estimated size 5.2 KB, "
                   "free 5.2 KB)"),
            "Block <*> stored as bytes in memory (estimated size <*>, free <*>)");
  EXPECT_EQ(Masked("Times: total = 1072, boot = 856, init = 210, finish = 6"),
            "Times: total = <*>, boot = <*>, init = <*>, finish = <*>");
}

TEST(TemplateMaskerTest, PathsUrlsAndAddressesAreOneValue) {
  EXPECT_EQ(Masked("Input split: hdfs://10.10.34.11:9000/pjhe/logs/2kSOSP.log:21876+7292"),
            "Input split: <*>");
  EXPECT_EQ(Masked("Created local directory at /opt/hdfs/nodemanager/usercache/curi/appcache"),
            "Created local directory at <*>");
  EXPECT_EQ(Masked("Remoting started; listening on addresses "
                   ":[akka.tcp://sparkExecutorActorSystem@mesos-slave-07:55904]"),
            "Remoting started; listening on addresses :[<*>]");
  EXPECT_EQ(Masked("from 10.0.0.1:8080 and fe80::1 via ./run.sh"), "from <*> and <*> via <*>");
}

TEST(TemplateMaskerTest, IdsHexDurationsSizesAndKeyValues) {
  EXPECT_EQ(Masked("app application_1485248649253_0147 container_e05_1485248649253_0147_01_000002"),
            "app <*> <*>");
  EXPECT_EQ(Masked("id 123e4567-e89b-12d3-a456-426614174000 at 0x7f3a and deadbeef01"),
            "id <*> at <*> and <*>");
  EXPECT_EQ(Masked("took 160ms and 2.5s, wrote 17.7GiB"), "took <*> and <*>, wrote <*>");
  // A size unit after a number is part of the value; a time unit stays a token of its own.
  EXPECT_EQ(Masked("capacity 17.7 GB in 312 ms (of 2 GB)."), "capacity <*> in <*> ms (of <*>).");
  EXPECT_EQ(Masked("capacity (17.7) GB"), "capacity (<*>) GB");
  EXPECT_EQ(Masked("total=1072, user=bob"), "total=<*>, user=bob");
  EXPECT_EQ(Masked("at 20:10:40 on 2017-06-09"), "at <*>:<*>:<*> on <*>-<*>-<*>");
}

TEST(TemplateMaskerTest, MasksCanBeTurnedOffOneByOne) {
  EXPECT_EQ(Masked("Found block rdd_2_0 locally", {}), "Found block rdd_2_0 locally");
  constexpr Mask kNumbersOnly[] = {Mask::kNumber};
  EXPECT_EQ(Masked("Found block rdd_2_0 locally in 5ms", kNumbersOnly),
            "Found block rdd_<*>_<*> locally in <*>ms");
  constexpr Mask kNoPath[] = {Mask::kNumber};
  EXPECT_EQ(Masked("Created local directory at /opt/hdfs", kNoPath),
            "Created local directory at /opt/hdfs");
}

TEST(TemplateMaskerTest, ExtraMasksMatchWholeTokens) {
  auto re = config::Regex::Compile("[a-z]+-[a-z]+");
  ASSERT_TRUE(re.ok());
  std::vector<config::Regex> extra{re.value()};
  EXPECT_EQ(Masked("lost executor on (worker-east), not on worker-east-x", kAll, extra),
            "lost executor on (<*>), not on worker-east-x");
}

TEST(TemplateMaskerTest, KindsTellWordsFromValues) {
  EXPECT_EQ(Masker::KindOf("bytes"), TokenKind::kWord);
  EXPECT_EQ(Masker::KindOf("'sparkExecutorActorSystem'"), TokenKind::kWord);
  EXPECT_EQ(Masker::KindOf("mapred.tip.id"), TokenKind::kWord);
  EXPECT_EQ(Masker::KindOf("..."), TokenKind::kWord);   // punctuation: a separator
  EXPECT_EQ(Masker::KindOf("KB,"), TokenKind::kValue);  // a unit
  EXPECT_EQ(Masker::KindOf("ms"), TokenKind::kValue);
  EXPECT_EQ(Masker::KindOf("(<*>)."), TokenKind::kValue);
  EXPECT_EQ(Masker::KindOf("yarn,curi"), TokenKind::kValue);
  EXPECT_EQ(Masker::KindOf("Set(yarn,"), TokenKind::kValue);
}

TEST(TemplateMaskerTest, LongLinesStopAtMaxTokens) {
  EXPECT_EQ(Masked("a b c d e", kAll, {}, 3), "a b <*>");
  EXPECT_EQ(Masked("a b c   \r\n", kAll, {}, 3), "a b c");
  std::string huge;
  for (int i = 0; i < 200000; ++i) huge += "word" + std::to_string(i) + " ";
  Masker masker(kAll, {}, 100);
  MaskedLine line;
  masker.Apply(huge, &line);
  EXPECT_EQ(line.size(), 100u);
  EXPECT_EQ(line.token(99), "<*>");
}

TEST(TemplateMaskerTest, BinaryAndInvalidUtf8AreTokensLikeAnyOther) {
  const std::string binary("\x00\x01\xff\xfe payload \xc3\x28 9\x80", 18);
  Masker masker(kAll, {}, 100);
  MaskedLine line;
  masker.Apply(binary, &line);
  EXPECT_EQ(line.size(), 4u);
  EXPECT_EQ(line.token(1), "payload");
  EXPECT_EQ(line.token(3), "<*>");  // a digit with a non-ASCII byte: an id
  masker.Apply(" \t\r\n", &line);
  EXPECT_EQ(line.size(), 0u);
  EXPECT_EQ(line.text, "");
}

}  // namespace
}  // namespace sluice::filters::templates
