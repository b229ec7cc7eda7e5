#include "plugins/outputs/kafka.h"

#include <gtest/gtest.h>

#include "plugins/common/kafka/kafka_embedded.h"
#include "tests/unit/plugins/outputs/output_test.h"
#include "tests/unit/plugins/plugin_test_util.h"
#include "tests/unit/test_util.h"

namespace sluice::outputs {
namespace {

using testing::ParseFilterOptions;

TEST(KafkaOutputOptionsTest, DefaultsAreSafeAndFast) {
  auto o = ParseFilterOptions<KafkaOutput>("{brokers: 'k:9092', topic: spark}");
  EXPECT_EQ(o.acks, "all");
  EXPECT_TRUE(o.idempotence);
  EXPECT_EQ(o.compression, "zstd");
  EXPECT_EQ(o.encoding, common::KafkaPayload::kJson);
  EXPECT_EQ(o.max_queue_bytes.bytes, 64ull << 20);
  EXPECT_TRUE(o.key.source().empty());
}

TEST(KafkaOutputOptionsTest, BadOptionsAreNamed) {
  std::string errors;
  ParseFilterOptions<KafkaOutput>("{topic: spark}", &errors);
  EXPECT_NE(errors.find("missing required option 'brokers'"), std::string::npos) << errors;
  ParseFilterOptions<KafkaOutput>("{brokers: k, topic: s, acks: '1'}", &errors);
  EXPECT_NE(errors.find("idempotence needs acks: all"), std::string::npos) << errors;
  ParseFilterOptions<KafkaOutput>("{brokers: k, topic: s, compression: zstandard}", &errors);
  EXPECT_NE(errors.find("expected one of none, gzip, snappy, lz4, zstd"), std::string::npos)
      << errors;
  ParseFilterOptions<KafkaOutput>("{brokers: k, topic: s, librdkafka: {no.such.thing: '1'}}",
                                  &errors);
  EXPECT_NE(errors.find("librdkafka: property 'no.such.thing'"), std::string::npos) << errors;
  ParseFilterOptions<KafkaOutput>("{brokers: k, topic: s, headers: {h: '{{x'}}", &errors);
  EXPECT_NE(errors.find("headers.h: bad template '{{x'"), std::string::npos) << errors;
  ParseFilterOptions<KafkaOutput>("{brokers: k, topic: s, sasl: {mechanism: PLAIN}}", &errors);
  EXPECT_NE(errors.find("sasl.username is required"), std::string::npos) << errors;
  ParseFilterOptions<KafkaOutput>("{brokers: k, topic: s, sasl: {mechanism: GSSAPI}}", &errors);
  EXPECT_NE(errors.find("expected one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; got 'GSSAPI'"),
            std::string::npos)
      << errors;
}

// Against the in-process embedded cluster: a batch is acked only after every message's delivery
// report, and an oversized event is dead-lettered (and the batch still acked).
class KafkaOutputTest : public testing::OutputTest {
 protected:
  void SetUp() override { MakeContext("sluice_kafka_output"); }
};

TEST_F(KafkaOutputTest, AcksAfterDeliveryAndDeadLettersOversizedEvents) {
  auto o = testing::ParseFilterOptions<KafkaOutput>(
      "{brokers: embedded, topic: unit, encoding: raw, message_max_bytes: 2KB, batch_size: 1KB}");
  KafkaOutput out(o, context_);
  ASSERT_TRUE(out.Start().ok());
  EventBatch batch;
  for (int i = 0; i < 100; ++i) batch.Add(0, "line " + std::to_string(i));
  batch.Add(0, std::string(5000, 'x'));
  out.Write(batch, Handle());
  ASSERT_TRUE(testing::WaitUntil([&] { return Committed() == 1; }, std::chrono::seconds(30)));
  EXPECT_EQ(registry_.GetCounter("sluice_kafka_output_delivered_messages_total", "", {}).value(),
            100u);
  EXPECT_EQ(registry_.GetCounter("sluice_kafka_output_dead_letter_messages_total", "", {}).value(),
            1u);
  std::string dead = testing::ReadFile(dir_ / "dead_letter/p/out.ndjson");
  EXPECT_EQ(std::count(dead.begin(), dead.end(), '\n'), 1) << dead.substr(0, 200);
  EXPECT_NE(dead.find("\"reason\":\"Broker: Message size too large\""), std::string::npos);
  EXPECT_NE(dead.find("\"event\":\"xxxx"), std::string::npos);
  EXPECT_TRUE(out.Close().ok());
  EXPECT_TRUE(out.healthy());
}

}  // namespace
}  // namespace sluice::outputs
