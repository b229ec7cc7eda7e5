// OptionSchema<Options>: the one declaration of a plugin's (or a config section's) options. Each
// entry binds a YAML key to a member of the typed Options struct, with its doc, limits and example;
// the struct's member initializers are the defaults. The same table drives parsing (unknown keys
// rejected with "did you mean", type/enum/range checks, all errors collected), `sluice validate`,
// showing a loaded config back with its secrets masked (Show), and the option tables generated
// into docs/.
// Thread-safety: build once (normally in a function-local static), then read-only.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/options/option_types.h"
#include "pipeline/options/secret.h"

namespace sluice::config {

// What docs and `sluice validate` know about one option.
struct OptionInfo {
  std::string key;
  std::string type;
  std::string doc;
  std::string default_text;  // formatted default, "" when there is none
  bool required = false;
  bool non_empty = false;
  std::vector<std::string> one_of;
  std::string limits;  // e.g. "at least `1`"
  std::string example;
  std::vector<OptionInfo> nested;  // the options of a nested map (e.g. `multiline`)
  bool secret = false;             // see OptionSpec
  bool secret_entries = false;     // see OptionSpec
  // The option's value in an Options struct of the schema's type (passed type-erased, as the
  // registry keeps plugin options), as shown to people: secrets masked; null when the option is
  // unset (empty, as its default is).
  std::function<ConfigValue(const void* options)> show;
};

// The options of `infos` in `options` (an Options struct of their schema's type) as a map, secrets
// masked, unset ones left out; OptionSchema::Show, for options known only by their infos (a
// plugin's).
ConfigValue ShowOptions(const std::vector<OptionInfo>& infos, const void* options);

// `value` as shown: the password of every URL user-info in its strings masked, and with
// `secret_entries` (a map), the values of the entries whose key NamesASecret() masked.
ConfigValue MaskedForShow(const ConfigValue& value, bool secret_entries);
// After a secret option at `r` was parsed: its raw text redacted from the errors recorded since
// `errors_before`, and its file noted in r.diags().secret_files() when it sets the secret
// literally. `secret_entries`: the same for each entry whose key NamesASecret() of the map at `r`.
void NoteSecretOption(const NodeReader& r, bool secret_entries, size_t errors_before);

// `text` without markdown backticks (option defaults are formatted for docs; errors are plain).
inline std::string Plain(std::string text) {
  std::erase(text, '`');
  return text;
}

// Per-option attributes, used with designated initializers: {.required = true, .min = 1}.
template <typename T>
struct OptionSpec {
  bool required = false;
  bool non_empty = false;  // strings, lists, maps, templates: "" / [] / {} is an error
  std::optional<T> min;
  std::optional<T> max;
  std::vector<std::string> one_of;  // allowed values (strings only; an enum type lists its own)
  std::string example;
  // A password, key or token (pipeline/options/secret.h): shown as `***`, never echoed in errors,
  // and set literally it makes its file one that must not be readable by others.
  bool secret = false;
  // A map of pass-through settings (librdkafka properties): its entries whose key names a secret
  // (NamesASecret) are treated as secrets.
  bool secret_entries = false;
};

template <typename Options>
class OptionSchema {
 public:
  template <typename T>
  OptionSchema& Add(std::string key, T Options::*member, std::string doc, OptionSpec<T> spec = {}) {
    OptionInfo info;
    info.key = key;
    info.type = OptionTraits<T>::kType;
    info.doc = std::move(doc);
    info.required = spec.required;
    info.one_of = spec.one_of;
    if constexpr (requires { OptionTraits<T>::Names(); }) info.one_of = OptionTraits<T>::Names();
    info.example = spec.example;
    info.non_empty = spec.non_empty;
    if constexpr (HasSchema<T>) info.nested = T::Schema().infos();
    info.secret = spec.secret;
    info.secret_entries = spec.secret_entries;
    // An option left unset (empty, as its default) is not shown: null.
    info.show = [member, secret = spec.secret, entries = spec.secret_entries,
                 unset_by_default = IsEmpty(Options{}.*member)](const void* o) {
      const T& value = static_cast<const Options*>(o)->*member;
      if (IsEmpty(value)) return unset_by_default ? ConfigValue() : ShowOption(value);
      if (secret) return ConfigValue::String(std::string(kSecretMask));
      return MaskedForShow(ShowOption(value), entries);
    };
    if (!spec.required) info.default_text = OptionTraits<T>::Format(Options{}.*member);
    if (spec.min && spec.max) {
      info.limits =
          OptionTraits<T>::Format(*spec.min) + " to " + OptionTraits<T>::Format(*spec.max);
    } else if (spec.min) {
      info.limits = "at least " + OptionTraits<T>::Format(*spec.min);
    } else if (spec.max) {
      info.limits = "at most " + OptionTraits<T>::Format(*spec.max);
    }
    infos_.push_back(info);
    parsers_.push_back([member, spec = std::move(spec)](const NodeReader& r, Options* out) {
      size_t errors_before = r.diags().errors().size();
      ParseOption(r, spec, member, out);
      if (spec.secret || spec.secret_entries) {
        NoteSecretOption(r, !spec.secret, errors_before);
      }
    });
    return *this;
  }

