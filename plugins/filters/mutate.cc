#include "plugins/filters/mutate.h"

#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include "plugins/common/field_text.h"

namespace sluice::filters {

SLUICE_REGISTER_FILTER(MutateFilter, "mutate",
                       "Renames, copies, sets, converts, cleans up and removes fields; adds and "
                       "removes tags.");

namespace {

using common::kMessage;

constexpr std::string_view kWhitespace = " \t\n\r\f\v";

// Whether `field` (a name from the config) covers `name`: the field itself or a field under it.
bool Covers(std::string_view field, std::string_view name) {
  return name.starts_with(field) && (name.size() == field.size() || name[field.size()] == '.');
}

// The length of the UTF-8 character at `pos`, or 1 when the bytes there are not one.
size_t CharLength(std::string_view s, size_t pos) {
  const auto c = static_cast<unsigned char>(s[pos]);
  size_t n = 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
  }
  if (pos + n > s.size()) return 1;
  for (size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(s[pos + i]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

template <typename T>
void AppendNumber(std::string& out, T value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

// An int, float or bool as `type` (not kString): ints and bools become floats exactly, floats are
// truncated toward zero into ints (NaN, infinities and values beyond int64 fail), bools are 0 and
// 1 as numbers and only those numbers become bools.
std::optional<Value> ConvertScalar(const Value& value, ValueType type) {
  const Value::Kind kind = value.kind();
  const double d = kind == Value::Kind::kInt     ? static_cast<double>(value.as_int())
                   : kind == Value::Kind::kFloat ? value.as_float()
                                                 : (value.as_bool() ? 1.0 : 0.0);
  switch (type) {
    case ValueType::kInt:
      if (kind == Value::Kind::kInt) return value;
      if (std::isfinite(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
        return Value::Int(static_cast<int64_t>(d));
      }
      return std::nullopt;
    case ValueType::kFloat:
      return kind == Value::Kind::kFloat ? value : Value::Float(d);
    case ValueType::kBool:
      if (kind == Value::Kind::kBool) return value;
      if (d == 0.0 || d == 1.0) return Value::Bool(d == 1.0);
      return std::nullopt;
    case ValueType::kString:
      break;
  }
  return std::nullopt;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

const config::OptionSchema<MutateFilter::Options>& MutateFilter::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("rename", &Options::rename,
                "Map of field → new name. The field's sub-fields (`name.*`) move along; the new "
                "name is overwritten. `message` as the source copies the message and empties it; "
                "as the destination it takes the field's text.",
                {.example = "{msg: message, context: spark}"})
           .Add("copy", &Options::copy,
                "Map of field → name to copy it to (sub-fields included), overwriting it.",
                {.example = "{level: log.level}"})
           .Add("set", &Options::set,
                "Map of field → template: sets the field (or the message) to the rendered string. "
                "Not applied to an event lacking a field the template references.",
                {.example = "{service.name: 'spark-{{app}}'}"})
           .Add("add", &Options::add,
                "Like `set`, but only for fields the event does not have (for `message`: only "
                "when it is empty).",
                {.example = "{env: production}"})
           .Add("strip", &Options::strip,
                "Fields (or `message`) whose leading and trailing ASCII whitespace is removed.")
           .Add("gsub", &Options::gsub,
                "Regex replacements: a flat list of triples field, RE2 regex, replacement (`\\1` "
                "for a group); every match is replaced.",
                {.example = "[message, '\\s+', ' ']"})
           .Add("lowercase", &Options::lowercase,
                "Fields (or `message`) to lowercase (ASCII letters; other bytes are kept).")
           .Add("uppercase", &Options::uppercase,
                "Fields (or `message`) to uppercase (ASCII letters; other bytes are kept).")
           .Add("convert", &Options::convert,
                "Map of field → type: `int`, `float`, `bool` or `string`. A value that cannot "
                "be converted stays as it was and the event is tagged.",
                {.example = "{duration_ms: int, success: bool}"})
           .Add("remove", &Options::remove,
                "Fields to remove, with their sub-fields (`name.*`); `message` empties the "
                "message.")
           .Add("add_tags", &Options::add_tags, "Tags to add.")
           .Add("remove_tags", &Options::remove_tags, "Tags to remove.")
           .Add("tag_on_failure", &Options::tag_on_failure,
                "Tags added to an event when a `convert` fails.")
           .Compile(Compile);
  return *schema;
}

MutateFilter::Operations::Operations() = default;
MutateFilter::Operations::~Operations() = default;

std::string MutateFilter::Compile(Options& o) {
  auto ops = std::make_shared<Operations>();
  std::vector<std::string> errors;
  auto check_name = [&errors](std::string_view op, const std::string& name) {
    if (name.empty()) errors.push_back(std::string(op) + ": empty field name");
    return !name.empty();
  };

  auto moves = [&](std::string_view op, const std::map<std::string, std::string>& map,
                   std::vector<Move>& to) {
    for (const auto& [from, dest] : map) {
      if (!check_name(op, from) || !check_name(op, dest)) continue;
      if (from != dest) to.push_back(Move{from, dest});
    }
  };
  moves("rename", o.rename, ops->renames);
  moves("copy", o.copy, ops->copies);

  auto assignments = [&](std::string_view op, const std::map<std::string, std::string>& map,
                         std::vector<Assignment>& to) {
    for (const auto& [field, text] : map) {
      if (!check_name(op, field)) continue;
      Result<Template> compiled = Template::Compile(text);
      if (!compiled.ok()) {
        errors.push_back(std::string(op) + " '" + field + "': bad template '" + text +
                         "': " + compiled.status().message());
        continue;
      }
      Assignment a{field, std::move(compiled).value()};
      if (a.value.is_constant()) {
        a.is_constant = true;
        // A constant template renders the same for every event (its `%%` become `%`).
        Arena arena(256);
        Event nothing(&arena, 0, "");
        a.constant = a.value.RenderToString(nothing);
      }
      to.push_back(std::move(a));
    }
  };
  assignments("set", o.set, ops->sets);
  assignments("add", o.add, ops->adds);

  auto names = [&](std::string_view op, const std::vector<std::string>& list,
                   std::vector<std::string>& to) {
    for (const std::string& name : list) {
      if (check_name(op, name)) to.push_back(name);
    }
  };
  names("strip", o.strip, ops->strips);
  names("lowercase", o.lowercase, ops->lowercases);
  names("uppercase", o.uppercase, ops->uppercases);
  names("remove", o.remove, ops->removals);
  names("add_tags", o.add_tags, ops->add_tags);
  names("remove_tags", o.remove_tags, ops->remove_tags);
  names("tag_on_failure", o.tag_on_failure, ops->tag_on_failure);

  if (o.gsub.size() % 3 != 0) {
    errors.push_back("gsub: expected triples of field, regex, replacement; got " +
                     std::to_string(o.gsub.size()) + " strings");
  } else {
    for (size_t i = 0; i < o.gsub.size(); i += 3) {
      const std::string& field = o.gsub[i];
      if (!check_name("gsub", field)) continue;
      RE2::Options options;
      options.set_log_errors(false);
      auto regex = std::make_unique<RE2>(o.gsub[i + 1], options);
      std::string error;
      if (!regex->ok()) {
        errors.push_back("gsub '" + field + "': bad regular expression '" + o.gsub[i + 1] +
                         "': " + regex->error());
      } else if (!regex->CheckRewriteString(o.gsub[i + 2], &error)) {
        errors.push_back("gsub '" + field + "': bad replacement '" + o.gsub[i + 2] + "': " + error);
      } else {
        const int groups = 1 + RE2::MaxSubmatch(o.gsub[i + 2]);
        ops->substitutions.push_back(Substitution{field, std::move(regex), o.gsub[i + 2], groups});
      }
    }
  }

  for (const auto& [field, type_name] : o.convert) {
    if (!check_name("convert", field)) continue;
    if (field == kMessage) {
      errors.push_back("convert: the message is always a string; convert a field");
      continue;
    }
    std::optional<ValueType> type = ValueTypeNamed(type_name);
    if (!type) {
      errors.push_back("convert '" + field + "': unknown type '" + type_name +
                       "'; expected int, float, bool or string");
      continue;
    }
    ops->conversions.push_back(Conversion{field, *type});
  }

  if (o.rename.empty() && o.copy.empty() && o.set.empty() && o.add.empty() && o.strip.empty() &&
      o.gsub.empty() && o.lowercase.empty() && o.uppercase.empty() && o.convert.empty() &&
      o.remove.empty() && o.add_tags.empty() && o.remove_tags.empty()) {
    errors.push_back(
        "nothing to do: set at least one of rename, copy, set, add, strip, gsub, lowercase, "
        "uppercase, convert, remove, add_tags, remove_tags");
  }
  if (!errors.empty()) return Join(errors);
  o.operations = std::move(ops);
  return "";
}

Result<std::unique_ptr<MutateFilter>> MutateFilter::Build(const Options& options, PluginContext&) {
  if (options.operations == nullptr) return Internal("mutate: options not parsed with Schema()");
  return std::unique_ptr<MutateFilter>(new MutateFilter(options.operations));
}

MutateFilter::MutateFilter(std::shared_ptr<const Operations> operations)
    : operations_(std::move(operations)) {}

MutateFilter::~MutateFilter() = default;

FilterResult MutateFilter::Apply(Event& event) {
  const Operations& ops = *operations_;
  bool applied = false;
  bool ok = true;
  if (!ops.renames.empty()) applied |= ApplyMoves(event, ops.renames, true);
  if (!ops.copies.empty()) applied |= ApplyMoves(event, ops.copies, false);
  if (!ops.sets.empty()) applied |= ApplyAssignments(event, ops.sets, false);
  if (!ops.adds.empty()) applied |= ApplyAssignments(event, ops.adds, true);
  for (const std::string& field : ops.strips) applied |= Strip(event, field);
  for (const Substitution& s : ops.substitutions) applied |= Substitute(event, s);
  for (const std::string& field : ops.lowercases) applied |= ChangeCase(event, field, false);
  for (const std::string& field : ops.uppercases) applied |= ChangeCase(event, field, true);
  for (const Conversion& c : ops.conversions) applied |= Convert(event, c, &ok);
  for (const std::string& field : ops.removals) applied |= Remove(event, field);
  for (const std::string& tag : ops.add_tags) {
    event.AddTag(tag);
    applied = true;
  }
  for (const std::string& tag : ops.remove_tags) {
    event.RemoveTag(tag);
    applied = true;
  }
  if (!ok) {
    for (const std::string& tag : ops.tag_on_failure) event.AddTag(tag);
    return FilterResult::kFailed;
  }
  return applied ? FilterResult::kMatched : FilterResult::kSkipped;
}

bool MutateFilter::ApplyMoves(Event& event, const std::vector<Move>& moves, bool remove_source) {
  // Every source is read before anything is written, so entries do not see each other's effects.
  writes_.clear();
  removed_.clear();
  bool empty_message = false;
  for (const Move& move : moves) {
    if (move.from == kMessage) {
      writes_.push_back(Write{move.to, Value::String(event.message())});
      empty_message |= remove_source;
      continue;
    }
    for (const Field& field : event.fields()) {
      if (!Covers(move.from, field.name)) continue;
      const std::string_view suffix = field.name.substr(move.from.size());
      if (suffix.empty()) {
        writes_.push_back(Write{move.to, field.value});
      } else if (move.to == kMessage) {
        continue;  // only the field itself becomes the message; its sub-fields stay
      } else {
        char* name = static_cast<char*>(event.arena().Allocate(move.to.size() + suffix.size(), 1));
        std::memcpy(name, move.to.data(), move.to.size());
        std::memcpy(name + move.to.size(), suffix.data(), suffix.size());
        writes_.push_back(Write{{name, move.to.size() + suffix.size()}, field.value});
      }
      if (remove_source) removed_.push_back(field.name);
    }
  }
  for (std::string_view name : removed_) event.Remove(name);
  if (empty_message) event.set_message_view({});
  for (const Write& write : writes_) {
    if (write.name == kMessage) {
      // Bytes of the value live in the arena already; a number is rendered and copied.
      if (write.value.has_bytes()) {
        event.set_message_view(write.value.as_string());
      } else {
        event.set_message(TextOf(write.value));
      }
    } else {
      // Values' bytes are in the arena (or are the message); names are the filter's or arena's.
      event.SetView(write.name, write.value);
    }
  }
  return !writes_.empty();
}

bool MutateFilter::ApplyAssignments(Event& event, const std::vector<Assignment>& assignments,
                                    bool only_when_absent) {
  writes_.clear();
  for (const Assignment& a : assignments) {
    if (only_when_absent &&
        (a.field == kMessage ? !event.message().empty() : event.Get(a.field) != nullptr)) {
      continue;
    }
    std::string_view text;
    if (a.is_constant) {
      text = a.constant;  // owned by the filter, which outlives the batch
    } else {
      render_.clear();
      if (!a.value.Render(event, render_)) continue;  // a referenced field is missing
      text = event.arena().Copy(render_);
    }
    writes_.push_back(Write{a.field, Value::String(text)});
  }
  for (const Write& write : writes_) {
    common::SetTextView(event, write.name, write.value.as_string());
  }
  return !writes_.empty();
}

bool MutateFilter::Strip(Event& event, const std::string& field) {
  std::optional<std::string_view> text = event.GetText(field);
  if (!text) return false;
  std::string_view s = *text;
  const size_t begin = s.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) {
    s = {};
  } else {
    s = s.substr(begin, s.find_last_not_of(kWhitespace) + 1 - begin);
  }
  if (s.size() != text->size()) common::SetTextView(event, field, s);
  return true;
}

bool MutateFilter::Substitute(Event& event, const Substitution& s) {
  std::optional<std::string_view> found = event.GetText(s.field);
  if (!found) return false;
  // RE2::GlobalReplace's loop, appending into a reused buffer instead of a new string: an empty
  // match right after the previous match is skipped, one UTF-8 character at a time.
  const std::string_view text = *found;
  const re2::StringPiece input(text.data(), text.size());
  re2::StringPiece groups[10];
  render_.clear();
  size_t pos = 0;
  size_t last_end = std::string_view::npos;
  int count = 0;
  while (pos <= text.size()) {
    if (!s.regex->Match(input, pos, text.size(), RE2::UNANCHORED, groups, s.groups)) break;
    const size_t start = static_cast<size_t>(groups[0].data() - text.data());
    render_.append(text.data() + pos, start - pos);
    if (start == last_end && groups[0].empty()) {
      if (pos == text.size()) break;
      const size_t n = CharLength(text, pos);
      render_.append(text.data() + pos, n);
      pos += n;
      continue;
    }
    s.regex->Rewrite(&render_, s.rewrite, groups, s.groups);
    pos = start + groups[0].size();
    last_end = pos;
    ++count;
  }
  if (count == 0) return true;
  if (pos < text.size()) render_.append(text.data() + pos, text.size() - pos);
  common::SetTextCopy(event, s.field, render_);
  return true;
}

bool MutateFilter::ChangeCase(Event& event, const std::string& field, bool upper) {
  std::optional<std::string_view> found = event.GetText(field);
  if (!found) return false;
  const std::string_view text = *found;
  const char from = upper ? 'a' : 'A';
  auto changes = [from](char c) { return c >= from && c <= from + 25; };
  size_t first = 0;
  while (first < text.size() && !changes(text[first])) ++first;
  if (first == text.size()) return true;
  // Bytes of other strings may be shared (views): write a new copy, never in place.
  char* out = static_cast<char*>(event.arena().Allocate(text.size(), 1));
  std::memcpy(out, text.data(), first);
  const int shift = upper ? 'A' - 'a' : 'a' - 'A';
  for (size_t i = first; i < text.size(); ++i) {
    out[i] = changes(text[i]) ? static_cast<char>(text[i] + shift) : text[i];
  }
  common::SetTextView(event, field, {out, text.size()});
  return true;
}

bool MutateFilter::Convert(Event& event, const Conversion& c, bool* ok) {
  const Value* value = event.Get(c.field);
  if (value == nullptr || value->is_null()) return false;
  std::optional<Value> result;
  bool copy = false;  // the result's bytes are in text_
  switch (value->kind()) {
    case Value::Kind::kNull:
      return false;
    case Value::Kind::kString:
      result = ConvertText(value->as_string(), c.type);  // a string result is a view of the value
      break;
    case Value::Kind::kJson:
      if (c.type == ValueType::kString) result = Value::String(value->as_string());
      break;
    case Value::Kind::kInt:
    case Value::Kind::kFloat:
    case Value::Kind::kBool:
      if (c.type != ValueType::kString) {
        result = ConvertScalar(*value, c.type);
      } else if (value->kind() == Value::Kind::kBool) {
        result = Value::String(value->as_bool() ? "true" : "false");  // literals outlive the batch
      } else {
        result = Value::String(TextOf(*value));
        copy = true;
      }
      break;
  }
  if (!result) {
    *ok = false;
    return true;
  }
  if (copy) {
    event.Set(c.field, *result);
  } else {
    event.SetView(c.field, *result);  // the field exists: only its value changes
  }
  return true;
}

bool MutateFilter::Remove(Event& event, const std::string& field) {
  if (field == kMessage) {
    event.set_message_view({});
    return true;
  }
  bool any = false;
  for (size_t i = event.fields().size(); i-- > 0;) {
    const std::string_view name = event.fields()[i].name;
    if (Covers(field, name)) {
      event.Remove(name);
      any = true;
    }
  }
  return any;
}

std::string_view MutateFilter::TextOf(const Value& value) {
  text_.clear();
  switch (value.kind()) {
    case Value::Kind::kNull:
      break;
    case Value::Kind::kBool:
      text_ = value.as_bool() ? "true" : "false";
      break;
    case Value::Kind::kInt:
      AppendNumber(text_, value.as_int());
      break;
    case Value::Kind::kFloat:
      AppendNumber(text_, value.as_float());
      break;
    case Value::Kind::kString:
    case Value::Kind::kJson:
      return value.as_string();
  }
  return text_;
}

}  // namespace sluice::filters
