#include "plugins/outputs/kafka.h"

#include <gtest/gtest.h>

#include "plugins/common/kafka/kafka_embedded.h"
#include "tests/unit/plugins/outputs/output_test.h"
#include "tests/unit/plugins/plugin_test_util.h"
#include "tests/unit/test_util.h"

namespace sluice::outputs {
namespace {

using testing::OptionErrors;
using testing::ParseFilterOptions;

TEST(KafkaOutputOptionsTest, DefaultsAreSafeAndFast) {
  auto o = ParseFilterOptions<KafkaOutput>("{brokers: 'k:9092', topic: spark}");
  EXPECT_EQ(o.acks, KafkaOutput::Acks::kAll);
  EXPECT_TRUE(o.idempotence);
  EXPECT_EQ(o.compression, KafkaOutput::Compression::kZstd);
  EXPECT_EQ(o.partitioner, KafkaOutput::Partitioner::kMurmur2Random);
  EXPECT_EQ(o.encoding, common::KafkaPayload::kJson);
  EXPECT_EQ(o.max_queue_bytes.bytes, 64ull << 20);
  EXPECT_TRUE(o.key.source().empty());
  EXPECT_EQ(o.sasl.mechanism, common::KafkaSaslMechanism::kNone);
}

// The names a config gives are the values librdkafka is given (EnumNameOf).
TEST(KafkaOutputOptionsTest, EnumOptionsKeepLibrdkafkasNames) {
  auto o = ParseFilterOptions<KafkaOutput>(
      "{brokers: k, topic: s, partitioner: fnv1a_random, compression: lz4, acks: '1', "
      "idempotence: false, sasl: {mechanism: SCRAM-SHA-512, username: u}}");
  EXPECT_EQ(o.partitioner, KafkaOutput::Partitioner::kFnv1aRandom);
  EXPECT_EQ(config::EnumNameOf(o.partitioner), "fnv1a_random");
  EXPECT_EQ(o.compression, KafkaOutput::Compression::kLz4);
  EXPECT_EQ(config::EnumNameOf(o.compression), "lz4");
  EXPECT_EQ(o.acks, KafkaOutput::Acks::kLeader);
  EXPECT_EQ(config::EnumNameOf(o.acks), "1");
  EXPECT_EQ(o.sasl.mechanism, common::KafkaSaslMechanism::kScramSha512);
  EXPECT_EQ(config::EnumNameOf(o.sasl.mechanism), "SCRAM-SHA-512");
}

TEST(KafkaOutputOptionsTest, SaslMechanismNoneOrEmptyMeansNoSasl) {
  for (const char* mechanism : {"none", "''"}) {
    SCOPED_TRACE(mechanism);
    auto o = ParseFilterOptions<KafkaOutput>(
        std::string("{brokers: k, topic: s, sasl: {mechanism: ") + mechanism + "}}");
    EXPECT_EQ(o.sasl.mechanism, common::KafkaSaslMechanism::kNone);
  }
}

TEST(KafkaOutputOptionsTest, BadOptionsAreNamed) {
  struct Case {
    const char* yaml;
    const char* error;
  };
  const Case kCases[] = {
      {"{topic: spark}", "missing required option 'brokers'"},
      {"{brokers: '', topic: spark}", "brokers: must not be empty"},
      {"{brokers: k, topic: s, acks: '1'}", "idempotence needs acks: all"},
      {"{brokers: k, topic: s, acks: -1}", "acks: expected one of all, 1, 0; got '-1'"},
      {"{brokers: k, topic: s, compression: zstandard}",
       "expected one of none, gzip, snappy, lz4, zstd"},
      {"{brokers: k, topic: s, partitioner: murmur3}",
       "partitioner: expected one of murmur2_random, murmur2, consistent_random, consistent, "
       "fnv1a, fnv1a_random, random; got 'murmur3'"},
      {"{brokers: k, topic: s, librdkafka: {no.such.thing: '1'}}",
       "librdkafka: property 'no.such.thing'"},
      // Nothing in a config runs a command or loads code.
      {"{brokers: k, topic: s, librdkafka: {sasl.kerberos.kinit.cmd: 'touch /tmp/x'}}",
       "librdkafka: property 'sasl.kerberos.kinit.cmd' is refused"},
      {"{brokers: k, topic: s, librdkafka: {plugin.library.paths: /tmp/evil.so}}",
       "librdkafka: property 'plugin.library.paths' is refused"},
      {"{brokers: k, topic: s, headers: {h: '{{x'}}", "headers.h: bad template '{{x'"},
      {"{brokers: k, topic: s, sasl: {mechanism: PLAIN}}",
       "sasl.username is required with sasl.mechanism PLAIN"},
      {"{brokers: k, topic: s, sasl: {mechanism: GSSAPI}}",
       "expected one of none, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; got 'GSSAPI'"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.yaml);
    std::string errors = OptionErrors<KafkaOutput>(c.yaml);
    EXPECT_NE(errors.find(c.error), std::string::npos) << errors;
  }
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
