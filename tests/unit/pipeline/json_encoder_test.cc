#include "pipeline/json_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/arena.h"
#include "pipeline/event.h"
#include "pipeline/event_batch.h"

namespace sluice {
namespace {

using namespace std::string_literals;

// 2017-06-09T20:10:40Z
constexpr int64_t kTime = 1'497'039'040'000'000'000;
// The prefix every event with time kTime and message "m" starts with.
constexpr std::string_view kHead = R"({"@timestamp":"2017-06-09T20:10:40Z","message":"m")";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

class JsonEncoderTest : public ::testing::Test {
 protected:
  std::string Encode(const Event& event) {
    std::string out;
    encoder_.Encode(event, out);
    return out;
  }
  // The JSON for `message` alone, as it appears after "message": in the output.
  std::string EncodeMessage(std::string_view message) {
    Event event(&arena_, kTime, message);
    std::string out = Encode(event);
    const std::string prefix = R"({"@timestamp":"2017-06-09T20:10:40Z","message":)";
    EXPECT_EQ(out.substr(0, prefix.size()), prefix);
    EXPECT_EQ(out.back(), '}');
    return out.substr(prefix.size(), out.size() - prefix.size() - 1);
  }
  // The members written for `value` in field "v", e.g. `"v":1`.
  std::string EncodeValue(Value value) {
    Event event(&arena_, kTime, "m");
    event.Set("v", value);
    std::string out = Encode(event);
    EXPECT_EQ(out.substr(0, kHead.size()), kHead);
    return out.substr(kHead.size() + 1, out.size() - kHead.size() - 2);
  }
  static std::string Rfc3339(int64_t ns) {
    std::string out;
    AppendRfc3339(out, ns);
    return out;
  }

