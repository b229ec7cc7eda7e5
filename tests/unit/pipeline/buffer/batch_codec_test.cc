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
  Event& d = batch.AddDocument(7, R"({"@timestamp":"x","event":{"id":"e1"}})");
  d.SetView("kafka.offset", Value::Int(9));
  d.metadata().document_id = batch.arena().Copy("e1");
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
    EXPECT_EQ(g.is_document(), w.is_document());
    EXPECT_EQ(g.document(), w.document());
    EXPECT_EQ(g.metadata().document_id, w.metadata().document_id);
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

// Records written before document events (version 1: no flags, no document id) still decode.
TEST(BatchCodecTest, AVersionOneRecordStillDecodes) {
  std::string v1 = {1, 1};  // version, one event
  for (uint64_t fixed : {uint64_t{5}, uint64_t{0x1122}, uint64_t{77}}) {
    for (int i = 0; i < 8; ++i) v1.push_back(static_cast<char>((fixed >> (8 * i)) & 0xFF));
  }
  v1 += std::string{3} + "msg";
  v1 += std::string{1} + std::string{1} + "n" + std::string{2};  // one field n: int 300
  for (int i = 0; i < 8; ++i) v1.push_back(static_cast<char>((uint64_t{300} >> (8 * i)) & 0xFF));
  v1 += std::string{1} + std::string{1} + "t";  // one tag
  Result<EventBatch> decoded = DecodeBatch(v1);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  ASSERT_EQ(decoded.value().size(), 1u);
  const Event& e = decoded.value().events()[0];
  EXPECT_EQ(e.timestamp_ns(), 5);
  EXPECT_EQ(e.metadata().source_id, 0x1122u);
  EXPECT_EQ(e.metadata().offset, 77u);
  EXPECT_EQ(e.message(), "msg");
  EXPECT_FALSE(e.is_document());
  ASSERT_NE(e.Get("n"), nullptr);
  EXPECT_EQ(e.Get("n")->as_int(), 300);
  EXPECT_TRUE(e.HasTag("t"));
}

// A record claiming a document that is not an object, or unknown flags, is malformed.
TEST(BatchCodecTest, ABadDocumentOrUnknownFlagsAreErrors) {
  EventBatch batch;
  batch.AddDocument(1, "{\"a\":1}");
  std::string encoded;
  EncodeBatch(batch, encoded);
  const size_t flags = 2 + 24;  // version, count, three fixed64
  ASSERT_EQ(encoded[flags], 1);
  std::string unknown = encoded;
  unknown[flags] = 3;
  EXPECT_NE(DecodeBatch(unknown).status().message().find("unknown flags"), std::string::npos);
  std::string not_object = encoded;
  not_object[flags + 2] = '[';  // after the flags and the document's length
  EXPECT_NE(DecodeBatch(not_object).status().message().find("not a JSON object"),
            std::string::npos);
}

TEST(BatchCodecTest, AHugeCountInABadPayloadIsRefusedBeforeAllocating) {
  // Version 1, then a count of 2^62 events in 10 bytes.
  std::string payload = "\x01\x80\x80\x80\x80\x80\x80\x80\x80\x40";
  EXPECT_FALSE(DecodeBatch(payload).ok());
}

}  // namespace
}  // namespace sluice::buffer
