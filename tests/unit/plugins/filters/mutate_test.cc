#include "plugins/filters/mutate.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <cmath>
#include <string>

#include "pipeline/event_batch.h"
#include "pipeline/registry.h"
#include "tests/unit/plugins/filters/filter_cases.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::filters {
namespace {

using testing::BuildFilter;

class MutateFilterTest : public ::testing::Test {
 protected:
  // Builds the filter from `yaml`; the next Apply() runs it on event_.
  void Make(const std::string& yaml) {
    built_ = BuildFilter<MutateFilter>(yaml);
    ASSERT_NE(built_->filter, nullptr) << built_->error;
  }
  Event& NewEvent(std::string_view message = "the message") {
    event_ = &batch_.Add(1'000'000'000, message);
    return *event_;
  }
  FilterResult Apply() { return built_->filter->Apply(*event_); }
  std::string Str(std::string_view name) const {
    const Value* v = event_->Get(name);
    if (v == nullptr) return "<absent>";
    if (!v->has_bytes()) return "<not bytes>";
    return std::string(v->as_string());
  }
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const Field& f : event_->fields()) names.emplace_back(f.name);
    return names;
  }

  std::unique_ptr<testing::BuiltFilter<MutateFilter>> built_;
  EventBatch batch_;
  Event* event_ = nullptr;
};

TEST_F(MutateFilterTest, IsRegistered) {
  ASSERT_NE(Registry::Get().Find(PluginKind::kFilter, "mutate"), nullptr);
}

TEST_F(MutateFilterTest, RenameMovesTheFieldAndOverwritesTheDestination) {
  Make("rename: {lvl: level, missing: other}");
  NewEvent().Set("lvl", Value::String("INFO"));
  event_->Set("level", Value::String("old"));
  EXPECT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(event_->Get("lvl"), nullptr);
  EXPECT_EQ(Str("level"), "INFO");
  EXPECT_EQ(event_->Get("other"), nullptr);  // a missing source does nothing
  EXPECT_EQ(event_->fields().size(), 1u);

  NewEvent();
  EXPECT_EQ(Apply(), FilterResult::kSkipped);  // nothing to rename
  EXPECT_TRUE(event_->tags().empty());
}

TEST_F(MutateFilterTest, RenameKeepsTheValueKind) {
  Make("rename: {a: b}");
  NewEvent().Set("a", Value::Json(R"([1,2])"));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(*event_->Get("b"), Value::Json("[1,2]"));
  NewEvent().Set("a", Value::Float(2.5));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(*event_->Get("b"), Value::Float(2.5));
}

TEST_F(MutateFilterTest, RenameMovesSubFields) {
  Make("rename: {context: spark.context}");
  NewEvent().Set("context.task_id", Value::String("3"));
  event_->Set("context.executor_id", Value::String("1"));
  event_->Set("contextual", Value::Int(1));  // not under `context.`
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(Str("spark.context.task_id"), "3");
  EXPECT_EQ(Str("spark.context.executor_id"), "1");
  EXPECT_EQ(event_->Get("context.task_id"), nullptr);
  EXPECT_EQ(*event_->Get("contextual"), Value::Int(1));
  EXPECT_EQ(event_->fields().size(), 3u);
}

TEST_F(MutateFilterTest, RenameEntriesDoNotSeeEachOther) {
  // Both read the event before either writes: a swap, whatever the key order.
  Make("rename: {b: a, a: b}");
  NewEvent().Set("a", Value::Int(1));
  event_->Set("b", Value::Int(2));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(*event_->Get("a"), Value::Int(2));
  EXPECT_EQ(*event_->Get("b"), Value::Int(1));
  // A chain moves one step only.
  Make("rename: {a: b, b: c}");
  NewEvent().Set("a", Value::Int(1));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(*event_->Get("b"), Value::Int(1));
  EXPECT_EQ(event_->Get("c"), nullptr);
  EXPECT_EQ(event_->Get("a"), nullptr);
}

