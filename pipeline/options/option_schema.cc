#include "pipeline/options/option_schema.h"

namespace sluice::config {

ConfigValue ShowOptions(const std::vector<OptionInfo>& infos, const void* options) {
  ConfigValue map = ConfigValue::Map();
  for (const OptionInfo& i : infos) {
    if (!i.show) continue;
    ConfigValue value = i.show(options);
    if (value.kind() != ConfigValue::Kind::kNull) map.Set(i.key, std::move(value));
  }
  return map;
}

ConfigValue MaskedForShow(const ConfigValue& value, bool secret_entries) {
  switch (value.kind()) {
    case ConfigValue::Kind::kString:
      return ConfigValue::String(MaskUrlPasswords(value.text()));
    case ConfigValue::Kind::kList: {
      ConfigValue list = ConfigValue::List();
      for (const auto& [key, item] : value.entries()) list.Append(MaskedForShow(item, false));
      return list;
    }
    case ConfigValue::Kind::kMap: {
      ConfigValue map = ConfigValue::Map();
      for (const auto& [key, item] : value.entries()) {
        bool mask = secret_entries && NamesASecret(key) && !item.text().empty();
        map.Set(key,
                mask ? ConfigValue::String(std::string(kSecretMask)) : MaskedForShow(item, false));
      }
      return map;
    }
    default:
      return value;
  }
}

void NoteSecretOption(const NodeReader& r, bool secret_entries, size_t errors_before) {
  // The value at `at`; an entry of a map is redacted only from the errors about that entry.
  auto note = [&](const NodeReader& at, bool entry) {
    if (!at.node().IsScalar()) return;
    const std::string& raw = at.node().Scalar();
    SourceLocation where = at.where();
    at.diags().Redact(errors_before, raw, entry ? &where : nullptr);
    if (IsLiteralSecret(raw)) {
      at.diags().NoteSecretFile(SecretFileUse{at.file(), where, at.path()});
    }
  };
  if (!secret_entries) {
    note(r, false);
    return;
  }
  if (!r.node().IsMap()) return;
  for (const auto& kv : r.node()) {
    if (kv.first.IsScalar() && NamesASecret(kv.first.Scalar())) {
      note(r.Child(kv.second, kv.first.Scalar()), true);
    }
  }
}

std::string OptionsMarkdown(const std::vector<OptionInfo>& infos) {
  if (infos.empty()) return "This plugin has no options.\n";
  std::string out = "| option | type | default | description |\n| --- | --- | --- | --- |\n";
  for (const OptionInfo& i : infos) {
    std::string doc = i.doc;
    if (!i.one_of.empty()) {
      doc += " One of:";
      for (size_t k = 0; k < i.one_of.size(); ++k) doc += (k ? ", `" : " `") + i.one_of[k] + "`";
      doc += ".";
    }
    if (!i.limits.empty()) doc += " Range: " + i.limits + ".";
    if (i.non_empty) doc += " Must not be empty.";
    if (!i.example.empty()) doc += " Example: `" + i.example + "`.";
    if (i.secret) doc += " Secret: shown as `***`.";
    if (i.secret_entries) {
      doc +=
          " Values of keys naming a secret (`password`, `secret`, `token`, ...) are shown as "
          "`***`.";
    }
    std::string def = i.required ? "required" : (i.default_text.empty() ? "—" : i.default_text);
    for (char& c : doc) {
      if (c == '|') c = '/';
    }
    out += "| `" + i.key + "` | " + i.type + " | " + def + " | " + doc + " |\n";
  }
  return out;
}

std::string OptionsMarkdownWithNested(const std::vector<OptionInfo>& infos) {
  std::string out = OptionsMarkdown(infos);
  for (const OptionInfo& i : infos) {
    if (i.nested.empty()) continue;
    out += "\nOptions of `" + i.key + "`:\n\n" + OptionsMarkdown(i.nested);
  }
  return out;
}

}  // namespace sluice::config
