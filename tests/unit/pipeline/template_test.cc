#include "pipeline/template.h"

#include <gtest/gtest.h>

#include <string>

#include "pipeline/arena.h"
#include "pipeline/civil_time.h"
#include "pipeline/event.h"

namespace sluice {
namespace {

constexpr std::string_view kSupported =
    " (supported: %Y %y %m %d %H %M %S %j %e %b %a %F %T %s %z %Z %%)";

Template MustCompile(std::string_view text) {
  Result<Template> t = Template::Compile(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status().message();
  return t.ok() ? std::move(t).value() : Template();
}

// The error message of compiling `text`, or "compiled" when it compiles.
std::string CompileError(std::string_view text) {
  Result<Template> t = Template::Compile(text);
  if (t.ok()) return "compiled";
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  return t.status().message();
}

class TemplateTest : public ::testing::Test {
 protected:
  // Renders `text` for an event at `ns`; `complete` receives Render()'s result.
  std::string RenderAt(std::string_view text, int64_t ns, bool* complete = nullptr) {
    Event event(&arena_, ns, "the message");
    return RenderFor(text, event, complete);
  }
  std::string RenderFor(std::string_view text, const Event& event, bool* complete = nullptr) {
    Template t = MustCompile(text);
    std::string out;
    bool ok = t.Render(event, out);
    if (complete != nullptr) *complete = ok;
    return out;
  }

  Arena arena_;
};

TEST_F(TemplateTest, LiteralTextIsConstant) {
  Template t = MustCompile("logs-spark");
  EXPECT_TRUE(t.is_constant());
  EXPECT_FALSE(t.uses_time());
  EXPECT_EQ(t.source(), "logs-spark");
  bool complete = false;
  EXPECT_EQ(RenderAt("logs-spark", 0, &complete), "logs-spark");
  EXPECT_TRUE(complete);
}

// Whether a rendering reads fields: the time and `{{@timestamp}}` do not; fields under an excepted
// prefix do not count.
TEST_F(TemplateTest, ReadsFieldsSaysWhetherAFieldOrTheMessageIsReferenced) {
  EXPECT_FALSE(MustCompile("logs-%Y.%m.%d").reads_fields());
  EXPECT_FALSE(MustCompile("at {{@timestamp}}").reads_fields());
  EXPECT_TRUE(MustCompile("{{message}}").reads_fields());
  EXPECT_TRUE(MustCompile("{{kafka.topic}}/dt=%F/").reads_fields());
  EXPECT_FALSE(MustCompile("{{kafka.topic}}/dt=%F/").reads_fields("kafka."));
  EXPECT_TRUE(MustCompile("{{kafka.topic}}/{{spark.app_id}}").reads_fields("kafka."));
  EXPECT_TRUE(MustCompile("{{kafkaesque}}").reads_fields("kafka."));
}

TEST_F(TemplateTest, LiteralTextLeavesReferencesAndConversionsOut) {
  Template t = MustCompile("logs-{{spark.app_id}}-%Y.%m.%d-100%%");
  EXPECT_EQ(t.literal_text(), "logs--..-100%");
  EXPECT_TRUE(t.starts_with_literal());
  EXPECT_FALSE(MustCompile("{{a}}-x").starts_with_literal());
  EXPECT_FALSE(MustCompile("%Y-x").starts_with_literal());
  EXPECT_EQ(MustCompile("%Y-x").literal_text(), "-x");
  EXPECT_FALSE(MustCompile("").starts_with_literal());
}

TEST_F(TemplateTest, EmptyTemplate) {
  Template t = MustCompile("");
  EXPECT_TRUE(t.is_constant());
  EXPECT_FALSE(t.uses_time());
  EXPECT_EQ(RenderAt("", 0), "");
}

TEST_F(TemplateTest, PercentPercentAndLoneBracesAreLiteral) {
  Template t = MustCompile("100%% {a} }} {x");
  EXPECT_TRUE(t.is_constant());
  EXPECT_FALSE(t.uses_time());
  EXPECT_EQ(RenderAt("100%% {a} }} {x", 0), "100% {a} }} {x");
  EXPECT_EQ(RenderAt("%%Y", 0), "%Y");
}

TEST_F(TemplateTest, RenderAppendsToTheBuffer) {
  Event event(&arena_, 0, "m");
  Template t = MustCompile("b");
  std::string out = "a";
  EXPECT_TRUE(t.Render(event, out));
  EXPECT_EQ(out, "ab");
  EXPECT_EQ(t.RenderToString(event), "b");
}

TEST_F(TemplateTest, Fields) {
  Event event(&arena_, 0, "m");
  event.Set("host.name", Value::String("web-1"));
  event.Set("app", Value::String("spark"));
  bool complete = false;
  EXPECT_EQ(RenderFor("logs-{{app}}/{{host.name}}.log", event, &complete), "logs-spark/web-1.log");
  EXPECT_TRUE(complete);
  EXPECT_EQ(RenderFor("{{ host.name }}|{{\tapp }}", event), "web-1|spark");
  EXPECT_EQ(RenderFor("{{app}}{{app}}", event), "sparkspark");

  Template t = MustCompile("{{app}}");
  EXPECT_FALSE(t.is_constant());
  EXPECT_FALSE(t.uses_time());
}

TEST_F(TemplateTest, MissingFieldRendersEmptyAndIsReported) {
  Event event(&arena_, 0, "m");
  event.Set("app", Value::String("spark"));
  bool complete = true;
  EXPECT_EQ(RenderFor("a-{{nope}}-{{app}}", event, &complete), "a--spark");
  EXPECT_FALSE(complete);
  EXPECT_EQ(RenderFor("{{app.name}}", event, &complete), "");
  EXPECT_FALSE(complete);
}

TEST_F(TemplateTest, FieldValueKinds) {
  Event event(&arena_, 0, "m");
  event.Set("i", Value::Int(-42));
  event.Set("f", Value::Float(0.25));
  event.Set("whole", Value::Float(3.0));
  event.Set("t", Value::Bool(true));
  event.Set("n", Value::Null());
  event.Set("e", Value::String(""));
  bool complete = false;
  EXPECT_EQ(RenderFor("{{i}} {{f}} {{whole}} {{t}} [{{n}}] [{{e}}]", event, &complete),
            "-42 0.25 3 true [] []");
  EXPECT_TRUE(complete);  // null and "" are present, not missing
  event.Set("t", Value::Bool(false));
  event.Set("f", Value::Float(0.1 + 0.2));
  EXPECT_EQ(RenderFor("{{t}} {{f}}", event), "false 0.30000000000000004");
}

TEST_F(TemplateTest, MessageAndTimestamp) {
  Event event(&arena_, FromCivil(2017, 6, 9, 20, 10, 40, 123'000'000), "the message");
  event.Set("message", Value::String("a field"));
  event.Set("@timestamp", Value::String("a field"));
  bool complete = false;
  EXPECT_EQ(RenderFor("{{message}} at {{@timestamp}}", event, &complete),
            "the message at 2017-06-09T20:10:40.123Z");
  EXPECT_TRUE(complete);
  EXPECT_FALSE(MustCompile("{{message}}").uses_time());
  EXPECT_TRUE(MustCompile("{{@timestamp}}").uses_time());
}

TEST_F(TemplateTest, EveryConversion) {
  // A Thursday in a leap year: day 60.
  const int64_t ns = FromCivil(2024, 2, 29, 13, 5, 9, 500'000'000);
  EXPECT_EQ(RenderAt("%Y|%y|%m|%d|%e|%H|%M|%S|%j", ns), "2024|24|02|29|29|13|05|09|060");
  EXPECT_EQ(RenderAt("%b %a|%F|%T|%s|%z|%Z", ns),
            "Feb Thu|2024-02-29|13:05:09|1709211909|+0000|UTC");
  EXPECT_EQ(RenderAt("logs-spark-%Y.%m.%d", ns), "logs-spark-2024.02.29");

  Template t = MustCompile("%Y");
  EXPECT_TRUE(t.uses_time());
  EXPECT_FALSE(t.is_constant());
}

// With a zone's offset, the conversions give local time; %s stays the epoch instant.
TEST_F(TemplateTest, UtcOffsetShiftsTheConversions) {
  const int64_t ns = FromCivil(2026, 12, 31, 23, 30, 0);
  Event event(&arena_, ns, "m");
  Template t = MustCompile("%F %T %z %Z|%s");
  std::string east, west;
  t.Render(event, east, 3600);
  t.Render(event, west, -(5 * 3600 + 30 * 60));
  EXPECT_EQ(east, "2027-01-01 00:30:00 +0100 +0100|1798759800");
  EXPECT_EQ(west, "2026-12-31 18:00:00 -0530 -0530|1798759800");
}

TEST_F(TemplateTest, PaddingOfSmallValues) {
  const int64_t ns = FromCivil(2005, 1, 5, 7, 8, 9);
  EXPECT_EQ(RenderAt("%y %m %d [%e] %H %M %S %j", ns), "05 01 05 [ 5] 07 08 09 005");
}

TEST_F(TemplateTest, DayOfYear) {
  EXPECT_EQ(RenderAt("%j", FromCivil(2023, 1, 1)), "001");
  EXPECT_EQ(RenderAt("%j", FromCivil(2023, 3, 1)), "060");
  EXPECT_EQ(RenderAt("%j", FromCivil(2024, 3, 1)), "061");
  EXPECT_EQ(RenderAt("%j", FromCivil(2023, 12, 31)), "365");
  EXPECT_EQ(RenderAt("%j", FromCivil(2024, 12, 31)), "366");
  EXPECT_EQ(RenderAt("%j", FromCivil(2100, 12, 31)), "365");
}

TEST_F(TemplateTest, MonthAndWeekdayNames) {
  const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int m = 1; m <= 12; ++m) {
    EXPECT_EQ(RenderAt("%b", FromCivil(2023, m, 15)), months[m - 1]) << m;
  }
  // 2023-01-01 was a Sunday.
  const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  for (int d = 0; d < 7; ++d) {
    EXPECT_EQ(RenderAt("%a", FromCivil(2023, 1, 1 + d)), days[d]) << d;
  }
}

TEST_F(TemplateTest, TimesBefore1970) {
  EXPECT_EQ(RenderAt("%F %T %a %j %s", -1), "1969-12-31 23:59:59 Wed 365 -1");
  EXPECT_EQ(RenderAt("%s", -1'000'000'000), "-1");
  EXPECT_EQ(RenderAt("%s", -1'000'000'001), "-2");
  EXPECT_EQ(RenderAt("%y", FromCivil(1900, 1, 1)), "00");
}

TEST_F(TemplateTest, MixedPartsRenderInOrder) {
  Event event(&arena_, FromCivil(2024, 7, 4, 9), "m");
  event.Set("host.name", Value::String("web-1"));
  bool complete = false;
  EXPECT_EQ(RenderFor("{{host.name}}/%H/%%/{{x}}-%d", event, &complete), "web-1/09/%/-04");
  EXPECT_FALSE(complete);
}

// Templates that do not compile, and the whole message of each error.
TEST_F(TemplateTest, CompileErrorsSayWhatIsWrongAndWhere) {
  const std::string supported(kSupported);
  const struct {
    std::string_view text;
    std::string error;
  } cases[] = {
      {"logs-{{host", "unclosed '{{' at position 6"},
      {"{{", "unclosed '{{' at position 1"},
      {"a}}{{b}", "unclosed '{{' at position 4"},
      // A second '{{' before the '}}' means the first one was not closed.
      {"{{a {{b}}", "unclosed '{{' at position 1"},
      {"ab{{}}", "empty field name in '{{}}' at position 3"},
      {"{{  }}", "empty field name in '{{  }}' at position 1"},
      {"abcd%Q", "unsupported conversion '%Q' at position 5" + supported},
      {"%Y%k", "unsupported conversion '%k' at position 3" + supported},
      {"% ", "unsupported conversion '% ' at position 1" + supported},
      // The whole character is quoted, and positions count characters, not bytes.
      {"\xC3\xA9t\xC3\xA9-%\xC3\xA9",
       "unsupported conversion '%\xC3\xA9' at position 5" + supported},
      {"100%", "incomplete conversion '%' at position 4 (write %% for a literal %)"},
      {"\xE2\x82\xAC{{x", "unclosed '{{' at position 2"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(CompileError(c.text), c.error);
  }
}

}  // namespace
}  // namespace sluice
