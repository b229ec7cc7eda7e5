// Clock readings as plain nanosecond counts: wall-clock time for event timestamps, monotonic time
// for timeouts and durations. Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>

namespace sluice {

// Nanoseconds since the Unix epoch (UTC wall clock).
inline int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Nanoseconds of the monotonic clock (only differences mean anything).
inline int64_t MonoNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace sluice
