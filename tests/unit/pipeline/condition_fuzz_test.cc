// Condition: fuzzing: random and mutated input must never crash Parse() or Matches(), and every
// error keeps the contract (a message, an offset within the text).
#include "pipeline/condition.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace sluice {
namespace {

std::vector<Event*> FuzzEvents(Arena& arena) {
  static std::vector<Event> events;
  events.clear();
  events.emplace_back(&arena, 0, "a b \"x\" /a.*/ OOM");
  events.emplace_back(&arena, 0, "");
  events.emplace_back(&arena, 0, std::string_view("\xff\x00\x80", 3));
  events[0].Set("a", Value::String("x"));
  events[0].Set("b.c", Value::Int(1));
  events[0].Set("x", Value::Float(3.5));
  events[0].AddTag("x");
  events[1].Set("a", Value::Null());
  events[1].Set("b.c", Value::Bool(false));
  events[1].Set("x", Value::Json("[1]"));
  events[2].Set("a", Value::Int(-2));
  events[2].Set("x", Value::String("1e9"));
  events[2].AddTag("y");
  std::vector<Event*> out;
  for (Event& e : events) out.push_back(&e);
  return out;
}

// Parses `text`; checks the error contract, or evaluates the condition on every event.
bool FuzzOne(const std::string& text, const std::vector<Event*>& events) {
  size_t offset = SIZE_MAX;
  auto parsed = Condition::Parse(text, &offset);
  if (!parsed.ok()) {
    EXPECT_FALSE(parsed.status().message().empty()) << text;
    EXPECT_LE(offset, text.size()) << text << ": " << parsed.status().message();
    return false;
  }
  for (const Event* e : events) parsed->Matches(*e);
  return true;
}

const std::vector<std::string>& FuzzTokens() {
  static const std::vector<std::string> tokens = {
      "a",     "b.c",  "x",     "message", "tags",    "exists",   "exists(",
      "exist", "(",    ")",     "(",       ")",       "!",        "&&",
      "||",    "and",  "or",    "not",     "==",      "!=",       "<",
      "<=",    ">",    ">=",    "=~",      "!~",      "contains", "/a.*/",
      "/",     "/x/i", "\"x\"", "'y'",     "\"OOM\"", "\"",       "'",
      "\\",    "\\\"", "1",     "-2",      "3.5",     "1e9",      "-",
      ".",     "true", "false", "null",    "[a]",     "[b][c]",   "[",
      "]",     " ",    " ",     " ",       "\n",      "=",        "&",
      "|",     "#",    "{",     "*",       "\t",      "1.2.3",    "99999999999999999999",
  };
  return tokens;
}

TEST(ConditionFuzzTest, RandomInputNeverCrashes) {
  Arena arena;
  std::vector<Event*> events = FuzzEvents(arena);
  std::mt19937 rng(20240501);
  const auto& tokens = FuzzTokens();
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    int pieces = 1 + static_cast<int>(rng() % 12);
    for (int p = 0; p < pieces; ++p) {
      if (rng() % 10 == 0) {
        text += static_cast<char>(rng() % 256);  // any byte, NUL and >= 0x80 included
      } else {
        text += tokens[rng() % tokens.size()];
        if (rng() % 2) text += ' ';
      }
    }
    parsed += FuzzOne(text, events) ? 1 : 0;
  }
  // The alphabet is rich enough that many inputs are valid conditions.
  EXPECT_GT(parsed, 300);
  EXPECT_LT(parsed, 20000);
}

TEST(ConditionFuzzTest, MutatedConditionsNeverCrash) {
  Arena arena;
  std::vector<Event*> events = FuzzEvents(arena);
  const std::vector<std::string> seeds = {
      R"(log.level == "ERROR" || message =~ /Exception/)",
      R"(a == 'x' && !(b.c > 0) || exists([a][b]) and not (x contains "\"q\""))",
      R"(tags contains "_grokparsefailure" && x <= -3.5e2 || a != null)",
      R"((((a)) && (!b.c || x =~ /^1e\/9$/is)) || message !~ /\d+/)",
      R"(exists(tags) && b.c == true && x >= 1 && a < 'z\\')",
  };
  for (const std::string& seed : seeds) ASSERT_TRUE(FuzzOne(seed, events)) << seed;
  const std::string alphabet = "()!&|=~<>/\"'\\[].-1e aA_:#{}\n";
  std::mt19937 rng(7);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = seeds[rng() % seeds.size()];
    int mutations = 1 + static_cast<int>(rng() % 3);
    for (int m = 0; m < mutations; ++m) {
      size_t pos = text.empty() ? 0 : rng() % text.size();
      switch (rng() % 3) {
        case 0:
          if (!text.empty()) text.erase(pos, 1);
          break;
        case 1: {
          char c =
              rng() % 4 == 0 ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
          text.insert(pos, 1, c);
          break;
        }
        case 2:
          if (pos + 1 < text.size()) std::swap(text[pos], text[pos + 1]);
          break;
      }
    }
    parsed += FuzzOne(text, events) ? 1 : 0;
  }
  EXPECT_GT(parsed, 1000);
}

}  // namespace
}  // namespace sluice
