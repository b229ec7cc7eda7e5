// dissect filter: splits a text into fields by the literal delimiters of a pattern, without
// regular expressions (Logstash's dissect syntax): `%{ts} %{+ts} %{level} %{logger}: %{msg}`.
// Patterns are compiled when the config is validated. Captures are views of the source text; only
// appended keys (`%{+name}`) are joined into the batch's arena.
// Thread-safety: one instance per worker thread (it reuses a buffer of captures).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/registry.h"
#include "plugins/common/value_convert.h"

namespace sluice::filters {

class DissectFilter final : public Filter {
  struct Plan;

 public:
  struct Options {
    std::string field = "message";
    std::string pattern;
    std::map<std::string, std::string> mapping;
    std::string append_separator;
    std::map<std::string, std::string> convert_datatype;
    std::vector<std::string> tag_on_failure = {"_dissectfailure"};
    // Not an option: the patterns compiled with what each writes, once the options are parsed;
    // shared read-only by every instance.
    std::shared_ptr<const Plan> plan;
    static const config::OptionSchema<Options>& Schema();
  };
  // Fails only for options that were not parsed with Schema() (nothing compiled).
  static Result<std::unique_ptr<DissectFilter>> Build(const Options& options,
                                                      PluginContext& context);

  FilterResult Apply(Event& event) override;

  // One key of a pattern.
  struct Key {
    enum class Kind : uint8_t {
      kField,     // %{name}
      kSkip,      // %{}, %{?name} not referenced by %{&name}
      kAppend,    // %{+name}, %{+name/N}
      kRefName,   // %{?name} / %{*name} whose value names the field of %{&name}
      kRefValue,  // %{&name}
    };
    Kind kind = Kind::kField;
    std::string name;       // dotted (`[a][b]` is `a.b`)
    std::string before;     // the literal text before the key ("" for a leading key)
    std::string delimiter;  // the literal text after it ("" for a last key: the rest of the text)
    int order = 0;          // /N of an append
    bool pad = false;       // `->`: repeats of the delimiter after the value are skipped
  };
  // A compiled pattern: a literal prefix, then keys each followed by its delimiter.
  struct Pattern {
    std::string source;
    std::string prefix;
    std::vector<Key> keys;
    // Compiles `pattern`; errors name the problem and its position: an unclosed `%{`, two keys
    // with no delimiter between them, `%{&x}` without `%{?x}`, an empty append name, a bad `/N`.
    static Result<Pattern> Compile(std::string_view pattern);
    // Splits `text`; on success (*values)[i] is the capture of keys[i] (views of `text`). False
    // when the prefix or a delimiter is not found.
    bool Match(std::string_view text, std::vector<std::string_view>* values) const;
    // The names of the fields it writes (fields and appends; not references).
    std::vector<std::string> FieldNames() const;
  };

 private:
  // What one mapping writes: each output is a field, an append group or a reference.
  struct Output {
    enum class Kind : uint8_t { kField, kAppend, kRef };
    Kind kind;
    std::string name;               // kField/kAppend
    size_t key = 0;                 // kField: the key; kRef: the &value key
    size_t ref_name = 0;            // kRef: the ?name key
    std::vector<size_t> members;    // kAppend: keys in output order
    std::vector<std::string> seps;  // kAppend: separator before each member (first unused)
    std::optional<ValueType> type;  // convert_datatype
  };
  struct Dissection {
    std::string field;
    Pattern pattern;
    std::vector<Output> outputs;
  };
  struct Plan {
    std::vector<Dissection> dissections;
    std::vector<std::pair<std::string, ValueType>> types;  // convert_datatype
    size_t most_keys = 0;
    // The conversion of field `name`; nullopt for none (or `string`).
    std::optional<ValueType> TypeOf(std::string_view name) const;
  };

  explicit DissectFilter(const Options& options);
  // The Compile step: checks the patterns and `convert_datatype` and stores options->plan.
  // Returns "" or the first problem found.
  static std::string Compile(Options& options);
  // What the keys of `pattern` write (fields, append groups, references), typed per `plan`.
  static std::vector<Output> OutputsOf(const Pattern& pattern, const Plan& plan,
                                       const std::string& append_separator);
  // Writes `value` to `name` with `type`; false when it does not convert (kept as text then).
  static bool Write(Event& event, std::string_view name, std::string_view value,
                    std::optional<ValueType> type);

  const Options options_;
  std::vector<std::string_view> values_;  // captures of the current event
};

}  // namespace sluice::filters
