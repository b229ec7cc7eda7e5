// timestamp filter: reads a time from a field (or the message) with a list of formats and makes it
// the event's time (or writes it to a field as RFC 3339). Formats and the zone are compiled and
// loaded when the config is validated; parsing allocates nothing (see plugins/common/time_parse.h).
// Thread-safety: one instance per worker thread (the parser caches the last converted second).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pipeline/registry.h"
#include "plugins/common/time_parse.h"
#include "plugins/common/time_zone_option.h"

namespace sluice::filters {

class TimestampFilter final : public Filter {
 public:
  struct Options {
    std::string field = "timestamp";
    std::vector<std::string> formats;
    std::string format;
    common::TimeZone timezone;
    std::string target = "@timestamp";
    bool remove_field = false;
    std::vector<std::string> tag_on_failure = {"_timestampparsefailure"};
    // Not an option: the formats compiled for the zone once the options are parsed. Each instance
    // parses with its own copy (the parser's caches are per thread).
    std::shared_ptr<const common::TimeParser> parser;
    static const config::OptionSchema<Options>& Schema();
  };
  // Fails only for options that were not parsed with Schema() (nothing compiled).
  static Result<std::unique_ptr<TimestampFilter>> Build(const Options& options,
                                                        PluginContext& context);

  FilterResult Apply(Event& event) override;

  // The formats of `options` (`format` first, then `formats`).
  static std::vector<std::string> FormatsOf(const Options& options);

 private:
  TimestampFilter(const Options& options, common::TimeParser parser);

  const Options options_;
  common::TimeParser parser_;
  bool target_is_time_;
  std::string scratch_;  // the RFC 3339 text written to a target field
};

}  // namespace sluice::filters
