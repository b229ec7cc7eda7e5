#include "plugins/filters/timestamp.h"

#include "pipeline/json_encoder.h"
#include "plugins/common/field_text.h"

namespace sluice::filters {

SLUICE_REGISTER_FILTER(TimestampFilter, "timestamp",
                       "Parses a time from a field with strftime-style or named formats and "
                       "makes it the event's time.");

namespace {

constexpr std::string_view kEventTime = "@timestamp";

}  // namespace

std::vector<std::string> TimestampFilter::FormatsOf(const Options& options) {
  if (!options.format.empty()) return {options.format};
  return options.formats;
}

const config::OptionSchema<TimestampFilter::Options>& TimestampFilter::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("field", &Options::field,
                "Field holding the time text (`message` for the message). A string is parsed "
                "with the formats; an integer or float field with the first `UNIX*` format. "
                "Events without the field (or with a null) are skipped.",
                {.non_empty = true})
           .Add("formats", &Options::formats,
                "Formats tried in order, the first that matches the whole text wins: "
                "strftime-style patterns (`%Y-%m-%d %H:%M:%S,%f`, `%y/%m/%d %H:%M:%S`, "
                "`%b %e %H:%M:%S`) or `ISO8601`, `RFC3339`, `UNIX`, `UNIX_MS`, `UNIX_US`, "
                "`UNIX_NS`. Either this or `format` is required.",
                {.example = "[\"%y/%m/%d %H:%M:%S\", ISO8601]"})
           .Add("format", &Options::format, "A single format (instead of `formats`).",
                {.example = "%Y-%m-%d %H:%M:%S,%f"})
           .Add("timezone", &Options::timezone,
                "Zone of times written without an offset: `UTC`, a fixed offset (`+02:00`), or "
                "an IANA name (`Europe/Paris`, from the system's tzdata). An offset in the text "
                "(`%z`, ISO8601's `Z`/`+02:00`) wins.",
                {.example = "Europe/Paris"})
           .Add("target", &Options::target,
                "Where the time goes: `@timestamp` is the event's time; any other name is a "
                "field that receives the time as RFC 3339 UTC text "
                "(`2017-06-09T20:10:40.123Z`).",
                {.non_empty = true})
           .Add("remove_field", &Options::remove_field,
                "Remove `field` once it parsed (kept on failure). Not allowed with "
                "`field: message`.")
           .Add("tag_on_failure", &Options::tag_on_failure,
                "Tags added to events whose time does not parse.")
           .Exclusive({"format", "formats"})
           .Check([](const Options& o) -> std::string {
             if (o.format.empty() && o.formats.empty()) {
               return "missing option 'formats' (or 'format'): the time formats to try, e.g. "
                      "[\"%y/%m/%d %H:%M:%S\", ISO8601]";
             }
             if (o.remove_field && o.field == "message") {
               return "'remove_field' cannot remove the message (field: message)";
             }
             return "";
           })
           .Compile([](Options& o) -> std::string {
             auto parser =
                 common::TimeParser::Make(FormatsOf(o), o.timezone.zone, o.timezone.is_utc());
             if (!parser.ok()) return parser.status().message();
             o.parser = std::make_shared<const common::TimeParser>(std::move(parser).value());
             return "";
           });
  return *schema;
}

Result<std::unique_ptr<TimestampFilter>> TimestampFilter::Build(const Options& options,
                                                                PluginContext&) {
  if (options.parser == nullptr) return Internal("timestamp: options not parsed with Schema()");
  return std::unique_ptr<TimestampFilter>(new TimestampFilter(options, *options.parser));
}

TimestampFilter::TimestampFilter(const Options& options, common::TimeParser parser)
    : options_(options),
      parser_(std::move(parser)),
      target_is_time_(options.target == kEventTime) {}

FilterResult TimestampFilter::Apply(Event& event) {
  int64_t ns = 0;
  bool parsed = false;
  if (options_.field == "message") {
    parsed = parser_.Parse(event.message(), &ns);
  } else {
    const Value* value = event.Get(options_.field);
    if (value == nullptr || value->is_null()) return FilterResult::kSkipped;
    switch (value->kind()) {
      case Value::Kind::kString:
        parsed = parser_.Parse(value->as_string(), &ns);
        break;
      case Value::Kind::kInt:
        parsed = parser_.ParseNumber(value->as_int(), &ns);
        break;
      case Value::Kind::kFloat:
        parsed = parser_.ParseNumber(value->as_float(), &ns);
        break;
      default:
        break;
    }
  }
  if (!parsed) {
    for (const std::string& tag : options_.tag_on_failure) event.AddTag(tag);
    return FilterResult::kFailed;
  }
  if (target_is_time_) {
    event.set_timestamp_ns(ns);
  } else {
    scratch_.clear();
    AppendRfc3339(scratch_, ns);
    common::SetTextView(event, options_.target, event.arena().Copy(scratch_));
  }
  if (options_.remove_field && options_.field != options_.target) event.Remove(options_.field);
  return FilterResult::kMatched;
}

}  // namespace sluice::filters