TEST_F(MutateFilterTest, RenameOntoItselfOrIntoItsOwnSubtree) {
  Make("rename: {a: a}");
  NewEvent().Set("a", Value::Int(1));
  EXPECT_EQ(Apply(), FilterResult::kSkipped);
  EXPECT_EQ(*event_->Get("a"), Value::Int(1));
  Make("rename: {a: a.old}");
  NewEvent().Set("a", Value::Int(1));
  event_->Set("a.x", Value::Int(2));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(*event_->Get("a.old"), Value::Int(1));
  EXPECT_EQ(*event_->Get("a.old.x"), Value::Int(2));
  EXPECT_EQ(event_->fields().size(), 2u);
}

TEST_F(MutateFilterTest, RenameFromAndToTheMessage) {
  Make("rename: {message: event.original, msg: message}");
  NewEvent(R"({"msg":"hi"})").Set("msg", Value::String("hi"));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "hi");
  EXPECT_EQ(Str("event.original"), R"({"msg":"hi"})");
  EXPECT_EQ(event_->Get("msg"), nullptr);

  // Alone, renaming the message away empties it.
  Make("rename: {message: raw}");
  NewEvent("line");
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "");
  EXPECT_EQ(Str("raw"), "line");

  // A non-string field becomes its text; only the field itself, not its sub-fields.
  Make("rename: {code: message}");
  NewEvent("x").Set("code", Value::Int(42));
  event_->Set("code.detail", Value::String("d"));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "42");
  EXPECT_EQ(event_->Get("code"), nullptr);
  EXPECT_EQ(Str("code.detail"), "d");
}

TEST_F(MutateFilterTest, CopyKeepsTheSource) {
  Make("copy: {level: log.level, ctx: saved, message: original, n: message}");
  NewEvent("msg").Set("level", Value::String("WARN"));
  event_->Set("ctx.a", Value::Int(1));
  event_->Set("n", Value::Float(1.5));
  event_->Set("log.level", Value::String("old"));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(Str("level"), "WARN");
  EXPECT_EQ(Str("log.level"), "WARN");
  EXPECT_EQ(*event_->Get("ctx.a"), Value::Int(1));
  EXPECT_EQ(*event_->Get("saved.a"), Value::Int(1));
  EXPECT_EQ(Str("original"), "msg");  // read before `n` replaced the message
  EXPECT_EQ(event_->message(), "1.5");
  EXPECT_EQ(*event_->Get("n"), Value::Float(1.5));
}

TEST_F(MutateFilterTest, SetRendersTemplatesAndAlwaysSets) {
  Make(
      R"(set: {service: "spark-{{app}}-%Y", "app": "{{app}}!", "pct": "100%%", message: "[{{level}}] {{message}}"})");
  NewEvent("boom").Set("app", Value::String("etl"));
  event_->Set("service", Value::String("old"));
  event_->Set("level", Value::String("ERROR"));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(Str("service"), "spark-etl-1970");  // saw `app` before `set` changed it
  EXPECT_EQ(Str("app"), "etl!");
  EXPECT_EQ(Str("pct"), "100%");
  EXPECT_EQ(event_->message(), "[ERROR] boom");
  EXPECT_EQ(event_->Get("service")->kind(), Value::Kind::kString);
}

TEST_F(MutateFilterTest, SetWithAMissingReferenceIsNotApplied) {
  Make(R"(set: {service: "spark-{{app}}", constant: "c", nulls: "[{{n}}]"})");
  NewEvent().Set("service", Value::String("kept"));
  event_->Set("n", Value::Null());
  ASSERT_EQ(Apply(), FilterResult::kMatched);  // `constant` and `nulls` applied
  EXPECT_EQ(Str("service"), "kept");
  EXPECT_EQ(Str("constant"), "c");
  EXPECT_EQ(Str("nulls"), "[]");  // a null field is present: renders as ""
  Make(R"(set: {service: "spark-{{app}}"})");
  NewEvent();
  EXPECT_EQ(Apply(), FilterResult::kSkipped);
  EXPECT_EQ(event_->Get("service"), nullptr);
}

