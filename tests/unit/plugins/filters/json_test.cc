#include "plugins/filters/json.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "pipeline/event_batch.h"
#include "pipeline/json_encoder.h"
#include "pipeline/registry.h"
#include "tests/unit/plugins/filters/filter_cases.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::filters {
namespace {

using testing::BuildFilter;
using testing::ParseFilterOptions;

// The shape Spark 4 writes with structured logging on (spark.log.structuredLogging.enabled).
constexpr std::string_view kSparkLine =
    R"({"ts":"2024-06-01T10:11:12.345Z","level":"ERROR","msg":"Task failed",)"
    R"("context":{"task_id":"3","executor_id":"1"},"exception":{"class":)"
    R"("java.lang.RuntimeException","msg":"boom","stacktrace":[{"class":"org.X","method":"run",)"
    R"("file":"X.scala","line":12}]},"logger":"TaskSetManager"})";

class JsonFilterTest : public ::testing::Test {
 protected:
  // Builds the filter from `yaml` (its options) and applies it to a new event with `message`.
  FilterResult Run(const std::string& yaml, std::string_view message) {
    built_ = BuildFilter<JsonFilter>(yaml);
    EXPECT_NE(built_->filter, nullptr) << built_->error;
    event_ = &batch_.Add(0, message);
    return built_->filter->Apply(*event_);
  }
  FilterResult Again(std::string_view message) {
    event_ = &batch_.Add(0, message);
    return built_->filter->Apply(*event_);
  }
  const Value* Get(std::string_view name) const { return event_->Get(name); }
  std::string Str(std::string_view name) const {
    const Value* v = event_->Get(name);
    if (v == nullptr) return "<absent>";
    if (!v->has_bytes()) return "<not bytes>";
    return std::string(v->as_string());
  }
  std::string Encoded() {
    std::string out;
    JsonEncoder().Encode(*event_, out);
    return out;
  }

  std::unique_ptr<testing::BuiltFilter<JsonFilter>> built_;
  EventBatch batch_;
  Event* event_ = nullptr;
};

TEST_F(JsonFilterTest, IsRegistered) {
  const PluginFactory* f = Registry::Get().Find(PluginKind::kFilter, "json");
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(f->summary().empty());
}

TEST_F(JsonFilterTest, FlattensNestedObjectsIntoDottedNamesInDocumentOrder) {
  EXPECT_EQ(Run("{}", R"({"a":{"b":{"c":1},"d":"x"},"e":true})"), FilterResult::kMatched);
  ASSERT_EQ(event_->fields().size(), 3u);
  EXPECT_EQ(event_->fields()[0].name, "a.b.c");
  EXPECT_EQ(event_->fields()[0].value, Value::Int(1));
  EXPECT_EQ(event_->fields()[1].name, "a.d");
  EXPECT_EQ(Str("a.d"), "x");
  EXPECT_EQ(event_->fields()[2].name, "e");
  EXPECT_EQ(*Get("e"), Value::Bool(true));
  // The message is kept as it was (the document has no `message` key).
  EXPECT_EQ(event_->message(), R"({"a":{"b":{"c":1},"d":"x"},"e":true})");
  EXPECT_TRUE(event_->tags().empty());
}

TEST_F(JsonFilterTest, StoresEachScalarTypeAsItsValueKind) {
  ASSERT_EQ(Run("{}", R"({"i":-42,"zero":0,"f":1.5,"whole":1.0,"exp":2e3,"t":true,"n":null,)"
                      R"("s":"text","empty":""})"),
            FilterResult::kMatched);
  EXPECT_EQ(*Get("i"), Value::Int(-42));
  EXPECT_EQ(*Get("zero"), Value::Int(0));
  EXPECT_EQ(*Get("f"), Value::Float(1.5));
  EXPECT_EQ(*Get("whole"), Value::Float(1.0));  // a float in the JSON stays a float
  EXPECT_EQ(*Get("exp"), Value::Float(2000.0));
  EXPECT_EQ(*Get("t"), Value::Bool(true));
  EXPECT_EQ(*Get("n"), Value::Null());
  EXPECT_EQ(Get("s")->kind(), Value::Kind::kString);
  EXPECT_EQ(Str("s"), "text");
  EXPECT_EQ(Get("empty")->kind(), Value::Kind::kString);
  EXPECT_EQ(Str("empty"), "");
}

TEST_F(JsonFilterTest, KeepsArraysAsCompactRawJson) {
  ASSERT_EQ(
      Run("{}", R"({"arr":[1, "two" ,{"x" : null, "y":[]},[true,false],-0.5,1.0,"\u00e9\"\n"],)"
                R"( "spaced" : [ 1 , 2 ], "none":[]})"),
      FilterResult::kMatched);
  EXPECT_EQ(Get("arr")->kind(), Value::Kind::kJson);
  EXPECT_EQ(Str("arr"), R"([1,"two",{"x":null,"y":[]},[true,false],-0.5,1.0,"é\"\n"])");
  EXPECT_EQ(Str("spaced"), "[1,2]");
  EXPECT_EQ(Str("none"), "[]");
  // Encoders write raw JSON verbatim: the array stays an array.
  EXPECT_NE(Encoded().find(R"("spaced":[1,2])"), std::string::npos) << Encoded();
}

