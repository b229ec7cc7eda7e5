#include "plugins/inputs/kafka.h"

#include <gtest/gtest.h>

#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::inputs {
namespace {

using testing::ParseFilterOptions;

TEST(KafkaInputOptionsTest, DefaultsCommitOnlyWhatWasAcked) {
  auto o = ParseFilterOptions<KafkaInput>("{brokers: 'k:9092', topics: [spark]}");
  EXPECT_EQ(o.group_id, "sluice");
  EXPECT_EQ(o.start, "earliest");
  EXPECT_EQ(o.decode, common::KafkaPayload::kJson);
  EXPECT_EQ(o.commit_interval.millis(), 1000);
  EXPECT_EQ(o.exit_on_idle.millis(), 0);
  EXPECT_EQ(o.tag_on_failure, std::vector<std::string>{"_jsonparsefailure"});
}

TEST(KafkaInputOptionsTest, BadOptionsAreNamed) {
  std::string errors;
  ParseFilterOptions<KafkaInput>("{brokers: k}", &errors);
  EXPECT_NE(errors.find("missing required option 'topics'"), std::string::npos) << errors;
  ParseFilterOptions<KafkaInput>("{brokers: k, topics: []}", &errors);
  EXPECT_NE(errors.find("topics must name at least one topic"), std::string::npos) << errors;
  ParseFilterOptions<KafkaInput>("{brokers: k, topics: [a], start: earlist}", &errors);
  EXPECT_NE(errors.find("did you mean 'earliest'"), std::string::npos) << errors;
  ParseFilterOptions<KafkaInput>("{brokers: k, topics: [a], group_id: ''}", &errors);
  EXPECT_NE(errors.find("group_id must not be empty"), std::string::npos) << errors;
  ParseFilterOptions<KafkaInput>("{brokers: k, topics: [a], librdkafka: {fetch.wait.max.ms: x}}",
                                 &errors);
  EXPECT_NE(errors.find("librdkafka: property 'fetch.wait.max.ms'"), std::string::npos) << errors;
  ParseFilterOptions<KafkaInput>("{brokers: '', topics: [a]}", &errors);
  EXPECT_NE(errors.find("brokers must not be empty"), std::string::npos) << errors;
}

}  // namespace
}  // namespace sluice::inputs
