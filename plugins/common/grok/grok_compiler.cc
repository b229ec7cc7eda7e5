#include "plugins/common/grok/grok_compiler.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "pipeline/options/diagnostics.h"

namespace sluice::common::grok {
namespace {

constexpr size_t kNpos = std::string_view::npos;
// Bounds that keep hostile or mistaken patterns (a definition referencing another many times
// over, several levels deep) from exhausting memory before RE2 would refuse them anyway.
constexpr size_t kMaxExpandedBytes = 256 * 1024;
constexpr size_t kMaxDepth = 64;

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsFieldChar(char c) { return IsNameChar(c) || c == '@' || c == '-' || c == '.'; }

bool IsFlagChar(char c) { return c == 'i' || c == 'm' || c == 's' || c == 'U' || c == '-'; }

// `text` for a message: printable ASCII as is, other bytes as \xNN, cut after `max` bytes.
std::string Printable(std::string_view text, size_t max) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < max; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (text.size() > max) out += "...";
  return out;
}

// What starts at `offset` of `text`, quoted, for "at offset N (...)".
std::string Excerpt(std::string_view text, size_t offset) {
  if (offset >= text.size()) return "at the end";
  return "\"" + Printable(text.substr(offset), 24) + "\"";
}

// A dotted field name with no empty part.
bool IsDottedName(std::string_view name, std::string* why) {
  if (name.empty()) {
    *why = "it is empty";
    return false;
  }
  if (name.front() == '.' || name.back() == '.' || name.find("..") != kNpos) {
    *why = "it has an empty part between dots";
    return false;
  }
  return true;
}

// The field named by `name` in a capture (%{X:name}, (?<name>...)), or "" with `*why` set.
std::string FieldName(std::string_view name, PatternSyntax syntax, std::string* why) {
  std::string field;
  if (syntax == PatternSyntax::kRegex) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsNameChar)) {
      *why = "use letters, digits and _ (and __ for a dot: log__level is log.level)";
      return "";
    }
    for (size_t i = 0; i < name.size(); ++i) {
      if (name[i] == '_' && i + 1 < name.size() && name[i + 1] == '_') {
        field.push_back('.');
        ++i;
      } else {
        field.push_back(name[i]);
      }
    }
    if (!IsDottedName(field, why)) {
      *why = "__ stands for a dot, and " + *why;
      return "";
    }
    return field;
  }
  if (!name.empty() && name.front() == '[') {  // Logstash's [log][level]
    size_t i = 0;
    while (i < name.size()) {
      size_t close = name.find(']', i);
      if (name[i] != '[' || close == kNpos || close == i + 1) {
        *why = "write [a][b] with each part in brackets, or a.b";
        return "";
      }
      if (!field.empty()) field.push_back('.');
      field.append(name.substr(i + 1, close - i - 1));
      i = close + 1;
    }
  } else {
    field = std::string(name);
  }
  for (char c : field) {
    if (!IsFieldChar(c)) {
      *why = "use letters, digits, _, @, - and dots (log.level) or [log][level]";
      return "";
    }
  }
  return IsDottedName(field, why) ? field : "";
}

// A hint for the Perl/Oniguruma constructs RE2 rejects, from RE2's error argument.
std::string Hint(std::string_view arg) {
  if (arg.starts_with("(?=") || arg.starts_with("(?!") || arg.starts_with("(?<")) {
    return " (RE2 has no lookahead or lookbehind; docs/grok-patterns.md shows rewrites)";
  }
  if (arg.starts_with("(?>")) return " (RE2 has no atomic groups; use (?:...))";
  if (arg.starts_with("(?P=") || arg.starts_with("(?P>") || arg.starts_with("(?&")) {
    return " (RE2 has no backreferences or recursion)";
  }
  if (arg.size() >= 2 && arg.back() == '+' && std::strchr("*+?}", arg[arg.size() - 2]) != nullptr) {
    return " (RE2 has no possessive quantifiers; drop the last +)";
  }
  if (arg.size() >= 2 && arg[0] == '\\' &&
      ((arg[1] >= '1' && arg[1] <= '9') || arg[1] == 'k' || arg[1] == 'g')) {
    return " (RE2 has no backreferences)";
  }
  if (arg == "\\Z") return " (use \\z or $)";
  if (arg == "\\h") return " (use [\\t ])";
  return "";
}