TEST_F(MutateFilterTest, RenderedValuesAreCopiedOutOfTheFiltersBuffer) {
  Make(R"(set: {a: "{{x}}-1", b: "const"})");
  NewEvent().Set("x", Value::String("first"));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  Event* first = event_;
  NewEvent().Set("x", Value::String("second, longer"));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(first->Get("a")->as_string(), "first-1");
  EXPECT_EQ(first->Get("b")->as_string(), "const");
  EXPECT_EQ(Str("a"), "second, longer-1");
}

TEST_F(MutateFilterTest, AddOnlyWhenAbsent) {
  Make(R"(add: {env: prod, level: "{{lvl}}", message: "filled", "n": "{{message}}"})");
  NewEvent("").Set("level", Value::String("INFO"));
  event_->Set("lvl", Value::String("DEBUG"));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(Str("env"), "prod");
  EXPECT_EQ(Str("level"), "INFO");  // present: untouched
  EXPECT_EQ(event_->message(), "filled");
  EXPECT_EQ(Str("n"), "");  // rendered from the message as it was before `add`

  NewEvent("full").Set("env", Value::Null());
  event_->Set("level", Value::Int(1));
  event_->Set("n", Value::Int(1));
  ASSERT_EQ(Apply(), FilterResult::kSkipped);  // everything present, even as null
  EXPECT_EQ(event_->message(), "full");
  EXPECT_EQ(*event_->Get("env"), Value::Null());
}

TEST_F(MutateFilterTest, ConvertStrings) {
  Make("convert: {i: int, f: float, b: bool, s: string, bad: int, spaced: int, dec: integer}");
  NewEvent().Set("i", Value::String("-42"));
  event_->Set("f", Value::String("2.5e1"));
  event_->Set("b", Value::String("Yes"));
  event_->Set("s", Value::String("text"));
  event_->Set("bad", Value::String("12abc"));
  event_->Set("spaced", Value::String(" 7"));
  event_->Set("dec", Value::String("4.2"));
  EXPECT_EQ(Apply(), FilterResult::kFailed);
  EXPECT_EQ(*event_->Get("i"), Value::Int(-42));
  EXPECT_EQ(*event_->Get("f"), Value::Float(25.0));
  EXPECT_EQ(*event_->Get("b"), Value::Bool(true));
  EXPECT_EQ(Str("s"), "text");
  EXPECT_EQ(Str("bad"), "12abc");  // unchanged
  EXPECT_EQ(Str("spaced"), " 7");  // ConvertText takes no spaces: strip first
  EXPECT_EQ(Str("dec"), "4.2");    // a decimal string is not an int
  ASSERT_EQ(event_->tags().size(), 1u);
  EXPECT_EQ(event_->tags()[0], "_mutate_error");
}

TEST_F(MutateFilterTest, ConvertTypedValues) {
  Make(
      "convert: {i2f: float, f2i: int, neg: int, b2i: int, b2f: float, i2s: string, "
      "f2s: string, b2s: string, i2b: bool, f2b: bool, j2s: string, n: int}");
  NewEvent().Set("i2f", Value::Int(3));
  event_->Set("f2i", Value::Float(3.99));
  event_->Set("neg", Value::Float(-3.99));
  event_->Set("b2i", Value::Bool(true));
  event_->Set("b2f", Value::Bool(false));
  event_->Set("i2s", Value::Int(-7));
  event_->Set("f2s", Value::Float(0.1));
  event_->Set("b2s", Value::Bool(true));
  event_->Set("i2b", Value::Int(0));
  event_->Set("f2b", Value::Float(1.0));
  event_->Set("j2s", Value::Json(R"({"a":1})"));
  event_->Set("n", Value::Null());
  EXPECT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(*event_->Get("i2f"), Value::Float(3.0));
  EXPECT_EQ(*event_->Get("f2i"), Value::Int(3));  // truncated toward zero
  EXPECT_EQ(*event_->Get("neg"), Value::Int(-3));
  EXPECT_EQ(*event_->Get("b2i"), Value::Int(1));
  EXPECT_EQ(*event_->Get("b2f"), Value::Float(0.0));
  EXPECT_EQ(*event_->Get("i2s"), Value::String("-7"));
  EXPECT_EQ(*event_->Get("f2s"), Value::String("0.1"));
  EXPECT_EQ(*event_->Get("b2s"), Value::String("true"));
  EXPECT_EQ(*event_->Get("i2b"), Value::Bool(false));
  EXPECT_EQ(*event_->Get("f2b"), Value::Bool(true));
  EXPECT_EQ(*event_->Get("j2s"), Value::String(R"({"a":1})"));
  EXPECT_EQ(*event_->Get("n"), Value::Null());  // null stays null, not a failure
  EXPECT_TRUE(event_->tags().empty());
}

