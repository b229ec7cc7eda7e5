// HostPool: the elasticsearch output's nodes (`hosts`), taken in turn; a node that fails (no
// answer, or a gateway error) is rested, 1 s doubling up to a minute, while the others take its
// share; an answer from it ends its rest.
// Thread-safety: every method may be called from any thread (the output's senders share a pool).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::outputs::elasticsearch {

class HostPool {
 public:
  // The nodes' URLs, trailing slashes removed.
  explicit HostPool(const std::vector<std::string>& urls);

  // The next host in turn that is not resting; when all rest, the one back soonest.
  size_t Pick();
  const std::string& url(size_t i) const { return hosts_[i].url; }
  // A connection error or a gateway error (502, 504) on a request sent at `sent_ns` (MonoNs()):
  // rested 1 s, doubling up to a minute. Requests sent before the host's last rest began fail of
  // the same outage: they do not lengthen it.
  void Failed(size_t i, int64_t sent_ns);
  // The host answered: its rest and failure count end.
  void Succeeded(size_t i);

 private:
  struct Host {
    std::string url;
    int64_t rested_until_ns = 0;
    int64_t rest_began_ns = 0;
    int failures = 0;
  };
  std::mutex mu_;
  // Fixed at construction (url() reads it unlocked); guarded by mu_: the rest state.
  std::vector<Host> hosts_;
  size_t next_ = 0;  // guarded by mu_
};

}  // namespace sluice::outputs::elasticsearch