// Whether `content` (a capture group's) is a greedy .* that may be taken from the text.
Tail TailKind(std::string_view content) {
  while (content.size() >= 4 && content.starts_with("(?:") && content.ends_with(")")) {
    content = content.substr(3, content.size() - 4);
  }
  if (content == "(?s:.*)") return Tail::kToEnd;
  if (content == ".*") return Tail::kToLineEnd;
  return Tail::kNone;
}

class Expander {
 public:
  Expander(std::string_view pattern, const PatternLibrary& library, PatternSyntax syntax)
      : pattern_(pattern), library_(library), syntax_(syntax) {}

  Result<CompiledPattern> Run();

 private:
  struct Frame {
    std::string_view name;  // the pattern name; empty for the user's pattern
    std::string_view text;
    int parent = -1;
    size_t ref_offset = 0;  // offset of the %{ in the parent's text
  };
  struct Origin {
    int frame;
    size_t offset;
  };
  struct Group {
    size_t open = 0;     // the '(' in the output
    size_t content = 0;  // the first byte of the content in the output
    size_t close = kNpos;
    int capture = -1;
    bool plain = false;  // (?:...) without flags
    bool alternation = false;
    int frame = 0;  // where it opens in the input
    size_t offset = 0;
  };

  bool Scan(int frame);
  bool Escape(int frame, std::string_view text, size_t* i);
  bool CharacterClass(int frame, std::string_view text, size_t* i);
  bool OpenParen(int frame, std::string_view text, size_t* i);
  bool Reference(int frame, std::string_view text, size_t* i);
  void OpenGroup(std::string_view opener, int frame, size_t offset, int capture, bool plain);
  void CloseGroup(int frame, size_t offset);
  // Appends `text`, which starts at `offset` of the frame's text.
  void Copy(std::string_view text, int frame, size_t offset);
  // Appends `text` (made up by the expansion) as coming from `offset`.
  void Synthesize(std::string_view text, int frame, size_t offset);
  bool Fail(int frame, size_t offset, std::string_view reason);
  std::string Where(int frame, size_t offset) const;
  void FindTail(CompiledPattern* compiled) const;

  std::string_view pattern_;
  const PatternLibrary& library_;
  PatternSyntax syntax_;
  std::string out_;
  std::vector<Origin> origins_;  // one per byte of out_
  std::vector<Frame> frames_;
  std::vector<Group> groups_;
  std::vector<size_t> open_;  // indices of the open groups, innermost last
  std::vector<CaptureSpec> captures_;
  bool top_alternation_ = false;
  bool ungreedy_ = false;          // a U flag somewhere: .* may not be greedy
  bool dotall_elsewhere_ = false;  // an s flag other than in (?s:.*): a bare .* may span lines
  Status error_;
};

Result<CompiledPattern> Expander::Run() {
  frames_.push_back(Frame{"", pattern_, -1, 0});
  if (!Scan(0)) return error_;

  RE2 re(out_, ProgramOptions());
  if (!re.ok()) {
    std::string reason = "RE2: " + re.error() + Hint(re.error_arg());
    size_t at = re.error_arg().empty() ? kNpos : out_.find(re.error_arg());
    if (at == kNpos) {
      if (re.error_code() == RE2::ErrorPatternTooLarge) {
        reason += fmt::format(" (the expansion is {} bytes long)", out_.size());
      }
      return InvalidArgument(
          fmt::format("invalid pattern \"{}\": {}", Printable(pattern_, 120), reason));
    }
    Fail(origins_[at].frame, origins_[at].offset, reason);
    return error_;
  }
  if (static_cast<size_t>(re.NumberOfCapturingGroups()) != captures_.size()) {
    return Internal(fmt::format("pattern \"{}\": expanded to {} groups for {} captures: \"{}\"",
                                Printable(pattern_, 120), re.NumberOfCapturingGroups(),
                                captures_.size(), Printable(out_, 240)));
  }
  CompiledPattern compiled;
  compiled.pattern = std::string(pattern_);
  compiled.regex = out_;
  compiled.program = out_;
  compiled.captures = captures_;
  compiled.anchored = !top_alternation_ && !out_.empty() && out_.front() == '^';
  FindTail(&compiled);
  return compiled;
}

