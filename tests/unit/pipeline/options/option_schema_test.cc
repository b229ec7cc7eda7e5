#include "pipeline/options/option_schema.h"

#include <gtest/gtest.h>

#include <map>
#include <span>
#include <string>

namespace sluice::config {
namespace {

enum class Mode { kFirst, kLast, kArray };
inline constexpr EnumName<Mode> kModeNames[] = {
    {"first", Mode::kFirst}, {"last", Mode::kLast}, {"array", Mode::kArray}};
constexpr std::span<const EnumName<Mode>> OptionNames(Mode) { return kModeNames; }

struct Options {
  Mode mode = Mode::kLast;
  std::string field;
  std::vector<std::string> patterns;
  std::string pattern;
  std::map<std::string, Template> headers;
  static const OptionSchema<Options>& Schema() {
    static const auto* schema =
        &(*new OptionSchema<Options>())
             .Add("mode", &Options::mode, "What to do with a repeated key.")
             .Add("field", &Options::field, "The field to read.", {.non_empty = true})
             .Add("pattern", &Options::pattern, "One pattern.")
             .Add("patterns", &Options::patterns, "Patterns tried in order.")
             .Add("headers", &Options::headers, "Headers, each a template.")
             .Exclusive({"pattern", "patterns"});
    return *schema;
  }
};

// Parses `yaml` (a map of options) and returns the errors, one per line.
std::string Parse(const std::string& yaml, Options* out) {
  Diagnostics diags;
  EnvLookup env = [](const std::string&) { return std::optional<std::string>(); };
  std::string file = "t.yaml";
  NodeReader r(YAML::Load(yaml), file, "filter", diags, env);
  Options::Schema().Parse(r, out, "filter 'x'");
  return diags.ToString();
}

TEST(OptionSchemaTest, EnumOptionsReadTheirNamesAndListThemInDocs) {
  Options o;
  EXPECT_EQ(Parse("field: f\nmode: array", &o), "");
  EXPECT_EQ(o.mode, Mode::kArray);
  const OptionInfo& info = Options::Schema().infos()[0];
  EXPECT_EQ(info.one_of, (std::vector<std::string>{"first", "last", "array"}));
  EXPECT_EQ(info.default_text, "`last`");
  EXPECT_EQ(info.type, "string");
  EXPECT_EQ(EnumNameOf(Mode::kFirst), "first");
}

TEST(OptionSchemaTest, AnUnknownEnumNameIsAnErrorAtItsLineWithAHint) {
  Options o;
  std::string errors = Parse("field: f\nmode: arry", &o);
  EXPECT_NE(errors.find("t.yaml:2:7"), std::string::npos) << errors;
  EXPECT_NE(errors.find("expected one of first, last, array; got 'arry'; did you mean 'array'?"),
            std::string::npos)
      << errors;
  EXPECT_EQ(o.mode, Mode::kLast);
}

TEST(OptionSchemaTest, NonEmptyRejectsAnEmptyValueAtItsLine) {
  Options o;
  std::string errors = Parse("field: ''", &o);
  EXPECT_NE(errors.find("t.yaml:1:8"), std::string::npos) << errors;
  EXPECT_NE(errors.find("must not be empty"), std::string::npos) << errors;
  EXPECT_TRUE(Options::Schema().infos()[1].non_empty);
}

TEST(OptionSchemaTest, ExclusiveKeysCannotBothBeSet) {
  Options o;
  std::string errors = Parse("field: f\npattern: a\npatterns: [b]", &o);
  EXPECT_NE(errors.find("set only one of 'pattern' and 'patterns', not both"), std::string::npos)
      << errors;
  EXPECT_EQ(Parse("field: f\npatterns: [b]", &o), "");
}

TEST(OptionSchemaTest, TemplateMapsCompileEachValueWhereItIsWritten) {
  Options o;
  EXPECT_EQ(Parse("field: f\nheaders: {a: '{{host.name}}', b: plain}", &o), "");
  ASSERT_EQ(o.headers.size(), 2u);
  EXPECT_EQ(o.headers.at("a").source(), "{{host.name}}");
  std::string errors = Parse("field: f\nheaders:\n  a: ok\n  b: '{{unclosed'", &o);
  EXPECT_NE(errors.find("t.yaml:4:6"), std::string::npos) << errors;
  EXPECT_NE(errors.find("bad template"), std::string::npos) << errors;
}

TEST(OptionSchemaTest, UnknownKeysGetTheSharedHint) {
  Options o;
  std::string errors = Parse("field: f\npaterns: [a]", &o);
  EXPECT_NE(errors.find("unknown option 'paterns' for filter 'x'; did you mean 'patterns'?"),
            std::string::npos)
      << errors;
  EXPECT_EQ(DidYouMean("zzzz", {"patterns"}), "");
}

}  // namespace
}  // namespace sluice::config