  Arena arena_;
  JsonEncoder encoder_;
};

TEST_F(JsonEncoderTest, MessageOnly) {
  Event event(&arena_, kTime, "hello");
  EXPECT_EQ(Encode(event), R"({"@timestamp":"2017-06-09T20:10:40Z","message":"hello"})");
}

TEST_F(JsonEncoderTest, FullEvent) {
  Event event(&arena_, kTime + 123'000'000, "GET /");
  event.Set("took", Value::Float(0.25));
  event.Set("log.level", Value::String("info"));
  event.Set("status", Value::Int(200));
  event.Set("host.name", Value::String("web-1"));
  event.Set("log.file.path", Value::String("/var/log/a.log"));
  event.Set("ok", Value::Bool(true));
  event.Set("gone", Value::Null());
  event.AddTag("prod");
  event.AddTag("parsed");
  event.metadata().source_id = 42;
  event.metadata().offset = 7;
  EXPECT_EQ(Encode(event),
            R"({"@timestamp":"2017-06-09T20:10:40.123Z","message":"GET /","gone":null,)"
            R"("host":{"name":"web-1"},"log":{"file":{"path":"/var/log/a.log"},"level":"info"},)"
            R"("ok":true,"status":200,"took":0.25,"tags":["prod","parsed"]})");
}

TEST_F(JsonEncoderTest, EncodeAppendsAndEncodeLineEndsWithNewline) {
  Event event(&arena_, kTime, "m");
  std::string out = "previous\n";
  encoder_.EncodeLine(event, out);
  encoder_.Encode(event, out);
  EXPECT_EQ(out, "previous\n"s + std::string(kHead) + "}\n" + std::string(kHead) + "}");
}

TEST_F(JsonEncoderTest, ReusesScratchAcrossEvents) {
  Event first(&arena_, kTime, "m");
  first.Set("b", Value::Int(1));
  first.Set("a", Value::Int(2));
  first.Set("c.d", Value::Int(3));
  Event second(&arena_, kTime, "m");
  second.Set("z", Value::Int(4));
  EXPECT_EQ(Encode(first), std::string(kHead) + R"(,"a":2,"b":1,"c":{"d":3}})");
  EXPECT_EQ(Encode(second), std::string(kHead) + R"(,"z":4})");
}

// The encoder keeps the layout of the last event's field names: a reused encoder must write each
// event exactly as a fresh one does, whether the names repeat, change, come in another order, or
// tags come and go.
TEST_F(JsonEncoderTest, AReusedLayoutWritesWhatAFreshEncoderWrites) {
  std::vector<Event> events;
  auto add = [&](std::vector<std::pair<std::string_view, Value>> fields, bool tagged) {
    Event& e = events.emplace_back(&arena_, kTime, "m");
    for (const auto& [name, value] : fields) e.Set(name, value);
    if (tagged) e.AddTag("t");
  };
  add({{"log.file.path", Value::String("/a")}, {"log.offset", Value::Int(1)}}, false);
  add({{"log.file.path", Value::String("/b")}, {"log.offset", Value::Int(2)}}, false);
  add({{"log.file.path", Value::String("/c")}, {"log.offset", Value::Float(2.5)}}, false);
  add({{"log.offset", Value::Int(3)}, {"log.file.path", Value::String("/d")}}, false);
  add({{"log.offset", Value::Int(4)}, {"log.file.path", Value::String("/e")}}, true);
  add({{"log.offset", Value::Int(5)}, {"log.file.path", Value::String("/f")}}, false);
  add({{"log.offset", Value::Int(6)}, {"log.file", Value::String("/g")}}, false);
  add({{"log.offset", Value::Int(7)}, {"log.file.pathx", Value::String("/h")}}, false);
  add({{"tags", Value::String("field")}, {"log", Value::Int(8)}}, false);
  add({{"tags", Value::String("field")}, {"log", Value::Int(9)}}, true);
  add({{"a", Value::Int(10)}}, false);
  add({}, false);
  add({{"a", Value::Int(11)}}, false);
  for (size_t i = 0; i < events.size(); ++i) {
    JsonEncoder fresh;
    std::string want;
    fresh.Encode(events[i], want);
    EXPECT_EQ(Encode(events[i]), want) << "event " << i;
  }
  EXPECT_EQ(Encode(events[3]), std::string(kHead) + R"(,"log":{"file":{"path":"/d"},"offset":3}})");
  EXPECT_EQ(Encode(events[9]), std::string(kHead) + R"(,"log":9,"tags":["t"]})");
}

TEST_F(JsonEncoderTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(EncodeMessage(R"(say "hi" \o/)"), R"("say \"hi\" \\o/")");
  EXPECT_EQ(EncodeMessage("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(EncodeMessage("\x01\x1f"), R"("\u0001\u001f")");
  EXPECT_EQ(EncodeMessage("a\x7f"
                          "b"),
            R"("a\u007fb")");  // DEL is escaped too
  EXPECT_EQ(EncodeMessage("a\0b"s), R"("a\u0000b")");
  EXPECT_EQ(EncodeMessage("/ and ' stay"), R"("/ and ' stay")");
}

TEST_F(JsonEncoderTest, KeepsValidMultiByteUtf8) {
  // 2, 3 and 4 byte sequences, and the largest code point.
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
  EXPECT_EQ(EncodeMessage(text), "\"" + text + "\"");
}

TEST_F(JsonEncoderTest, ReplacesInvalidUtf8ByteByByte) {
  const std::string r(kReplacement);
  EXPECT_EQ(EncodeMessage("a\xFF"
                          "b"),
            "\"a" + r + "b\"");
  EXPECT_EQ(EncodeMessage("\x80"), "\"" + r + "\"");  // lone continuation
  EXPECT_EQ(EncodeMessage("\xE2\x82"
                          "z"),
            "\"" + r + r + "z\"");                                      // truncated
  EXPECT_EQ(EncodeMessage("z\xF0\x9F\x98"), "\"z" + r + r + r + "\"");  // truncated at the end
  EXPECT_EQ(EncodeMessage("\xC0\xAF"), "\"" + r + r + "\"");            // overlong '/'
  EXPECT_EQ(EncodeMessage("\xE0\x80\xAF"), "\"" + r + r + r + "\"");    // overlong, 3 bytes
  EXPECT_EQ(EncodeMessage("\xED\xA0\x80"), "\"" + r + r + r + "\"");    // surrogate U+D800
  EXPECT_EQ(EncodeMessage("\xF4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // above U+10FFFF
}

// One event with message "m": its fields, set in this order, and its tags.
struct LayoutCase {
  std::string_view what;
  std::vector<std::pair<std::string_view, Value>> fields;
  std::vector<std::string_view> tags;
  std::string want;  // what follows kHead
};

TEST_F(JsonEncoderTest, FieldLayout) {
  const std::string r(kReplacement);
  const LayoutCase cases[] = {
      {"escapes field names, values and tags",
       {{"q\"k", Value::String("v\\\n")}},
       {"t\"\xFF"},
       R"(,"q\"k":"v\\\n","tags":["t\")" + r + "\"]}"},
      {"nests dotted names sharing a prefix",
       {{"log.level", Value::String("info")},
        {"log.file.path", Value::String("/a")},
        {"log.file.offset", Value::Int(9)}},
       {},
       R"(,"log":{"file":{"offset":9,"path":"/a"},"level":"info"}})"},
      {"closes several objects at once",
       {{"g", Value::Int(4)},
        {"a.f", Value::Int(3)},
        {"a.b.e", Value::Int(2)},
        {"a.b.c.d", Value::Int(1)},
        {"a.b.c.x", Value::Int(0)}},
       {},
       R"(,"a":{"b":{"c":{"d":1,"x":0},"e":2},"f":3},"g":4})"},
      {"sorts bytewise, so punctuation comes before the dot",
       {{"a.b", Value::Int(1)},
        {"a-b", Value::Int(2)},
        {"a_b", Value::Int(3)},
        {"B", Value::Int(4)}},
       {},
       R"(,"B":4,"a-b":2,"a":{"b":1},"a_b":3})"},
      {"a value and prefix clash writes the longer name flat",
       {{"a.b", Value::Int(2)}, {"a", Value::Int(1)}},
       {},
       R"(,"a":1,"a.b":2})"},
      {"a clash is found across names sorted in between",
       {{"a", Value::Int(1)},
        {"a-b", Value::Int(2)},
        {"a.b", Value::Int(3)},
        {"a.c.d", Value::Int(4)}},
       {},
       R"(,"a":1,"a-b":2,"a.b":3,"a.c.d":4})"},
      {"a clash goes into the deepest object that does not clash",
       {{"x.a.b.c", Value::Int(3)},
        {"x.a", Value::Int(1)},
        {"x.b", Value::Int(4)},
        {"x.a.b", Value::Int(2)},
        {"y.v", Value::Int(6)},
        {"y.v.w.z", Value::Int(7)},
        {"y.u.w", Value::Int(5)}},
       {},
       R"(,"x":{"a":1,"a.b":2,"a.b.c":3,"b":4},"y":{"u":{"w":5},"v":6,"v.w.z":7}})"},
      {"a clash below an object",
       {{"a.b.c", Value::Int(1)}, {"a.b", Value::Int(2)}},
       {},
       R"(,"a":{"b":2,"b.c":1}})"},
      {"the event's time and message win over fields of the same name",
       {{"message", Value::String("field message")},
        {"@timestamp", Value::String("field time")},
        {"message.x", Value::Int(1)},
        {"@timestamp.y", Value::Int(2)}},
       {},
       R"(,"@timestamp.y":2,"message.x":1})"},
      // The tags field is written only when the event has no tags.
      {"a tags field and no tags",
       {{"tags", Value::String("a,b")}, {"tags.n", Value::Int(2)}},
       {},
       R"(,"tags":"a,b","tags.n":2})"},
      {"a tags field and tags",
       {{"tags", Value::String("a,b")}, {"tags.n", Value::Int(2)}},
       {"t"},
       R"(,"tags.n":2,"tags":["t"]})"},
      {"empty segments stop the nesting",
       {{"a..b", Value::Int(1)},
        {"a.c", Value::Int(2)},
        {"a.", Value::Int(3)},
        {".d", Value::Int(4)},
        {"", Value::Int(5)}},
       {},
       R"(,"":5,".d":4,"a":{"":3,".b":1,"c":2}})"},
  };
  for (const LayoutCase& c : cases) {
    SCOPED_TRACE(c.what);
    Event event(&arena_, kTime, "m");
    for (const auto& [name, value] : c.fields) event.Set(name, value);
    for (std::string_view tag : c.tags) event.AddTag(tag);
    EXPECT_EQ(Encode(event), std::string(kHead) + c.want);
  }
}

TEST_F(JsonEncoderTest, Integers) {
  EXPECT_EQ(EncodeValue(Value::Int(0)), R"("v":0)");
  EXPECT_EQ(EncodeValue(Value::Int(-17)), R"("v":-17)");
  EXPECT_EQ(EncodeValue(Value::Int(std::numeric_limits<int64_t>::max())),
            R"("v":9223372036854775807)");
  EXPECT_EQ(EncodeValue(Value::Int(std::numeric_limits<int64_t>::min())),
            R"("v":-9223372036854775808)");
}

TEST_F(JsonEncoderTest, FloatsUseTheShortestRoundTripFormAndStayFloats) {
  EXPECT_EQ(EncodeValue(Value::Float(0.1)), R"("v":0.1)");
  EXPECT_EQ(EncodeValue(Value::Float(0.1 + 0.2)), R"("v":0.30000000000000004)");
  EXPECT_EQ(EncodeValue(Value::Float(-2.5)), R"("v":-2.5)");
  EXPECT_EQ(EncodeValue(Value::Float(1.0)), R"("v":1.0)");
  EXPECT_EQ(EncodeValue(Value::Float(0.0)), R"("v":0.0)");
  EXPECT_EQ(EncodeValue(Value::Float(-0.0)), R"("v":-0.0)");
  EXPECT_EQ(EncodeValue(Value::Float(123456789012.0)), R"("v":123456789012.0)");
  EXPECT_EQ(EncodeValue(Value::Float(1e21)), R"("v":1e+21)");
  EXPECT_EQ(EncodeValue(Value::Float(1.5e-7)), R"("v":1.5e-07)");
  EXPECT_EQ(EncodeValue(Value::Float(std::numeric_limits<double>::max())),
            R"("v":1.7976931348623157e+308)");
  EXPECT_EQ(EncodeValue(Value::Float(std::numeric_limits<double>::denorm_min())), R"("v":5e-324)");
}

TEST_F(JsonEncoderTest, NanAndInfinitiesBecomeNull) {
  EXPECT_EQ(EncodeValue(Value::Float(std::nan(""))), R"("v":null)");
  EXPECT_EQ(EncodeValue(Value::Float(std::numeric_limits<double>::infinity())), R"("v":null)");
  EXPECT_EQ(EncodeValue(Value::Float(-std::numeric_limits<double>::infinity())), R"("v":null)");
}

TEST_F(JsonEncoderTest, BoolsNullAndStrings) {
  EXPECT_EQ(EncodeValue(Value::Bool(true)), R"("v":true)");
  EXPECT_EQ(EncodeValue(Value::Bool(false)), R"("v":false)");
  EXPECT_EQ(EncodeValue(Value::Null()), R"("v":null)");
  EXPECT_EQ(EncodeValue(Value::String("")), R"("v":"")");
  EXPECT_EQ(EncodeValue(Value::String("12")), R"("v":"12")");
}

TEST_F(JsonEncoderTest, TimestampFractionIsTrimmedToGroupsOfThree) {
  EXPECT_EQ(Rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Rfc3339(kTime), "2017-06-09T20:10:40Z");
  EXPECT_EQ(Rfc3339(kTime + 123'000'000), "2017-06-09T20:10:40.123Z");
  EXPECT_EQ(Rfc3339(kTime + 120'000'000), "2017-06-09T20:10:40.120Z");
  EXPECT_EQ(Rfc3339(kTime + 1'000'000), "2017-06-09T20:10:40.001Z");
  EXPECT_EQ(Rfc3339(kTime + 123'456'000), "2017-06-09T20:10:40.123456Z");
  EXPECT_EQ(Rfc3339(kTime + 120'000), "2017-06-09T20:10:40.000120Z");
  EXPECT_EQ(Rfc3339(kTime + 123'456'789), "2017-06-09T20:10:40.123456789Z");
  EXPECT_EQ(Rfc3339(kTime + 1), "2017-06-09T20:10:40.000000001Z");
  EXPECT_EQ(Rfc3339(kTime + 100'000'010), "2017-06-09T20:10:40.100000010Z");
}

TEST_F(JsonEncoderTest, TimestampsBefore1970) {
  EXPECT_EQ(Rfc3339(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(Rfc3339(-1'000'000), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(Rfc3339(-1'000'000'000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(Rfc3339(-1'500'000'000), "1969-12-31T23:59:58.500Z");
  EXPECT_EQ(Rfc3339(-86'400'000'000'000), "1969-12-31T00:00:00Z");
  // 1900-01-01, the Modbus/NTP epoch.
  EXPECT_EQ(Rfc3339(-2'208'988'800'000'000'000), "1900-01-01T00:00:00Z");
}

TEST_F(JsonEncoderTest, TimestampExtremes) {
  EXPECT_EQ(Rfc3339(std::numeric_limits<int64_t>::min()), "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(Rfc3339(std::numeric_limits<int64_t>::max()), "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(Rfc3339(951'782'400'000'000'000), "2000-02-29T00:00:00Z");
}

TEST_F(JsonEncoderTest, AppendRfc3339Appends) {
  std::string out = "t=";
  AppendRfc3339(out, 0);
  EXPECT_EQ(out, "t=1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// One encoder reused across events keeps the formatted second: it must change when the second does,
// including backwards and before 1970.
TEST(JsonEncoderTimestampCacheTest, ReusedEncoderFollowsEverySecondChange) {
  JsonEncoder encoder;
  EventBatch batch;
  const std::vector<std::pair<int64_t, std::string>> cases = {
      {1'500'000'000, "1970-01-01T00:00:01.500Z"},
      {1'700'000'000, "1970-01-01T00:00:01.700Z"},
      {2'000'000'000, "1970-01-01T00:00:02Z"},
      {1'999'999'999, "1970-01-01T00:00:01.999999999Z"},
      {-500'000'000, "1969-12-31T23:59:59.500Z"},
      {1'497'039'040'000'001'000, "2017-06-09T20:10:40.000001Z"},
  };
  for (const auto& [ns, want] : cases) {
    std::string out;
    encoder.Encode(batch.Add(ns, "m"), out);
    EXPECT_EQ(out, "{\"@timestamp\":\"" + want + "\",\"message\":\"m\"}") << ns;
  }
}

// A document event is its document's members as they came (no @timestamp or message of the
// encoder's, whatever the event time), then the event's fields, nested as usual.
TEST_F(JsonEncoderTest, ADocumentEventIsWrittenAsItCameFollowedByItsFields) {
  EventBatch batch;
  const std::string document =
      R"({"@timestamp":"2017-06-09T20:10:40.100000Z","b":{"x":[1, 2]},"a":"\u00e9"})";
  Event& e = batch.AddDocument(kTime, document);
  EXPECT_EQ(Encode(e), document);
  e.SetView("kafka.topic", Value::String("spark"));
  e.SetView("kafka.offset", Value::Int(12));
  EXPECT_EQ(Encode(e),
            document.substr(0, document.size() - 1) + R"(,"kafka":{"offset":12,"topic":"spark"}})");
  // The plan built for the document event serves an ordinary event with the same fields.
  Event& plain = batch.Add(kTime, "m");
  plain.SetView("kafka.topic", Value::String("spark"));
  plain.SetView("kafka.offset", Value::Int(12));
  EXPECT_EQ(Encode(plain), std::string(kHead) + R"(,"kafka":{"offset":12,"topic":"spark"}})");
  EXPECT_EQ(e.message(), "");
  EXPECT_EQ(e.payload(), document);
}

}  // namespace
}  // namespace sluice