TEST_F(MutateFilterTest, ConvertFailures) {
  Make(
      "{convert: {big: int, nan: int, two: bool, half: bool, arr: int}, "
      "tag_on_failure: [conv_failed]}");
  NewEvent().Set("big", Value::Float(1e19));
  event_->Set("nan", Value::Float(std::nan("")));
  event_->Set("two", Value::Int(2));
  event_->Set("half", Value::Float(0.5));
  event_->Set("arr", Value::Json("[1]"));
  EXPECT_EQ(Apply(), FilterResult::kFailed);
  EXPECT_EQ(*event_->Get("big"), Value::Float(1e19));
  EXPECT_EQ(event_->Get("nan")->kind(), Value::Kind::kFloat);
  EXPECT_EQ(*event_->Get("two"), Value::Int(2));
  EXPECT_EQ(*event_->Get("half"), Value::Float(0.5));
  EXPECT_EQ(*event_->Get("arr"), Value::Json("[1]"));
  ASSERT_EQ(event_->tags().size(), 1u);
  EXPECT_EQ(event_->tags()[0], "conv_failed");

  // The int64 limits: -2^63 converts, 2^63 does not.
  Make("convert: {lo: int, hi: int}");
  NewEvent().Set("lo", Value::Float(-9223372036854775808.0));
  event_->Set("hi", Value::Float(9223372036854775808.0));
  EXPECT_EQ(Apply(), FilterResult::kFailed);
  EXPECT_EQ(*event_->Get("lo"), Value::Int(INT64_MIN));
  EXPECT_EQ(event_->Get("hi")->kind(), Value::Kind::kFloat);

  // A missing field is not a failure.
  Make("convert: {absent: int}");
  NewEvent();
  EXPECT_EQ(Apply(), FilterResult::kSkipped);
  EXPECT_TRUE(event_->tags().empty());
}

TEST_F(MutateFilterTest, LowercaseAndUppercaseAsciiOnly) {
  Make("{lowercase: [level, message], uppercase: [code, number]}");
  NewEvent("MiXeD ÄÖ Straße").Set("level", Value::String("WARN"));
  event_->Set("code", Value::String("abc-ßé-xyz"));
  event_->Set("number", Value::Int(5));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(Str("level"), "warn");
  EXPECT_EQ(event_->message(), "mixed ÄÖ straße");  // bytes >= 0x80 untouched
  EXPECT_EQ(Str("code"), "ABC-ßé-XYZ");
  EXPECT_EQ(*event_->Get("number"), Value::Int(5));  // not a string: untouched

  // Case changes never write into bytes that other fields share.
  Make("{copy: {a: b}, uppercase: [a]}");
  NewEvent().Set("a", Value::String("low"));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(Str("a"), "LOW");
  EXPECT_EQ(Str("b"), "low");
}

TEST_F(MutateFilterTest, LowercaseOfBinaryBytes) {
  Make("lowercase: message");
  std::string binary;
  for (int c = 0; c < 256; ++c) binary += static_cast<char>(c);
  NewEvent(binary);
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  ASSERT_EQ(event_->message().size(), 256u);
  for (int c = 0; c < 256; ++c) {
    const char want = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : static_cast<char>(c);
    EXPECT_EQ(event_->message()[c], want) << c;
  }
}

