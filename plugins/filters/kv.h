// kv filter: reads `key=value` pairs out of a text (`user=bob status="not found" took=3ms`) into
// fields. Split characters, quotes and brackets as Logstash's kv filter, without regular
// expressions. Values are views of the text unless they hold escapes; names are views of the text
// unless a target, prefix or lowercasing makes new ones (then in the batch's arena).
// Thread-safety: one instance per worker thread (it reuses a buffer of pairs).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/registry.h"

namespace sluice::filters {

#define SLUICE_KV_FILTER_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                  \
  COUNTER(truncated_events, "sluice_kv_truncated_events_total",                      \
          "Events with more pairs than `max_pairs` (the rest of their text was not " \
          "read).")
SLUICE_METRIC_SET(KvFilterMetrics, SLUICE_KV_FILTER_METRICS);

class KvFilter final : public Filter {
 public:
  using Metrics = KvFilterMetrics;
  // A key seen again in the same text: its last value wins, its first, or a JSON array of all.
  enum class Duplicates : uint8_t { kFirst, kLast, kArray };
  static constexpr config::EnumName<Duplicates> kDuplicatesNames[] = {
      {"first", Duplicates::kFirst}, {"last", Duplicates::kLast}, {"array", Duplicates::kArray}};
  friend constexpr std::span<const config::EnumName<Duplicates>> OptionNames(Duplicates) {
    return kDuplicatesNames;
  }
  struct Options {
    std::string field = "message";
    std::string field_split = " ";
    std::string value_split = "=";
    bool include_brackets = true;
    std::string trim_key;
    std::string trim_value;
    std::vector<std::string> include_keys;
    std::vector<std::string> exclude_keys;
    std::string prefix;
    std::string target;
    Duplicates duplicate_keys = Duplicates::kLast;
    bool allow_empty_values = false;
    bool lowercase_keys = false;
    int64_t max_pairs = 1000;
    std::vector<std::string> tag_on_failure = {"_kvparsefailure"};
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<KvFilter>> Build(const Options& options, PluginContext& context);

  FilterResult Apply(Event& event) override;

 private:
  struct Pair {
    std::string_view key;
    std::string_view value;
    char quote = 0;       // the quote around the value when it holds backslash escapes, else 0
    bool repeat = false;  // kArray: a later value of an earlier pair's key
    int32_t next = -1;    // kArray: the next value of the same key
    int32_t last = -1;    // kArray, on the first pair of a key: its last value
  };

  KvFilter(const Options& options, PluginContext& context);
  // Reads the pairs of `text` into pairs_; returns how many pairs it found (kept or not). Keys
  // that are not valid UTF-8 are copied into `arena` with U+FFFD for their invalid bytes.
  size_t Scan(std::string_view text, Arena& arena);
  void Keep(std::string_view key, std::string_view value, char quote);
  bool Wanted(std::string_view key) const;
  bool SameKey(std::string_view a, std::string_view b) const;
  // The field name of `key` (target, prefix, lowercasing), a view of the text or arena bytes.
  std::string_view NameOf(Event& event, std::string_view key) const;
  // `value` without its escapes (arena bytes), or `value` itself when it has none.
  static std::string_view Unescaped(Event& event, std::string_view value, char quote);

  const Options options_;
  std::array<bool, 256> field_split_{};
  std::array<bool, 256> value_split_{};
  std::array<bool, 256> trim_key_{};
  std::array<bool, 256> trim_value_{};
  std::string name_prefix_;  // "target." + prefix
  std::vector<std::string> include_;
  std::vector<std::string> exclude_;
  Duplicates duplicates_;
  std::vector<Pair> pairs_;
  std::string json_;                // kArray: the JSON array being built
  std::optional<Metrics> metrics_;  // none when the context has no metrics (tests)
  Counter unregistered_;
  Counter* truncated_ = &unregistered_;
};

}  // namespace sluice::filters
