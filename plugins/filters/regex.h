// regex filter: parses a text field (the message by default) with plain RE2 regexes whose named
// groups `(?P<name>...)` become fields; `__` in a group name stands for a dot (`log__level` sets
// `log.level`) since RE2 names cannot hold dots. `types` converts fields to int, float or bool.
// Several patterns are tried in order; the first that matches wins. No match: the event is kept
// and tagged (`_regexparsefailure`). Runs on the grok engine of plugins/common/grok/, as the grok
// filter does (unnamed groups cost nothing, a trailing `(?s:.*)` capture is taken without submatch
// work).
// Thread-safety: one instance per worker; Options are read-only after validation.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/registry.h"
#include "plugins/common/grok/grok_compiler.h"
#include "plugins/common/grok/grok_field_parser.h"

namespace sluice::filters {

class RegexFilter final : public Filter {
 public:
  struct Options {
    std::string field = "message";
    std::string pattern;
    std::vector<std::string> patterns;
    std::map<std::string, std::string> types;
    std::vector<std::string> tag_on_failure = {"_regexparsefailure"};
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<RegexFilter>> Build(const Options& options, PluginContext& context);

  FilterResult Apply(Event& event) override;

 private:
  explicit RegexFilter(common::grok::FieldParser parser);

  common::grok::FieldParser parser_;
};

// Every pattern of `pattern` / `patterns` compiled, in order, with the `types` applied to their
// captures. The error lists every problem, each naming its option.
Result<std::vector<common::grok::CompiledPattern>> CompileRegexPatterns(
    const RegexFilter::Options& options);

}  // namespace sluice::filters
