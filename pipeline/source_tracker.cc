#include "pipeline/source_tracker.h"

namespace sluice {

uint64_t SourceTracker::Begin(uint64_t checkpoint) {
  std::lock_guard lock(mu_);
  if (stuck_) return base_++;  // nothing after a failure can commit: keep no slot
  window_.push_back(Slot{checkpoint, false, false});
  return base_ + window_.size() - 1;
}

void SourceTracker::Complete(uint64_t seq) {
  std::lock_guard lock(mu_);
  if (stuck_ || seq < base_ || seq - base_ >= window_.size()) return;  // unknown or settled
  window_[seq - base_].done = true;
  AdvanceLocked();
}

void SourceTracker::Fail(uint64_t seq) {
  std::lock_guard lock(mu_);
  if (stuck_ || seq < base_ || seq - base_ >= window_.size()) return;
  window_[seq - base_].failed = true;
  AdvanceLocked();
}

void SourceTracker::AdvanceLocked() {
  bool advanced = false;
  while (!window_.empty() && window_.front().done) {
    committed_ = window_.front().checkpoint;
    window_.pop_front();
    ++base_;
    advanced = true;
  }
  if (!window_.empty() && window_.front().failed) {
    stuck_ = true;
    base_ += window_.size();
    window_.clear();
  }
  if (advanced) {
    has_committed_ = true;
    if (on_commit_) on_commit_(committed_);
  }
}

bool SourceTracker::stuck() const {
  std::lock_guard lock(mu_);
  return stuck_;
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
