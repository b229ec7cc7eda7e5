#include "pipeline/metric_set.h"

namespace sluice {

std::string MetricsMarkdown(const std::vector<MetricInfo>& infos) {
  std::string out = "| metric | type | labels | meaning |\n| --- | --- | --- | --- |\n";
  for (const MetricInfo& i : infos) {
    std::string help = i.help;
    for (char& c : help) {
      if (c == '|') c = '/';
    }
    std::string labels = "—";
    if (!i.labels.empty()) labels = "`" + i.labels + "`";
    out += "| `" + i.name + "` | " + i.type + " | " + labels + " | " + help + " |\n";
  }
  return out;
}

}  // namespace sluice
