#include "plugins/outputs/elasticsearch/elasticsearch_host_pool.h"

#include <algorithm>

#include "pipeline/clock.h"

namespace sluice::outputs::elasticsearch {

HostPool::HostPool(const std::vector<std::string>& urls) {
  for (const auto& u : urls) {
    std::string url = u;
    while (!url.empty() && url.back() == '/') url.pop_back();
    hosts_.push_back(Host{url});
  }
}

size_t HostPool::Pick() {
  std::lock_guard lock(mu_);
  const int64_t now = MonoNs();
  for (size_t n = 0; n < hosts_.size(); ++n) {
    size_t i = (next_ + n) % hosts_.size();
    if (hosts_[i].rested_until_ns <= now) {
      next_ = i + 1;
      return i;
    }
  }
  size_t best = 0;
  for (size_t i = 1; i < hosts_.size(); ++i) {
    if (hosts_[i].rested_until_ns < hosts_[best].rested_until_ns) best = i;
  }
  return best;
}

void HostPool::Failed(size_t i, int64_t sent_ns) {
  std::lock_guard lock(mu_);
  Host& h = hosts_[i];
  const int64_t now = MonoNs();
  if (sent_ns < h.rest_began_ns) return;
  h.rest_began_ns = now;
  h.rested_until_ns =
      now + std::min<int64_t>(60'000, 1000ll << std::min(h.failures, 6)) * 1'000'000;
  ++h.failures;
}

void HostPool::Succeeded(size_t i) {
  std::lock_guard lock(mu_);
  hosts_[i].failures = 0;
  hosts_[i].rested_until_ns = 0;
}

}  // namespace sluice::outputs::elasticsearch
