// StreamCompressor: gzip (zlib), zstd or none, as one stream appended to a caller's buffer. The S3
// output compresses each object as it grows, so an open object costs its compressed size.
// `Compression` is the codec as an option (`gzip`, `zstd`, `none`), checked where the config names
// it; a compressor for it is then made without failing.
// Thread-safety: one stream per thread.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "pipeline/options/option_types.h"
#include "pipeline/status.h"

namespace sluice::common {

enum class Compression : uint8_t { kGzip, kZstd, kNone };
inline constexpr config::EnumName<Compression> kCompressionNames[] = {
    {"gzip", Compression::kGzip}, {"zstd", Compression::kZstd}, {"none", Compression::kNone}};
constexpr std::span<const config::EnumName<Compression>> OptionNames(Compression) {
  return kCompressionNames;
}

class StreamCompressor {
 public:
  virtual ~StreamCompressor() = default;
  // A stream of `codec` at `level` (the codec's level, -1: its default; gzip takes -1 to 9, zstd
  // up to 22). A stream that cannot start (no memory, a level zlib refuses) fails its first
  // Append() instead.
  static std::unique_ptr<StreamCompressor> Make(Compression codec, int level);
  // The same, by the codec's name ("gzip", "zstd", "none"); InvalidArgument for another name.
  static Result<std::unique_ptr<StreamCompressor>> Make(std::string_view codec, int level);
  // The extension objects get (".gz", ".zst", "") and the Content-Encoding ("" for none); by
  // name, "" for an unknown one.
  static std::string_view Extension(Compression codec);
  static std::string_view Extension(std::string_view codec);
  static std::string_view ContentEncoding(Compression codec);
  static std::string_view ContentEncoding(std::string_view codec);

  // Compresses `in`, appending what the codec emits to `out`.
  virtual Status Append(std::string_view in, std::string& out) = 0;
  // Ends the stream (trailer, checksum) into `out`; the compressor is then spent.
  virtual Status Finish(std::string& out) = 0;
};

}  // namespace sluice::common
