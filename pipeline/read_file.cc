#include "pipeline/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "pipeline/units.h"

namespace sluice {

Result<std::string> ReadBoundedFile(const std::string& path, size_t max_bytes) {
  auto too_large = [&] {
    return InvalidArgument("it is larger than " + ByteSize{max_bytes}.ToString() +
                           "; is it the right file?");
  };
  struct stat st {};
  // stat before open: opening a FIFO with no writer would block.
  if (::stat(path.c_str(), &st) != 0) return InvalidArgument(std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return InvalidArgument("it is a directory, not a file");
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgument("it is not a regular file (a device, pipe or socket)");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return too_large();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return InvalidArgument(std::strerror(errno));
  std::string content(static_cast<size_t>(st.st_size), '\0');
  size_t size = 0;
  // Until end of file: the file may have grown since stat (never beyond max_bytes).
  for (;;) {
    if (size == content.size()) {
      if (size > max_bytes) {
        ::close(fd);
        return too_large();
      }
      content.resize(std::min(max_bytes + 1, std::max<size_t>(size * 2, 4096)));
    }
    const ssize_t n = ::read(fd, content.data() + size, content.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return InvalidArgument(std::strerror(error));
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  if (size > max_bytes) return too_large();
  content.resize(size);
  return content;
}

}  // namespace sluice
