#include "plugins/filters/dissect.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "pipeline/json_string.h"
#include "plugins/common/field_text.h"

namespace sluice::filters {

SLUICE_REGISTER_FILTER(DissectFilter, "dissect",
                       "Splits a text into fields by the literal delimiters of a pattern "
                       "(Logstash dissect syntax, no regular expressions).");

namespace {

// `[a][b]` → `a.b`; other names as they are. Empty on a malformed bracket name.
std::string NormalizeName(std::string_view name, std::string* error) {
  if (name.empty() || name[0] != '[') return std::string(name);
  std::string out;
  size_t pos = 0;
  while (pos < name.size()) {
    if (name[pos] != '[') {
      *error = "malformed field reference '" + std::string(name) + "' (expected [a][b])";
      return "";
    }
    size_t close = name.find(']', pos);
    if (close == std::string_view::npos || close == pos + 1) {
      *error = "malformed field reference '" + std::string(name) + "' (expected [a][b])";
      return "";
    }
    if (!out.empty()) out += '.';
    out += name.substr(pos + 1, close - pos - 1);
    pos = close + 1;
  }
  return out;
}

// Copies `s` to `p`; returns the end of the copy.
char* Append(char* p, std::string_view s) {
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

}  // namespace

Result<DissectFilter::Pattern> DissectFilter::Pattern::Compile(std::string_view pattern) {
  Pattern p;
  p.source = std::string(pattern);
  const std::string where = " in pattern '" + std::string(pattern) + "'";
  std::string literal;
  std::string_view previous;  // the text of the last key, for messages
  size_t pos = 0;
  while (pos < pattern.size()) {
    if (pattern[pos] != '%' || pos + 1 == pattern.size() || pattern[pos + 1] != '{') {
      literal += pattern[pos++];
      continue;
    }
    const size_t close = pattern.find('}', pos + 2);
    if (close == std::string_view::npos) {
      return InvalidArgument("unclosed '%{' at offset " + std::to_string(pos) + where);
    }
    std::string_view body = pattern.substr(pos + 2, close - pos - 2);
    const std::string_view written = body;
    if (!p.keys.empty() && literal.empty()) {
      return InvalidArgument("keys '%{" + std::string(previous) + "}' and '%{" + std::string(body) +
                             "}' have no delimiter between them (offset " + std::to_string(pos) +
                             ")" + where);
    }
    if (p.keys.empty()) {
      p.prefix = literal;
    } else {
      p.keys.back().delimiter = literal;
    }
    Key key;
    key.before = literal;
    literal.clear();
    if (body.size() >= 2 && body.substr(body.size() - 2) == "->") {
      key.pad = true;
      body.remove_suffix(2);
    }
    if (!body.empty() && (body[0] == '+' || body[0] == '?' || body[0] == '*' || body[0] == '&')) {
      const char modifier = body[0];
      body.remove_prefix(1);
      if (modifier == '+') {
        key.kind = Key::Kind::kAppend;
        const size_t slash = body.rfind('/');
        if (slash != std::string_view::npos) {
          std::string_view order = body.substr(slash + 1);
          if (order.empty() || order.size() > 4 ||
              !std::all_of(order.begin(), order.end(),
                           [](char c) { return c >= '0' && c <= '9'; })) {
            return InvalidArgument("invalid append order '/" + std::string(order) + "' in '%{" +
                                   std::string(written) + "}' (expected /1, /2, ...)" + where);
          }
          key.order = std::stoi(std::string(order));
          body = body.substr(0, slash);
        }
      } else if (modifier == '&') {
        key.kind = Key::Kind::kRefValue;
      } else {
        key.kind = body.empty() ? Key::Kind::kSkip : Key::Kind::kRefName;
      }
      if (body.empty() && key.kind != Key::Kind::kSkip) {
        return InvalidArgument("'%{" + std::string(written) + "}' needs a name" + where);
      }
    } else if (body.empty()) {
      key.kind = Key::Kind::kSkip;
    }
    std::string error;
    key.name = NormalizeName(body, &error);
    if (!error.empty()) return InvalidArgument(error + where);
    if (!IsValidUtf8(key.name)) {  // two such names could encode to one JSON key
      return InvalidArgument("a key name is not valid UTF-8" + where);
    }
    p.keys.push_back(std::move(key));
    previous = written;
    pos = close + 1;
  }
  if (p.keys.empty()) {
    return InvalidArgument("no %{key}" + where + " (keys look like %{name}, %{+name}, %{})");
  }
  p.keys.back().delimiter = literal;
  // A %{?name} is a reference name only when a %{&name} uses it; every %{&name} needs one.
  for (Key& k : p.keys) {
    if (k.kind != Key::Kind::kRefName) continue;
    bool used = std::any_of(p.keys.begin(), p.keys.end(), [&k](const Key& v) {
      return v.kind == Key::Kind::kRefValue && v.name == k.name;
    });
    if (!used) k.kind = Key::Kind::kSkip;
  }
  for (const Key& k : p.keys) {
    if (k.kind != Key::Kind::kRefValue) continue;
    bool named = std::any_of(p.keys.begin(), p.keys.end(), [&k](const Key& n) {
      return n.kind == Key::Kind::kRefName && n.name == k.name;
    });
    if (!named) {
      return InvalidArgument("'%{&" + k.name + "}' has no '%{?" + k.name + "}' naming its field" +
                             where);
    }
  }
  return p;
}

bool DissectFilter::Pattern::Match(std::string_view text,
                                   std::vector<std::string_view>* values) const {
  if (text.substr(0, prefix.size()) != prefix) return false;
  size_t pos = prefix.size();
  for (size_t i = 0; i < keys.size(); ++i) {
    const Key& key = keys[i];
    if (key.delimiter.empty()) {  // only the last key: the rest of the text
      (*values)[i] = text.substr(pos);
      pos = text.size();
      continue;
    }
    const size_t found = text.find(key.delimiter, pos);
    if (found == std::string_view::npos) return false;
    (*values)[i] = text.substr(pos, found - pos);
    pos = found + key.delimiter.size();
    if (key.pad) {
      while (text.size() - pos >= key.delimiter.size() &&
             std::memcmp(text.data() + pos, key.delimiter.data(), key.delimiter.size()) == 0) {
        pos += key.delimiter.size();
      }
    }
  }
  return true;
}

std::vector<std::string> DissectFilter::Pattern::FieldNames() const {
  std::vector<std::string> names;
  for (const Key& k : keys) {
    if (k.kind == Key::Kind::kField || k.kind == Key::Kind::kAppend) names.push_back(k.name);
  }
  return names;
}

const config::OptionSchema<DissectFilter::Options>& DissectFilter::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("field", &Options::field,
                "Field that `pattern` splits (`message` for the message). Events without it are "
                "skipped.",
                {.non_empty = true})
           .Add("pattern", &Options::pattern,
                "The dissection: literal delimiters and keys. `%{name}` captures up to the next "
                "delimiter (the last key takes the rest, newlines included); `%{}` or "
                "`%{?name}` skips; `%{+name}` appends to `name` (`%{+name/2}` sets the order); "
                "`%{name->}` skips repeats of the delimiter that follows; `%{?k}=%{&k}` makes "
                "the first capture the name of the second. Names may be dotted (`log.level`) or "
                "`[log][level]`. Either this or `mapping` is required.",
                {.example = "\"%{date} %{time} %{log.level} %{log.logger}: %{message}\""})
           .Add("mapping", &Options::mapping,
                "Patterns per source field (instead of `field` + `pattern`), applied in field "
                "name order.",
                {.example = "{message: \"%{ts} %{+ts} %{level} %{msg}\"}"})
           .Add("append_separator", &Options::append_separator,
                "Text put between appended captures. Empty: the delimiter written before each "
                "appended key in the pattern (`%{d}T%{+d}` joins with `T`), a space for a key "
                "at the start.")
           .Add("convert_datatype", &Options::convert_datatype,
                "Types of captured fields: `int`, `float`, `bool` (or `string`). A capture "
                "that does not convert stays text and the event is tagged as failed.",
                {.example = "{bytes: int, duration: float}"})
           .Add("tag_on_failure", &Options::tag_on_failure,
                "Tags added to events whose text does not match a pattern (or whose captures do "
                "not convert).")
           .Exclusive({"pattern", "mapping"})
           .Check([](const Options& o) -> std::string {
             if (!o.pattern.empty() || !o.mapping.empty()) return "";
             return "missing option 'pattern' (or 'mapping'): e.g. pattern: "
                    "\"%{date} %{time} %{level} %{logger}: %{msg}\"";
           })
           .Compile(Compile);
  return *schema;
}

std::string DissectFilter::Compile(Options& o) {
  auto plan = std::make_shared<Plan>();
  std::vector<std::pair<std::string, std::string>> sources;
  if (!o.pattern.empty()) sources.emplace_back(o.field, o.pattern);
  for (const auto& [field, pattern] : o.mapping) sources.emplace_back(field, pattern);
  std::set<std::string> names;
  bool has_refs = false;
  for (const auto& [field, source] : sources) {
    if (field.empty()) return "mapping: a source field name must not be empty";
    auto compiled = Pattern::Compile(source);
    if (!compiled.ok()) {
      return "pattern for '" + field + "': " + std::string(compiled.status().message());
    }
    for (const std::string& n : compiled->FieldNames()) names.insert(n);
    for (const Key& key : compiled->keys) has_refs |= key.kind == Key::Kind::kRefValue;
    plan->dissections.push_back(Dissection{field, std::move(compiled).value(), {}});
  }
  for (const auto& [name, type_name] : o.convert_datatype) {
    std::optional<ValueType> type = ValueTypeNamed(type_name);
    if (!type) {
      return "convert_datatype: '" + type_name + "' (for '" + name +
             "') is not a type; expected int, float, bool or string";
    }
    if (name == "message") return "convert_datatype: the message cannot be converted";
    if (!has_refs && names.count(name) == 0) {
      return "convert_datatype: '" + name + "' is not a key of any pattern";
    }
    plan->types.emplace_back(name, *type);
  }
  for (Dissection& d : plan->dissections) {
    plan->most_keys = std::max(plan->most_keys, d.pattern.keys.size());
    d.outputs = OutputsOf(d.pattern, *plan, o.append_separator);
  }
  o.plan = std::move(plan);
  return "";
}

std::vector<DissectFilter::Output> DissectFilter::OutputsOf(const Pattern& pattern,
                                                            const Plan& plan,
                                                            const std::string& append_separator) {
  std::vector<Output> outputs;
  const auto& keys = pattern.keys;
  // Names written by appends: those and the plain keys of the same name form one output.
  std::set<std::string> appended;
  for (const Key& k : keys) {
    if (k.kind == Key::Kind::kAppend) appended.insert(k.name);
  }
  std::set<std::string> grouped;
  for (size_t i = 0; i < keys.size(); ++i) {
    const Key& k = keys[i];
    Output out;
    if (k.kind == Key::Kind::kRefValue) {
      out.kind = Output::Kind::kRef;
      out.key = i;
      for (size_t j = 0; j < keys.size(); ++j) {
        if (keys[j].kind == Key::Kind::kRefName && keys[j].name == k.name) out.ref_name = j;
      }
      outputs.push_back(std::move(out));
      continue;
    }
    if (k.kind != Key::Kind::kField && k.kind != Key::Kind::kAppend) continue;
    out.name = k.name;
    out.type = plan.TypeOf(k.name);
    if (appended.count(k.name) == 0) {
      out.kind = Output::Kind::kField;
      out.key = i;
      outputs.push_back(std::move(out));
      continue;
    }
    if (!grouped.insert(k.name).second) continue;  // the group is already made
    out.kind = Output::Kind::kAppend;
    for (size_t j = 0; j < keys.size(); ++j) {
      const Key& m = keys[j];
      if (m.name == k.name && (m.kind == Key::Kind::kField || m.kind == Key::Kind::kAppend)) {
        out.members.push_back(j);
      }
    }
    // Plain keys count as order 0; ties keep pattern order.
    std::stable_sort(out.members.begin(), out.members.end(),
                     [&keys](size_t a, size_t b) { return keys[a].order < keys[b].order; });
    for (size_t m : out.members) {
      // Logstash's rule: the delimiter found before the key, a space when there is none.
      const std::string& before = keys[m].before;
      out.seps.push_back(!append_separator.empty() ? append_separator
                         : before.empty()          ? " "
                                                   : before);
    }
    outputs.push_back(std::move(out));
  }
  return outputs;
}

Result<std::unique_ptr<DissectFilter>> DissectFilter::Build(const Options& options,
                                                            PluginContext&) {
  if (options.plan == nullptr) return Internal("dissect: options not parsed with Schema()");
  return std::unique_ptr<DissectFilter>(new DissectFilter(options));
}

DissectFilter::DissectFilter(const Options& options)
    : options_(options), values_(options.plan->most_keys) {}

std::optional<ValueType> DissectFilter::Plan::TypeOf(std::string_view name) const {
  for (const auto& [n, type] : types) {
    if (n == name) return type == ValueType::kString ? std::nullopt : std::optional(type);
  }
  return std::nullopt;
}

bool DissectFilter::Write(Event& event, std::string_view name, std::string_view value,
                          std::optional<ValueType> type) {
  if (type) {
    if (std::optional<Value> converted = ConvertText(value, *type)) {
      event.SetView(name, *converted);
      return true;
    }
  }
  common::SetTextView(event, name, value);
  return !type;
}

FilterResult DissectFilter::Apply(Event& event) {
  bool any = false;
  bool failed = false;
  for (const Dissection& d : options_.plan->dissections) {
    std::optional<std::string_view> text = event.GetText(d.field);
    if (!text) continue;
    any = true;
    if (!d.pattern.Match(*text, &values_)) {
      failed = true;
      continue;
    }
    for (const Output& out : d.outputs) {
      switch (out.kind) {
        case Output::Kind::kField:
          failed |= !Write(event, out.name, values_[out.key], out.type);
          break;
        case Output::Kind::kRef: {
          std::string_view name = ValidUtf8(event.arena(), values_[out.ref_name]);
          if (name.empty()) break;
          failed |= !Write(event, name, values_[out.key], options_.plan->TypeOf(name));
          break;
        }
        case Output::Kind::kAppend: {
          size_t size = 0;
          for (size_t i = 0; i < out.members.size(); ++i) {
            size += values_[out.members[i]].size() + (i == 0 ? 0 : out.seps[i].size());
          }
          char* joined = static_cast<char*>(event.arena().Allocate(size, 1));
          char* p = joined;
          for (size_t i = 0; i < out.members.size(); ++i) {
            if (i != 0) p = Append(p, out.seps[i]);
            p = Append(p, values_[out.members[i]]);
          }
          failed |= !Write(event, out.name, std::string_view(joined, size), out.type);
          break;
        }
      }
    }
  }
  if (failed) {
    for (const std::string& tag : options_.tag_on_failure) event.AddTag(tag);
    return FilterResult::kFailed;
  }
  return any ? FilterResult::kMatched : FilterResult::kSkipped;
}

}  // namespace sluice::filters
