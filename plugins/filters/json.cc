#include "plugins/filters/json.h"

namespace sluice::filters {

SLUICE_REGISTER_FILTER(JsonFilter, "json",
                       "Parses a JSON object (the message by default) into fields, flattening "
                       "nested objects.");

const config::OptionSchema<JsonFilter::Options>& JsonFilter::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("field", &Options::field,
                "Where the JSON text is: `message`, or a field holding a string or raw JSON. An "
                "event without it is skipped.",
                {.non_empty = true, .example = "payload"})
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
    : options_(options),
      fields_({.target = options.target,
               .flatten = options.flatten,
               .max_depth = options.max_depth,
               .message_field = options.message_field}) {}

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

  const common::JsonFields::Parsed parsed = fields_.Parse(text);
  if (parsed == common::JsonFields::Parsed::kInvalid ||
      (parsed == common::JsonFields::Parsed::kOther && options_.target.empty())) {
    for (const std::string& tag : options_.tag_on_failure) event.AddTag(tag);
    return FilterResult::kFailed;
  }

  // Removed first, so a key of the document with the field's own name survives. The text stays
  // valid: its bytes live in the batch's arena, and it was copied for parsing anyway.
  if (options_.remove_field && options_.field != "message") event.Remove(options_.field);

  fields_.Store(event);
  return FilterResult::kMatched;
}

}  // namespace sluice::filters
