#include "plugins/filters/kv.h"

#include <cstring>

#include "pipeline/json_string.h"
#include "plugins/common/field_text.h"

namespace sluice::filters {

SLUICE_REGISTER_FILTER(KvFilter, "kv",
                       "Reads key=value pairs out of a text into fields (quotes, brackets, "
                       "split characters as Logstash's kv).");

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::array<bool, 256> SetOf(std::string_view chars) {
  std::array<bool, 256> set{};
  for (char c : chars) set[static_cast<unsigned char>(c)] = true;
  return set;
}

std::string_view Trim(std::string_view s, const std::array<bool, 256>& set) {
  while (!s.empty() && set[static_cast<unsigned char>(s.front())]) s.remove_prefix(1);
  while (!s.empty() && set[static_cast<unsigned char>(s.back())]) s.remove_suffix(1);
  return s;
}

char CloserOf(char open) {
  switch (open) {
    case '"':
    case '\'':
      return open;
    case '(':
      return ')';
    case '[':
      return ']';
    case '<':
      return '>';
  }
  return 0;
}

std::string CheckOptions(const KvFilter::Options& o) {
  for (const auto& [name, chars] :
       {std::pair<const char*, const std::string&>{"field_split", o.field_split},
        {"value_split", o.value_split},
        {"trim_key", o.trim_key},
        {"trim_value", o.trim_value}}) {
    if (!IsAscii(chars)) {
      return std::string("'") + name +
             "' must hold ASCII characters only (each is one split "
             "or trim character)";
    }
  }
  for (char c : o.value_split) {
    if (o.field_split.find(c) != std::string::npos) {
      return std::string("'") + c + "' is in both 'field_split' and 'value_split'";
    }
  }
  for (const std::string* split : {&o.field_split, &o.value_split}) {
    if (split->find_first_of("\"'") != std::string::npos) {
      return "quotes (\" and ') cannot be split characters";
    }
  }
  for (const auto& k : o.include_keys) {
    if (k.empty()) return "'include_keys' holds an empty key";
  }
  return "";
}

}  // namespace