  // A check across options, run when every option parsed; returns "" or an error message
  // reported at the options map.
  OptionSchema& Check(std::function<std::string(const Options&)> check) {
    checks_.push_back(std::move(check));
    return *this;
  }

  // A step run once every option parsed and every Check passed: it compiles what several options
  // make together (grok patterns with their libraries, time formats with their zone) into a
  // member of `Options` that is not an option (e.g. a shared_ptr to the compiled form), so that
  // Build() uses it and cannot fail on what parsing accepted. Returns "" or an error message
  // reported at the options map.
  OptionSchema& Compile(std::function<std::string(Options&)> compile) {
    compiles_.push_back(std::move(compile));
    return *this;
  }

  // Keys of which a config may set at most one ("set either 'pattern' or 'patterns', not
  // both"), reported at the options map.
  OptionSchema& Exclusive(std::vector<std::string> keys) {
    exclusive_.push_back(std::move(keys));
    return *this;
  }

  // Reads the map at `r` into `out` (default-constructed by the caller). Keys listed in `reserved`
  // (handled by the engine: type, id, when) are skipped. `what` names the owner in messages
  // ("output 'file'"). Every problem goes to r.diags().
  void Parse(const NodeReader& r, Options* out, std::string_view what,
             const std::vector<std::string>& reserved = {}) const {
    if (r.node().IsNull() && !AnyRequired()) return;  // `admin:` alone: all defaults
    if (!r.node().IsMap()) {
      r.Error("expected a map of options, got " + r.Describe());
      return;
    }
    size_t errors_before = r.diags().errors().size();
    std::vector<bool> seen(infos_.size(), false);
    for (const auto& kv : r.node()) {
      std::string key = kv.first.Scalar();
      if (std::find(reserved.begin(), reserved.end(), key) != reserved.end()) continue;
      size_t i = IndexOf(key);
      if (i == infos_.size()) {
        std::vector<std::string> candidates = keys();
        candidates.insert(candidates.end(), reserved.begin(), reserved.end());
        std::string hint = DidYouMean(key, candidates);
        std::string owner = what.empty() ? std::string() : " for " + std::string(what);
        r.ErrorAt(kv.first, "unknown option '" + key + "'" + owner +
                                (hint.empty() ? "; valid options: " + KeyList() : hint));
        continue;
      }
      seen[i] = true;
      parsers_[i](r.Child(kv.second, key), out);
    }
    for (size_t i = 0; i < infos_.size(); ++i) {
      if (infos_[i].required && !seen[i]) {
        std::string owner = what.empty() ? std::string() : " of " + std::string(what);
        r.Error("missing required option '" + infos_[i].key + "'" + owner + " (" +
                Plain(infos_[i].doc) + ")" +
                (infos_[i].example.empty() ? "" : ", e.g. " + infos_[i].example));
      }
    }
    for (const auto& group : exclusive_) {
      std::vector<std::string> set;
      for (const std::string& key : group) {
        if (size_t i = IndexOf(key); i < infos_.size() && seen[i]) set.push_back("'" + key + "'");
      }
      if (set.size() < 2) continue;
      std::string list;
      for (size_t k = 0; k < set.size(); ++k) {
        list += (k == 0 ? "" : k + 1 == set.size() ? " and " : ", ") + set[k];
      }
      r.Error("set only one of " + list + ", not " + (set.size() == 2 ? "both" : "all of them"));
    }
    if (r.diags().errors().size() != errors_before) return;
    for (const auto& check : checks_) {
      std::string message = check(*out);
      if (!message.empty()) r.Error(message);
    }
    if (r.diags().errors().size() != errors_before) return;
    for (const auto& compile : compiles_) {
      std::string message = compile(*out);
      if (!message.empty()) r.Error(message);
    }
  }

