// CRC-32C (Castagnoli), the checksum of disk-buffer records (as LevelDB's and Kafka's record
// formats use it). Debian 12 ships no CRC-32C library (abseil's absl/crc is newer than its
// 20220623 release, zlib's crc32 is the IEEE polynomial), so this is the portable slicing-by-8
// table method: about 1-2 GB/s, well above what a disk buffer writes.
// Thread-safety: pure functions (the tables are built once, thread-safely).
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::buffer {

// Extends `crc` (0 to start) with `data`. Crc32c("123456789") == 0xE3069283.
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace sluice::buffer
