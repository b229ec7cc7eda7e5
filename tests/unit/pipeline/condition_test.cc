// Condition: evaluation (the comparison rules, operators, fields and literals), the documented
// examples, no allocation in Matches() and concurrent use. Parse errors are tested in
// condition_parse_error_test.cc, random input in condition_fuzz_test.cc.
#include "pipeline/condition.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <new>
#include <string>
#include <thread>
#include <vector>

// Every operator new of the test binary is counted, so that a test can assert that a piece of code
// allocates nothing.
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// The nothrow forms too (simdjson uses them): every form whose delete is replaced must be, or
// ASan's own operator new[] would meet our free().
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
// Not inlined: GCC would otherwise see free() on memory from operator new and warn.
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace sluice {
namespace {

Condition MustParse(std::string_view text) {
  auto parsed = Condition::Parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().message();
  if (!parsed.ok()) return Condition();
  return std::move(parsed).value();
}

class ConditionTest : public ::testing::Test {
 protected:
  // An event with fields of every kind.
  ConditionTest() : event_(&arena_, 0, "java.lang.OutOfMemoryError: Java heap space") {
    event_.Set("log.level", Value::String("ERROR"));
    event_.Set("status", Value::Int(503));
    event_.Set("ratio", Value::Float(0.25));
    event_.Set("big", Value::Int(9007199254740993));  // 2^53 + 1
    event_.Set("count_text", Value::String("42"));
    event_.Set("float_text", Value::String("1.5e3"));
    event_.Set("word", Value::String("abc"));
    event_.Set("empty", Value::String(""));
    event_.Set("ok", Value::Bool(true));
    event_.Set("failed", Value::Bool(false));
    event_.Set("nothing", Value::Null());
    event_.Set("json", Value::Json(R"({"a":[1,2]})"));
    event_.Set("spark.executor_id", Value::String("7"));
    event_.Set("kubernetes.pod-name", Value::String("driver-0"));
    event_.Set("@version", Value::String("1"));
    event_.Set("path", Value::String("/var/log/app.log"));
    event_.Set("multi", Value::String("line1\nline2"));
    event_.AddTag("_grokparsefailure");
    event_.AddTag("spark");
  }

  bool M(std::string_view text) { return MustParse(text).Matches(event_); }
  bool M(std::string_view text, const Event& e) { return MustParse(text).Matches(e); }

  Arena arena_;
  Event event_;
};

TEST_F(ConditionTest, EqualityOnStrings) {
  EXPECT_TRUE(M(R"(log.level == "ERROR")"));
  EXPECT_FALSE(M(R"(log.level == "error")"));
  EXPECT_FALSE(M(R"(log.level == "ERRO")"));
  EXPECT_TRUE(M(R"(log.level != "WARN")"));
  EXPECT_FALSE(M(R"(log.level != "ERROR")"));
  EXPECT_TRUE(M(R"("ERROR" == log.level)"));
  EXPECT_TRUE(M(R"(empty == "")"));
  EXPECT_TRUE(M(R"(message == "java.lang.OutOfMemoryError: Java heap space")"));
}

TEST_F(ConditionTest, OrderingOnNumbers) {
  EXPECT_TRUE(M("status > 500"));
  EXPECT_TRUE(M("status >= 503"));
  EXPECT_FALSE(M("status > 503"));
  EXPECT_TRUE(M("status < 504"));
  EXPECT_TRUE(M("status <= 503"));
  EXPECT_FALSE(M("status < 503"));
  EXPECT_TRUE(M("status == 503"));
  EXPECT_TRUE(M("status != 500"));
  EXPECT_TRUE(M("ratio < 0.5"));
  EXPECT_TRUE(M("ratio > -1"));
  EXPECT_TRUE(M("ratio == 0.25"));
  EXPECT_TRUE(M("ratio == 25e-2"));
  EXPECT_TRUE(M("-3 < -2.5"));
  EXPECT_TRUE(M("status > ratio"));
}

TEST_F(ConditionTest, IntAndFloatCompareExactly) {
  EXPECT_TRUE(M("status == 503.0"));
  EXPECT_TRUE(M("status < 503.5"));
  EXPECT_TRUE(M("status > 502.9"));
  EXPECT_FALSE(M("status == 503.1"));
  // 2^53 + 1 is not representable as a double; the comparison must not round it.
  EXPECT_TRUE(M("big > 9007199254740992.0"));
  EXPECT_FALSE(M("big == 9007199254740992.0"));
  EXPECT_TRUE(M("big == 9007199254740993"));
  EXPECT_TRUE(M("big < 1e300"));
  EXPECT_TRUE(M("-9223372036854775808 > -1e300"));
  Event e(&arena_, 0, "");
  e.Set("min", Value::Int(INT64_MIN));
  e.Set("nan", Value::Float(std::nan("")));
  EXPECT_TRUE(M("min == -9223372036854775808", e));
  EXPECT_TRUE(M("min > -1e300", e));
  EXPECT_TRUE(M("min == -9223372036854775808.0", e));
  EXPECT_FALSE(M("nan == 0", e));
  EXPECT_FALSE(M("nan < 0", e));
  EXPECT_FALSE(M("nan >= 0", e));
  EXPECT_TRUE(M("nan != 0", e));
  EXPECT_TRUE(M("nan != nan", e));
}

TEST_F(ConditionTest, StringsCompareBytewise) {
  EXPECT_TRUE(M(R"(word < "abd")"));
  EXPECT_TRUE(M(R"(word > "ab")"));
  EXPECT_TRUE(M(R"(word >= "abc")"));
  EXPECT_TRUE(M(R"(word <= "abc")"));
  EXPECT_TRUE(M(R"(word < "b")"));
  EXPECT_TRUE(M(R"(word > "ABC")"));  // 'a' (0x61) > 'A' (0x41)
  // Two strings compare as text even when they hold numbers.
  EXPECT_TRUE(M(R"("10" < "9")"));
  EXPECT_TRUE(M(R"(count_text > "100")"));
  // Bytes >= 0x80 sort after ASCII (unsigned comparison).
  Event e(&arena_, 0, "");
  e.Set("u", Value::String("\xc3\xa9"));
  EXPECT_TRUE(M(R"(u > "z")", e));
}

TEST_F(ConditionTest, NumberAgainstStringParsesTheString) {
  EXPECT_TRUE(M("count_text < 100"));
  EXPECT_TRUE(M("count_text == 42"));
  EXPECT_TRUE(M("count_text == 42.0"));
  EXPECT_TRUE(M("count_text > 41.5"));
  EXPECT_TRUE(M("float_text == 1500"));
  EXPECT_TRUE(M("float_text > 1000"));
  EXPECT_TRUE(M(R"(status == "503")"));
  EXPECT_TRUE(M(R"(status < "1e4")"));
  EXPECT_TRUE(M(R"(status == "0503")"));
  // Text that is not a number: unequal, unordered.
  EXPECT_FALSE(M("word == 1"));
  EXPECT_TRUE(M("word != 1"));
  EXPECT_FALSE(M("word < 1"));
  EXPECT_FALSE(M("word > 1"));
  EXPECT_FALSE(M("empty == 0"));
  Event e(&arena_, 0, "");
  e.Set("padded", Value::String(" 42"));
  e.Set("plus", Value::String("+42"));
  e.Set("inf", Value::String("inf"));
  e.Set("hex", Value::String("0x10"));
  EXPECT_FALSE(M("padded == 42", e));
  EXPECT_FALSE(M("plus == 42", e));
  EXPECT_FALSE(M("inf > 0", e));
  EXPECT_FALSE(M("hex == 16", e));
  EXPECT_FALSE(M("hex == 0", e));
}

TEST_F(ConditionTest, MissingFields) {
  EXPECT_FALSE(M(R"(absent == "x")"));
  EXPECT_TRUE(M(R"(absent != "x")"));
  EXPECT_FALSE(M("absent < 1"));
  EXPECT_FALSE(M("absent <= 1"));
  EXPECT_FALSE(M("absent > 1"));
  EXPECT_FALSE(M("absent >= 1"));
  EXPECT_TRUE(M("absent == null"));
  EXPECT_FALSE(M("absent != null"));
  EXPECT_FALSE(M("absent =~ /.*/"));
  EXPECT_TRUE(M("absent !~ /x/"));
  EXPECT_FALSE(M(R"(absent contains "")"));
  EXPECT_FALSE(M(R"(message contains absent)"));
  EXPECT_FALSE(M("exists(absent)"));
  EXPECT_FALSE(M("absent"));
  EXPECT_TRUE(M("!absent"));
  EXPECT_FALSE(M("absent == false"));
  EXPECT_TRUE(M("absent == other_absent"));
  EXPECT_FALSE(M("absent == status"));
}

TEST_F(ConditionTest, NullFields) {
  EXPECT_TRUE(M("nothing == null"));
  EXPECT_FALSE(M("nothing != null"));
  EXPECT_TRUE(M("exists(nothing)"));
  EXPECT_FALSE(M("nothing"));
  EXPECT_FALSE(M(R"(nothing == "")"));
  EXPECT_FALSE(M("nothing == 0"));
  EXPECT_FALSE(M("nothing < 1"));
  EXPECT_TRUE(M("nothing == absent"));
  EXPECT_FALSE(M("status == null"));
  EXPECT_TRUE(M("status != null"));
  EXPECT_FALSE(M(R"(empty == null)"));
  EXPECT_TRUE(M("null == null"));
}

TEST_F(ConditionTest, Booleans) {
  EXPECT_TRUE(M("ok == true"));
  EXPECT_FALSE(M("ok == false"));
  EXPECT_TRUE(M("failed == false"));
  EXPECT_TRUE(M("ok != false"));
  EXPECT_TRUE(M("ok != failed"));
  EXPECT_FALSE(M(R"(ok == "true")"));
  EXPECT_TRUE(M(R"(ok != "true")"));
  EXPECT_FALSE(M("ok == 1"));
  EXPECT_FALSE(M("ok > failed"));  // two bool fields: never ordered
  EXPECT_FALSE(M("ok >= ok"));
  EXPECT_TRUE(M("ok"));
  EXPECT_FALSE(M("failed"));
  EXPECT_TRUE(M("true"));
  EXPECT_FALSE(M("false"));
  EXPECT_TRUE(M("not failed"));
}

TEST_F(ConditionTest, JsonValuesCompareAsText) {
  EXPECT_TRUE(M(R"(json == '{"a":[1,2]}')"));
  EXPECT_TRUE(M(R"(json contains '[1,2]')"));
  EXPECT_TRUE(M(R"(json =~ /"a":\[/)"));
  EXPECT_FALSE(M("json == 1"));
  EXPECT_TRUE(M(R"(json > "{")"));
  EXPECT_TRUE(M("exists(json)"));
}

TEST_F(ConditionTest, Precedence) {
  // && binds tighter than ||.
  EXPECT_TRUE(M("true || false && false"));
  EXPECT_FALSE(M("(true || false) && false"));
  EXPECT_TRUE(M("false && false || true"));
  EXPECT_FALSE(M("false && (false || true)"));
  // ! binds tighter than && and ||.
  EXPECT_FALSE(M("!true && false"));
  EXPECT_TRUE(M("!false || false"));
  EXPECT_TRUE(M("!(true && false)"));
  EXPECT_FALSE(M("!true || false"));
  // Comparisons bind tighter than && and ||.
  EXPECT_TRUE(M(R"(status == 1 || log.level == "ERROR" && ratio < 1)"));
  EXPECT_FALSE(M(R"((status == 1 || log.level == "ERROR") && ratio > 1)"));
  EXPECT_TRUE(M("!!true"));
  EXPECT_TRUE(M("!!!false"));
  EXPECT_TRUE(M("((((true))))"));
}

TEST_F(ConditionTest, KeywordAliases) {
  EXPECT_TRUE(M(R"(log.level == "ERROR" and status > 500)"));
  EXPECT_FALSE(M(R"(log.level == "INFO" and status > 500)"));
  EXPECT_TRUE(M(R"(log.level == "INFO" or status > 500)"));
  EXPECT_TRUE(M(R"(not (log.level == "INFO"))"));
  EXPECT_FALSE(M("not exists(status)"));
  EXPECT_TRUE(M("true and not false"));
  EXPECT_TRUE(M("false or true and true"));
  // Keywords are lowercase; anything longer is a field name.
  EXPECT_FALSE(M("android"));
  EXPECT_FALSE(M("order"));
  EXPECT_FALSE(M("notice"));
}

TEST_F(ConditionTest, RegularExpressions) {
  EXPECT_TRUE(M("message =~ /OutOfMemory/"));
  EXPECT_TRUE(M("message =~ /Error:/"));
  EXPECT_FALSE(M("message =~ /^OutOfMemory/"));
  EXPECT_TRUE(M("message =~ /^java\\.lang/"));
  EXPECT_TRUE(M("message =~ /space$/"));
  EXPECT_FALSE(M("message =~ /outofmemory/"));
  EXPECT_TRUE(M("message =~ /outofmemory/i"));
  EXPECT_TRUE(M("message !~ /StackOverflow/"));
  EXPECT_FALSE(M("message !~ /OutOfMemory/"));
  EXPECT_TRUE(M("log.level =~ /^(ERROR|FATAL)$/"));
  EXPECT_TRUE(M(R"(path =~ /^\/var\/log\//)"));  // \/ is a slash
  EXPECT_TRUE(M(R"(path =~ /app\.log$/)"));
  EXPECT_TRUE(M(R"(path =~ /\x2f/)"));  // other escapes reach RE2 as written
  EXPECT_FALSE(M(R"(multi =~ /line1.line2/)"));
  EXPECT_TRUE(M(R"(multi =~ /line1.line2/s)"));
  EXPECT_TRUE(M(R"(multi =~ /LINE1.LINE2/si)"));
  EXPECT_TRUE(M("message =~ //"));
  EXPECT_TRUE(M(R"(message =~ /\d*/)"));
}

TEST_F(ConditionTest, RegexOnNonStrings) {
  EXPECT_TRUE(M("status =~ /^5\\d\\d$/"));  // ints are matched in decimal
  EXPECT_FALSE(M("status =~ /^4/"));
  EXPECT_TRUE(M("ratio =~ /^0\\.25$/"));  // floats in shortest form
  EXPECT_TRUE(M("ok =~ /^true$/"));
  EXPECT_FALSE(M("nothing =~ /.*/"));
  EXPECT_TRUE(M("nothing !~ /.*/"));
  EXPECT_TRUE(M("big =~ /^9007199254740993$/"));
  Event e(&arena_, 0, "");
  e.Set("neg", Value::Int(INT64_MIN));
  e.Set("tiny", Value::Float(-1.5e-300));
  EXPECT_TRUE(M("neg =~ /^-9223372036854775808$/", e));
  EXPECT_TRUE(M("tiny =~ /^-1\\.5e-300$/", e));
}

TEST_F(ConditionTest, RegexOnTagsMatchesAnyTag) {
  EXPECT_TRUE(M("tags =~ /failure$/"));
  EXPECT_TRUE(M("tags =~ /^spark$/"));
  EXPECT_FALSE(M("tags =~ /^park/"));
  EXPECT_TRUE(M("tags !~ /^park/"));
  Event untagged(&arena_, 0, "x");
  EXPECT_FALSE(M("tags =~ //", untagged));
}

TEST_F(ConditionTest, Contains) {
  EXPECT_TRUE(M(R"(message contains "OutOfMemory")"));
  EXPECT_FALSE(M(R"(message contains "outofmemory")"));
  EXPECT_TRUE(M(R"(message contains "")"));
  EXPECT_TRUE(M(R"(path contains "/log/")"));
  EXPECT_FALSE(M(R"(path contains "/logs/")"));
  EXPECT_TRUE(M(R"(status contains "50")"));  // numbers as their decimal text
  EXPECT_FALSE(M(R"(message contains word)"));
  EXPECT_TRUE(M(R"("xxabcxx" contains word)"));
  EXPECT_FALSE(M(R"(path contains [log][level])"));
  EXPECT_TRUE(M(R"("/var/log/ERROR" contains [log][level])"));
  EXPECT_FALSE(M(R"(path contains absent)"));
  EXPECT_FALSE(M(R"(nothing contains "")"));
  EXPECT_TRUE(M(R"(!(message contains "StackOverflow"))"));
}

TEST_F(ConditionTest, ContainsOnTagsIsMembership) {
  EXPECT_TRUE(M(R"(tags contains "_grokparsefailure")"));
  EXPECT_TRUE(M(R"(tags contains "spark")"));
  EXPECT_FALSE(M(R"(tags contains "grok")"));  // a tag, not a substring
  EXPECT_FALSE(M(R"(tags contains "")"));
  EXPECT_TRUE(M(R"([tags] contains 'spark')"));
  Event e(&arena_, 0, "x");
  e.AddTag("ERROR");
  e.Set("level", Value::String("ERROR"));
  e.Set("n", Value::Int(5));
  EXPECT_TRUE(M("tags contains level", e));
  EXPECT_FALSE(M("tags contains n", e));
  e.AddTag("5");
  EXPECT_TRUE(M("tags contains n", e));
}

TEST_F(ConditionTest, ExistsAndTruthiness) {
  EXPECT_TRUE(M("exists(log.level)"));
  EXPECT_TRUE(M("exists( log.level )"));
  EXPECT_TRUE(M("exists([log][level])"));
  EXPECT_TRUE(M("exists(spark.executor_id)"));
  EXPECT_FALSE(M("exists(spark)"));
  EXPECT_FALSE(M("exists(log)"));
  EXPECT_TRUE(M("exists(message)"));
  EXPECT_TRUE(M("exists(tags)"));
  EXPECT_TRUE(M("exists(failed)"));
  EXPECT_TRUE(M("!exists(absent)"));
  Event bare(&arena_, 0, "");
  EXPECT_FALSE(M("exists(tags)", bare));
  EXPECT_FALSE(M("tags", bare));
  EXPECT_TRUE(M("exists(message)", bare));
  EXPECT_TRUE(M("message", bare));
  // Truthiness: present and neither null nor false. 0 and "" are true.
  EXPECT_TRUE(M("status"));
  EXPECT_TRUE(M("empty"));
  EXPECT_TRUE(M("[log][level]"));
  EXPECT_TRUE(M("tags"));
  EXPECT_FALSE(M("nothing"));
  EXPECT_FALSE(M("failed"));
  EXPECT_TRUE(M("!failed"));
}

TEST_F(ConditionTest, FieldNames) {
  EXPECT_TRUE(M(R"([log][level] == "ERROR")"));
  EXPECT_TRUE(M(R"([log.level] == "ERROR")"));
  EXPECT_TRUE(M(R"(spark.executor_id == 7)"));
  EXPECT_TRUE(M(R"(kubernetes.pod-name == "driver-0")"));
  EXPECT_TRUE(M(R"(@version == "1")"));
  EXPECT_TRUE(M(R"([message] contains "heap")"));
  EXPECT_TRUE(M(R"(log.level=="ERROR"&&status>=500)"));
  Event e(&arena_, 0, "");
  e.Set("and", Value::Int(1));
  e.Set("with space", Value::Int(2));
  e.Set("a.0", Value::Int(3));
  EXPECT_TRUE(M("[and] == 1", e));
  EXPECT_TRUE(M("[with space] == 2", e));
  EXPECT_TRUE(M("a.0 == 3", e));
  EXPECT_TRUE(M("[a][0] == 3", e));
  // A field named "message" is not the message.
  e.Set("message", Value::String("field"));
  EXPECT_TRUE(M(R"(message == "")", e));
}

TEST_F(ConditionTest, StringLiteralsAndEscapes) {
  Event e(&arena_, 0, "say \"hi\" it's a\\b\tc\nd /e\r");
  EXPECT_TRUE(M(R"(message contains "\"hi\"")", e));
  EXPECT_TRUE(M(R"(message contains '"hi"')", e));
  EXPECT_TRUE(M(R"(message contains 'it\'s')", e));
  EXPECT_TRUE(M(R"(message contains "it's")", e));
  EXPECT_TRUE(M(R"(message contains "a\\b")", e));
  EXPECT_TRUE(M(R"(message contains "\tc\nd")", e));
  EXPECT_TRUE(M(R"(message contains "\/e\r")", e));
  // A raw newline inside a string (a YAML block scalar) is kept.
  EXPECT_TRUE(M("message contains \"c\nd\"", e));
  // Bytes that are not UTF-8 are fine in strings and messages.
  Event bin(&arena_, 0, std::string_view("\xff\x00\xfe", 3));
  EXPECT_TRUE(M(std::string("message contains \"\xff\""), bin));
  EXPECT_TRUE(M("message =~ /\\x00/", bin));
  EXPECT_TRUE(M(R"(message != "x")", bin));
}

TEST_F(ConditionTest, NumberLiterals) {
  Event e(&arena_, 0, "");
  e.Set("n", Value::Int(-5));
  e.Set("f", Value::Float(-0.5));
  e.Set("e", Value::Float(1e-3));
  EXPECT_TRUE(M("n == -5", e));
  EXPECT_TRUE(M("n<-4", e));
  EXPECT_TRUE(M("f == -0.5", e));
  EXPECT_TRUE(M("f == -5e-1", e));
  EXPECT_TRUE(M("e == 1E-3", e));
  EXPECT_TRUE(M("e == 0.001", e));
  EXPECT_TRUE(M("n == -5.0", e));
  EXPECT_TRUE(M("0 == -0", e));
  EXPECT_TRUE(M("9223372036854775807 > 0", e));
}

TEST_F(ConditionTest, SparkExamples) {
  Event e(&arena_, 0,
          "24/05/01 10:00:00 ERROR Executor: Exception in task 3.0 in stage 1.0 (TID 7)");
  e.Set("log.level", Value::String("ERROR"));
  e.Set("spark.executor_id", Value::String("3"));
  e.Set("log.file.path", Value::String("/opt/spark/work/app-1/3/stderr"));
  EXPECT_TRUE(M(R"(log.level == "ERROR" || message =~ /Exception/)", e));
  EXPECT_TRUE(
      M(R"(log.level == "ERROR" && message =~ /Exception/ && exists(spark.executor_id))", e));
  EXPECT_TRUE(M(R"(log.file.path =~ /stderr$/ && spark.executor_id != "driver")", e));
  EXPECT_TRUE(M(R"(spark.executor_id > 2 && !(tags contains "_grokparsefailure"))", e));
  EXPECT_FALSE(M(R"(log.level == "ERROR" && !exists(spark.executor_id))", e));
}

TEST_F(ConditionTest, SourceDefaultAndMove) {
  Condition c = MustParse("status == 503");
  EXPECT_EQ(c.source(), "status == 503");
  Condition moved = std::move(c);
  EXPECT_TRUE(moved.Matches(event_));
  Condition assigned;
  EXPECT_TRUE(assigned.Matches(event_));  // a default Condition matches everything
  assigned = MustParse("status == 1");
  EXPECT_FALSE(assigned.Matches(event_));
  // A parsed condition does not depend on the text it was parsed from.
  std::string text = R"(message contains "heap" && log.level == 'ERROR')";
  auto parsed = Condition::Parse(text);
  text.assign(text.size(), 'x');
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->Matches(event_));
}

// Counts operator new calls made by `fn`.
template <typename Fn>
long CountAllocations(Fn fn) {
  long before = g_allocations.load();
  fn();
  return g_allocations.load() - before;
}

TEST_F(ConditionTest, MatchesAllocatesNothing) {
  volatile size_t size = 100;
  ASSERT_GT(CountAllocations([&] { std::vector<char> v(size); }), 0)
      << "the counter does not count";
  std::vector<Condition> conditions;
  for (const char* text : {
           R"(log.level == "ERROR" && status >= 500 || ratio < 0.5)",
           R"(count_text < 100 && float_text > 1000 && word != 1 && status == "503")",
           R"(big > 9007199254740992.0 && absent == null && nothing == null && ok == true)",
           R"(message contains "heap" && tags contains "spark" && status contains "50")",
           R"(exists(spark.executor_id) && !exists(absent) && ok && !failed && tags)",
           R"(json == '{"a":[1,2]}' && [log][level] != 'x' && !(word < "a"))",
       }) {
    conditions.push_back(MustParse(text));
  }
  // Regular expressions: RE2 fills its DFA cache on first use; after that, no allocation.
  std::vector<Condition> regexes;
  for (const char* text : {
           R"(message =~ /OutOfMemory/ && log.level =~ /^(ERROR|FATAL)$/i)",
           R"(status =~ /^5/ && ratio =~ /25/ && message !~ /StackOverflow/)",
           R"(tags =~ /failure$/ && absent !~ /x/)",
       }) {
    regexes.push_back(MustParse(text));
  }
  for (const Condition& c : regexes) EXPECT_TRUE(c.Matches(event_)) << c.source();

  bool all = true;
  long n = CountAllocations([&] {
    for (int round = 0; round < 100; ++round) {
      for (const Condition& c : conditions) all = c.Matches(event_) && all;
      for (const Condition& c : regexes) all = c.Matches(event_) && all;
    }
  });
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(all);
}

TEST_F(ConditionTest, MatchesFromSeveralThreads) {
  Condition c =
      MustParse(R"(message =~ /Memory(Error)?/i && status > "500" && tags contains "spark")");
  std::atomic<int> matched{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) matched += c.Matches(event_) ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(matched.load(), 8000);
}

// Every condition shown in docs/conditions.md parses: the first column of the examples table and
// every `when: '...'`.
TEST(ConditionDocsTest, DocumentedConditionsParse) {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/docs/conditions.md");
  ASSERT_TRUE(in) << "cannot read docs/conditions.md";
  std::string line;
  bool in_examples = false;
  int checked = 0;
  auto check = [&](std::string text) {
    for (size_t p; (p = text.find("\\|")) != std::string::npos;) text.erase(p, 1);  // table escape
    for (size_t p = 0; (p = text.find("''", p)) != std::string::npos; ++p)
      text.erase(p, 1);  // YAML
    auto parsed = Condition::Parse(text);
    EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().message();
    ++checked;
  };
  bool in_text_block = false;  // error messages, not conditions
  while (std::getline(in, line)) {
    if (line.starts_with("```")) in_text_block = line == "```text";
    if (in_text_block) continue;
    if (line.starts_with("## ")) in_examples = line == "## Examples";
    if (in_examples && line.starts_with("| `")) {
      size_t end = line.find("` |");
      ASSERT_NE(end, std::string::npos) << line;
      check(line.substr(3, end - 3));
    }
    for (size_t p = 0; (p = line.find("when: '", p)) != std::string::npos;) {
      size_t start = p + 7;
      size_t end = line.find("'`", start);
      if (end == std::string::npos) end = line.size() - 1;  // the YAML example block
      if (line[end] != '\'') break;
      check(line.substr(start, end - start));
      p = end;
    }
  }
  EXPECT_GT(checked, 20);
}

}  // namespace
}  // namespace sluice
