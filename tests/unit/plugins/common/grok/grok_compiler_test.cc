#include "plugins/common/grok/grok_compiler.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "pipeline/event_batch.h"
#include "plugins/common/grok/grok_pattern_library.h"
#include "plugins/common/grok/grok_pattern_matcher.h"

namespace sluice::common::grok {
namespace {

// The builtin library plus `definitions`.
PatternLibrary With(const std::map<std::string, std::string>& definitions) {
  PatternLibrary library = PatternLibrary::Builtin();
  for (const auto& [name, regex] : definitions) EXPECT_TRUE(library.Define(name, regex).ok());
  return library;
}

CompiledPattern Compile(std::string_view pattern, const PatternLibrary& library) {
  auto c = CompilePattern(pattern, library);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(c).value() : CompiledPattern{};
}

CompiledPattern Compile(std::string_view pattern) {
  return Compile(pattern, PatternLibrary::Builtin());
}

// The error message of compiling `pattern` (fails the test when it compiles).
std::string Error(std::string_view pattern,
                  const PatternLibrary& library = PatternLibrary::Builtin(),
                  PatternSyntax syntax = PatternSyntax::kGrok) {
  auto c = CompilePattern(pattern, library, syntax);
  EXPECT_FALSE(c.ok()) << pattern << " compiled to " << (c.ok() ? c->regex : "");
  return c.ok() ? "" : c.status().message();
}

std::vector<std::string> Fields(const CompiledPattern& c) {
  std::vector<std::string> fields;
  for (const auto& capture : c.captures) fields.push_back(capture.field);
  return fields;
}

// Runs `pattern` on `text`: capture field -> text, for the captures that took part.
std::map<std::string, std::string> Captured(
    std::string_view pattern, std::string_view text,
    const PatternLibrary& library = PatternLibrary::Builtin(),
    PatternSyntax syntax = PatternSyntax::kGrok) {
  auto c = CompilePattern(pattern, library, syntax);
  EXPECT_TRUE(c.ok()) << c.status().message();
  if (!c.ok()) return {};
  auto m = PatternMatcher::Create(std::move(c).value());
  EXPECT_TRUE(m.ok()) << m.status().message();
  std::map<std::string, std::string> out;
  if (!m.value().Match(text)) {
    out["<no match>"] = "";
    return out;
  }
  for (size_t i = 0; i < m.value().capture_count(); ++i) {
    std::string_view v = m.value().capture(i);
    if (v.data() != nullptr) out[m.value().compiled().captures[i].field] = std::string(v);
  }
  return out;
}

using Captures = std::map<std::string, std::string>;

// --- Expansion ----------------------------------------------------------------------------------

TEST(GrokCompilerTest, UnnamedReferenceCapturesNothingNamedOneCaptures) {
  CompiledPattern c = Compile("%{INT} %{INT:b}", With({{"INT", "[0-9]+"}}));
  EXPECT_EQ(c.regex, "(?:[0-9]+) ([0-9]+)");
  ASSERT_EQ(c.captures.size(), 1u);
  EXPECT_EQ(c.captures[0].field, "b");
  EXPECT_EQ(c.captures[0].type, ValueType::kString);
}

TEST(GrokCompilerTest, TypesFromTheSuffix) {
  CompiledPattern c =
      Compile("%{INT:a:int} %{NUMBER:b:float} %{WORD:c:bool} %{WORD:d:string} %{INT:e:integer}");
  ASSERT_EQ(c.captures.size(), 5u);
  EXPECT_EQ(c.captures[0].type, ValueType::kInt);
  EXPECT_EQ(c.captures[1].type, ValueType::kFloat);
  EXPECT_EQ(c.captures[2].type, ValueType::kBool);
  EXPECT_EQ(c.captures[3].type, ValueType::kString);
  EXPECT_EQ(c.captures[4].type, ValueType::kInt);
}

TEST(GrokCompilerTest, PlainGroupsBecomeNonCapturing) {
  CompiledPattern c = Compile("(a|b)(c(d))%{INT:n}");
  EXPECT_EQ(c.regex.substr(0, 16), "(?:a|b)(?:c(?:d)");
  EXPECT_EQ(Fields(c), std::vector<std::string>{"n"});
  EXPECT_EQ(Captured("(a|b)(c(d))%{INT:n}", "bcd42"), (Captures{{"n", "42"}}));
}

TEST(GrokCompilerTest, EscapesClassesAndQuotesAreNotGroups) {
  // Parentheses escaped, in classes (with a literal ] first, POSIX classes, negation), and in
  // \Q...\E stay as they are; only the named group captures.
  std::string pattern = R"(\((?<a>[]()x]+)[^]()][[:alpha:](]\Q(lit)\E(?<b>\)))";
  CompiledPattern c = Compile(pattern);
  EXPECT_EQ(c.regex, R"(\(([]()x]+)[^]()][[:alpha:](]\Q(lit)\E(\)))");
  EXPECT_EQ(Captured(pattern, "(x)(-z(lit))"), (Captures{{"a", "x)("}, {"b", ")"}}));
}

TEST(GrokCompilerTest, InlineNamedGroupsBothSpellings) {
  EXPECT_EQ(Captured(R"((?<user>\w+)@(?P<host>[\w.]+))", "ann@example.org"),
            (Captures{{"user", "ann"}, {"host", "example.org"}}));
}

TEST(GrokCompilerTest, DottedAndBracketFieldNames) {
  CompiledPattern c = Compile(
      "%{WORD:log.level} %{WORD:[http][request][method]} (?<[url][path]>\\S+) (?<@meta.x-y>.)");
  EXPECT_EQ(Fields(c), (std::vector<std::string>{"log.level", "http.request.method", "url.path",
                                                 "@meta.x-y"}));
}

TEST(GrokCompilerTest, FlagsAndCommentsPassThrough) {
  CompiledPattern c = Compile("(?i)err(?#a comment)(?s:x.)(?-i:Y)");
  EXPECT_EQ(c.regex, "(?i)err(?s:x.)(?-i:Y)");
  EXPECT_EQ(Captured("(?i)err(?#a comment)(?<x>(?s:x.))(?-i:Y)", "ERRx\nY"),
            (Captures{{"x", "x\n"}}));
}

TEST(GrokCompilerTest, RecursiveExpansion) {
  PatternLibrary lib =
      With({{"INNER", "[a-z]+"}, {"MID", "<%{INNER:inner}>"}, {"OUTER", "%{MID}!"}});
  EXPECT_EQ(Compile("%{OUTER:all}", lib).regex, "((?:<([a-z]+)>)!)");
  EXPECT_EQ(Captured("%{OUTER:all}", "x<abc>!", lib),
            (Captures{{"all", "<abc>!"}, {"inner", "abc"}}));
}

TEST(GrokCompilerTest, DefinitionAlternationStaysInsideItsReference) {
  // DATE is `%{DATE_US}|%{DATE_EU}`: the wrapper keeps its | from splitting the whole pattern.
  EXPECT_EQ(Captured("^on %{DATE:d}$", "on 12/31/2020"), (Captures{{"d", "12/31/2020"}}));
  EXPECT_EQ(Captured("^on %{DATE:d}$", "12/31/2020"), (Captures{{"<no match>", ""}}));
}

TEST(GrokCompilerTest, CaptureIndicesFollowOpeningOrder) {
  PatternLibrary lib = With({{"PAIR", "%{INT:first}-%{INT:second}"}});
  EXPECT_EQ(Captured("%{PAIR:pair}/(?<third>\\d+)", "1-2/3", lib),
            (Captures{{"pair", "1-2"}, {"first", "1"}, {"second", "2"}, {"third", "3"}}));
}

TEST(GrokCompilerTest, NonParticipatingCapturesAreUnset) {
  auto got = Captured("(?:%{INT:num}|%{WORD:word})", "abc");
  EXPECT_EQ(got, (Captures{{"word", "abc"}}));
}

TEST(GrokCompilerTest, RegexSyntaxDoubleUnderscoreIsADotAndNoReferences) {
  CompiledPattern c = [] {
    auto r = CompilePattern(R"(^(?P<log__level>\w+) (?<a__b__c>\d+) %{x})", PatternLibrary(),
                            PatternSyntax::kRegex);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(r).value() : CompiledPattern{};
  }();
  EXPECT_EQ(Fields(c), (std::vector<std::string>{"log.level", "a.b.c"}));
  EXPECT_EQ(Captured(R"(^(?P<log__level>\w+) (?P<n>\d+) %\{x\})", "INFO 7 %{x}", PatternLibrary(),
                     PatternSyntax::kRegex),
            (Captures{{"log.level", "INFO"}, {"n", "7"}}));
  EXPECT_NE(
      Error("(?P<a.b>x)", PatternLibrary(), PatternSyntax::kRegex).find("invalid field name 'a.b'"),
      std::string::npos);
  EXPECT_NE(
      Error("(?P<__a>x)", PatternLibrary(), PatternSyntax::kRegex).find("__ stands for a dot"),
      std::string::npos);
}

// --- Tail and anchoring -------------------------------------------------------------------------

TEST(GrokCompilerTest, TrailingDotAllCaptureIsTakenFromTheText) {
  CompiledPattern c = Compile("^%{SPARK_LOG4J}");
  EXPECT_TRUE(c.anchored);
  EXPECT_EQ(c.tail, Tail::kToEnd);
  EXPECT_EQ(c.captures.back().field, "message");
  EXPECT_EQ(c.program.find("(?s:.*)"), std::string::npos);
  EXPECT_NE(c.regex.find("((?s:.*))"), std::string::npos);
}

TEST(GrokCompilerTest, TrailingDotStarRunsToTheLineEnd) {
  CompiledPattern c = Compile("^%{WORD:w} %{GREEDYDATA:rest}");
  EXPECT_EQ(c.tail, Tail::kToLineEnd);
  EXPECT_EQ(Captured("^%{WORD:w} %{GREEDYDATA:rest}", "hello big\nworld"),
            (Captures{{"w", "hello"}, {"rest", "big"}}));
  EXPECT_EQ(Captured("^%{WORD:w} %{GREEDYMULTILINE:rest}", "hello big\nworld"),
            (Captures{{"w", "hello"}, {"rest", "big\nworld"}}));
}

TEST(GrokCompilerTest, NoTailWhereItWouldChangeTheMeaning) {
  EXPECT_EQ(Compile("%{WORD:w} %{DATA:d}").tail, Tail::kNone);         // lazy
  EXPECT_EQ(Compile("%{WORD:w} %{GREEDYDATA:d}$").tail, Tail::kNone);  // something after
  EXPECT_EQ(Compile("x|%{GREEDYDATA:d}").tail, Tail::kNone);           // an alternative
  EXPECT_EQ(Compile("(?s)x%{GREEDYDATA:d}").tail, Tail::kNone);        // . spans lines
  EXPECT_EQ(Compile("(?U)x%{GREEDYMULTILINE:d}").tail, Tail::kNone);   // ungreedy
  EXPECT_EQ(Compile("x(?:%{GREEDYDATA:d})+").tail, Tail::kNone);       // repeated
  EXPECT_EQ(Compile("x%{GREEDYDATA}").tail, Tail::kNone);              // not a capture
  EXPECT_EQ(Compile("x(?:y|%{GREEDYDATA:d})").tail, Tail::kNone);      // inner alternative
  EXPECT_EQ(Compile("x(?s:%{GREEDYDATA:d})").tail, Tail::kNone);       // flag group
  EXPECT_EQ(Compile("x%{GREEDYDATA:d}\\)").tail, Tail::kNone);         // escaped paren
  EXPECT_EQ(Compile("%{GREEDYDATA:d}").tail, Tail::kToLineEnd);
  // Semantics agree with RE2 on the cases kept.
  EXPECT_EQ(Captured("x(?s)y%{GREEDYDATA:d}", "xya\nb"), (Captures{{"d", "a\nb"}}));
  EXPECT_EQ(Captured("(?U)x%{GREEDYMULTILINE:d}", "xab"), (Captures{{"d", ""}}));
}

TEST(GrokCompilerTest, CapturesEnclosingTheTailEndWithIt) {
  PatternLibrary lib = With({{"LINE", "%{WORD:first} %{GREEDYMULTILINE:rest}"}});
  CompiledPattern c = Compile("^>%{LINE:line}", lib);
  EXPECT_EQ(c.tail, Tail::kToEnd);
  EXPECT_EQ(c.enclosing_tail, std::vector<size_t>{0});
  EXPECT_EQ(Captured("^>%{LINE:line}", ">a b\nc", lib),
            (Captures{{"line", "a b\nc"}, {"first", "a"}, {"rest", "b\nc"}}));
}

TEST(GrokCompilerTest, UnanchoredPatternsFindTheLeftmostMatch) {
  CompiledPattern c = Compile("%{INT:n}x");
  EXPECT_FALSE(c.anchored);
  EXPECT_FALSE(Compile("^a|b").anchored);
  EXPECT_EQ(Captured("%{INT:n}x", "ab 12 34x 5x"), (Captures{{"n", "34"}}));
  EXPECT_EQ(Captured("%{INT:n}x", "7x 34x"), (Captures{{"n", "7"}}));
  EXPECT_EQ(Captured("^a|%{INT:n}", "b12"), (Captures{{"n", "12"}}));
}

// --- Errors -------------------------------------------------------------------------------------

TEST(GrokCompilerTest, UnknownPatternSuggestsTheClosestName) {
  std::string e = Error("^x %{NUMBR:n}");
  EXPECT_NE(e.find("invalid pattern \"^x %{NUMBR:n}\""), std::string::npos) << e;
  EXPECT_NE(e.find("at offset 3"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown pattern 'NUMBR'; did you mean 'NUMBER'?"), std::string::npos) << e;
}

TEST(GrokCompilerTest, CyclesAreReported) {
  PatternLibrary lib = With({{"A", "a%{B}"}, {"B", "b%{C}"}, {"C", "%{A}"}, {"SELF", "x%{SELF}"}});
  std::string e = Error("-%{A}", lib);
  EXPECT_NE(e.find("pattern cycle: A -> B -> C -> A"), std::string::npos) << e;
  EXPECT_NE(e.find("at offset 1"), std::string::npos) << e;
  EXPECT_NE(e.find("%{A} > %{B} > %{C}"), std::string::npos) << e;
  EXPECT_NE(Error("%{SELF}", lib).find("pattern cycle: SELF -> SELF"), std::string::npos);
}

TEST(GrokCompilerTest, MalformedReferences) {
  for (std::string p : {"%{", "%{NAME", "%{:x}", "a %{ WORD}", "%{WORD:x"}) {
    EXPECT_NE(Error(p).find("malformed reference"), std::string::npos) << p;
  }
  EXPECT_NE(Error("%{X=\\d+}").find("inline definitions"), std::string::npos);
  std::string e = Error("%{WORD:x:number}");
  EXPECT_NE(e.find("at offset 9"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown type 'number'"), std::string::npos) << e;
  EXPECT_NE(Error("%{WORD:}").find("invalid field name ''"), std::string::npos);
  EXPECT_NE(Error("%{WORD:a..b}").find("empty part"), std::string::npos);
  EXPECT_NE(Error("%{WORD:[a]b}").find("[a][b]"), std::string::npos);
  EXPECT_NE(Error("(?<a b>x)").find("invalid field name 'a b'"), std::string::npos);
  EXPECT_NE(Error("(?<ab").find("missing >"), std::string::npos);
  // A literal %{ is written escaped.
  EXPECT_EQ(Captured("\\%\\{%{WORD:w}\\}", "%{abc}"), (Captures{{"w", "abc"}}));
}

TEST(GrokCompilerTest, UnbalancedAndUnterminated) {
  std::string e = Error("ab(cd");
  EXPECT_NE(e.find("at offset 2 (\"(cd\")"), std::string::npos) << e;
  EXPECT_NE(e.find("missing )"), std::string::npos) << e;
  e = Error("ab)cd");
  EXPECT_NE(e.find("at offset 2"), std::string::npos) << e;
  EXPECT_NE(e.find("unexpected )"), std::string::npos) << e;
  e = Error("x[abc");
  EXPECT_NE(e.find("at offset 1"), std::string::npos) << e;
  EXPECT_NE(e.find("missing ]"), std::string::npos) << e;
  EXPECT_NE(Error("ab\\").find("trailing \\"), std::string::npos);
  EXPECT_NE(Error("(?#open").find("comment is not closed"), std::string::npos);
  // A definition cannot close its reference's group early.
  EXPECT_NE(Error("%{BAD}x)", With({{"BAD", "a)"}})).find("unexpected )"), std::string::npos);
}

TEST(GrokCompilerTest, Re2ErrorsHaveTheOffsetAndRe2sReason) {
  std::string e = Error("^%{WORD:w} a**");
  EXPECT_NE(e.find("at offset 12"), std::string::npos) << e;
  EXPECT_NE(e.find("RE2: bad repetition operator: **"), std::string::npos) << e;
  e = Error("%{INT:n}(?=x)");
  EXPECT_NE(e.find("at offset 8"), std::string::npos) << e;
  EXPECT_NE(e.find("RE2: invalid perl operator: (?="), std::string::npos) << e;
  EXPECT_NE(e.find("no lookahead or lookbehind"), std::string::npos) << e;
  EXPECT_NE(Error("(?>ab)").find("no atomic groups"), std::string::npos);
  EXPECT_NE(Error("a++").find("no possessive quantifiers"), std::string::npos);
  EXPECT_NE(Error("(a)\\1").find("no backreferences"), std::string::npos);
  EXPECT_NE(Error("(?<=a)b").find("RE2: invalid perl operator: (?<"), std::string::npos);
  e = Error("x[z-a]");
  EXPECT_NE(e.find("at offset 2 (\"z-a]\")"), std::string::npos) << e;
  EXPECT_NE(e.find("RE2: invalid character class range: z-a"), std::string::npos) << e;
}

// Found by the grok_compiler fuzz target: "(?<x>?)" was expanded to "(?)", which RE2 reads as an
// empty flags group, so the capture vanished (an internal error: 0 groups for 1 capture). A
// quantifier first in a group, written or from a definition, is now the user's error.
TEST(GrokCompilerTest, AQuantifierFirstInAGroupRepeatsNothing) {
  for (std::string p : {"(?<x>?)", "a(?P<x>?s)", "(?<x>*a)", "(+)", "(?:?)"}) {
    std::string e = Error(p);
    EXPECT_NE(e.find("no argument for repetition operator"), std::string::npos) << p << ": " << e;
  }
  std::string e = Error("%{Q:q}", With({{"Q", "?i)x"}}));
  EXPECT_NE(e.find("no argument for repetition operator: ?"), std::string::npos) << e;
  EXPECT_NE(e.find("%{Q:q}"), std::string::npos) << e;  // the reference chain
  EXPECT_EQ(Captured("(?<x>a?)b", "b"), (Captures{{"x", ""}}));
  EXPECT_EQ(Captured("(?<x>(?i)A)", "a"), (Captures{{"x", "a"}}));
}

TEST(GrokCompilerTest, ErrorsInsideDefinitionsNameTheReferenceChain) {
  PatternLibrary lib = With({{"OUTER", "<%{INNER}>"}, {"INNER", "ab{2,1}"}});
  std::string e = Error("x %{OUTER:o}", lib);
  EXPECT_NE(e.find("at offset 2 (\"%{OUTER:o}\")"), std::string::npos) << e;
  EXPECT_NE(e.find("in %{OUTER} > %{INNER}, at offset 2 of INNER's definition \"ab{2,1}\""),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("RE2: invalid repetition size: {2,1}"), std::string::npos) << e;
}

TEST(GrokCompilerTest, HugeExpansionsAreRefused) {
  std::map<std::string, std::string> defs{{"L0", "abcdefgh"}};
  for (int i = 1; i <= 20; ++i) {
    std::string prev = "%{L" + std::to_string(i - 1) + "}";
    defs["L" + std::to_string(i)] = prev + prev;
  }
  EXPECT_NE(Error("%{L20}", With(defs)).find("expands to more than"), std::string::npos);
}

TEST(GrokCompilerTest, NonPrintableBytesAreEscapedInMessages) {
  std::string e = Error(std::string("\x01\xff(", 3));
  EXPECT_NE(e.find("\\x01\\xff("), std::string::npos) << e;
}

// --- Fuzz ---------------------------------------------------------------------------------------

TEST(GrokCompilerFuzzTest, RandomPatternsNeverCrashAndCompiledOnesRun) {
  PatternLibrary lib = With({{"CYCLE_A", "a%{CYCLE_B}"},
                             {"CYCLE_B", "(b|%{CYCLE_A})"},
                             {"NESTED", "(x|%{INT:inner:int})[)(]"},
                             {"BROKEN", "(unclosed"}});
  const std::vector<std::string> fragments = {"%{",
                                              "}",
                                              ":",
                                              "%{WORD",
                                              "%{INT:n}",
                                              "%{NUMBER:f:float}",
                                              "%{GREEDYDATA:m}",
                                              "%{GREEDYMULTILINE:message}",
                                              "%{SPARK_LOG4J}",
                                              "%{NOPE}",
                                              "%{CYCLE_A}",
                                              "%{NESTED:n2}",
                                              "%{BROKEN}",
                                              "%{DATA:d}",
                                              "%{IP:ip}",
                                              "WORD",
                                              "INT",
                                              "int",
                                              "bool",
                                              "x",
                                              "a.b",
                                              "[a][b]",
                                              "(?<",
                                              "(?P<",
                                              ">",
                                              "name>",
                                              "[",
                                              "]",
                                              "[^",
                                              "[:alpha:]",
                                              "\\",
                                              "\\d",
                                              "\\Q",
                                              "\\E",
                                              "(",
                                              ")",
                                              "(?:",
                                              "(?s:.*)",
                                              ".*",
                                              "(?i)",
                                              "(?#c)",
                                              "(?=",
                                              "|",
                                              "*",
                                              "+",
                                              "?",
                                              "{2}",
                                              "{1,",
                                              "^",
                                              "$",
                                              " ",
                                              "-",
                                              "."};
  std::mt19937_64 rng(20240607);
  int compiled = 0;
  int matched = 0;
  EventBatch batch;
  for (int round = 0; round < 20000; ++round) {
    std::string pattern;
    int n = 1 + static_cast<int>(rng() % 10);
    for (int k = 0; k < n; ++k) {
      if (rng() % 8 == 0) {
        pattern.push_back(static_cast<char>(rng() % 256));
      } else {
        pattern += fragments[rng() % fragments.size()];
      }
    }
    auto c = CompilePattern(pattern, lib);
    if (!c.ok()) {
      EXPECT_NE(c.status().message().find("invalid pattern"), std::string::npos)
          << c.status().message();
      continue;
    }
    auto m = PatternMatcher::Create(std::move(c).value());
    ASSERT_TRUE(m.ok()) << pattern << ": " << m.status().message();
    ++compiled;
    for (int t = 0; t < 3; ++t) {
      std::string text;
      size_t len = rng() % 80;
      for (size_t k = 0; k < len; ++k) {
        text.push_back(rng() % 3 == 0 ? static_cast<char>(rng() % 256)
                                      : "ab1 2.:x\n[]()"[rng() % 14]);
      }
      if (t == 0) text = "17/06/09 20:10:40 INFO a.B: m 12 " + text;
      Event& e = batch.Add(0, text);
      if (m.value().Match(e.message())) {
        ++matched;
        m.value().Apply(e, rng() % 2 == 0);
      }
    }
    if (batch.size() > 1000) batch = EventBatch();
  }
  std::printf("fuzz: %d of 20000 compiled, %d matches\n", compiled, matched);
  // The fragments must make a fair share of valid patterns, or the test proves little.
  EXPECT_GT(compiled, 2000);
  EXPECT_GT(matched, 1000);
}

}  // namespace
}  // namespace sluice::common::grok
