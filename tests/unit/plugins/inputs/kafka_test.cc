#include "plugins/inputs/kafka.h"

#include <gtest/gtest.h>

#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::inputs {
namespace {

using testing::OptionErrors;
using testing::ParseFilterOptions;

TEST(KafkaInputOptionsTest, DefaultsCommitOnlyWhatWasAcked) {
  auto o = ParseFilterOptions<KafkaInput>("{brokers: 'k:9092', topics: [spark]}");
  EXPECT_EQ(o.group_id, "sluice");
  EXPECT_EQ(o.start, KafkaInput::Start::kEarliest);
  EXPECT_EQ(config::EnumNameOf(o.start), "earliest");
  EXPECT_EQ(o.decode, common::KafkaPayload::kJson);
  EXPECT_EQ(o.commit_interval.millis(), 1000);
  EXPECT_EQ(o.exit_on_idle.millis(), 0);
  EXPECT_EQ(o.tag_on_failure, std::vector<std::string>{"_jsonparsefailure"});
}

TEST(KafkaInputOptionsTest, StartIsLibrdkafkasAutoOffsetReset) {
  auto o = ParseFilterOptions<KafkaInput>("{brokers: k, topics: [a], start: latest}");
  EXPECT_EQ(o.start, KafkaInput::Start::kLatest);
  EXPECT_EQ(config::EnumNameOf(o.start), "latest");
}

TEST(KafkaInputOptionsTest, BadOptionsAreNamed) {
  struct Case {
    const char* yaml;
    const char* error;
  };
  const Case kCases[] = {
      {"{brokers: k}", "missing required option 'topics'"},
      {"{brokers: k, topics: []}", "topics: must not be empty"},
      {"{brokers: k, topics: [a, '']}", "topics: a topic name must not be empty"},
      {"{brokers: k, topics: [a], start: earlist}",
       "start: expected one of earliest, latest; got 'earlist'; did you mean 'earliest'?"},
      {"{brokers: k, topics: [a], group_id: ''}", "group_id: must not be empty"},
      {"{brokers: k, topics: [a], librdkafka: {fetch.wait.max.ms: x}}",
       "librdkafka: property 'fetch.wait.max.ms'"},
      {"{brokers: '', topics: [a]}", "brokers: must not be empty"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.yaml);
    std::string errors = OptionErrors<KafkaInput>(c.yaml);
    EXPECT_NE(errors.find(c.error), std::string::npos) << errors;
  }
}

}  // namespace
}  // namespace sluice::inputs
