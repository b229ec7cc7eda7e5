// grok filter: parses a text field (the message by default) with Logstash-style grok patterns
// (`^%{SPARK_LOG4J}`, `%{IP:source.ip} %{INT:bytes:int}`), each expanded into one RE2 program,
// and sets the named captures as fields (a `message` capture replaces the message). Several
// patterns are tried in order; the first that matches wins (or all apply, `break_on_match: false`).
// No match: the event is kept and tagged (`_grokparsefailure`). The grok engine (compiler, pattern
// library, matcher) is plugins/common/grok/, shared with the regex filter.
// Thread-safety: one instance per worker; Options are read-only after validation.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/registry.h"
#include "plugins/common/grok/grok_field_parser.h"

namespace sluice::filters {

class GrokFilter final : public Filter {
 public:
  struct Options {
    std::string field = "message";
    std::string pattern;
    std::vector<std::string> patterns;
    std::map<std::string, std::string> pattern_definitions;
    std::vector<std::string> patterns_dir;
    std::vector<std::string> pattern_files;
    bool break_on_match = true;
    bool keep_empty_captures = false;
    std::vector<std::string> tag_on_failure = {"_grokparsefailure"};
    // Not an option: the patterns compiled with their library once the options are parsed
    // (reading the pattern files); each instance gets a copy.
    std::shared_ptr<const common::grok::FieldParser> parser;
    static const config::OptionSchema<Options>& Schema();
  };
  // Fails only for options that were not parsed with Schema() (nothing compiled).
  static Result<std::unique_ptr<GrokFilter>> Build(const Options& options, PluginContext& context);

  explicit GrokFilter(common::grok::FieldParser parser);

  FilterResult Apply(Event& event) override;

 private:
  common::grok::FieldParser parser_;
};

}  // namespace sluice::filters
