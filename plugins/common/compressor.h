// StreamCompressor: gzip (zlib), zstd or none, as one stream appended to a caller's buffer. The S3
// output compresses each object as it grows, so an open object costs its compressed size.
// Thread-safety: one stream per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "pipeline/status.h"

namespace sluice::common {

class StreamCompressor {
 public:
  virtual ~StreamCompressor() = default;
  // `codec`: "gzip", "zstd" or "none"; `level`: the codec's level (-1: its default).
  static Result<std::unique_ptr<StreamCompressor>> Make(std::string_view codec, int level);
  // The extension objects get (".gz", ".zst", "") and the Content-Encoding ("" for none).
  static std::string_view Extension(std::string_view codec);
  static std::string_view ContentEncoding(std::string_view codec);

  // Compresses `in`, appending what the codec emits to `out`.
  virtual Status Append(std::string_view in, std::string& out) = 0;
  // Ends the stream (trailer, checksum) into `out`; the compressor is then spent.
  virtual Status Finish(std::string& out) = 0;
};

}  // namespace sluice::common
