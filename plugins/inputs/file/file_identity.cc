#include "plugins/inputs/file/file_identity.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

namespace sluice::inputs::file {

Result<Fingerprint> ComputeFingerprint(int fd, uint32_t max_length, const std::string& path) {
  std::vector<char> buf(max_length);
  size_t got = 0;
  while (got < max_length) {
    ssize_t n = ::pread(fd, buf.data() + got, max_length - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return Fingerprint{static_cast<uint32_t>(got), Fnv1a(std::string_view(buf.data(), got))};
}

std::string IdentityKey(const struct stat& st) {
  return fmt::format("{}:{}", static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
}

std::string SavedFile::Encode() const {
  return fmt::format("{} {} {:016x} {:016x} {}", offset, fingerprint.length, fingerprint.hash,
                     source_id, path);
}

bool SavedFile::Decode(std::string_view text, SavedFile* out) {
  auto number = [&](int base, auto* value) {
    size_t space = text.find(' ');
    if (space == std::string_view::npos) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + space, *value, base);
    if (ec != std::errc() || end != text.data() + space) return false;
    text.remove_prefix(space + 1);
    return true;
  };
  return number(10, &out->offset) && number(10, &out->fingerprint.length) &&
         number(16, &out->fingerprint.hash) && number(16, &out->source_id) &&
         (out->path = std::string(text), true);
}

}  // namespace sluice::inputs::file
