#include "pipeline/source_tracker.h"

namespace sluice {

uint64_t SourceTracker::Begin(uint64_t checkpoint) {
  std::lock_guard lock(mu_);
  window_.push_back(Slot{checkpoint, false});
  return base_ + window_.size() - 1;
}

void SourceTracker::Complete(uint64_t seq) {
  std::lock_guard lock(mu_);
  if (seq < base_ || seq - base_ >= window_.size()) return;  // unknown or already committed
  window_[seq - base_].done = true;
  bool advanced = false;
  while (!window_.empty() && window_.front().done) {
    committed_ = window_.front().checkpoint;
    window_.pop_front();
    ++base_;
    advanced = true;
  }
  if (advanced) {
    has_committed_ = true;
    if (on_commit_) on_commit_(committed_);
  }
}

uint64_t SourceTracker::pending() const {
  std::lock_guard lock(mu_);
  return window_.size();
}

bool SourceTracker::committed(uint64_t* checkpoint) const {
  std::lock_guard lock(mu_);
  *checkpoint = committed_;
  return has_committed_;
}

}  // namespace sluice
