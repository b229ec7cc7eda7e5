// json filter: parses the JSON object held by a field (the message by default) into event fields.
// Nested objects are flattened into dotted names (`context.task_id`) by default; arrays (and
// objects that are not flattened) are kept as raw JSON values, which encoders write verbatim. One
// key of the document may become the event's message (`message_field`, e.g. `msg` for Spark 4
// structured logs). Invalid JSON leaves the event untouched and tags it (`_jsonparsefailure`).
// Parsing uses simdjson's DOM parser, which validates the whole document before any field is set.
// Thread-safety: an instance holds a parser and scratch buffers; the engine gives each worker its
// own instance.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pipeline/registry.h"

namespace simdjson::dom {
class parser;
class element;
class object;
}  // namespace simdjson::dom

namespace sluice::filters {

class JsonFilter final : public Filter {
 public:
  struct Options {
    std::string field = "message";
    std::string target;
    bool flatten = true;
    int64_t max_depth = 0;
    std::string message_field = "message";
    bool remove_field = false;
    std::vector<std::string> tag_on_failure = {"_jsonparsefailure"};
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<JsonFilter>> Build(const Options& options, PluginContext& context);

  explicit JsonFilter(const Options& options);
  ~JsonFilter() override;

  // kMatched when the text parsed and its values were stored; kFailed (event tagged, otherwise
  // untouched) when it is not valid JSON, or not an object while `target` is unset; kSkipped when
  // the field is absent or holds neither a string nor raw JSON.
  FilterResult Apply(Event& event) override;

 private:
  // Stores the members of `object` (at nesting level `depth`, 1 for the document) under name_.
  void StoreMembers(Event& event, simdjson::dom::object object, int64_t depth);
  // Stores `value` under the name in name_.
  void StoreValue(Event& event, simdjson::dom::element value, int64_t depth);
  // Sets the event's message from `value` (a string as is, anything else as its JSON text).
  void TakeMessage(Event& event, simdjson::dom::element value);
  // Appends `value` as compact JSON to json_.
  void AppendJson(simdjson::dom::element value);

  const Options options_;
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::unique_ptr<char[]> padded_;  // the input copied, followed by simdjson's padding
  size_t padded_capacity_ = 0;
  std::string name_;        // the dotted name being stored: target, then the keys walked
  size_t root_length_ = 0;  // the length of name_'s target part (with its dot)
  std::string json_;        // raw JSON text of the value being stored
};

}  // namespace sluice::filters
