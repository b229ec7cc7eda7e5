#include "plugins/filters/regex.h"

#include <set>

#include <fmt/format.h>

#include "plugins/common/value_convert.h"

namespace sluice::filters {

SLUICE_REGISTER_FILTER(RegexFilter, "regex",
                       "Parses text with RE2 regexes; named groups (?P<name>...) become fields.");

const config::OptionSchema<RegexFilter::Options>& RegexFilter::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("field", &Options::field,
                "Field to parse: `message` (the default) or a string field. An event without it "
                "is skipped.")
           .Add("pattern", &Options::pattern,
                "An RE2 regex; each named group (?P<name>...) sets field `name` (`__` in a name "
                "stands for `.`; a group named `message` replaces the message). Not anchored: "
                "start it with `^` to match at the start only. Set this or `patterns`.",
                {.example = "^(?P<client__ip>\\S+) (?P<status>\\d+)"})
           .Add("patterns", &Options::patterns,
                "RE2 regexes tried in order; the first that matches wins. Set this or `pattern`.")
           .Add("types", &Options::types,
                "Types of captured fields, field: int, float, bool or string (the default). Text "
                "that does not convert stays a string.",
                {.example = "{status: int, client.ip: string}"})
           .Add("tag_on_failure", &Options::tag_on_failure,
                "Tags added to an event no pattern matches (the event is kept).")
           .Check([](const Options& o) -> std::string {
             if (o.field.empty()) return "'field' must not be empty";
             if (o.pattern.empty() == o.patterns.empty()) {
               return o.pattern.empty() ? "set 'pattern' (one regex) or 'patterns' (a list)"
                                        : "set 'pattern' or 'patterns', not both";
             }
             auto compiled = CompileRegexPatterns(o);
             return compiled.ok() ? "" : compiled.status().message();
           });
  return *schema;
}

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
  std::vector<grok::CompiledPattern> compiled;
  std::set<std::string> captured;
  std::vector<std::string> patterns = options.patterns;
  if (patterns.empty()) patterns.push_back(options.pattern);
  for (size_t i = 0; i < patterns.size(); ++i) {
    std::string option = options.patterns.empty() ? "pattern" : fmt::format("patterns[{}]", i);
    if (patterns[i].empty()) {
      errors.push_back(option + ": the pattern is empty");
      continue;
    }
    auto c = grok::CompilePattern(patterns[i], kNoLibrary, grok::PatternSyntax::kRegex);
    if (!c.ok()) {
      errors.push_back(option + ": " + c.status().message());
      continue;
    }
    for (grok::CaptureSpec& capture : c.value().captures) {
      captured.insert(capture.field);
      auto t = types.find(capture.field);
      if (t != types.end()) capture.type = t->second;
    }
    compiled.push_back(std::move(c).value());
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

Result<std::unique_ptr<RegexFilter>> RegexFilter::Build(const Options& options, PluginContext&) {
  auto compiled = CompileRegexPatterns(options);
  if (!compiled.ok()) return compiled.status();
  auto patterns = grok::PatternSet::Create(std::move(compiled).value());
  if (!patterns.ok()) return patterns.status();
  return std::unique_ptr<RegexFilter>(new RegexFilter(options, std::move(patterns).value()));
}

RegexFilter::RegexFilter(const Options& options, grok::PatternSet patterns)
    : field_(options.field),
      tag_on_failure_(options.tag_on_failure),
      patterns_(std::move(patterns)) {}

FilterResult RegexFilter::Apply(Event& event) {
  std::optional<std::string_view> text = event.GetText(field_);
  if (!text) return FilterResult::kSkipped;
  if (patterns_.Apply(event, *text, /*break_on_match=*/true, /*keep_empty=*/false)) {
    return FilterResult::kMatched;
  }
  for (const std::string& tag : tag_on_failure_) event.AddTag(tag);
  return FilterResult::kFailed;
}

}  // namespace sluice::filters
