// FileIdentity: what makes a file the same file across renames and restarts: its (device, inode)
// plus a fingerprint (a 64-bit FNV-1a hash) of its first bytes. A file shorter than the fingerprint
// length is fingerprinted over what it has (`length` says how much), so small files are read at
// once and re-identified by the same prefix later; an inode reused by a new file is told apart
// because its first bytes differ.
// Thread-safety: plain values and pure functions (Fingerprint does a pread).
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/status.h"
#include "plugins/common/hash.h"

namespace sluice::inputs::file {

struct Fingerprint {
  uint32_t length = 0;  // bytes hashed
  uint64_t hash = 0;
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

// FNV-1a, 64 bit: stable across runs and builds (it is persisted in checkpoints).
using common::Fnv1a;

// Hashes the first min(max_length, file size) bytes of `fd` (read with pread; the file position
// is untouched). An I/O error names the path.
Result<Fingerprint> ComputeFingerprint(int fd, uint32_t max_length, const std::string& path);

// "dev:ino", the checkpoint key of a file.
std::string IdentityKey(const struct stat& st);

// The saved state of one file in the input's checkpoint store.
struct SavedFile {
  uint64_t offset = 0;
  Fingerprint fingerprint;
  uint64_t source_id = 0;  // the id event ids were derived from: kept for the file's whole life
  std::string path;
  std::string Encode() const;
  // False when `text` is not what Encode() writes.
  static bool Decode(std::string_view text, SavedFile* out);
};

}  // namespace sluice::inputs::file
