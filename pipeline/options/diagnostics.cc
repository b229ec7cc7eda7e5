#include "pipeline/options/diagnostics.h"

#include <algorithm>
#include <cctype>

#include "pipeline/options/secret.h"

namespace sluice::config {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
// adjacent characters (`sprak` -> `spark` is one edit), case-insensitive.
size_t EditDistance(std::string_view a, std::string_view b) {
  auto same = [](char x, char y) { return std::tolower(x) == std::tolower(y); };
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same(a[i - 1], b[j - 1]) ? 0 : 1)});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

void Diagnostics::Redact(size_t first, std::string_view secret, const SourceLocation* at) {
  if (secret.empty()) return;
  for (size_t i = first; i < errors_.size(); ++i) {
    const SourceLocation& where = errors_[i].where();
    if (at != nullptr &&
        (where.file != at->file || where.line != at->line || where.column != at->column)) {
      continue;
    }
    std::string message = errors_[i].message();
    bool changed = false;
    for (size_t at = message.find(secret); at != std::string::npos;
         at = message.find(secret, at + kSecretMask.size())) {
      message.replace(at, secret.size(), kSecretMask);
      changed = true;
    }
    if (changed) errors_[i] = Status(errors_[i].code(), std::move(message), errors_[i].where());
  }
}

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

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
  std::string hint = ClosestName(name, candidates);
  return hint.empty() ? std::string() : "; did you mean '" + hint + "'?";
}

}  // namespace sluice::config
