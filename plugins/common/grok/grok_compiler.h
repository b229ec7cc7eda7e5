// The grok compiler: expands a grok pattern (Logstash syntax) into one RE2 regex plus the table of
// what each capture group of that regex means.
//
// Grok syntax: %{NAME} (a library pattern, captures nothing), %{NAME:field}, %{NAME:field:type}
// (type int, float, bool or string), and inline groups (?<field>re) / (?P<field>re). Field names
// are dotted (`log.level`) or Logstash-style (`[log][level]`, stored as `log.level`). Regex syntax
// (the regex filter) is plain RE2 with (?P<name>re) groups, `__` in a name standing for `.`.
//
// RE2 group names cannot hold dots, so captures become plain numbered groups and every other group
// `( )` becomes non-capturing `(?: )`: only named captures cost submatch work. A pattern that ends
// with a greedy `.*` capture ((?s:.*), e.g. %{GREEDYMULTILINE:message}) is run without it: the
// capture is the rest of the text after the match (see Tail), which spares RE2 the submatch work
// over the longest part of most lines.
// Thread-safety: pure functions.
#pragma once

#include <re2/re2.h>

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/status.h"
#include "plugins/common/grok/grok_pattern_library.h"
#include "plugins/common/value_convert.h"

namespace sluice::common::grok {

enum class PatternSyntax {
  kGrok,   // %{...} references, (?<field>) and (?P<field>) with dotted or [a][b] names
  kRegex,  // no references; (?P<name>) and (?<name>) with word-character names, `__` for `.`
};

struct CaptureSpec {
  std::string field;  // the dotted field name; "message" means the event's message
  ValueType type = ValueType::kString;
};

// A trailing greedy `.*` capture that is taken from the text instead of matched by RE2.
enum class Tail : uint8_t {
  kNone,
  kToEnd,      // (?s:.*): the capture runs to the end of the text
  kToLineEnd,  // .* (without the s flag): it runs to the first '\n' after the match, or the end
};

struct CompiledPattern {
  std::string pattern;  // as the user wrote it
  std::string regex;    // the full expansion: what the pattern means
  std::string program;  // what RE2 runs: `regex` without the tail capture (the same when no tail)
  // Capture i is group i + 1 of `program`; with a tail, the last capture is the tail itself.
  std::vector<CaptureSpec> captures;
  Tail tail = Tail::kNone;
  // With a tail: the captures whose group encloses it (they end where the tail ends).
  std::vector<size_t> enclosing_tail;
  // `regex` starts with `^` outside any alternative: it can only match at the start of the text.
  bool anchored = false;
};

// The RE2 options of every grok and regex program: Latin-1, i.e. patterns match bytes (`.` and
// negated classes match any byte, so invalid UTF-8 never makes a match fail; a non-ASCII literal
// matches its UTF-8 bytes), and no logging of errors (they are returned).
RE2::Options ProgramOptions();

// Expands `pattern` with `library` (kGrok; `library` is unused for kRegex) and checks the result
// with RE2. Errors: the pattern as written, the offset in it of the problem (for a problem inside
// a library definition: the offset of the %{NAME} reference, the chain of references, and the
// offset in the definition), and the reason (RE2's own message for what RE2 rejects, with a hint
// for the Perl/Oniguruma constructs RE2 lacks).
Result<CompiledPattern> CompilePattern(std::string_view pattern, const PatternLibrary& library,
                                       PatternSyntax syntax = PatternSyntax::kGrok);

}  // namespace sluice::common::grok
