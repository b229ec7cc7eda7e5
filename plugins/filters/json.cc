#include "plugins/filters/json.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

#include "pipeline/json_string.h"

namespace sluice::filters {

SLUICE_REGISTER_FILTER(JsonFilter, "json",
                       "Parses a JSON object (the message by default) into fields, flattening "
                       "nested objects.");

namespace {

// Appends `value` in its shortest round-trip form, with ".0" when it would read back as an
// integer (the JSON encoder's rule, so a float stays a float). Parsed values are always finite.
void AppendDouble(std::string& out, double value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
  if (std::find_if(buf, end, [](char c) { return c == '.' || c == 'e'; }) == end) out += ".0";
}

template <typename T>
void AppendInteger(std::string& out, T value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

}  // namespace

const config::OptionSchema<JsonFilter::Options>& JsonFilter::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("field", &Options::field,
                "Where the JSON text is: `message`, or a field holding a string or raw JSON. An "
                "event without it is skipped.",
                {.example = "payload"})
           .Add("target", &Options::target,
                "Prefix of the names the parsed values get (`json` gives `json.level`); empty "
                "stores them at the top level. With a target, a document that is an array or a "
                "scalar is stored at the target itself.",
                {.example = "json"})
           .Add("flatten", &Options::flatten,
                "Store nested objects as dotted names (`context.task_id`); `false` keeps each "
                "top-level value whole, objects as raw JSON.")
           .Add("max_depth", &Options::max_depth,
                "Deepest object level flattened (1: the document's own keys only); deeper "
                "objects are kept as raw JSON. `0`: no limit.",
                {.min = 0})
           .Add("message_field", &Options::message_field,
                "Key (a dotted path when flattening) whose value becomes the event message "
                "instead of a field; the message is unchanged when the document lacks it. Empty: "
                "no key becomes the message.",
                {.example = "msg"})
           .Add("remove_field", &Options::remove_field,
                "Remove `field` after a successful parse. The message is never removed: it is "
                "replaced only through `message_field`.")
           .Add("tag_on_failure", &Options::tag_on_failure,
                "Tags added to an event whose text is not valid JSON (or not an object while "
                "`target` is unset).")
           .Check([](const Options& o) -> std::string {
             if (o.field.empty()) return "field must not be empty";
             for (const std::string& tag : o.tag_on_failure) {
               if (tag.empty()) return "tag_on_failure: tags must not be empty";
             }
             if (o.target == "message" || o.target == "@timestamp" || o.target == "tags") {
               return "target '" + o.target + "' would be hidden by the event's own " + o.target +
                      "; use another name such as 'json'";
             }
             if (o.target.starts_with('.') || o.target.ends_with('.')) {
               return "target '" + o.target + "' must not start or end with '.'";
             }
             return "";
           });
  return *schema;
}

Result<std::unique_ptr<JsonFilter>> JsonFilter::Build(const Options& options, PluginContext&) {
  return std::make_unique<JsonFilter>(options);
}

JsonFilter::JsonFilter(const Options& options)
    : options_(options), parser_(std::make_unique<simdjson::dom::parser>()) {
  name_ = options_.target;
  if (!name_.empty()) name_ += '.';
  root_length_ = name_.size();
}

JsonFilter::~JsonFilter() = default;

FilterResult JsonFilter::Apply(Event& event) {
  std::string_view text;
  if (options_.field == "message") {
    text = event.message();
  } else {
    const Value* v = event.Get(options_.field);
    if (v == nullptr || !v->has_bytes()) return FilterResult::kSkipped;
    text = v->as_string();
  }

  // simdjson reads up to SIMDJSON_PADDING bytes past the end: parse a padded copy. The buffer
  // only grows, so steady state allocates nothing.
  const size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
  if (needed > padded_capacity_) {
    padded_capacity_ = std::max(needed, padded_capacity_ * 2);
    padded_ = std::make_unique<char[]>(padded_capacity_);
  }
  if (!text.empty()) std::memcpy(padded_.get(), text.data(), text.size());
  std::memset(padded_.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);

  simdjson::dom::element root;
  const bool parsed =
      parser_->parse(padded_.get(), text.size(), false).get(root) == simdjson::SUCCESS;
  const bool is_object = parsed && root.type() == simdjson::dom::element_type::OBJECT;
  if (!is_object && !(parsed && !options_.target.empty())) {
    for (const std::string& tag : options_.tag_on_failure) event.AddTag(tag);
    return FilterResult::kFailed;
  }

  // Removed first, so a key of the document with the field's own name survives. The text stays
  // valid: its bytes live in the batch's arena, and it was copied for parsing anyway.
  if (options_.remove_field && options_.field != "message") event.Remove(options_.field);

  name_.resize(root_length_);
  if (is_object) {
    StoreMembers(event, root.get_object().value_unsafe(), 1);
  } else {
    name_.resize(root_length_ - 1);  // the target itself
    StoreValue(event, root, 1);
  }
  return FilterResult::kMatched;
}

void JsonFilter::StoreMembers(Event& event, simdjson::dom::object object, int64_t depth) {
  const size_t length = name_.size();
  for (const simdjson::dom::key_value_pair member : object) {
    if (depth > 1) name_ += '.';  // at depth 1, name_ is empty or the target and its dot
    name_ += member.key;
    if (!options_.message_field.empty() &&
        std::string_view(name_).substr(root_length_) == options_.message_field) {
      TakeMessage(event, member.value);
    } else {
      StoreValue(event, member.value, depth);
    }
    name_.resize(length);
  }
}

void JsonFilter::StoreValue(Event& event, simdjson::dom::element value, int64_t depth) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object object = value.get_object().value_unsafe();
      const bool flatten =
          options_.flatten && (options_.max_depth == 0 || depth < options_.max_depth);
      if (flatten && object.size() > 0) {
        StoreMembers(event, object, depth + 1);
        return;
      }
      json_.clear();
      AppendJson(value);
      event.Set(name_, Value::Json(json_));
      return;
    }
    case element_type::ARRAY:
      json_.clear();
      AppendJson(value);
      event.Set(name_, Value::Json(json_));
      return;
    case element_type::INT64:
      event.Set(name_, Value::Int(value.get_int64().value_unsafe()));
      return;
    case element_type::UINT64:
      // Only integers above INT64_MAX are UINT64. A float would silently change them (ids, hashes):
      // keep their exact decimal digits as a string.
      json_.clear();
      AppendInteger(json_, value.get_uint64().value_unsafe());
      event.Set(name_, Value::String(json_));
      return;
    case element_type::DOUBLE:
      event.Set(name_, Value::Float(value.get_double().value_unsafe()));
      return;
    case element_type::STRING:
      // simdjson unescaped the string into its own buffer, reused by the next parse: copy it.
      event.Set(name_, Value::String(value.get_string().value_unsafe()));
      return;
    case element_type::BOOL:
      event.Set(name_, Value::Bool(value.get_bool().value_unsafe()));
      return;
    case element_type::NULL_VALUE:
      event.Set(name_, Value::Null());
      return;
  }
}

