// JitteredBackoffMs: how long to wait before retry number `attempt` (0: the first retry) of a
// request that keeps failing: `initial_ms`, doubled per attempt up to `max_ms`, then a random
// point in the upper half of that (jitter, so that clients that failed together do not all
// retry together). Shared by the outputs that retry without limit (kafka, s3, elasticsearch).
// Thread-safety: pure, given a random engine per thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

namespace sluice::common {

inline int64_t JitteredBackoffMs(int attempt, int64_t initial_ms, int64_t max_ms,
                                 std::mt19937_64& random) {
  const int64_t ms = std::min<int64_t>(max_ms, initial_ms << std::min(attempt, 20));
  return ms / 2 + static_cast<int64_t>(random() % static_cast<uint64_t>(ms / 2 + 1));
}

}  // namespace sluice::common
