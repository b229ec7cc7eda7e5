// JitteredBackoffMs: how long to wait before retry number `attempt` (0: the first retry) of a
// request that keeps failing: `initial_ms`, doubled per attempt up to `max_ms`, then a random
// point in the upper half of that (jitter, so that clients that failed together do not all
// retry together). Shared by the outputs that retry without limit (kafka, s3, elasticsearch),
// each with a JitterEngine of its own.
// Thread-safety: pure, given a random engine per thread.
#pragma once

#include <sys/random.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace sluice::common {

// A random engine seeded from the kernel (getrandom(2)), or from the clock and the engine's
// address if that fails. Not std::random_device: GCC 12's libstdc++ implements it with glibc
// 2.36's arc4random, which the packaged binary must not need (docs/install.md: glibc 2.34).
inline std::mt19937_64 JitterEngine() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != static_cast<ssize_t>(sizeof(seed))) {
    seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
           reinterpret_cast<uintptr_t>(&seed);
  }
  return std::mt19937_64(seed);
}

inline int64_t JitteredBackoffMs(int attempt, int64_t initial_ms, int64_t max_ms,
                                 std::mt19937_64& random) {
  const int64_t ms = std::min<int64_t>(max_ms, initial_ms << std::min(attempt, 20));
  return ms / 2 + static_cast<int64_t>(random() % static_cast<uint64_t>(ms / 2 + 1));
}

}  // namespace sluice::common