bool Expander::Scan(int frame) {
  const std::string_view text = frames_[frame].text;
  const size_t base = open_.size();
  size_t i = 0;
  while (i < text.size()) {
    if (out_.size() > kMaxExpandedBytes) {
      return Fail(frame, i,
                  fmt::format("the pattern expands to more than {} KiB", kMaxExpandedBytes / 1024));
    }
    char c = text[i];
    if (c == '\\') {
      if (!Escape(frame, text, &i)) return false;
    } else if (c == '[') {
      if (!CharacterClass(frame, text, &i)) return false;
    } else if (c == '(') {
      if (!OpenParen(frame, text, &i)) return false;
    } else if (c == ')') {
      if (open_.size() == base) return Fail(frame, i, "unexpected ): no group is open here");
      CloseGroup(frame, i);
      ++i;
    } else if (c == '%' && syntax_ == PatternSyntax::kGrok && i + 1 < text.size() &&
               text[i + 1] == '{') {
      if (!Reference(frame, text, &i)) return false;
    } else {
      // A quantifier first in a capture would make RE2 read "(" + "?..." as a flags group (and
      // the capture would vanish); first in any group it repeats nothing.
      if ((c == '?' || c == '*' || c == '+') && !open_.empty() &&
          groups_[open_.back()].content == out_.size()) {
        return Fail(frame, i,
                    fmt::format("no argument for repetition operator: {} (nothing before it in "
                                "its group)",
                                c));
      }
      if (c == '|') {
        if (open_.empty()) {
          top_alternation_ = true;
        } else {
          groups_[open_.back()].alternation = true;
        }
      }
      Copy(text.substr(i, 1), frame, i);
      ++i;
    }
  }
  if (open_.size() > base) {
    const Group& g = groups_[open_.back()];
    return Fail(g.frame, g.offset, "missing ): this group is not closed");
  }
  return true;
}

bool Expander::Escape(int frame, std::string_view text, size_t* i) {
  size_t at = *i;
  if (at + 1 >= text.size()) return Fail(frame, at, "trailing \\ (write \\\\ for a backslash)");
  if (text[at + 1] == 'Q') {  // \Q...\E: literal text
    size_t end = text.find("\\E", at + 2);
    if (end == kNpos) {
      // Unterminated runs to the end of this text only: close it before a wrapper's ')'.
      Copy(text.substr(at), frame, at);
      Synthesize("\\E", frame, text.size());
      *i = text.size();
    } else {
      Copy(text.substr(at, end + 2 - at), frame, at);
      *i = end + 2;
    }
    return true;
  }
  Copy(text.substr(at, 2), frame, at);
  *i = at + 2;
  return true;
}

bool Expander::CharacterClass(int frame, std::string_view text, size_t* i) {
  size_t at = *i;
  size_t j = at + 1;
  if (j < text.size() && text[j] == '^') ++j;
  if (j < text.size() && text[j] == ']') ++j;  // a ] first is literal
  while (j < text.size() && text[j] != ']') {
    if (text[j] == '\\') {
      j += 2;
      continue;
    }
    if (text[j] == '[' && j + 1 < text.size() && text[j + 1] == ':') {  // [:alpha:]
      size_t end = text.find(":]", j + 2);
      if (end != kNpos) {
        j = end + 2;
        continue;
      }
    }
    ++j;
  }
  if (j >= text.size()) return Fail(frame, at, "missing ]: this character class is not closed");
  Copy(text.substr(at, j + 1 - at), frame, at);
  *i = j + 1;
  return true;
}