TEST_F(JsonFilterTest, UnescapesStringsAndKeys) {
  ASSERT_EQ(Run("{}", R"({"u":"caf\u00e9 \ud83d\ude00","esc":"a\"b\\c\/d\n\t\r\b\f","k\u00e9y":1,)"
                      R"("nul":"x\u0000y","raw":"żółw 日本"})"),
            FilterResult::kMatched);
  EXPECT_EQ(Str("u"), "café 😀");
  EXPECT_EQ(Str("esc"), "a\"b\\c/d\n\t\r\b\f");
  EXPECT_EQ(*Get("kéy"), Value::Int(1));
  EXPECT_EQ(Str("nul"), std::string("x\0y", 3));
  EXPECT_EQ(Str("raw"), "żółw 日本");
}

TEST_F(JsonFilterTest, StringsSurviveTheNextParseAndTheFilter) {
  // simdjson unescapes into a buffer the next parse reuses: values must have been copied.
  ASSERT_EQ(Run("{}", R"({"s":"first \"one\"","plain":"first plain","a":[1]})"),
            FilterResult::kMatched);
  Event* first = event_;
  ASSERT_EQ(Again(R"({"s":"SECOND \"two\" overwrites the parser's buffers","plain":"zzzzzzzzzzz",)"
                  R"("a":[2,2,2,2,2,2]})"),
            FilterResult::kMatched);
  built_.reset();  // the filter and its buffers are gone too
  EXPECT_EQ(first->Get("s")->as_string(), "first \"one\"");
  EXPECT_EQ(first->Get("plain")->as_string(), "first plain");
  EXPECT_EQ(first->Get("a")->as_string(), "[1]");
  EXPECT_EQ(Str("a"), "[2,2,2,2,2,2]");
}

TEST_F(JsonFilterTest, BigIntegers) {
  ASSERT_EQ(Run("{}", R"({"max":9223372036854775807,"min":-9223372036854775808,)"
                      R"("above":9223372036854775808,"umax":18446744073709551615,"big":1.5e300,)"
                      R"("in_array":[18446744073709551615]})"),
            FilterResult::kMatched);
  EXPECT_EQ(*Get("max"), Value::Int(INT64_MAX));
  EXPECT_EQ(*Get("min"), Value::Int(INT64_MIN));
  // Above INT64_MAX: the exact digits, as a string (a float would change the value).
  EXPECT_EQ(Get("above")->kind(), Value::Kind::kString);
  EXPECT_EQ(Str("above"), "9223372036854775808");
  EXPECT_EQ(Str("umax"), "18446744073709551615");
  EXPECT_EQ(*Get("big"), Value::Float(1.5e300));
  EXPECT_EQ(Str("in_array"), "[18446744073709551615]");

  // simdjson rejects integers beyond 64 bits and numbers beyond double's range: the documented
  // limitation is a parse failure.
  for (std::string_view doc :
       {R"({"a":18446744073709551616})", R"({"a":-9223372036854775809})", R"({"a":1e400})"}) {
    EXPECT_EQ(Again(doc), FilterResult::kFailed) << doc;
    EXPECT_TRUE(event_->HasTag("_jsonparsefailure"));
    EXPECT_TRUE(event_->fields().empty());
  }
}

