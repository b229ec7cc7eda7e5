// Fixed-width little-endian integers, the byte order of every disk-buffer format (record headers,
// the ack file, batch payloads), independent of the host's.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace sluice::buffer {

inline void PutLittleEndian32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline void PutLittleEndian64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline void AppendLittleEndian64(std::string& out, uint64_t v) {
  char bytes[8];
  PutLittleEndian64(bytes, v);
  out.append(bytes, 8);
}
inline uint32_t GetLittleEndian32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}
inline uint64_t GetLittleEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}

}  // namespace sluice::buffer
