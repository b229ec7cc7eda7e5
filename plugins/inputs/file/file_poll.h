// PollSchedule: when the file input next fstat()s an open file for growth. Due every read turn
// while the file grows; each poll that finds nothing new doubles the wait, from kMinWaitNs up to
// the caller's bound (kMinWaitNs for a file no inotify watch covers); Poke() (an fs event about
// the file) makes it due at once. A thousand idle files then cost a few hundred fstats a second
// instead of four thousand.
// Thread-safety: none; the input's thread only.
#pragma once

#include <algorithm>
#include <cstdint>

namespace sluice::inputs::file {

class PollSchedule {
 public:
  static constexpr int64_t kMinWaitNs = 250'000'000;

  bool Due(int64_t now_mono) const { return now_mono >= next_mono_; }
  // A poll at `now_mono` found growth (`grew`) or nothing; the next waits at most `max_wait_ns`.
  void Polled(int64_t now_mono, bool grew, int64_t max_wait_ns) {
    if (grew) {
      Poke();
      return;
    }
    wait_ns_ = std::clamp(wait_ns_ * 2, kMinWaitNs, std::max(kMinWaitNs, max_wait_ns));
    next_mono_ = now_mono + wait_ns_;
  }
  void Poke() {
    next_mono_ = 0;
    wait_ns_ = 0;
  }
  int64_t wait_ns() const { return wait_ns_; }

 private:
  int64_t next_mono_ = 0;
  int64_t wait_ns_ = 0;
};

}  // namespace sluice::inputs::file