TEST_F(JsonFilterTest, DuplicateKeysLastOneWins) {
  ASSERT_EQ(Run("{}", R"({"a":1,"b":0,"a":"two"})"), FilterResult::kMatched);
  ASSERT_EQ(event_->fields().size(), 2u);
  EXPECT_EQ(Str("a"), "two");
  // A dotted key and a nested object naming the same field collide the same way.
  ASSERT_EQ(Again(R"({"x.y":1,"x":{"y":2}})"), FilterResult::kMatched);
  ASSERT_EQ(event_->fields().size(), 1u);
  EXPECT_EQ(*Get("x.y"), Value::Int(2));
}

TEST_F(JsonFilterTest, OverwritesExistingFields) {
  built_ = BuildFilter<JsonFilter>("{}");
  event_ = &batch_.Add(0, R"({"level":"ERROR"})");
  event_->Set("level", Value::String("INFO"));
  event_->Set("other", Value::Int(7));
  ASSERT_EQ(built_->filter->Apply(*event_), FilterResult::kMatched);
  EXPECT_EQ(Str("level"), "ERROR");
  EXPECT_EQ(*Get("other"), Value::Int(7));
  EXPECT_EQ(event_->fields().size(), 2u);
}

TEST_F(JsonFilterTest, TenThousandLevelsFailWithoutCrashing) {
  for (std::string open : {"[", "{\"a\":"}) {
    std::string doc;
    for (int i = 0; i < 10'000; ++i) doc += open;
    doc += "1";
    for (int i = 0; i < 10'000; ++i) doc += open == "[" ? "]" : "}";
    EXPECT_EQ(Run("{}", doc), FilterResult::kFailed);
    EXPECT_TRUE(event_->HasTag("_jsonparsefailure"));
    EXPECT_TRUE(event_->fields().empty());
    EXPECT_EQ(event_->message(), doc);
  }
  // The same nesting inside a value with a target: still a failure (simdjson's depth limit).
  std::string arrays(10'000, '[');
  arrays += std::string(10'000, ']');
  EXPECT_EQ(Run("target: t", arrays), FilterResult::kFailed);
}

TEST_F(JsonFilterTest, DeepButAllowedNestingFlattensAndSerializes) {
  // 1000 levels: below simdjson's limit of 1024.
  std::string doc, name;
  for (int i = 0; i < 1000; ++i) {
    doc += "{\"k\":";
    name += name.empty() ? "k" : ".k";
  }
  doc += "[[[1]]]";
  doc += std::string(1000, '}');
  ASSERT_EQ(Run("{}", doc), FilterResult::kMatched);
  ASSERT_EQ(event_->fields().size(), 1u);
  EXPECT_EQ(event_->fields()[0].name, name);
  EXPECT_EQ(Str(name), "[[[1]]]");

  // Not flattened: one raw JSON value holding 999 levels.
  ASSERT_EQ(Run("flatten: false", doc), FilterResult::kMatched);
  ASSERT_EQ(event_->fields().size(), 1u);
  EXPECT_EQ(Str("k"), doc.substr(5, doc.size() - 6));
}

TEST_F(JsonFilterTest, InvalidJsonIsTaggedAndLeavesTheEventIntact) {
  built_ = BuildFilter<JsonFilter>("{}");
  for (std::string_view doc :
       {"", "   ", "{", "}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1} trailing", "{'a':1}", "not json",
        "{\"a\":1}\n{\"b\":2}", "{\"a\":nul}", "{\"a\":01}", "{\"a\":\"\\ud800\"}", "{\"a\" 1}",
        "{\"a\":[1,2}", "{a:1}", "{\"a\":\"tab\there\"}", "{\"a\":1}}"}) {
    event_ = &batch_.Add(5, doc);
    event_->Set("keep", Value::Int(1));
    EXPECT_EQ(built_->filter->Apply(*event_), FilterResult::kFailed) << doc;
    EXPECT_EQ(event_->message(), doc);
    ASSERT_EQ(event_->fields().size(), 1u) << doc;
    EXPECT_EQ(*Get("keep"), Value::Int(1));
    ASSERT_EQ(event_->tags().size(), 1u);
    EXPECT_EQ(event_->tags()[0], "_jsonparsefailure");
    EXPECT_EQ(event_->timestamp_ns(), 5);
  }
}

TEST_F(JsonFilterTest, EveryTruncationOfTheSparkLineFails) {
  built_ = BuildFilter<JsonFilter>("{message_field: msg}");
  for (size_t n = 0; n < kSparkLine.size(); ++n) {
    event_ = &batch_.Add(0, kSparkLine.substr(0, n));
    ASSERT_EQ(built_->filter->Apply(*event_), FilterResult::kFailed) << n;
    EXPECT_TRUE(event_->fields().empty());
    EXPECT_EQ(event_->message(), kSparkLine.substr(0, n));
  }
  EXPECT_EQ(Again(kSparkLine), FilterResult::kMatched);
}

TEST_F(JsonFilterTest, ParsesExactlyTheFieldBytesNotWhatFollowsThem) {
  // The text is a view into a larger buffer: the bytes after it must not be read as JSON.
  built_ = BuildFilter<JsonFilter>("{}");
  std::string_view stored = batch_.arena().Copy(R"({"a":1}{"b":2})");
  event_ = &batch_.AddView(0, stored.substr(0, 7));
  EXPECT_EQ(built_->filter->Apply(*event_), FilterResult::kMatched);
  EXPECT_EQ(event_->fields().size(), 1u);
  stored = batch_.arena().Copy(R"({"a":1})");
  event_ = &batch_.AddView(0, stored.substr(0, 5));  // {"a":
  EXPECT_EQ(built_->filter->Apply(*event_), FilterResult::kFailed);
}

TEST_F(JsonFilterTest, BinaryAndInvalidUtf8Fail) {
  built_ = BuildFilter<JsonFilter>("{}");
  const std::string cases[] = {
      std::string("{\"a\":\"\xff\xfe\"}"),    // invalid UTF-8 in a string
      std::string("{\"\xc3\":1}"),            // truncated UTF-8 sequence in a key
      std::string("{\"a\":1}\0garbage", 16),  // NUL after the object
      std::string("\0\0\0\0", 4),             // only NULs
      std::string("{\"a\":\"\x01\"}"),        // unescaped control character
      std::string("\xef\xbb\xbf{\"a\":1}"),   // byte order mark
  };
  for (const std::string& doc : cases) {
    event_ = &batch_.Add(0, doc);
    EXPECT_EQ(built_->filter->Apply(*event_), FilterResult::kFailed);
    EXPECT_TRUE(event_->fields().empty());
  }
  std::mt19937 rng(7);
  std::string noise;
  for (int round = 0; round < 200; ++round) {
    noise.clear();
    const int length = static_cast<int>(rng() % 300);
    noise += '{';
    for (int i = 0; i < length; ++i) noise += static_cast<char>(rng() & 0xff);
    event_ = &batch_.Add(0, noise);
    EXPECT_EQ(built_->filter->Apply(*event_), FilterResult::kFailed);
  }
}

TEST_F(JsonFilterTest, OneMebibyteDocument) {
  std::string big(1 << 20, 'x');
  std::string doc = R"({"big":")" + big + R"(","list":[)";
  for (int i = 0; i < 20'000; ++i) doc += (i ? "," : "") + std::to_string(i);
  doc += R"(],"obj":{)";
  for (int i = 0; i < 500; ++i) doc += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + "1";
  doc += "}}";
  ASSERT_GT(doc.size(), 1u << 20);
  ASSERT_EQ(Run("{}", doc), FilterResult::kMatched);
  EXPECT_EQ(Str("big"), big);
  EXPECT_EQ(Str("list").size(), doc.find("],\"obj\"") - doc.find("[") + 1);
  EXPECT_EQ(*Get("obj.k499"), Value::Int(1));
  EXPECT_EQ(event_->fields().size(), 502u);
  // The buffers grown for it serve small documents afterwards.
  ASSERT_EQ(Again(R"({"small":1})"), FilterResult::kMatched);
  EXPECT_EQ(event_->fields().size(), 1u);
}

TEST_F(JsonFilterTest, TopLevelArrayOrScalarNeedsATarget) {
  for (std::string_view doc : {"[1,2]", "42", "\"text\"", "true", "null"}) {
    EXPECT_EQ(Run("{}", doc), FilterResult::kFailed) << doc;
    EXPECT_TRUE(event_->HasTag("_jsonparsefailure"));
  }
  EXPECT_EQ(Run("target: json", " [1, {\"a\":2}] "), FilterResult::kMatched);
  EXPECT_EQ(Get("json")->kind(), Value::Kind::kJson);
  EXPECT_EQ(Str("json"), R"([1,{"a":2}])");
  EXPECT_EQ(Again("42"), FilterResult::kMatched);
  EXPECT_EQ(*Get("json"), Value::Int(42));
  EXPECT_EQ(Again(R"("t\u00e9xt")"), FilterResult::kMatched);
  EXPECT_EQ(Str("json"), "téxt");
  EXPECT_EQ(Again("null"), FilterResult::kMatched);
  EXPECT_EQ(*Get("json"), Value::Null());
}

TEST_F(JsonFilterTest, TargetPrefixesEveryName) {
  ASSERT_EQ(Run("target: json", R"({"a":{"b":1},"c":[2],"d":{}})"), FilterResult::kMatched);
  ASSERT_EQ(event_->fields().size(), 3u);
  EXPECT_EQ(*Get("json.a.b"), Value::Int(1));
  EXPECT_EQ(Str("json.c"), "[2]");
  EXPECT_EQ(Str("json.d"), "{}");
  // A dotted target nests further.
  ASSERT_EQ(Run("target: spark.raw", R"({"a":1})"), FilterResult::kMatched);
  EXPECT_EQ(*Get("spark.raw.a"), Value::Int(1));
  // An empty document with a target stores nothing.
  ASSERT_EQ(Run("target: json", "{}"), FilterResult::kMatched);
  EXPECT_TRUE(event_->fields().empty());
}

TEST_F(JsonFilterTest, FlattenFalseKeepsObjectsAsRawJson) {
  ASSERT_EQ(Run("flatten: false", R"({"a":{"b":1, "c":[1,{"d":"e"}]},"f":2})"),
            FilterResult::kMatched);
  ASSERT_EQ(event_->fields().size(), 2u);
  EXPECT_EQ(Get("a")->kind(), Value::Kind::kJson);
  EXPECT_EQ(Str("a"), R"({"b":1,"c":[1,{"d":"e"}]})");
  EXPECT_EQ(*Get("f"), Value::Int(2));
  EXPECT_NE(Encoded().find(R"("a":{"b":1,"c":[1,{"d":"e"}]})"), std::string::npos) << Encoded();
}

TEST_F(JsonFilterTest, MaxDepthLimitsFlattening) {
  const std::string doc = R"({"a":{"b":{"c":{"d":1}}},"top":{"x":1}})";
  ASSERT_EQ(Run("max_depth: 1", doc), FilterResult::kMatched);  // like flatten: false
  EXPECT_EQ(Str("a"), R"({"b":{"c":{"d":1}}})");
  EXPECT_EQ(Str("top"), R"({"x":1})");
  ASSERT_EQ(Run("max_depth: 2", doc), FilterResult::kMatched);
  EXPECT_EQ(Str("a.b"), R"({"c":{"d":1}})");
  EXPECT_EQ(*Get("top.x"), Value::Int(1));
  ASSERT_EQ(Run("max_depth: 3", doc), FilterResult::kMatched);
  EXPECT_EQ(Str("a.b.c"), R"({"d":1})");
  ASSERT_EQ(Run("max_depth: 0", doc), FilterResult::kMatched);
  EXPECT_EQ(*Get("a.b.c.d"), Value::Int(1));
  ASSERT_EQ(Run("max_depth: 4", doc), FilterResult::kMatched);
  EXPECT_EQ(*Get("a.b.c.d"), Value::Int(1));
}

TEST_F(JsonFilterTest, EmptyObjectsAreKeptAsRawJson) {
  ASSERT_EQ(Run("{}", R"({"a":{},"b":{"c":{}}})"), FilterResult::kMatched);
  EXPECT_EQ(Str("a"), "{}");
  EXPECT_EQ(Str("b.c"), "{}");
  ASSERT_EQ(Again("{}"), FilterResult::kMatched);
  EXPECT_TRUE(event_->fields().empty());
}

TEST_F(JsonFilterTest, MessageFieldReplacesTheMessage) {
  ASSERT_EQ(Run("message_field: msg", R"({"msg":"hello \"you\"","level":"INFO"})"),
            FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "hello \"you\"");
  EXPECT_EQ(Get("msg"), nullptr);
  EXPECT_EQ(Str("level"), "INFO");

  // Absent from the document: the message stays the JSON text.
  ASSERT_EQ(Again(R"({"level":"WARN"})"), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), R"({"level":"WARN"})");

  // Other kinds become their JSON text; null an empty message.
  ASSERT_EQ(Again(R"({"msg":42})"), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "42");
  ASSERT_EQ(Again(R"({"msg":{"a":[1, 2]}})"), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), R"({"a":[1,2]})");
  EXPECT_TRUE(event_->fields().empty());
  ASSERT_EQ(Again(R"({"msg":null})"), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "");

  // Only the top-level key: a nested `msg` is an ordinary field.
  ASSERT_EQ(Again(R"({"exception":{"msg":"boom"}})"), FilterResult::kMatched);
  EXPECT_EQ(Str("exception.msg"), "boom");
  EXPECT_EQ(event_->message(), R"({"exception":{"msg":"boom"}})");
}

TEST_F(JsonFilterTest, ADocumentsMessageKeyBecomesTheMessageByDefault) {
  ASSERT_EQ(Run("{}", R"({"@timestamp":"2024-06-01T10:11:12Z","message":"from json","n":1})"),
            FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "from json");
  EXPECT_EQ(Get("message"), nullptr);
  EXPECT_EQ(Str("@timestamp"), "2024-06-01T10:11:12Z");  // for a timestamp filter to read
  // With a target too: the key is a path in the document.
  ASSERT_EQ(Run("target: json", R"({"message":"m","n":1})"), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "m");
  EXPECT_EQ(Get("json.message"), nullptr);
  EXPECT_EQ(*Get("json.n"), Value::Int(1));
  // Empty: no key becomes the message.
  ASSERT_EQ(Run("{target: json, message_field: ''}", R"({"message":"m"})"), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), R"({"message":"m"})");
  EXPECT_EQ(Str("json.message"), "m");
}

TEST_F(JsonFilterTest, MessageFieldIsADottedPathIgnoringTheTarget) {
  ASSERT_EQ(
      Run("{message_field: log.message, target: json}", R"({"log":{"message":"m","level":"I"}})"),
      FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "m");
  EXPECT_EQ(Get("json.log.message"), nullptr);
  EXPECT_EQ(Str("json.log.level"), "I");
  // Without flattening the nested key is inside a raw JSON value: not found.
  ASSERT_EQ(Run("{message_field: log.message, flatten: false}", R"({"log":{"message":"m"}})"),
            FilterResult::kMatched);
  EXPECT_EQ(event_->message(), R"({"log":{"message":"m"}})");
  EXPECT_EQ(Str("log"), R"({"message":"m"})");
}

TEST_F(JsonFilterTest, ParsesAnotherField) {
  built_ = BuildFilter<JsonFilter>("field: payload");
  event_ = &batch_.Add(0, "the message");
  EXPECT_EQ(built_->filter->Apply(*event_), FilterResult::kSkipped);  // absent
  EXPECT_TRUE(event_->tags().empty());
  event_->Set("payload", Value::Int(3));
  EXPECT_EQ(built_->filter->Apply(*event_), FilterResult::kSkipped);  // not text
  event_->Set("payload", Value::String(R"({"a":1})"));
  EXPECT_EQ(built_->filter->Apply(*event_), FilterResult::kMatched);
  EXPECT_EQ(*Get("a"), Value::Int(1));
  EXPECT_EQ(event_->message(), "the message");
  EXPECT_EQ(Str("payload"), R"({"a":1})");  // kept (remove_field: false)

  // Raw JSON left by an earlier json filter (flatten: false) parses too.
  event_ = &batch_.Add(0, "m");
  event_->Set("payload", Value::Json(R"({"b":{"c":2}})"));
  EXPECT_EQ(built_->filter->Apply(*event_), FilterResult::kMatched);
  EXPECT_EQ(*Get("b.c"), Value::Int(2));

  event_ = &batch_.Add(0, "m");
  event_->Set("payload", Value::String("nope"));
  EXPECT_EQ(built_->filter->Apply(*event_), FilterResult::kFailed);
  EXPECT_TRUE(event_->HasTag("_jsonparsefailure"));
}

TEST_F(JsonFilterTest, RemoveFieldAfterSuccessOnly) {
  built_ = BuildFilter<JsonFilter>("{field: payload, remove_field: true}");
  event_ = &batch_.Add(0, "m");
  event_->Set("payload", Value::String(R"({"a":1})"));
  ASSERT_EQ(built_->filter->Apply(*event_), FilterResult::kMatched);
  EXPECT_EQ(Get("payload"), nullptr);
  EXPECT_EQ(*Get("a"), Value::Int(1));

  event_ = &batch_.Add(0, "m");
  event_->Set("payload", Value::String("{broken"));
  ASSERT_EQ(built_->filter->Apply(*event_), FilterResult::kFailed);
  EXPECT_EQ(Str("payload"), "{broken");

  // A key of the document named like the source field survives the removal.
  event_ = &batch_.Add(0, "m");
  event_->Set("payload", Value::String(R"({"payload":"inner"})"));
  ASSERT_EQ(built_->filter->Apply(*event_), FilterResult::kMatched);
  EXPECT_EQ(Str("payload"), "inner");
}

TEST_F(JsonFilterTest, RemoveFieldNeverRemovesTheMessage) {
  ASSERT_EQ(Run("remove_field: true", R"({"a":1})"), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), R"({"a":1})");
  ASSERT_EQ(Run("{remove_field: true, message_field: msg}", R"({"msg":"m","a":1})"),
            FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "m");
}

