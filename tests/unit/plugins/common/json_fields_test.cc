#include "plugins/common/json_fields.h"

#include <gtest/gtest.h>

#include "pipeline/event_batch.h"
#include "pipeline/json_encoder.h"

namespace sluice::common {
namespace {

// What the JSON encoder writes, event_keys reads back as the same event.
TEST(JsonFieldsTest, EventKeysReadBackWhatTheEncoderWrote) {
  EventBatch batch;
  Event& e = batch.Add(1496953840123000000, "17/06/09 20:10:40 ERROR x: boom\n\tat a.b(C.java:1)");
  e.Set("log.level", Value::String("ERROR"));
  e.Set("log.file.path", Value::String("/var/log/x"));
  e.Set("n", Value::Int(7));
  e.Set("ratio", Value::Float(0.5));
  e.AddTag("_grokparsefailure");
  std::string json;
  JsonEncoder().Encode(e, json);

  JsonFields fields(JsonFields::Options{.event_keys = true});
  ASSERT_EQ(fields.Parse(json), JsonFields::Parsed::kObject);
  EventBatch out;
  Event& back = out.AddView(0, {});
  fields.Store(back);
  EXPECT_EQ(back.timestamp_ns(), e.timestamp_ns());
  EXPECT_EQ(back.message(), e.message());
  EXPECT_TRUE(back.HasTag("_grokparsefailure"));
  ASSERT_NE(back.Get("log.file.path"), nullptr);
  EXPECT_EQ(back.Get("log.file.path")->as_string(), "/var/log/x");
  EXPECT_EQ(back.Get("n")->as_int(), 7);
  EXPECT_EQ(back.Get("tags"), nullptr);
  EXPECT_EQ(back.Get("@timestamp"), nullptr);
  std::string again;
  JsonEncoder().Encode(back, again);
  EXPECT_EQ(again, json);
}

TEST(JsonFieldsTest, WithoutEventKeysTimestampAndTagsAreFields) {
  JsonFields fields(JsonFields::Options{});
  ASSERT_EQ(fields.Parse(R"({"@timestamp":"2017-06-09T20:10:40Z","tags":["a"]})"),
            JsonFields::Parsed::kObject);
  EventBatch out;
  Event& e = out.Add(5, "m");
  fields.Store(e);
  EXPECT_EQ(e.timestamp_ns(), 5);
  EXPECT_TRUE(e.tags().empty());
  EXPECT_NE(e.Get("@timestamp"), nullptr);
  EXPECT_NE(e.Get("tags"), nullptr);
}

TEST(JsonFieldsTest, InvalidAndNonObjectTextIsReported) {
  JsonFields fields(JsonFields::Options{.event_keys = true});
  EXPECT_EQ(fields.Parse("plain"), JsonFields::Parsed::kInvalid);
  EXPECT_EQ(fields.Parse("{\"a\":"), JsonFields::Parsed::kInvalid);
  EXPECT_EQ(fields.Parse("[1,2]"), JsonFields::Parsed::kOther);
  EXPECT_EQ(fields.Parse("\xff\xfe"), JsonFields::Parsed::kInvalid);
}

}  // namespace
}  // namespace sluice::common