bool Expander::OpenParen(int frame, std::string_view text, size_t* i) {
  size_t at = *i;
  std::string_view rest = text.substr(at);
  if (!rest.starts_with("(?")) {
    OpenGroup("(?:", frame, at, -1, true);  // only named groups capture
    *i = at + 1;
    return true;
  }
  if (rest.starts_with("(?#")) {  // a comment (Perl, Oniguruma): dropped
    size_t end = text.find(')', at);
    if (end == kNpos) return Fail(frame, at, "missing ): this (?# comment is not closed");
    *i = end + 1;
    return true;
  }
  size_t name_start = kNpos;
  if (rest.starts_with("(?P<")) {
    name_start = at + 4;
  } else if (rest.starts_with("(?<") && !rest.starts_with("(?<=") && !rest.starts_with("(?<!")) {
    name_start = at + 3;
  }
  if (name_start != kNpos) {
    size_t close = text.find('>', name_start);
    if (close == kNpos) return Fail(frame, at, "missing >: the group name is not closed");
    std::string_view name = text.substr(name_start, close - name_start);
    std::string why;
    std::string field = FieldName(name, syntax_, &why);
    if (field.empty()) {
      return Fail(frame, name_start,
                  fmt::format("invalid field name '{}': {}", Printable(name, 60), why));
    }
    OpenGroup("(", frame, at, static_cast<int>(captures_.size()), false);
    captures_.push_back(CaptureSpec{std::move(field), ValueType::kString});
    *i = close + 1;
    return true;
  }
  // Flags: (?i) for the rest of the group, (?i:...) for a group.
  size_t j = at + 2;
  while (j < text.size() && IsFlagChar(text[j])) ++j;
  if (j < text.size() && (text[j] == ':' || (text[j] == ')' && j > at + 2))) {
    std::string_view flags = text.substr(at + 2, j - at - 2);
    bool negated = false;
    bool sets_s = false;
    for (char f : flags) {
      if (f == '-') negated = true;
      if (f == 'U') ungreedy_ = true;
      if (f == 's' && !negated) sets_s = true;
    }
    if (text[j] == ':') {
      if (sets_s && !rest.starts_with("(?s:.*)")) dotall_elsewhere_ = true;
      OpenGroup(text.substr(at, j + 1 - at), frame, at, -1, flags.empty());
    } else {
      if (sets_s) dotall_elsewhere_ = true;
      Copy(text.substr(at, j + 1 - at), frame, at);
    }
    *i = j + 1;
    return true;
  }
  // Anything else ((?=, (?!, (?<=, (?>, (?P=name), ...) goes to RE2 as written, which rejects it
  // with its own message; the group is tracked so that the parentheses still balance.
  OpenGroup(text.substr(at, 2), frame, at, -1, false);
  *i = at + 2;
  return true;
}

bool Expander::Reference(int frame, std::string_view text, size_t* i) {
  const size_t at = *i;
  auto malformed = [&] {
    return Fail(frame, at,
                "malformed reference: expected %{NAME}, %{NAME:field} or %{NAME:field:type} "
                "(write \\%\\{ to match a literal %{)");
  };
  size_t j = at + 2;
  while (j < text.size() && IsNameChar(text[j])) ++j;
  std::string_view name = text.substr(at + 2, j - at - 2);
  if (name.empty()) return malformed();
  size_t field_at = kNpos;
  size_t type_at = kNpos;
  std::string_view field_text;
  std::string_view type_text;
  if (j < text.size() && text[j] == ':') {
    field_at = ++j;
    while (j < text.size() && text[j] != ':' && text[j] != '}') ++j;
    field_text = text.substr(field_at, j - field_at);
    if (j < text.size() && text[j] == ':') {
      type_at = ++j;
      while (j < text.size() && text[j] != '}') ++j;
      type_text = text.substr(type_at, j - type_at);
    }
  }
  if (j < text.size() && text[j] == '=') {
    return Fail(frame, at,
                "inline definitions (%{NAME=regex}) are not supported: define NAME in "
                "pattern_definitions");
  }
  if (j >= text.size() || text[j] != '}') return malformed();
  const size_t end = j + 1;

  std::string field;
  ValueType type = ValueType::kString;
  if (field_at != kNpos) {
    std::string why;
    field = FieldName(field_text, PatternSyntax::kGrok, &why);
    if (field.empty()) {
      return Fail(frame, field_at,
                  fmt::format("invalid field name '{}': {}", Printable(field_text, 60), why));
    }
  }
  if (type_at != kNpos) {
    auto t = ValueTypeNamed(type_text);
    if (!t) {
      return Fail(frame, type_at,
                  fmt::format("unknown type '{}': use int, float, bool or string",
                              Printable(type_text, 30)));
    }
    type = *t;
  }
  const std::string* definition = library_.Find(name);
  if (definition == nullptr) {
    return Fail(
        frame, at,
        fmt::format("unknown pattern '{}'{}", name, config::DidYouMean(name, library_.Names())));
  }
  size_t depth = 0;
  for (int f = frame; f > 0; f = frames_[f].parent) {
    ++depth;
    if (frames_[f].name == name) {
      std::vector<std::string_view> chain{name};
      for (int g = frame;; g = frames_[g].parent) {
        chain.push_back(frames_[g].name);
        if (g == f) break;
      }
      std::reverse(chain.begin(), chain.end());
      std::string cycle;
      for (std::string_view n : chain) cycle += (cycle.empty() ? "" : " -> ") + std::string(n);
      return Fail(frame, at, "pattern cycle: " + cycle);
    }
  }
  if (depth >= kMaxDepth) {
    return Fail(frame, at, fmt::format("references nested more than {} deep", kMaxDepth));
  }

  bool capturing = field_at != kNpos;
  OpenGroup(capturing ? "(" : "(?:", frame, at, capturing ? static_cast<int>(captures_.size()) : -1,
            !capturing);
  if (capturing) captures_.push_back(CaptureSpec{std::move(field), type});
  frames_.push_back(Frame{name, *definition, frame, at});
  if (!Scan(static_cast<int>(frames_.size()) - 1)) return false;
  CloseGroup(frame, end - 1);
  *i = end;
  return true;
}

