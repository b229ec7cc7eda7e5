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

// ParseCopy leaves the text in the arena, its parser padding given back, and parses it there.
TEST(JsonFieldsTest, ParseCopyKeepsTheTextInTheArenaWithoutItsPadding) {
  JsonFields fields(JsonFields::Options{.event_keys = true});
  Arena arena;
  std::string text = R"({"@timestamp":"2017-06-09T20:10:40Z","a":{"b":1}})";
  std::string_view copy;
  ASSERT_EQ(fields.ParseCopy(text, arena, &copy), JsonFields::Parsed::kObject);
  EXPECT_EQ(copy, text);
  EXPECT_NE(copy.data(), text.data());
  EXPECT_EQ(arena.bytes_allocated(), text.size());
  text.assign(text.size(), 'x');  // the document does not depend on the caller's bytes
  EventBatch out;
  Event& e = out.AddView(0, {});
  fields.Store(e);
  ASSERT_NE(e.Get("a.b"), nullptr);
  EXPECT_EQ(e.Get("a.b")->as_int(), 1);
  EXPECT_EQ(e.timestamp_ns(), 1497039040000000000);
  std::string_view bad_copy;
  EXPECT_EQ(fields.ParseCopy("{\"a\":", arena, &bad_copy), JsonFields::Parsed::kInvalid);
  EXPECT_EQ(bad_copy, "{\"a\":");
}

TEST(JsonFieldsTest, InvalidAndNonObjectTextIsReported) {
  JsonFields fields(JsonFields::Options{.event_keys = true});
  EXPECT_EQ(fields.Parse("plain"), JsonFields::Parsed::kInvalid);
  EXPECT_EQ(fields.Parse("{\"a\":"), JsonFields::Parsed::kInvalid);
  EXPECT_EQ(fields.Parse("[1,2]"), JsonFields::Parsed::kOther);
  EXPECT_EQ(fields.Parse("\xff\xfe"), JsonFields::Parsed::kInvalid);
}

// CheckDocument: what a document needs to be carried through as it is.
TEST(JsonFieldsTest, CheckDocumentAcceptsOnlyTimedObjectsWithoutReservedOrRepeatedKeys) {
  const struct {
    std::string json;
    bool ok;
    std::string id;
  } cases[] = {
      {R"({"@timestamp":"2017-06-09T20:10:40.123Z","message":"m"})", true, ""},
      {R"({"message":"m","event":{"id":"0123abcd","x":1},"@timestamp":"2017-06-09T20:10:40Z"})",
       true, "0123abcd"},
      {R"({"@timestamp":"2017-06-09T20:10:40Z","event.id":"flat"})", true, "flat"},
      {R"({"@timestamp":"2017-06-09T20:10:40Z","event":{"id":7}})", true, ""},
      {R"({"@timestamp":"2017-06-09T20:10:40Z","a":[{"k":1},{"k":2}],"k":{"k":1}})", true, ""},
      {R"({"message":"no time"})", false, ""},
      {R"({"@timestamp":"yesterday"})", false, ""},
      {R"({"@timestamp":1497039040})", false, ""},
      {R"({"@timestamp":"2017-06-09T20:10:40Z","kafka":{"offset":1}})", false, ""},
      {R"({"@timestamp":"2017-06-09T20:10:40Z","kafka.offset":1})", false, ""},
      {R"({"@timestamp":"2017-06-09T20:10:40Z","a":1,"a":2})", false, ""},
      {R"({"@timestamp":"2017-06-09T20:10:40Z","a":{"b":1,"c":{"d":1,"d":2}}})", false, ""},
      {R"({"@timestamp":"2017-06-09T20:10:40Z","a":[1,{"b":1,"b":1}]})", false, ""},
      {R"(["@timestamp"])", false, ""},
      // More keys than are compared pairwise: sorted.
      {R"({"@timestamp":"2017-06-09T20:10:40Z","a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13})",
       true, ""},
      {R"({"@timestamp":"2017-06-09T20:10:40Z","a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"a":13})",
       false, ""},
  };
  JsonFields fields(JsonFields::Options{.event_keys = true});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.json);
    fields.Parse(c.json);
    JsonFields::DocumentKeys keys;
    ASSERT_EQ(fields.CheckDocument("kafka.", &keys), c.ok);
    if (!c.ok) continue;
    EXPECT_EQ(keys.id, c.id);
    EXPECT_EQ(keys.timestamp_ns / 1'000'000'000, 1'497'039'040);
  }
  // Without event_keys there is no time to read: never a document.
  JsonFields plain(JsonFields::Options{});
  plain.Parse(cases[0].json);
  JsonFields::DocumentKeys keys;
  EXPECT_FALSE(plain.CheckDocument("kafka.", &keys));
}

}  // namespace
}  // namespace sluice::common
