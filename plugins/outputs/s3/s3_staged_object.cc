#include "plugins/outputs/s3/s3_staged_object.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace sluice::outputs::s3 {

namespace {

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

void StagedObject::StartStaging(std::string path,
                                std::unique_ptr<common::StreamCompressor> stream) {
  compressor = std::move(stream);
  staging_path = std::move(path);
  fd = ::open(staging_path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0640);
}

void StagedObject::Append(std::string_view line) {
  if (!compressor->Append(line, buffer).ok()) broken = true;
  events++;
  raw_bytes += line.size();
  if (buffer.size() >= kWriteChunk) {
    if (fd < 0 || !WriteAll(fd, buffer)) broken = true;
    staged += buffer.size();
    buffer.clear();
  }
}

void StagedObject::Finish() {
  if (!compressor->Finish(buffer).ok()) broken = true;
  if (fd < 0 || !WriteAll(fd, buffer)) broken = true;
  staged += buffer.size();
  buffer.clear();
  buffer.shrink_to_fit();
  if (fd >= 0) ::close(fd);
  fd = -1;
  compressor.reset();
}

}  // namespace sluice::outputs::s3
