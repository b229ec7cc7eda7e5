#include "pipeline/tap.h"

#include <fnmatch.h>

#include <algorithm>

#include "pipeline/clock.h"
#include "pipeline/json_string.h"

namespace sluice {

TapSession::TapSession(std::vector<std::string> patterns, double rate, size_t queue_limit)
    : patterns_(std::move(patterns)),
      rate_(std::max(rate, 0.001)),
      queue_limit_(std::max<size_t>(queue_limit, 1)) {}

bool MatchesAnyPattern(const std::vector<std::string>& patterns, std::string_view component) {
  const std::string name(component);
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) {
    return ::fnmatch(p.c_str(), name.c_str(), 0) == 0;
  });
}

uint64_t TapSession::Offer(std::string_view component, std::string_view kind,
                           const EventBatch& batch) {
  std::lock_guard lock(mu_);
  if (closed_) return 0;
  const int64_t now = MonoNs();
  const double burst = std::max(rate_, 1.0);
  auto it = buckets_.find(component);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(component), Bucket{burst, now}).first;
  Bucket& bucket = it->second;
  bucket.tokens =
      std::min(burst, bucket.tokens + rate_ * static_cast<double>(now - bucket.refilled_ns) / 1e9);
  bucket.refilled_ns = now;
  uint64_t missed = 0;
  bool added = false;
  for (const Event& event : batch.events()) {
    if (bucket.tokens < 1.0 || queue_.size() >= queue_limit_) {
      ++missed;
      continue;
    }
    bucket.tokens -= 1.0;
    std::string line = "{\"component\":";
    AppendJsonString(line, component);
    line += ",\"kind\":";
    AppendJsonString(line, kind);
    line += ",\"event\":";
    encoder_.Encode(event, line);
    line += "}\n";
    queue_.push_back(std::move(line));
    added = true;
  }
  missed_ += missed;
  if (added) cv_.notify_all();
  return missed;
}

std::vector<std::string> TapSession::Take(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, wait, [&] { return closed_ || !queue_.empty(); });
  std::vector<std::string> out(std::make_move_iterator(queue_.begin()),
                               std::make_move_iterator(queue_.end()));
  queue_.clear();
  return out;
}

void TapSession::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool TapSession::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

TapHub::TapHub(MetricsRegistry& metrics) : metrics_(metrics, Labels{}) {}

std::shared_ptr<TapSession> TapHub::Open(std::vector<std::string> patterns, double rate) {
  auto session = std::make_shared<TapSession>(std::move(patterns), rate);
  std::lock_guard lock(mu_);
  sessions_.push_back(session);
  sessions_count_.store(static_cast<int>(sessions_.size()));
  metrics_.sessions.Set(static_cast<int64_t>(sessions_.size()));
  return session;
}

void TapHub::Close(const std::shared_ptr<TapSession>& session) {
  session->Close();
  std::lock_guard lock(mu_);
  std::erase(sessions_, session);
  sessions_count_.store(static_cast<int>(sessions_.size()));
  metrics_.sessions.Set(static_cast<int64_t>(sessions_.size()));
}

void TapHub::Offer(std::string_view pipeline, std::string_view kind, std::string_view id,
                   const EventBatch& batch) {
  std::string component;
  component.reserve(pipeline.size() + 1 + id.size());
  component.append(pipeline).append(".").append(id);
  std::lock_guard lock(mu_);
  for (const auto& session : sessions_) {
    if (!session->Matches(component)) continue;
    if (uint64_t missed = session->Offer(component, kind, batch); missed > 0) {
      metrics_.missed_samples.Add(missed);
    }
  }
}

}  // namespace sluice
