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
    // Not an option: the patterns compiled (with `types`) once the options are parsed; each
    // instance gets a copy.
    std::shared_ptr<const common::grok::FieldParser> parser;
    static const config::OptionSchema<Options>& Schema();
  };
  // Fails only for options that were not parsed with Schema() (nothing compiled).
  static Result<std::unique_ptr<RegexFilter>> Build(const Options& options, PluginContext& context);

  explicit RegexFilter(common::grok::FieldParser parser);

  FilterResult Apply(Event& event) override;

 private:
  common::grok::FieldParser parser_;
};

}  // namespace sluice::filters
