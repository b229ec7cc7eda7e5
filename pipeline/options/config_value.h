// ConfigValue: a config value as Sluice shows it back to people (`sluice validate --print-config`,
// GET /api/v1/config): null, a bool, a number, a string, a list or a map (keys in the order they
// were set: the schema's). Secrets are masked before they get here (OptionSchema::Show); this type
// only holds and renders: as block-style YAML that reads back to the same values, or as JSON.
// Thread-safety: a plain value; const methods may run on several threads at once.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::config {

class ConfigValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kList, kMap };

  ConfigValue() = default;  // null
  static ConfigValue Bool(bool value);
  // `text` is a number already formatted (an integer, or a finite decimal such as 0.05 or 1e-05).
  static ConfigValue Number(std::string text);
  static ConfigValue String(std::string text);
  static ConfigValue List();
  static ConfigValue Map();

  // Appends an item to a list.
  ConfigValue& Append(ConfigValue item);
  // Appends an entry to a map (a key set twice appears twice; the schema never does that).
  ConfigValue& Set(std::string key, ConfigValue value);

  Kind kind() const { return kind_; }
  // The scalar's text: "true"/"false", the number, the string ("" for null, lists and maps).
  const std::string& text() const { return text_; }
  // A map's entries, or a list's items (with empty keys).
  const std::vector<std::pair<std::string, ConfigValue>>& entries() const { return entries_; }
  // The value of map key `key`, or null when this is not a map or has no such key.
  const ConfigValue* Find(std::string_view key) const;

  // Block-style YAML, two spaces per level, ending with a newline. A string is written plain when
  // YAML reads it back as that same string, else double-quoted (JSON escapes).
  std::string ToYaml() const;
  // JSON, two spaces per level, ending with a newline.
  std::string ToJson() const;

 private:
  void AppendYaml(std::string& out, int indent) const;
  void AppendJson(std::string& out, int indent) const;

  Kind kind_ = Kind::kNull;
  std::string text_;
  std::vector<std::pair<std::string, ConfigValue>> entries_;
};

}  // namespace sluice::config
