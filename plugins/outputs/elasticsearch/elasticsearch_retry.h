// The elasticsearch output's wait before it sends a bulk request again. A try that settled some of
// the request's documents (the others refused for now: 429 or 5xx per item, as under a write-queue
// storm) made progress: the rest go again promptly, after the first step of the backoff (50 to
// 100 ms), however often that happened before. A try that settled nothing (no answer, a
// whole-request 429 or 5xx, every document refused) waits for the growing backoff of a sink that
// is down: 100 ms doubling up to `max_backoff`, with jitter (common::JitteredBackoffMs), counted
// in tries in a row without progress.
// Thread-safety: pure, given a random engine per thread.
#pragma once

#include <cstdint>
#include <random>

namespace sluice::outputs::elasticsearch {

// The first step of the backoff, doubled per try without progress.
inline constexpr int64_t kInitialBackoffMs = 100;

// Milliseconds to wait before the next try of a request whose last try made `progress` (settled
// at least one document). `*attempt`: the tries in a row without progress, updated (0 after
// progress).
int64_t RetryWaitMs(bool progress, int* attempt, int64_t max_backoff_ms, std::mt19937_64& random);

}  // namespace sluice::outputs::elasticsearch
