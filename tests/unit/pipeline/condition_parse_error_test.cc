// Condition: parse errors: each message says what is wrong and what was expected, and points at
// the offending byte (for file:line:column reporting); hostile nesting is refused without
// recursion running away.
#include "pipeline/condition.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice {
namespace {

struct ParseError {
  std::string message;
  size_t offset = 0;
};

ParseError MustFail(std::string_view text) {
  size_t offset = 12345;
  auto parsed = Condition::Parse(text, &offset);
  EXPECT_FALSE(parsed.ok()) << "parsed: " << text;
  if (parsed.ok()) return {};
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  return {parsed.status().message(), offset};
}

struct ErrorCase {
  std::string text;
  std::string message;  // a substring of the error
  size_t offset;
};

TEST(ConditionErrorTest, MessagesAndOffsets) {
  const std::vector<ErrorCase> cases = {
      {"", "empty condition", 0},
      {"   ", "empty condition", 3},
      {"(a == )", "expected a value after '==', got ')'", 6},
      {"log.level ==", "expected a value after '==', got the end of the condition", 12},
      {"message == \"abc", "unterminated string starting here", 11},
      {"message == 'abc\\'", "unterminated string starting here", 11},
      {"exist(a)", "unknown function 'exist'; did you mean 'exists'?", 0},
      {"a && foo(a)", "unknown function 'foo'; the only function is exists(field)", 5},
      {"message =~ /a(/", "invalid regular expression /a(/: missing ): a(", 11},
      {"a =~ /x{2,1}/i", "invalid regular expression /x{2,1}/: invalid repetition size: {2,1}", 5},
      {"a == 1 foo", "unexpected 'foo' after a complete condition", 7},
      {"a == 1 AND b == 2",
       "unexpected 'AND' after a complete condition; expected '&&', '||' or "
       "the end; did you mean 'and'?",
       7},
      {"level \"ERROR\"",
       "expected an operator ('==', '!=', '<', '<=', '>', '>=', '=~', '!~' or "
       "'contains') after 'level', got '\"ERROR\"'",
       6},
      {"message contain \"x\"", "expected an operator", 8},
      {"message contain \"x\"", "did you mean 'contains'?", 8},
      {"a = 1", "'=' is not an operator; use '=='", 2},
      {"a == 1 & b", "'&' is not an operator; use '&&'", 7},
      {"a == 1 | b", "'|' is not an operator; use '||'", 7},
      {"(a == 1", "expected ')' to close '(', got the end of the condition", 7},
      {"(a == 1 b)", "expected ')' to close '(', got 'b'", 8},
      {"a == 1)", "unexpected ')' after a complete condition", 6},
      {"!a == 1", "'!' applies to 'a' alone here; to negate '==', write '!(a == ...)'", 3},
      {"not a contains \"x\"",
       "'not' applies to 'a' alone here; to negate 'contains', write 'not (a contains ...)'", 6},
      {"a < true", "'<' does not apply to 'true': true, false and null compare only with", 2},
      {"null >= a", "'>=' does not apply to 'null'", 5},
      {"tags == \"x\"", "'tags' is the event's list of tags and cannot be compared with '=='", 0},
      {"a != tags", "'tags' is the event's list of tags", 5},
      {"a contains tags", "'tags' can only be on the left of 'contains'", 11},
      {"message =~ \"x\"", "expected a regular expression /.../ after '=~', got '\"x\"'", 11},
      {"message !~ x", "expected a regular expression /.../ after '!~', got 'x'", 11},
      {"message =~ /x", "unterminated regular expression starting here", 11},
      {"message =~ /x\\/", "unterminated regular expression starting here", 11},
      {"message =~ /x/g", "unknown regular expression flag 'g'", 14},
      {"a == 1.2.3", "invalid number '1.2.3'; to compare text, quote it: \"1.2.3\"", 5},
      {"a == 12abc", "invalid number '12abc'", 5},
      {"a == 99999999999999999999", "integer '99999999999999999999' does not fit in 64 bits", 5},
      {"a == 1e999", "number '1e999' is out of range", 5},
      {"a == -x", "expected a digit after '-'", 5},
      {"\"ERROR\"", "the value '\"ERROR\"' alone is not a condition", 0},
      {"a && 42", "the value '42' alone is not a condition", 5},
      {"a && null", "the value 'null' alone is not a condition", 5},
      {"a.b. == 1", "expected a name after '.' in 'a.b.'", 3},
      {"a..b == 1", "expected a name after '.'", 1},
      {"[a == 1", "unterminated field reference starting here", 0},
      {"[a[b] == 1", "unexpected '[' inside a field reference", 2},
      {"x == [a", "unterminated field reference starting here", 5},
      {"[] == 1", "empty field name '[]'", 0},
      {"[a][] == 1", "empty field name '[]'", 3},
      {"a == 'x\\q'", "unknown escape '\\q' in a string", 7},
      {"exists a", "expected '(' after 'exists' (exists(field)), got 'a'", 7},
      {"exists(\"a\")", "expected a field name in exists(...), got '\"a\"'", 7},
      {"exists()", "expected a field name in exists(...), got ')'", 7},
      {"exists(a", "expected ')' after 'exists(a', got the end of the condition", 8},
      {"exists(a b)", "expected ')' after 'exists(a', got 'b'", 9},
      {"a contains 5", "expected a string or a field after 'contains', got '5'; quote a number",
       11},
      {"a contains /x/", "expected a string or a field after 'contains', got '/'", 11},
      {"a == exists(b)", "expected a value after '==', got the function call 'exists('", 5},
      {"a == /x/", "expected a value after '==', got '/' (a regular expression goes after", 5},
      {"/x/", "a regular expression /.../ must follow '=~' or '!~'", 0},
      {"a ||", "expected a condition after '||', got the end of the condition", 4},
      {"a == 1 && ", "expected a condition after '&&', got the end of the condition", 10},
      {"a == 1 && || b", "expected a condition after '&&', got '||'", 10},
      {"!", "expected a condition after '!', got the end of the condition", 1},
      {"== 1", "expected a condition, got '=='", 0},
      {"()", "expected a condition after '(', got ')'", 1},
      {"a == 1 \xff", "unexpected character '\\xff'", 7},
      {"a == #", "unexpected character '#'", 5},
      {"a\n==\n", "expected a value after '==', got the end of the condition", 5},
      {"@timestamp > 5", "'@timestamp' (the event time) cannot be used in conditions", 0},
      {"exists([@timestamp])", "'@timestamp' (the event time) cannot be used", 7},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.text);
    ParseError e = MustFail(c.text);
    EXPECT_NE(e.message.find(c.message), std::string::npos) << e.message;
    EXPECT_EQ(e.offset, c.offset) << e.message;
    EXPECT_LE(e.offset, c.text.size());
  }
}

