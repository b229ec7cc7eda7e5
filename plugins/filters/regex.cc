#include "plugins/filters/regex.h"

#include <set>

#include <fmt/format.h>

#include "plugins/common/value_convert.h"

namespace sluice::filters {

namespace grok = common::grok;

SLUICE_REGISTER_FILTER(RegexFilter, "regex",
                       "Parses text with RE2 regexes; named groups (?P<name>...) become fields.");

namespace {

// Every pattern of `pattern` / `patterns` compiled, in order, with the `types` applied to their
// captures. The error lists every problem, each naming its option.
Result<std::vector<grok::CompiledPattern>> CompileRegexPatterns(
    const RegexFilter::Options& options) {
  static const grok::PatternLibrary kNoLibrary;
  std::vector<std::string> errors;
  std::map<std::string, ValueType> types;
  for (const auto& [field, type_name] : options.types) {
    auto type = ValueTypeNamed(type_name);
    if (!type) {
      errors.push_back(
          fmt::format("types: unknown type '{}' for '{}': use int, float, bool or "
                      "string",
                      type_name, field));
      continue;
    }
    types[field] = *type;
  }
  std::vector<grok::CompiledPattern> compiled = grok::CompilePatternOptions(
      options.pattern, options.patterns, kNoLibrary, grok::PatternSyntax::kRegex, errors);
  std::set<std::string> captured;
  for (grok::CompiledPattern& c : compiled) {
    for (grok::CaptureSpec& capture : c.captures) {
      captured.insert(capture.field);
      auto t = types.find(capture.field);
      if (t != types.end()) capture.type = t->second;
    }
  }
  if (errors.empty()) {
    for (const auto& [field, type] : types) {
      if (captured.count(field) == 0) {
        std::string names;
        for (const std::string& n : captured) names += (names.empty() ? "" : ", ") + n;
        errors.push_back(
            fmt::format("types: '{}' is not a named group of any pattern (they set: {})", field,
                        names.empty() ? "nothing" : names));
      }
    }
  }
  if (!errors.empty()) return grok::JoinedErrors(errors);
  return compiled;
}

}  // namespace

const config::OptionSchema<RegexFilter::Options>& RegexFilter::Options::Schema() {
  static const auto* schema =
      &grok::AddPatternOptions(
           *new config::OptionSchema<Options>(),
           {.pattern = "An RE2 regex; each named group (?P<name>...) sets field `name` (`__` in a "
                       "name stands for `.`; a group named `message` replaces the message). Not "
                       "anchored: start it with `^` to match at the start only. Set this or "
                       "`patterns`.",
            .pattern_example = "^(?P<client__ip>\\S+) (?P<status>\\d+)",
            .patterns = "RE2 regexes tried in order; the first that matches wins. Set this or "
                        "`pattern`.",
            .one_pattern = "one regex"})
           .Add("types", &Options::types,
                "Types of captured fields, field: int, float, bool or string (the default). Text "
                "that does not convert stays a string.",
                {.example = "{status: int, client.ip: string}"})
           .Compile([](Options& o) {
             return grok::CompileFieldParser(CompileRegexPatterns(o),
                                             {.field = o.field,
                                              .break_on_match = true,
                                              .keep_empty_captures = false,
                                              .tag_on_failure = o.tag_on_failure},
                                             &o.parser);
           });
  return *schema;
}

Result<std::unique_ptr<RegexFilter>> RegexFilter::Build(const Options& options, PluginContext&) {
  if (options.parser == nullptr) return Internal("regex: options not parsed with Schema()");
  return std::make_unique<RegexFilter>(*options.parser);
}

RegexFilter::RegexFilter(grok::FieldParser parser) : parser_(std::move(parser)) {}

FilterResult RegexFilter::Apply(Event& event) { return parser_.Apply(event); }

}  // namespace sluice::filters
