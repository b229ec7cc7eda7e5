#include "plugins/common/grok/grok_pattern_matcher.h"

#include <cstring>

#include <fmt/format.h>

#include "plugins/common/value_convert.h"

namespace sluice::common::grok {

Result<PatternMatcher> PatternMatcher::Create(CompiledPattern compiled) {
  auto re = std::make_shared<const RE2>(compiled.program, ProgramOptions());
  if (!re->ok()) {
    return Internal(
        fmt::format("pattern \"{}\" does not compile: {}", compiled.pattern, re->error()));
  }
  size_t program_captures = compiled.captures.size() - (compiled.tail == Tail::kNone ? 0 : 1);
  if (static_cast<size_t>(re->NumberOfCapturingGroups()) != program_captures) {
    return Internal(fmt::format("pattern \"{}\": {} groups for {} captures", compiled.pattern,
                                re->NumberOfCapturingGroups(), program_captures));
  }
  return PatternMatcher(std::move(compiled), std::move(re));
}

PatternMatcher::PatternMatcher(CompiledPattern compiled, std::shared_ptr<const RE2> re)
    : compiled_(std::move(compiled)), re_(std::move(re)) {
  int program_groups = re_->NumberOfCapturingGroups();
  // The tail starts where the match ends: group 0 is needed even with no other group.
  groups_wanted_ = program_groups > 0 || compiled_.tail != Tail::kNone ? 1 + program_groups : 0;
  groups_.resize(static_cast<size_t>(groups_wanted_));
  captures_.resize(compiled_.captures.size());
  for (const CaptureSpec& c : compiled_.captures) is_message_.push_back(c.field == "message");
}

bool PatternMatcher::Match(std::string_view text) {
  if (text.data() == nullptr) text = std::string_view("", 0);  // a capture's data() tells "set"
  re2::StringPiece piece(text.data(), text.size());
  // An unanchored pattern is tried at the start first: when it matches there, that is the match
  // an unanchored search finds (the leftmost), and the anchored search is much cheaper (RE2 can
  // extract the groups in one pass). Log lines usually match from their first byte.
  bool found = re_->Match(piece, 0, text.size(), RE2::ANCHOR_START, groups_.data(), groups_wanted_);
  if (!found && !compiled_.anchored) {
    found = re_->Match(piece, 0, text.size(), RE2::UNANCHORED, groups_.data(), groups_wanted_);
  }
  if (!found) return false;
  size_t from_program = captures_.size() - (compiled_.tail == Tail::kNone ? 0 : 1);
  for (size_t i = 0; i < from_program; ++i) {
    const re2::StringPiece& g = groups_[i + 1];
    captures_[i] = std::string_view(g.data(), g.size());
  }
  if (compiled_.tail != Tail::kNone) {
    const char* begin = groups_[0].data() + groups_[0].size();
    const char* end = text.data() + text.size();
    if (compiled_.tail == Tail::kToLineEnd) {
      const void* newline = std::memchr(begin, '\n', static_cast<size_t>(end - begin));
      if (newline != nullptr) end = static_cast<const char*>(newline);
    }
    captures_.back() = std::string_view(begin, static_cast<size_t>(end - begin));
    for (size_t i : compiled_.enclosing_tail) {
      std::string_view& c = captures_[i];
      if (c.data() != nullptr) c = std::string_view(c.data(), static_cast<size_t>(end - c.data()));
    }
  }
  return true;
}

void PatternMatcher::Apply(Event& event, bool keep_empty) const {
  for (size_t i = 0; i < captures_.size(); ++i) {
    std::string_view text = captures_[i];
    if (text.data() == nullptr) continue;
    if (is_message_[i]) {  // the message always exists: an empty capture empties it
      event.set_message_view(text);
      continue;
    }
    if (text.empty() && !keep_empty) continue;
    const CaptureSpec& spec = compiled_.captures[i];
    Value value = Value::String(text);
    if (spec.type != ValueType::kString) {
      if (auto converted = ConvertText(text, spec.type)) value = *converted;
    }
    event.SetView(spec.field, value);
  }
}

Result<PatternSet> PatternSet::Create(std::vector<CompiledPattern> compiled) {
  PatternSet set;
  for (CompiledPattern& c : compiled) {
    auto m = PatternMatcher::Create(std::move(c));
    if (!m.ok()) return m.status();
    set.matchers_.push_back(std::move(m).value());
  }
  return set;
}

bool PatternSet::Apply(Event& event, std::string_view text, bool break_on_match, bool keep_empty) {
  bool matched = false;
  for (PatternMatcher& m : matchers_) {
    if (!m.Match(text)) continue;
    m.Apply(event, keep_empty);
    matched = true;
    if (break_on_match) break;
  }
  return matched;
}

Status JoinedErrors(const std::vector<std::string>& errors) {
  std::string message;
  for (const std::string& e : errors) message += (message.empty() ? "" : "; ") + e;
  return InvalidArgument(std::move(message));
}

}  // namespace sluice::common::grok