void JsonFilter::TakeMessage(Event& event, simdjson::dom::element value) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::STRING:
      event.set_message(value.get_string().value_unsafe());
      return;
    case element_type::NULL_VALUE:
      event.set_message_view({});
      return;
    default:
      json_.clear();
      AppendJson(value);
      event.set_message(json_);
      return;
  }
}

void JsonFilter::AppendJson(simdjson::dom::element value) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT: {
      json_ += '{';
      bool first = true;
      const simdjson::dom::object object = value.get_object().value_unsafe();
      for (const simdjson::dom::key_value_pair member : object) {
        if (!first) json_ += ',';
        first = false;
        AppendJsonString(json_, member.key);
        json_ += ':';
        AppendJson(member.value);
      }
      json_ += '}';
      return;
    }
    case element_type::ARRAY: {
      json_ += '[';
      bool first = true;
      const simdjson::dom::array array = value.get_array().value_unsafe();
      for (const simdjson::dom::element item : array) {
        if (!first) json_ += ',';
        first = false;
        AppendJson(item);
      }
      json_ += ']';
      return;
    }
    case element_type::INT64:
      AppendInteger(json_, value.get_int64().value_unsafe());
      return;
    case element_type::UINT64:
      AppendInteger(json_, value.get_uint64().value_unsafe());
      return;
    case element_type::DOUBLE:
      AppendDouble(json_, value.get_double().value_unsafe());
      return;
    case element_type::STRING:
      AppendJsonString(json_, value.get_string().value_unsafe());
      return;
    case element_type::BOOL:
      json_ += value.get_bool().value_unsafe() ? "true" : "false";
      return;
    case element_type::NULL_VALUE:
      json_ += "null";
      return;
  }
}

}  // namespace sluice::filters
