// FieldParser: what the grok and regex filters do with an event, shared by both: run their
// patterns (a PatternSet) on one text field, set the captures of the pattern that matched, and tag
// the event when none did. Plus what they share of their options: `field`, `pattern` /
// `patterns`, `tag_on_failure`, and the parser those compile into once (Build() copies it).
// Thread-safety: none; Apply() reuses the matchers' buffers. Make one per filter instance (per
// worker): a copy shares the compiled programs. CompilePatternOptions is a pure function (it
// reads no files).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pipeline/event.h"
#include "pipeline/options/option_schema.h"
#include "pipeline/plugin.h"
#include "pipeline/status.h"
#include "plugins/common/grok/grok_compiler.h"
#include "plugins/common/grok/grok_pattern_library.h"
#include "plugins/common/grok/grok_pattern_matcher.h"

namespace sluice::common::grok {

class FieldParser {
 public:
  struct Options {
    std::string field;  // the text parsed: "message" or a string field
    bool break_on_match = true;
    bool keep_empty_captures = false;
    std::vector<std::string> tag_on_failure;
  };

  // A parser trying `compiled` in order. Returns the error of `compiled` itself, or Internal when
  // RE2 rejects a program (PatternSet::Create).
  static Result<FieldParser> Create(Result<std::vector<CompiledPattern>> compiled, Options options);

  // Parses the text of the field: kSkipped (nothing changed) when the event has no such text
  // field; kMatched when a pattern matched (its captures are set, see PatternSet::Apply);
  // kFailed when none did (the `tag_on_failure` tags are added; the event is otherwise unchanged).
  FilterResult Apply(Event& event);

 private:
  FieldParser(Options options, PatternSet patterns);

  Options options_;
  PatternSet patterns_;
};

// Compiles a filter's patterns in order: `patterns`, or `pattern` alone when `patterns` is empty,
// each with `library` and `syntax`. A pattern that is empty or does not compile is left out and
// adds an error naming its option (`pattern: ...`, `patterns[1]: ...`) to `errors`.
std::vector<CompiledPattern> CompilePatternOptions(const std::string& pattern,
                                                   const std::vector<std::string>& patterns,
                                                   const PatternLibrary& library,
                                                   PatternSyntax syntax,
                                                   std::vector<std::string>& errors);

// What a filter says of its patterns in the docs and errors of the shared options.
struct PatternOptionDocs {
  std::string pattern;  // the doc of `pattern`
  std::string pattern_example;
  std::string patterns;  // the doc of `patterns`
  std::string patterns_example;
  std::string one_pattern;  // what `pattern` holds ("one grok pattern"), for the missing error
};

// Adds the options the grok and regex filters share to `schema`, for an Options struct with
// members `field`, `pattern`, `patterns` and `tag_on_failure`; exactly one of `pattern` and
// `patterns` must be set.
template <typename Options>
config::OptionSchema<Options>& AddPatternOptions(config::OptionSchema<Options>& schema,
                                                 const PatternOptionDocs& docs) {
  return schema
      .Add("field", &Options::field,
           "Field to parse: `message` (the default) or a string field. An event without it is "
           "skipped.",
           {.non_empty = true})
      .Add("pattern", &Options::pattern, docs.pattern, {.example = docs.pattern_example})
      .Add("patterns", &Options::patterns, docs.patterns, {.example = docs.patterns_example})
      .Add("tag_on_failure", &Options::tag_on_failure,
           "Tags added to an event no pattern matches (the event is kept).")
      .Exclusive({"pattern", "patterns"})
      .Check([one = docs.one_pattern](const Options& o) -> std::string {
        if (!o.pattern.empty() || !o.patterns.empty()) return "";
        return "set 'pattern' (" + one + ") or 'patterns' (a list)";
      });
}

// A filter's Compile step: stores in *parser the parser of `compiled` (the filter's patterns, or
// the errors found compiling them) with `options`. Returns "" or the error message.
std::string CompileFieldParser(Result<std::vector<CompiledPattern>> compiled,
                               FieldParser::Options options,
                               std::shared_ptr<const FieldParser>* parser);

}  // namespace sluice::common::grok
