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
#include "plugins/common/grok/grok_compiler.h"
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
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<GrokFilter>> Build(const Options& options, PluginContext& context);

  FilterResult Apply(Event& event) override;

 private:
  explicit GrokFilter(common::grok::FieldParser parser);

  common::grok::FieldParser parser_;
};

// The library the options describe (the shipped patterns, then `patterns_dir`, `pattern_files`,
// `pattern_definitions`, later ones replacing earlier definitions) and every pattern of `pattern`
// / `patterns` compiled with it, in order. Reads the pattern files. The error lists every problem
// found, each naming its option (`patterns[1]: invalid pattern ...`).
Result<std::vector<common::grok::CompiledPattern>> CompileGrokPatterns(
    const GrokFilter::Options& options);

}  // namespace sluice::filters
