#include "pipeline/buffer/batch_codec.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace sluice::buffer {
namespace {

EventBatch SampleBatch() {
  EventBatch batch;
  Event& a = batch.Add(1'497'039'040'123'000'000, "17/06/09 20:10:40 INFO Executor: done");
  a.Set("log.level", Value::String("INFO"));
  a.Set("count", Value::Int(-42));
  a.Set("ratio", Value::Float(0.25));
  a.Set("ok", Value::Bool(true));
  a.Set("nothing", Value::Null());
  a.Set("list", Value::Json("[1,2,{\"a\":null}]"));
  a.AddTag("_grokparsefailure");
  a.AddTag("spark");
  a.metadata().source_id = 0xDEADBEEFCAFEF00Dull;
  a.metadata().offset = 123456789;
  Event& b = batch.Add(-5, std::string("bin\0ary\xff\xfe", 9));
  b.Set("big", Value::Int(std::numeric_limits<int64_t>::min()));
  batch.Add(0, "");
  return batch;
}

void ExpectSameEvents(const EventBatch& got, const EventBatch& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i));
    const Event& g = got.events()[i];
    const Event& w = want.events()[i];
    EXPECT_EQ(g.timestamp_ns(), w.timestamp_ns());
    EXPECT_EQ(g.message(), w.message());
    EXPECT_EQ(g.metadata().source_id, w.metadata().source_id);
    EXPECT_EQ(g.metadata().offset, w.metadata().offset);
    ASSERT_EQ(g.fields().size(), w.fields().size());
    for (size_t k = 0; k < w.fields().size(); ++k) {
      EXPECT_EQ(g.fields()[k].name, w.fields()[k].name);
      EXPECT_TRUE(g.fields()[k].value == w.fields()[k].value) << w.fields()[k].name;
    }
    ASSERT_EQ(g.tags().size(), w.tags().size());
    for (size_t k = 0; k < w.tags().size(); ++k) EXPECT_EQ(g.tags()[k], w.tags()[k]);
  }
}

TEST(BatchCodecTest, RoundTripsEveryValueKindTagsAndMetadata) {
  EventBatch batch = SampleBatch();
  std::string encoded;
  EncodeBatch(batch, encoded);
  Result<EventBatch> decoded = DecodeBatch(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  ExpectSameEvents(decoded.value(), batch);
}

TEST(BatchCodecTest, AnEmptyBatchRoundTrips) {
  std::string encoded;
  EncodeBatch(EventBatch(), encoded);
  Result<EventBatch> decoded = DecodeBatch(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded.value().empty());
}

TEST(BatchCodecTest, EveryTruncationIsAnErrorNotACrash) {
  std::string encoded;
  EncodeBatch(SampleBatch(), encoded);
  for (size_t n = 0; n < encoded.size(); ++n) {
    EXPECT_FALSE(DecodeBatch(std::string_view(encoded).substr(0, n)).ok()) << "length " << n;
  }
}

TEST(BatchCodecTest, TrailingBytesAndAnUnknownVersionAreErrors) {
  std::string encoded;
  EncodeBatch(SampleBatch(), encoded);
  EXPECT_FALSE(DecodeBatch(encoded + "x").ok());
  encoded[0] = 9;
  Result<EventBatch> bad = DecodeBatch(encoded);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("version 9"), std::string::npos);
}

TEST(BatchCodecTest, AHugeCountInABadPayloadIsRefusedBeforeAllocating) {
  // Version 1, then a count of 2^62 events in 10 bytes.
  std::string payload = "\x01\x80\x80\x80\x80\x80\x80\x80\x80\x40";
  EXPECT_FALSE(DecodeBatch(payload).ok());
}

}  // namespace
}  // namespace sluice::buffer