TEST_F(MutateFilterTest, StripWhitespace) {
  Make("strip: [a, b, c, message, n]");
  NewEvent("\t line \r\n").Set("a", Value::String("  x y  "));
  event_->Set("b", Value::String(" \t\n "));
  event_->Set("c", Value::String("clean"));
  event_->Set("n", Value::Int(1));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(Str("a"), "x y");
  EXPECT_EQ(Str("b"), "");
  EXPECT_EQ(Str("c"), "clean");
  EXPECT_EQ(event_->message(), "line");
}

TEST_F(MutateFilterTest, StripRunsBeforeConvert) {
  Make("{strip: [n], convert: {n: int}}");
  NewEvent().Set("n", Value::String(" 42 "));
  EXPECT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(*event_->Get("n"), Value::Int(42));
}

TEST_F(MutateFilterTest, GsubReplacesEveryMatchInListOrder) {
  Make(R"({gsub: [message, '\s+', ' ', path, '/', '_', path, '^_([a-z]+)', '<\1>', num, ',', ''], )"
       R"(convert: {num: int}})");
  NewEvent("a   b \t c").Set("path", Value::String("/var/log/x"));
  event_->Set("num", Value::String("1,234,567"));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), "a b c");
  EXPECT_EQ(Str("path"), "<var>_log_x");  // the second entry saw the first one's result
  EXPECT_EQ(*event_->Get("num"), Value::Int(1234567));  // gsub runs before convert
}

TEST_F(MutateFilterTest, GsubEmptyMatchesAndUtf8) {
  // Like RE2::GlobalReplace: an empty match right after a match is skipped, by whole characters.
  Make(R"(gsub: [a, 'x*', '-', b, '', '.', c, 'é', 'e'])");
  NewEvent().Set("a", Value::String("abxxc"));
  event_->Set("b", Value::String("żb"));
  event_->Set("c", Value::String("café é"));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  std::string want_a = "abxxc";
  RE2::GlobalReplace(&want_a, "x*", "-");
  EXPECT_EQ(Str("a"), want_a);
  std::string want_b = "żb";
  RE2::GlobalReplace(&want_b, "", ".");
  EXPECT_EQ(Str("b"), want_b);
  EXPECT_EQ(Str("c"), "cafe e");

  // No match: the value is kept as it is.
  Make(R"(gsub: [message, 'zzz', 'y'])");
  NewEvent("abc");
  const char* before = event_->message().data();
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(event_->message().data(), before);

  // Binary bytes: no crash, the other bytes kept.
  Make(R"(gsub: [message, 'a', 'b'])");
  NewEvent(
      std::string("\xff"
                  "a\0a\xc3",
                  5));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(event_->message(), std::string("\xff"
                                           "b\0b\xc3",
                                           5));
}

TEST_F(MutateFilterTest, RemoveFieldsSubFieldsAndTheMessage) {
  Make("remove: [exception, tmp, message, absent]");
  NewEvent("m").Set("exception.class", Value::String("X"));
  event_->Set("exception.stacktrace", Value::Json("[]"));
  event_->Set("exception", Value::String("x"));
  event_->Set("exceptions", Value::Int(1));
  event_->Set("tmp", Value::Int(1));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(Names(), std::vector<std::string>{"exceptions"});
  EXPECT_EQ(event_->message(), "");
}

TEST_F(MutateFilterTest, Tags) {
  Make("{add_tags: [spark, parsed], remove_tags: [raw, absent]}");
  NewEvent().AddTag("raw");
  event_->AddTag("keep");
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  std::vector<std::string> tags(event_->tags().begin(), event_->tags().end());
  EXPECT_EQ(tags, (std::vector<std::string>{"keep", "spark", "parsed"}));
  ASSERT_EQ(Apply(), FilterResult::kMatched);  // adding again does not duplicate
  EXPECT_EQ(event_->tags().size(), 3u);
}

