#include "plugins/common/gunzip.h"

#include <zlib.h>

#include <vector>

namespace sluice::common {

bool IsGzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

std::string Gunzip(std::string_view in, const std::function<void(std::string_view)>& out) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return "cannot start zlib";
  std::vector<unsigned char> buffer(256 << 10);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string error;
  bool member_done = false;
  while (true) {
    zs.next_out = buffer.data();
    zs.avail_out = static_cast<uInt>(buffer.size());
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const size_t produced = buffer.size() - zs.avail_out;
    if (produced > 0) out(std::string_view(reinterpret_cast<char*>(buffer.data()), produced));
    if (rc == Z_STREAM_END) {
      member_done = true;
      if (zs.avail_in == 0) break;
      // Another member follows (or trailing garbage, which the next inflate reports).
      if (inflateReset(&zs) != Z_OK) {
        error = "cannot restart zlib";
        break;
      }
      member_done = false;
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // the input ended
    if (rc != Z_OK) {
      error = std::string("corrupt gzip data: ") + (zs.msg != nullptr ? zs.msg : "zlib error");
      break;
    }
  }
  inflateEnd(&zs);
  if (error.empty() && !member_done) error = "truncated gzip data";
  return error;
}

}  // namespace sluice::common
