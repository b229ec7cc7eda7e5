#include "pipeline/config/diagnostics.h"

#include <algorithm>
#include <cctype>

namespace sluice::config {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t subst = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string Diagnostics::ToString() const {
  std::string out;
  for (const Status& e : errors_) {
    out += e.ToString();
    out += '\n';
  }
  return out;
}

std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(name, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // A plausible typo: at most a third of the longer name, and at least one character kept.
  size_t limit = std::max<size_t>(1, std::max(name.size(), best.size()) / 3);
  bool prefix =
      !best.empty() && name.size() >= 3 && (best.starts_with(name) || name.starts_with(best));
  return best_distance <= limit || prefix ? best : std::string();
}

}  // namespace sluice::config
