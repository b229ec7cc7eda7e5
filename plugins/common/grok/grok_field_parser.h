// FieldParser: what the grok and regex filters do with an event, shared by both: run their
// patterns (a PatternSet) on one text field, set the captures of the pattern that matched, and tag
// the event when none did. Plus the compiling of their `pattern` / `patterns` options.
// Thread-safety: none; Apply() reuses the matchers' buffers. Make one per filter instance (per
// worker). CompilePatternOptions is a pure function (it reads no files).
#pragma once

#include <string>
#include <vector>

#include "pipeline/event.h"
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

}  // namespace sluice::common::grok