const config::OptionSchema<KvFilter::Options>& KvFilter::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("field", &Options::field,
                "Field holding the text (`message` for the message). Events without it, or "
                "whose value is not a string, are skipped.",
                {.non_empty = true})
           .Add("field_split", &Options::field_split,
                "Characters that separate pairs; each one separates (`\" ,\"`: spaces and "
                "commas). Repeats count as one.",
                {.non_empty = true, .example = "\" &\""})
           .Add("value_split", &Options::value_split,
                "Characters that separate a key from its value; the first one in a pair "
                "counts.",
                {.non_empty = true, .example = "\"=:\""})
           .Add("include_brackets", &Options::include_brackets,
                "Values wrapped in `()`, `[]` or `<>` are taken whole, like quoted ones, and "
                "unwrapped. Quotes (`\"`, `'`) always wrap.")
           .Add("trim_key", &Options::trim_key, "Characters removed from both ends of keys.",
                {.example = "\"<>[],\""})
           .Add("trim_value", &Options::trim_value,
                "Characters removed from both ends of values (after unquoting).",
                {.example = "\",;\""})
           .Add("include_keys", &Options::include_keys,
                "Only these keys are kept (compared before `prefix`; all when empty).")
           .Add("exclude_keys", &Options::exclude_keys,
                "These keys are dropped (compared before `prefix`).")
           .Add("prefix", &Options::prefix, "Text put before every key.", {.example = "kv_"})
           .Add("target", &Options::target,
                "Field the pairs go under (`kv` gives `kv.user`); at the root when empty.",
                {.example = "kv"})
           .Add("duplicate_keys", &Options::duplicate_keys,
                "A key seen again in the same text: `last` (its last value wins), `first`, or "
                "`array` (a JSON array of its values, in order).")
           .Add("allow_empty_values", &Options::allow_empty_values,
                "Keep pairs with an empty value (`key=` or `key=\"\"`) as empty strings.")
           .Add("lowercase_keys", &Options::lowercase_keys,
                "Lowercase keys (ASCII), before `include_keys`/`exclude_keys`.")
           .Add("max_pairs", &Options::max_pairs,
                "Most pairs read from one text; the rest of the text is ignored and "
                "`sluice_kv_truncated_events_total` moves.",
                {.min = 1, .max = 100'000})
           .Add("tag_on_failure", &Options::tag_on_failure,
                "Tags added to events whose text holds no pair.")
           .Check(CheckOptions);
  return *schema;
}

Result<std::unique_ptr<KvFilter>> KvFilter::Build(const Options& options, PluginContext& context) {
  return std::unique_ptr<KvFilter>(new KvFilter(options, context));
}

KvFilter::KvFilter(const Options& options, PluginContext& context)
    : options_(options),
      field_split_(SetOf(options.field_split)),
      value_split_(SetOf(options.value_split)),
      trim_key_(SetOf(options.trim_key)),
      trim_value_(SetOf(options.trim_value)),
      duplicates_(options.duplicate_keys) {
  if (context.metrics != nullptr) truncated_ = &metrics_.emplace(*context.metrics).truncated_events;
  std::string target = options.target;
  while (!target.empty() && target.back() == '.') target.pop_back();
  if (!target.empty()) name_prefix_ = target + ".";
  name_prefix_ += options.prefix;
  for (std::string key : options.include_keys) {
    if (options.lowercase_keys) {
      for (char& c : key) c = Lower(c);
    }
    include_.push_back(std::move(key));
  }
  for (std::string key : options.exclude_keys) {
    if (options.lowercase_keys) {
      for (char& c : key) c = Lower(c);
    }
    exclude_.push_back(std::move(key));
  }
  pairs_.reserve(static_cast<size_t>(std::min<int64_t>(options.max_pairs, 64)));
}

bool KvFilter::SameKey(std::string_view a, std::string_view b) const {
  if (a.size() != b.size()) return false;
  if (!options_.lowercase_keys) return a == b;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool KvFilter::Wanted(std::string_view key) const {
  if (!include_.empty()) {
    bool listed = false;
    for (const std::string& k : include_) listed |= SameKey(key, k);
    if (!listed) return false;
  }
  for (const std::string& k : exclude_) {
    if (SameKey(key, k)) return false;
  }
  return true;
}

void KvFilter::Keep(std::string_view key, std::string_view value, char quote) {
  for (size_t j = 0; j < pairs_.size(); ++j) {
    Pair& earlier = pairs_[j];
    if (earlier.repeat || !SameKey(earlier.key, key)) continue;
    switch (duplicates_) {
      case Duplicates::kFirst:
        return;
      case Duplicates::kLast:
        earlier.value = value;
        earlier.quote = quote;
        return;
      case Duplicates::kArray: {
        const auto index = static_cast<int32_t>(pairs_.size());
        pairs_[earlier.last < 0 ? j : static_cast<size_t>(earlier.last)].next = index;
        earlier.last = index;
        pairs_.push_back(Pair{key, value, quote, true});
        return;
      }
    }
  }
  pairs_.push_back(Pair{key, value, quote});
}

size_t KvFilter::Scan(std::string_view text, Arena& arena) {
  pairs_.clear();
  const size_t n = text.size();
  const auto max = static_cast<size_t>(options_.max_pairs);
  auto is_field_split = [&](size_t i) { return field_split_[static_cast<unsigned char>(text[i])]; };
  size_t found = 0;
  size_t pos = 0;
  while (pos < n) {
    while (pos < n && is_field_split(pos)) ++pos;
    if (pos == n) break;
    const size_t key_start = pos;
    while (pos < n && !is_field_split(pos) &&
           !value_split_[static_cast<unsigned char>(text[pos])]) {
      ++pos;
    }
    if (pos == n || is_field_split(pos)) continue;  // a word without a value split
    std::string_view key = Trim(text.substr(key_start, pos - key_start), trim_key_);
    ++pos;  // the value split
    std::string_view value;
    char quote = 0;
    const char open = pos < n ? text[pos] : 0;
    const char close = CloserOf(open);
    bool wrapped = false;
    if (close != 0 && (open == '"' || open == '\'' || options_.include_brackets)) {
      size_t end = pos + 1;
      bool escapes = false;
      if (open == close) {  // a quote: backslash escapes the next character
        while (end < n && text[end] != close) {
          if (text[end] == '\\' && end + 1 < n) {
            escapes = true;
            ++end;
          }
          ++end;
        }
      } else {
        while (end < n && text[end] != close) ++end;
      }
      if (end < n) {
        wrapped = true;
        value = text.substr(pos + 1, end - pos - 1);
        if (escapes) quote = open;
        pos = end + 1;
        while (pos < n && !is_field_split(pos)) ++pos;  // text after the closing quote: ignored
      }
    }
    if (!wrapped) {  // up to the next field split (an unclosed quote is part of the value)
      const size_t value_start = pos;
      while (pos < n && !is_field_split(pos)) ++pos;
      value = text.substr(value_start, pos - value_start);
    }
    value = Trim(value, trim_value_);
    if (key.empty()) continue;
    key = ValidUtf8(arena, key);  // names differing only in invalid bytes are one key
    if (found == max) {
      truncated_->Add();
      break;
    }
    ++found;
    if (value.empty() && !options_.allow_empty_values) continue;
    if (!Wanted(key)) continue;
    Keep(key, value, quote);
  }
  return found;
}

std::string_view KvFilter::NameOf(Event& event, std::string_view key) const {
  bool lower = false;
  if (options_.lowercase_keys) {
    for (char c : key) lower |= c >= 'A' && c <= 'Z';
  }
  if (name_prefix_.empty() && !lower) return key;
  const size_t size = name_prefix_.size() + key.size();
  char* name = static_cast<char*>(event.arena().Allocate(size, 1));
  if (!name_prefix_.empty()) std::memcpy(name, name_prefix_.data(), name_prefix_.size());
  char* k = name + name_prefix_.size();
  for (size_t i = 0; i < key.size(); ++i) k[i] = lower ? Lower(key[i]) : key[i];
  return {name, size};
}

std::string_view KvFilter::Unescaped(Event& event, std::string_view value, char quote) {
  if (quote == 0) return value;
  char* out = static_cast<char*>(event.arena().Allocate(value.size(), 1));
  size_t size = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size() &&
        (value[i + 1] == '\\' || value[i + 1] == quote)) {
      ++i;
    }
    out[size++] = value[i];
  }
  return {out, size};
}

FilterResult KvFilter::Apply(Event& event) {
  std::optional<std::string_view> text = event.GetText(options_.field);
  if (!text) return FilterResult::kSkipped;
  if (Scan(*text, event.arena()) == 0) {
    for (const std::string& tag : options_.tag_on_failure) event.AddTag(tag);
    return FilterResult::kFailed;
  }
  for (const Pair& pair : pairs_) {
    if (pair.repeat) continue;
    const std::string_view name = NameOf(event, pair.key);
    if (pair.next < 0) {
      common::SetTextView(event, name, Unescaped(event, pair.value, pair.quote));
      continue;
    }
    json_.clear();
    json_ += '[';
    for (int32_t i = static_cast<int32_t>(&pair - pairs_.data()); i >= 0;
         i = pairs_[static_cast<size_t>(i)].next) {
      const Pair& p = pairs_[static_cast<size_t>(i)];
      if (json_.size() > 1) json_ += ',';
      AppendJsonString(json_, Unescaped(event, p.value, p.quote));
    }
    json_ += ']';
    if (name == "message") {
      event.set_message(json_);
    } else {
      event.SetView(name, Value::Json(event.arena().Copy(json_)));
    }
  }
  return FilterResult::kMatched;
}

}  // namespace sluice::filters
