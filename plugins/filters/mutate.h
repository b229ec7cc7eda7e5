// mutate filter: renames, copies, sets, converts, cleans up and removes fields, and adds or removes
// tags. The operations run in one fixed order, whatever the order of the keys in the config:
// rename, copy, set, add, strip, gsub, lowercase, uppercase, convert, remove, add_tags,
// remove_tags. Within one map operation (rename, copy, set, add) every entry reads the event as it
// was before that operation, so the order of its entries does not matter (`rename: {a: b, b: a}`
// swaps). `rename`, `copy` and `remove` of a name also take the fields under it (`exception` covers
// `exception.class`), as left by a flattening parser. Templates and regexes compile when the config
// loads. A failed `convert` tags the event (`_mutate_error`) and leaves that field as it was.
// Thread-safety: an instance holds scratch buffers; the engine gives each worker its own instance.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/registry.h"
#include "pipeline/template.h"
#include "plugins/common/value_convert.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace sluice::filters {

class MutateFilter final : public Filter {
  struct Operations;

 public:
  struct Options {
    std::map<std::string, std::string> rename;
    std::map<std::string, std::string> copy;
    std::map<std::string, std::string> set;
    std::map<std::string, std::string> add;
    std::vector<std::string> strip;
    std::vector<std::string> gsub;
    std::vector<std::string> lowercase;
    std::vector<std::string> uppercase;
    std::map<std::string, std::string> convert;
    std::vector<std::string> remove;
    std::vector<std::string> add_tags;
    std::vector<std::string> remove_tags;
    std::vector<std::string> tag_on_failure = {"_mutate_error"};
    // Not an option: the operations compiled (templates, regexes) once the options are parsed;
    // shared read-only by every instance.
    std::shared_ptr<const Operations> operations;
    static const config::OptionSchema<Options>& Schema();
  };
  // Fails only for options that were not parsed with Schema() (nothing compiled).
  static Result<std::unique_ptr<MutateFilter>> Build(const Options& options,
                                                     PluginContext& context);

  ~MutateFilter() override;

  // kFailed when a `convert` failed (the event is tagged; every other operation still applied),
  // kMatched when any operation found its field (or tags were configured), kSkipped otherwise.
  FilterResult Apply(Event& event) override;

 private:
  struct Move {  // a rename or copy entry
    std::string from;
    std::string to;
  };
  struct Assignment {  // a set or add entry
    std::string field;
    Template value;
    std::string constant;  // the rendering when the template is constant
    bool is_constant = false;
  };
  struct Conversion {
    std::string field;
    ValueType type;
  };
  struct Substitution {
    std::string field;
    std::unique_ptr<re2::RE2> regex;
    std::string rewrite;
    int groups = 0;  // submatches the rewrite uses, plus the whole match
  };
  // Every operation of the options, in the order they run.
  struct Operations {
    Operations();
    ~Operations();
    std::vector<Move> renames;
    std::vector<Move> copies;
    std::vector<Assignment> sets;
    std::vector<Assignment> adds;
    std::vector<std::string> strips;
    std::vector<Substitution> substitutions;
    std::vector<std::string> lowercases;
    std::vector<std::string> uppercases;
    std::vector<Conversion> conversions;
    std::vector<std::string> removals;
    std::vector<std::string> add_tags;
    std::vector<std::string> remove_tags;
    std::vector<std::string> tag_on_failure;
  };
  // A write prepared by a map operation: `name` gets `value` (the message when name is message).
  struct Write {
    std::string_view name;
    Value value;
  };

  explicit MutateFilter(std::shared_ptr<const Operations> operations);
  // The Compile step: checks the options and stores options->operations. Returns "" or every
  // problem found, joined by "; ".
  static std::string Compile(Options& options);

  bool ApplyMoves(Event& event, const std::vector<Move>& moves, bool remove_source);
  bool ApplyAssignments(Event& event, const std::vector<Assignment>& assignments,
                        bool only_when_absent);
  // Each returns whether the field was there (and of a kind the operation applies to).
  bool Strip(Event& event, const std::string& field);
  bool Substitute(Event& event, const Substitution& substitution);
  bool ChangeCase(Event& event, const std::string& field, bool upper);
  // Sets *ok to false when the value cannot be converted.
  bool Convert(Event& event, const Conversion& conversion, bool* ok);
  bool Remove(Event& event, const std::string& field);
  // The text of `value` as a template renders it (pointing into the value or into text_).
  std::string_view TextOf(const Value& value);

  const std::shared_ptr<const Operations> operations_;

  // Scratch, reused across events.
  std::vector<Write> writes_;
  std::vector<std::string_view> removed_;
  std::string render_;
  std::string text_;
};

}  // namespace sluice::filters
