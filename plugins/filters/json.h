// json filter: parses the JSON object held by a field (the message by default) into event fields.
// Nested objects are flattened into dotted names (`context.task_id`) by default; arrays (and
// objects that are not flattened) are kept as raw JSON values, which encoders write verbatim. One
// key of the document may become the event's message (`message_field`, e.g. `msg` for Spark 4
// structured logs). Invalid JSON leaves the event untouched and tags it (`_jsonparsefailure`).
// Parsing is common::JsonFields (simdjson's DOM parser, which validates the whole document before
// any field is set).
// Thread-safety: an instance holds a parser and scratch buffers; the engine gives each worker its
// own instance.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pipeline/registry.h"
#include "plugins/common/json_fields.h"

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
  const Options options_;
  common::JsonFields fields_;
};

}  // namespace sluice::filters