TEST_F(MutateFilterTest, OperationsRunInTheDocumentedOrder) {
  // rename → copy → set → add → strip → gsub → lowercase → uppercase → convert → remove → tags.
  Make(R"({remove_tags: [t], add_tags: [t, u], remove: [copied], convert: {n: int},
           uppercase: [u], lowercase: [u, l], gsub: [g, 'A', 'b'], strip: [s],
           add: {added: "{{set}}"}, set: {set: "{{copied}}"}, copy: {renamed: copied},
           rename: {orig: renamed}})");
  NewEvent().Set("orig", Value::String("  A  "));
  event_->Set("n", Value::String("7"));
  event_->Set("u", Value::String("mixed Case"));
  event_->Set("l", Value::String("LOW"));
  event_->Set("g", Value::String("AAA"));
  event_->Set("s", Value::String(" s "));
  ASSERT_EQ(Apply(), FilterResult::kMatched);
  EXPECT_EQ(event_->Get("orig"), nullptr);
  EXPECT_EQ(Str("renamed"), "  A  ");         // rename before copy
  EXPECT_EQ(event_->Get("copied"), nullptr);  // copy before remove
  EXPECT_EQ(Str("set"), "  A  ");             // set saw the copy
  EXPECT_EQ(Str("added"), "  A  ");           // add after set
  EXPECT_EQ(Str("s"), "s");
  EXPECT_EQ(Str("g"), "bbb");
  EXPECT_EQ(Str("u"), "MIXED CASE");  // uppercase after lowercase
  EXPECT_EQ(Str("l"), "low");
  EXPECT_EQ(*event_->Get("n"), Value::Int(7));
  std::vector<std::string> tags(event_->tags().begin(), event_->tags().end());
  EXPECT_EQ(tags, std::vector<std::string>{"u"});  // remove_tags after add_tags
}

TEST_F(MutateFilterTest, ConvertFailureStillAppliesTheRest) {
  Make("{convert: {n: int}, add_tags: [done], set: {x: y}}");
  NewEvent().Set("n", Value::String("nope"));
  EXPECT_EQ(Apply(), FilterResult::kFailed);
  EXPECT_TRUE(event_->HasTag("done"));
  EXPECT_TRUE(event_->HasTag("_mutate_error"));
  EXPECT_EQ(Str("x"), "y");
}

TEST_F(MutateFilterTest, OptionErrors) {
  testing::ExpectOptionErrors<MutateFilter>({
      {"set: {a: 'x{{'}", "set 'a': bad template 'x{{': unclosed '{{' at position 2"},
      {"add: {a: '%Q'}", "add 'a': bad template '%Q': unsupported conversion"},
      {"convert: {a: number}", "convert 'a': unknown type 'number'"},
      {"convert: {message: int}", "the message is always a string"},
      {"gsub: [a, b]", "gsub: expected triples"},
      {"gsub: [a, '(', b]", "gsub 'a': bad regular expression '('"},
      {R"(gsub: [a, 'x', '\2'])", "gsub 'a': bad replacement"},
      {"rename: {a: ''}", "rename: empty field name"},
      {"remove: ['']", "remove: empty field name"},
      {"{}", "nothing to do"},
      {"tag_on_failure: [x]", "nothing to do"},
      {"renam: {a: b}", "did you mean 'rename'"},
      // Several problems are reported together.
      {"{convert: {a: x}, set: {b: '{{'}}", "convert 'a'"},
      {"{convert: {a: x}, set: {b: '{{'}}", "set 'b'"},
      {"{rename: {a: b}}", ""},
  });
}

// Templates and regexes are compiled once, when the options are parsed; every instance shares
// them.
TEST_F(MutateFilterTest, OperationsAreCompiledOnceWhenParsed) {
  testing::ExpectBuiltFromParsedOptions<MutateFilter>(
      "{gsub: [message, '\\s+', ' '], set: {who: '{{user}}'}}",
      {{.message = "a  b",
        .set = {{"user", Value::String("ann")}},
        .text = {{"who", "ann"}},
        .message_after = "a b"},
       {.message = "c \t d", .message_after = "c d"}});
}

}  // namespace
}  // namespace sluice::filters