  // `options` as shown to people (`validate --print-config`, /api/v1/config): a map of the
  // options, in schema order, with their values (the default when the config did not set one),
  // secrets masked; options that are unset (empty, as their default is) are left out.
  ConfigValue Show(const Options& options) const { return ShowOptions(infos_, &options); }

  const std::vector<OptionInfo>& infos() const { return infos_; }
  std::vector<std::string> keys() const {
    std::vector<std::string> k;
    for (const auto& i : infos_) k.push_back(i.key);
    return k;
  }

 private:
  template <typename T>
  static void ParseOption(const NodeReader& r, const OptionSpec<T>& spec, T Options::*member,
                          Options* out) {
    T value{};
    if (!OptionTraits<T>::Parse(r, &value)) return;
    if constexpr (std::is_same_v<T, std::string>) {
      if (!spec.one_of.empty() &&
          std::find(spec.one_of.begin(), spec.one_of.end(), value) == spec.one_of.end()) {
        r.Error(OneOfError(value, spec.one_of));
        return;
      }
    }
    if (spec.non_empty && IsEmpty(value)) {
      r.Error("must not be empty");
      return;
    }
    if constexpr (std::three_way_comparable<T>) {
      if (spec.min && value < *spec.min) {
        r.Error("must be at least " + Plain(OptionTraits<T>::Format(*spec.min)) + ", got " +
                Plain(OptionTraits<T>::Format(value)));
        return;
      }
      if (spec.max && *spec.max < value) {
        r.Error("must be at most " + Plain(OptionTraits<T>::Format(*spec.max)) + ", got " +
                Plain(OptionTraits<T>::Format(value)));
        return;
      }
    }
    out->*member = std::move(value);
  }
  template <typename T>
  static bool IsEmpty(const T& value) {
    if constexpr (std::is_same_v<T, Template>) {
      return value.source().empty();
    } else if constexpr (requires { value.empty(); }) {
      return value.empty();
    } else {
      return false;
    }
  }
  size_t IndexOf(std::string_view key) const {
    for (size_t i = 0; i < infos_.size(); ++i) {
      if (infos_[i].key == key) return i;
    }
    return infos_.size();
  }
  bool AnyRequired() const {
    return std::any_of(infos_.begin(), infos_.end(), [](const auto& i) { return i.required; });
  }
  std::string KeyList() const {
    std::string list;
    for (const auto& i : infos_) list += (list.empty() ? "" : ", ") + i.key;
    return list.empty() ? "(none)" : list;
  }

  std::vector<OptionInfo> infos_;
  std::vector<std::function<void(const NodeReader&, Options*)>> parsers_;
  std::vector<std::function<std::string(const Options&)>> checks_;
  std::vector<std::function<std::string(Options&)>> compiles_;
  std::vector<std::vector<std::string>> exclusive_;
};

// The markdown table of `infos` for docs/ (option, type, default, description).
std::string OptionsMarkdown(const std::vector<OptionInfo>& infos);
// The table, then one table per nested map option ("`multiline` options").
std::string OptionsMarkdownWithNested(const std::vector<OptionInfo>& infos);

}  // namespace sluice::config