TEST_F(JsonFilterTest, TagOnFailure) {
  EXPECT_EQ(Run("tag_on_failure: [bad_json, parse_error]", "{"), FilterResult::kFailed);
  ASSERT_EQ(event_->tags().size(), 2u);
  EXPECT_EQ(event_->tags()[0], "bad_json");
  EXPECT_EQ(event_->tags()[1], "parse_error");
  EXPECT_EQ(Run("tag_on_failure: []", "{"), FilterResult::kFailed);
  EXPECT_TRUE(event_->tags().empty());
  // Success adds no tag.
  EXPECT_EQ(Run("tag_on_failure: bad_json", "{}"), FilterResult::kMatched);
  EXPECT_TRUE(event_->tags().empty());
}

TEST_F(JsonFilterTest, Spark4StructuredLog) {
  ASSERT_EQ(Run("message_field: msg", kSparkLine), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "Task failed");
  EXPECT_EQ(Get("msg"), nullptr);
  EXPECT_EQ(Str("ts"), "2024-06-01T10:11:12.345Z");
  EXPECT_EQ(Str("level"), "ERROR");
  EXPECT_EQ(Str("logger"), "TaskSetManager");
  EXPECT_EQ(Str("context.task_id"), "3");
  EXPECT_EQ(Str("context.executor_id"), "1");
  EXPECT_EQ(Str("exception.class"), "java.lang.RuntimeException");
  EXPECT_EQ(Str("exception.msg"), "boom");
  EXPECT_EQ(Get("exception.stacktrace")->kind(), Value::Kind::kJson);
  EXPECT_EQ(Str("exception.stacktrace"),
            R"([{"class":"org.X","method":"run","file":"X.scala","line":12}])");
  EXPECT_EQ(event_->fields().size(), 8u);
  EXPECT_TRUE(event_->tags().empty());
  EXPECT_EQ(Encoded(),
            R"({"@timestamp":"1970-01-01T00:00:00Z","message":"Task failed",)"
            R"("context":{"executor_id":"1","task_id":"3"},"exception":{"class":)"
            R"("java.lang.RuntimeException","msg":"boom","stacktrace":[{"class":"org.X",)"
            R"("method":"run","file":"X.scala","line":12}]},"level":"ERROR",)"
            R"("logger":"TaskSetManager","ts":"2024-06-01T10:11:12.345Z"})");

  // A line without an exception, with Spark's MDC context keys.
  ASSERT_EQ(
      Again(
          R"({"ts":"2024-06-01T10:11:13Z","level":"INFO","msg":"Running task 3.0 in stage 1.0",)"
          R"("context":{"task_name":"task 3.0 in stage 1.0","executor_id":"1"},"logger":"Executor"})"),
      FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "Running task 3.0 in stage 1.0");
  EXPECT_EQ(Str("context.task_name"), "task 3.0 in stage 1.0");
  EXPECT_EQ(Get("exception.class"), nullptr);
}

TEST_F(JsonFilterTest, OptionErrors) {
  testing::ExpectOptionErrors<JsonFilter>({
      {"target: message", "target 'message'"},
      {"target: .json", "must not start or end with '.'"},
      {"field: ''", "field: must not be empty"},
      {"tag_on_failure: [a, '']", "tags must not be empty"},
      {"max_depth: -1", "at least 0"},
      {"flaten: false", "did you mean 'flatten'"},
  });
  auto o = ParseFilterOptions<JsonFilter>("{}");
  EXPECT_EQ(o.field, "message");
  EXPECT_EQ(o.message_field, "message");
  EXPECT_TRUE(o.flatten);
  EXPECT_EQ(o.tag_on_failure, std::vector<std::string>{"_jsonparsefailure"});
}

}  // namespace
}  // namespace sluice::filters
