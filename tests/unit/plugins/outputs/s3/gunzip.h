// Reading back what the s3 output compressed, for its tests.
#pragma once

#include <zlib.h>

#include <filesystem>
#include <string>

namespace sluice::testing {

// The decompressed text of the gzip file at `path` ("" when it cannot be opened).
inline std::string GunzipFile(const std::filesystem::path& path) {
  std::string text;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return text;
  char buf[4096];
  int n;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  gzclose(f);
  return text;
}

}  // namespace sluice::testing
