// PatternMatcher: one compiled grok or regex pattern ready to run, and the one place that writes
// captures into an event (shared by the grok and regex filters). A pattern with a tail capture
// (grok_compiler.h) runs RE2 on the rest of the program and takes the tail from the text.
// Thread-safety: none; Match() reuses member buffers. Make one per filter instance (per worker):
// copies share the compiled RE2 program (immutable; RE2 matching is thread-safe), each with
// buffers of its own.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/event.h"
#include "pipeline/status.h"
#include "plugins/common/grok/grok_compiler.h"

namespace sluice::common::grok {

class PatternMatcher {
 public:
  // Compiles `compiled.program`; an error when RE2 rejects it (CompilePattern() already checked
  // the full regex, so that is not expected).
  static Result<PatternMatcher> Create(CompiledPattern compiled);

  // Matches `text` (leftmost, first alternative wins, as RE2 and Perl do). On success the
  // captures are views of `text` until the next call; returns false when there is no match.
  // Allocates nothing.
  bool Match(std::string_view text);
  // Capture i of the last successful Match(): a view of the text, or a view with a null data()
  // when its group did not take part in the match.
  std::string_view capture(size_t i) const { return captures_[i]; }
  size_t capture_count() const { return captures_.size(); }

  // Writes the captures of the last successful Match() into `event`, in pattern order (a later
  // capture of the same field wins): a capture named `message` replaces the message (a view, no
  // copy, even when empty), others are set as fields viewing the text (which must be the event's
  // own bytes), with their type converted (text that does not convert stays a string). Captures
  // whose group did not take part set nothing; empty ones set no field unless `keep_empty`.
  void Apply(Event& event, bool keep_empty) const;

  const CompiledPattern& compiled() const { return compiled_; }

 private:
  PatternMatcher(CompiledPattern compiled, std::shared_ptr<const RE2> re);

  CompiledPattern compiled_;
  std::shared_ptr<const RE2> re_;
  int groups_wanted_;  // submatches asked of RE2: 0 (a yes/no match is enough) or 1 + groups
  std::vector<re2::StringPiece> groups_;
  std::vector<std::string_view> captures_;
  std::vector<bool> is_message_;
};

// The patterns of one grok or regex filter, tried in order on one text. A copy shares the compiled
// programs and has buffers of its own (see PatternMatcher).
class PatternSet {
 public:
  // A matcher per compiled pattern; errors as PatternMatcher::Create.
  static Result<PatternSet> Create(std::vector<CompiledPattern> compiled);

  // Tries the patterns in order on `text` (the event's own bytes) and applies the captures of the
  // first that matches (of every one that matches unless `break_on_match`). Every pattern sees
  // `text` as it was, even after a `message` capture. Returns whether any matched.
  bool Apply(Event& event, std::string_view text, bool break_on_match, bool keep_empty);

 private:
  std::vector<PatternMatcher> matchers_;
};

// One InvalidArgument naming every error ("a; b; c"), for filters that compile several patterns
// and report them all at once.
Status JoinedErrors(const std::vector<std::string>& errors);

}  // namespace sluice::common::grok
