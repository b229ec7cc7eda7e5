// Stable 64-bit hashing for decisions that must come out the same on every host, worker and
// restart (file fingerprints, drop percentages, sampling keys): FNV-1a over bytes, then
// MurmurHash3's fmix64 finaliser where the low bits must be well spread. Never std::hash, whose
// values may change between builds.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::common {

inline constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
inline constexpr uint64_t kFnvPrime = 0x100000001b3ull;

// FNV-1a 64 of `bytes`, continuing from `h` (start with kFnvOffset).
inline uint64_t Fnv1a(std::string_view bytes, uint64_t h = kFnvOffset) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

// FNV-1a 64 of the 8 little-endian bytes of `v`, continuing from `h`.
inline uint64_t Fnv1aU64(uint64_t v, uint64_t h) {
  for (int i = 0; i < 8; ++i) {
    h ^= (v >> (8 * i)) & 0xff;
    h *= kFnvPrime;
  }
  return h;
}

// MurmurHash3's fmix64: spreads FNV's weak low bits over the whole word.
inline uint64_t Mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace sluice::common
