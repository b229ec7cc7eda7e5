#include "pipeline/options/option_schema.h"

namespace sluice::config {

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