void Expander::OpenGroup(std::string_view opener, int frame, size_t offset, int capture,
                         bool plain) {
  Group g;
  g.open = out_.size();
  g.capture = capture;
  g.plain = plain;
  g.frame = frame;
  g.offset = offset;
  Synthesize(opener, frame, offset);
  g.content = out_.size();
  open_.push_back(groups_.size());
  groups_.push_back(g);
}

void Expander::CloseGroup(int frame, size_t offset) {
  groups_[open_.back()].close = out_.size();
  open_.pop_back();
  Synthesize(")", frame, offset);
}

void Expander::Copy(std::string_view text, int frame, size_t offset) {
  out_.append(text);
  for (size_t k = 0; k < text.size(); ++k) origins_.push_back(Origin{frame, offset + k});
}

void Expander::Synthesize(std::string_view text, int frame, size_t offset) {
  out_.append(text);
  origins_.insert(origins_.end(), text.size(), Origin{frame, offset});
}

bool Expander::Fail(int frame, size_t offset, std::string_view reason) {
  error_ = InvalidArgument(fmt::format("invalid pattern \"{}\": {}: {}", Printable(pattern_, 120),
                                       Where(frame, offset), reason));
  return false;
}

std::string Expander::Where(int frame, size_t offset) const {
  if (frame == 0) return fmt::format("at offset {} ({})", offset, Excerpt(pattern_, offset));
  std::vector<int> chain;
  for (int f = frame; f > 0; f = frames_[f].parent) chain.push_back(f);
  std::reverse(chain.begin(), chain.end());
  std::string refs;
  for (int f : chain) refs += (refs.empty() ? "%{" : " > %{") + std::string(frames_[f].name) + "}";
  const Frame& top = frames_[chain.front()];
  const Frame& inner = frames_[frame];
  return fmt::format("at offset {} ({}), in {}, at offset {} of {}'s definition \"{}\"",
                     top.ref_offset, Excerpt(pattern_, top.ref_offset), refs, offset, inner.name,
                     Printable(inner.text, 80));
}

void Expander::FindTail(CompiledPattern* compiled) const {
  if (ungreedy_ || captures_.empty()) return;
  size_t begin = 0;
  size_t end = out_.size();
  bool alternation = top_alternation_;
  std::vector<size_t> enclosing;
  while (!alternation && end > begin && out_[end - 1] == ')') {
    auto g = std::find_if(groups_.rbegin(), groups_.rend(),
                          [&](const Group& x) { return x.close == end - 1; });
    if (g == groups_.rend() || g->open < begin) return;
    std::string_view content(out_.data() + g->content, g->close - g->content);
    if (g->capture >= 0) {
      Tail tail = TailKind(content);
      if (tail == Tail::kToLineEnd && dotall_elsewhere_) tail = Tail::kNone;
      if (tail != Tail::kNone) {
        // The tail holds no group, so it is the last capture.
        if (static_cast<size_t>(g->capture) != captures_.size() - 1) return;
        compiled->tail = tail;
        compiled->enclosing_tail = std::move(enclosing);
        compiled->program = out_.substr(0, g->open) + out_.substr(g->close + 1);
        return;
      }
      enclosing.push_back(static_cast<size_t>(g->capture));
    } else if (!g->plain) {
      return;
    }
    begin = g->content;
    end = g->close;
    alternation = g->alternation;
  }
}

}  // namespace

RE2::Options ProgramOptions() {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_log_errors(false);
  return options;
}

Result<CompiledPattern> CompilePattern(std::string_view pattern, const PatternLibrary& library,
                                       PatternSyntax syntax) {
  return Expander(pattern, library, syntax).Run();
}

}  // namespace sluice::common::grok
