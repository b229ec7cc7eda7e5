#include "plugins/common/json_fields.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "pipeline/json_string.h"

namespace sluice::common {

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

JsonFields::JsonFields(Options options)
    : options_(std::move(options)),
      parser_(std::make_unique<simdjson::dom::parser>()),
      root_(std::make_unique<simdjson::dom::element>()) {
  name_ = options_.target;
  if (!name_.empty()) name_ += '.';
  root_length_ = name_.size();
  if (options_.event_keys) {
    time_parser_ = std::make_unique<TimeParser>(TimeParser::Make({"ISO8601"}, "UTC").value());
  }
}

JsonFields::~JsonFields() = default;

JsonFields::Parsed JsonFields::Parse(std::string_view text) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: parse a padded copy. The buffer
  // only grows, so steady state allocates nothing.
  const size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
  if (needed > padded_capacity_) {
    padded_capacity_ = std::max(needed, padded_capacity_ * 2);
    padded_ = std::make_unique<char[]>(padded_capacity_);
  }
  if (!text.empty()) std::memcpy(padded_.get(), text.data(), text.size());
  std::memset(padded_.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
  return ParsePadded({padded_.get(), text.size()});
}

JsonFields::Parsed JsonFields::ParseCopy(std::string_view text, Arena& arena,
                                         std::string_view* copy) {
  const size_t padded = text.size() + kPadding;
  char* bytes = static_cast<char*>(arena.Allocate(padded, 1));
  if (!text.empty()) std::memcpy(bytes, text.data(), text.size());
  std::memset(bytes + text.size(), 0, kPadding);
  *copy = {bytes, text.size()};
  const Parsed parsed = ParsePadded(*copy);
  arena.ShrinkLast(bytes, padded, text.size());  // the padding is needed only while parsing
  return parsed;
}

JsonFields::Parsed JsonFields::ParsePadded(std::string_view text) {
  static_assert(kPadding >= simdjson::SIMDJSON_PADDING);
  if (parser_->parse(text.data(), text.size(), false).get(*root_) != simdjson::SUCCESS) {
    parsed_ = Parsed::kInvalid;
  } else {
    parsed_ =
        root_->type() == simdjson::dom::element_type::OBJECT ? Parsed::kObject : Parsed::kOther;
  }
  return parsed_;
}

void JsonFields::Store(Event& event) {
  name_.resize(root_length_);
  if (parsed_ == Parsed::kObject) {
    StoreMembers(event, root_->get_object().value_unsafe(), 1);
  } else if (parsed_ == Parsed::kOther) {
    name_.resize(root_length_ > 0 ? root_length_ - 1 : 0);  // the target itself
    StoreValue(event, *root_, 1);
  }
}

bool JsonFields::CheckDocument(std::string_view reserved_prefix, DocumentKeys* keys) {
  using simdjson::dom::element_type;
  if (parsed_ != Parsed::kObject || time_parser_ == nullptr) return false;
  const std::string_view reserved_key = reserved_prefix.substr(0, reserved_prefix.find('.'));
  bool timed = false;
  keys->id = {};
  const simdjson::dom::object root = root_->get_object().value_unsafe();
  for (const simdjson::dom::key_value_pair member : root) {
    const std::string_view key = member.key;
    if (key == reserved_key || key.starts_with(reserved_prefix)) return false;
    if (key == "@timestamp") {
      if (member.value.type() != element_type::STRING ||
          !time_parser_->Parse(member.value.get_string().value_unsafe(), &keys->timestamp_ns)) {
        return false;
      }
      timed = true;
    } else if (key == "event.id" && member.value.type() == element_type::STRING) {
      keys->id = member.value.get_string().value_unsafe();
    } else if (key == "event" && member.value.type() == element_type::OBJECT) {
      const simdjson::dom::object event = member.value.get_object().value_unsafe();
      simdjson::dom::element id;
      if (event.at_key("id").get(id) == simdjson::SUCCESS && id.type() == element_type::STRING) {
        keys->id = id.get_string().value_unsafe();
      }
    }
  }
  if (!timed) return false;
  keys_.clear();
  return !HasRepeatedKey(*root_);
}

bool JsonFields::HasRepeatedKey(simdjson::dom::element value) {
  using simdjson::dom::element_type;
  if (value.type() == element_type::ARRAY) {
    const simdjson::dom::array array = value.get_array().value_unsafe();
    for (const simdjson::dom::element item : array) {
      if (HasRepeatedKey(item)) return true;
    }
    return false;
  }
  if (value.type() != element_type::OBJECT) return false;
  const simdjson::dom::object object = value.get_object().value_unsafe();
  // A 256-bit sketch of the keys (length, first, middle and last byte) proves most objects free of
  // repeats in one pass that stores nothing; only when two keys share a bit are the keys compared
  // (sorted in keys_, removed again before the members are visited).
  uint64_t sketch[4] = {0, 0, 0, 0};
  bool collision = false;
  for (const simdjson::dom::key_value_pair member : object) {
    const std::string_view key = member.key;
    const uint64_t mixed =
        key.empty() ? 0
                    : (key.size() << 24 | uint64_t{static_cast<unsigned char>(key.front())} << 16 |
                       uint64_t{static_cast<unsigned char>(key[key.size() / 2])} << 8 |
                       static_cast<unsigned char>(key.back()));
    const uint64_t h = (mixed * 0x9E3779B97F4A7C15ull) >> 56;  // 0..255
    const uint64_t bit = uint64_t{1} << (h & 63);
    uint64_t& word = sketch[h >> 6];
    collision = collision || (word & bit) != 0;
    word |= bit;
  }
  bool repeated = false;
  if (collision) {
    const size_t begin = keys_.size();
    for (const simdjson::dom::key_value_pair member : object) keys_.push_back(member.key);
    const auto first = keys_.begin() + static_cast<ptrdiff_t>(begin);
    std::sort(first, keys_.end());
    repeated = std::adjacent_find(first, keys_.end()) != keys_.end();
    keys_.resize(begin);
  }
  if (repeated) return true;
  for (const simdjson::dom::key_value_pair member : object) {
    if (HasRepeatedKey(member.value)) return true;
  }
  return false;
}

bool JsonFields::TakeEventKey(Event& event, std::string_view key, simdjson::dom::element value) {
  using simdjson::dom::element_type;
  if (key == "@timestamp" && value.type() == element_type::STRING) {
    int64_t ns = 0;
    if (!time_parser_->Parse(value.get_string().value_unsafe(), &ns)) return false;
    event.set_timestamp_ns(ns);
    return true;
  }
  if (key == "tags" && value.type() == element_type::ARRAY) {
    const simdjson::dom::array array = value.get_array().value_unsafe();
    for (const simdjson::dom::element item : array) {
      if (item.type() != element_type::STRING) return false;
    }
    for (const simdjson::dom::element item : array) event.AddTag(item.get_string().value_unsafe());
    return true;
  }
  return false;
}

void JsonFields::StoreMembers(Event& event, simdjson::dom::object object, int64_t depth) {
  const size_t length = name_.size();
  for (const simdjson::dom::key_value_pair member : object) {
    if (depth == 1 && options_.event_keys && root_length_ == 0 &&
        TakeEventKey(event, member.key, member.value)) {
      continue;
    }
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

void JsonFields::StoreValue(Event& event, simdjson::dom::element value, int64_t depth) {
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

void JsonFields::TakeMessage(Event& event, simdjson::dom::element value) {
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

void JsonFields::AppendJson(simdjson::dom::element value) {
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

}  // namespace sluice::common
