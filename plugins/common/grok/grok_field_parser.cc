#include "plugins/common/grok/grok_field_parser.h"

#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace sluice::common::grok {

Result<FieldParser> FieldParser::Create(Result<std::vector<CompiledPattern>> compiled,
                                        Options options) {
  if (!compiled.ok()) return compiled.status();
  auto patterns = PatternSet::Create(std::move(compiled).value());
  if (!patterns.ok()) return patterns.status();
  return FieldParser(std::move(options), std::move(patterns).value());
}

FieldParser::FieldParser(Options options, PatternSet patterns)
    : options_(std::move(options)), patterns_(std::move(patterns)) {}

FilterResult FieldParser::Apply(Event& event) {
  std::optional<std::string_view> text = event.GetText(options_.field);
  if (!text) return FilterResult::kSkipped;
  if (patterns_.Apply(event, *text, options_.break_on_match, options_.keep_empty_captures)) {
    return FilterResult::kMatched;
  }
  for (const std::string& tag : options_.tag_on_failure) event.AddTag(tag);
  return FilterResult::kFailed;
}

std::vector<CompiledPattern> CompilePatternOptions(const std::string& pattern,
                                                   const std::vector<std::string>& patterns,
                                                   const PatternLibrary& library,
                                                   PatternSyntax syntax,
                                                   std::vector<std::string>& errors) {
  std::vector<CompiledPattern> compiled;
  std::vector<std::string> all = patterns;
  if (all.empty()) all.push_back(pattern);
  for (size_t i = 0; i < all.size(); ++i) {
    std::string option = patterns.empty() ? "pattern" : fmt::format("patterns[{}]", i);
    if (all[i].empty()) {
      errors.push_back(option + ": the pattern is empty");
      continue;
    }
    auto c = CompilePattern(all[i], library, syntax);
    if (c.ok()) {
      compiled.push_back(std::move(c).value());
    } else {
      errors.push_back(option + ": " + c.status().message());
    }
  }
  return compiled;
}

std::string CompileFieldParser(Result<std::vector<CompiledPattern>> compiled,
                               FieldParser::Options options,
                               std::shared_ptr<const FieldParser>* parser) {
  auto created = FieldParser::Create(std::move(compiled), std::move(options));
  if (!created.ok()) return created.status().message();
  *parser = std::make_shared<const FieldParser>(std::move(created).value());
  return "";
}

}  // namespace sluice::common::grok
