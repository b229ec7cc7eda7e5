#include "plugins/common/grok/grok_field_parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "pipeline/event_batch.h"

namespace sluice::common::grok {
namespace {

TEST(CompilePatternOptionsTest, PatternsWinOverPatternAndErrorsNameTheirOption) {
  std::vector<std::string> errors;
  auto one = CompilePatternOptions("^%{INT:n}", {}, PatternLibrary::Builtin(), PatternSyntax::kGrok,
                                   errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].pattern, "^%{INT:n}");

  auto many = CompilePatternOptions("ignored", {"^%{INT:n}", "", "%{NOPE}", "^(?P<w>\\w+)"},
                                    PatternLibrary::Builtin(), PatternSyntax::kGrok, errors);
  ASSERT_EQ(many.size(), 2u);
  EXPECT_EQ(many[1].pattern, "^(?P<w>\\w+)");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "patterns[1]: the pattern is empty");
  EXPECT_EQ(errors[1].rfind("patterns[2]: ", 0), 0u) << errors[1];

  errors.clear();
  CompilePatternOptions("", {}, PatternLibrary(), PatternSyntax::kRegex, errors);
  EXPECT_EQ(errors, std::vector<std::string>{"pattern: the pattern is empty"});
}

TEST(FieldParserTest, SetsCapturesSkipsMissingFieldsAndTagsFailures) {
  std::vector<std::string> errors;
  auto compiled = CompilePatternOptions("^(?P<level>[A-Z]+) (?P<message>.*)", {}, PatternLibrary(),
                                        PatternSyntax::kRegex, errors);
  ASSERT_TRUE(errors.empty());
  auto parser = FieldParser::Create(std::move(compiled), {.field = "message",
                                                          .break_on_match = true,
                                                          .keep_empty_captures = false,
                                                          .tag_on_failure = {"_failed"}});
  ASSERT_TRUE(parser.ok()) << parser.status().message();

  EventBatch batch;
  Event& good = batch.Add(0, "WARN disk full");
  EXPECT_EQ(parser.value().Apply(good), FilterResult::kMatched);
  EXPECT_EQ(good.GetText("level").value_or(""), "WARN");
  EXPECT_EQ(good.message(), "disk full");
  EXPECT_TRUE(good.tags().empty());

  Event& bad = batch.Add(0, "lowercase text");
  EXPECT_EQ(parser.value().Apply(bad), FilterResult::kFailed);
  EXPECT_TRUE(bad.HasTag("_failed"));
  EXPECT_EQ(bad.message(), "lowercase text");

  auto on_field = FieldParser::Create(
      CompilePatternOptions("x", {}, PatternLibrary(), PatternSyntax::kRegex, errors),
      {.field = "absent", .tag_on_failure = {"_failed"}});
  ASSERT_TRUE(on_field.ok());
  Event& other = batch.Add(0, "x");
  EXPECT_EQ(on_field.value().Apply(other), FilterResult::kSkipped);
  EXPECT_TRUE(other.tags().empty());
}

TEST(FieldParserTest, CompileErrorsPassThrough) {
  auto parser = FieldParser::Create(InvalidArgument("patterns[0]: bad"), {.field = "message"});
  ASSERT_FALSE(parser.ok());
  EXPECT_EQ(parser.status().message(), "patterns[0]: bad");
}

TEST(FieldParserTest, CompileFieldParserStoresTheParserOrReturnsTheError) {
  std::shared_ptr<const FieldParser> parser;
  EXPECT_EQ(CompileFieldParser(InvalidArgument("patterns[0]: bad"), {.field = "message"}, &parser),
            "patterns[0]: bad");
  EXPECT_EQ(parser, nullptr);
  std::vector<std::string> errors;
  EXPECT_EQ(CompileFieldParser(CompilePatternOptions("^(?P<n>\\d+)$", {}, PatternLibrary(),
                                                     PatternSyntax::kRegex, errors),
                               {.field = "message", .tag_on_failure = {"_failed"}}, &parser),
            "");
  ASSERT_NE(parser, nullptr);
  // Copies (one per filter instance) share the compiled programs and match on their own.
  FieldParser first = *parser;
  FieldParser second = *parser;
  EventBatch batch;
  Event& number = batch.Add(0, "12");
  Event& word = batch.Add(0, "x");
  EXPECT_EQ(first.Apply(number), FilterResult::kMatched);
  EXPECT_EQ(second.Apply(word), FilterResult::kFailed);
  EXPECT_EQ(number.GetText("n").value_or(""), "12");
  EXPECT_TRUE(word.HasTag("_failed"));
}

}  // namespace
}  // namespace sluice::common::grok