TEST(ConditionErrorTest, LongTokensAreShortenedInMessages) {
  std::string text = "a == 1 " + std::string(500, 'x');
  ParseError e = MustFail(text);
  EXPECT_LT(e.message.size(), 200u) << e.message;
  EXPECT_NE(e.message.find("xxx...'"), std::string::npos) << e.message;
}

TEST(ConditionErrorTest, NestingIsLimited) {
  auto nested = [](int depth) { return std::string(depth, '(') + "a" + std::string(depth, ')'); };
  EXPECT_TRUE(Condition::Parse(nested(100)).ok());
  ParseError e = MustFail(nested(101));
  EXPECT_NE(e.message.find("nests too deeply (more than 100 levels"), std::string::npos);
  EXPECT_EQ(e.offset, 100u);
  e = MustFail(nested(10000));
  EXPECT_NE(e.message.find("nests too deeply"), std::string::npos);
  e = MustFail(std::string(10000, '!') + "a");
  EXPECT_NE(e.message.find("nests too deeply"), std::string::npos);
  EXPECT_EQ(e.offset, 100u);
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "not ";
  MustFail(nots + "a");
  EXPECT_TRUE(Condition::Parse(std::string(100, '!') + "a").ok());
  // 10,000 opening parentheses without their closing ones.
  e = MustFail(std::string(10000, '('));
  EXPECT_NE(e.message.find("nests too deeply"), std::string::npos);
}

TEST(ConditionErrorTest, LongFlatChainsNeedNoRecursion) {
  std::string text = "a == 0";
  for (int i = 1; i < 20000; ++i) text += (i % 2 ? " && a != " : " || a != ") + std::to_string(i);
  Result<Condition> c = Condition::Parse(text);
  ASSERT_TRUE(c.ok()) << c.status().message();
  Arena arena;
  Event e(&arena, 0, "");
  e.Set("a", Value::Int(0));
  EXPECT_TRUE(c->Matches(e));
}

}  // namespace
}  // namespace sluice
