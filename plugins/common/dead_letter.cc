#include "plugins/common/dead_letter.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "pipeline/clock.h"
#include "pipeline/json_encoder.h"
#include "pipeline/json_string.h"

namespace sluice::common {

DeadLetterFile::DeadLetterFile(const std::string& data_dir, const std::string& pipeline,
                               const std::string& id)
    : path_(data_dir + "/dead_letter/" + pipeline + "/" + id + ".ndjson") {}

DeadLetterFile::~DeadLetterFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status DeadLetterFile::Append(std::string_view reason, std::string_view destination,
                              std::string_view event, bool event_is_json) {
  std::lock_guard lock(mu_);
  if (fd_ < 0) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return IoError("cannot open dead-letter file '" + path_ + "': " + strerror(errno));
  }
  line_.clear();
  line_ += "{\"time\":\"";
  AppendRfc3339(line_, WallNs());
  line_ += "\",\"reason\":";
  AppendJsonString(line_, reason);
  line_ += ",\"destination\":";
  AppendJsonString(line_, destination);
  line_ += ",\"event\":";
  if (event_is_json) {
    line_ += event;
  } else {
    AppendJsonString(line_, event);
  }
  line_ += "}\n";
  size_t off = 0;
  while (off < line_.size()) {
    ssize_t n = ::write(fd_, line_.data() + off, line_.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot write dead-letter file '" + path_ + "': " + strerror(errno));
    off += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0) {
    return IoError("cannot fsync dead-letter file '" + path_ + "': " + strerror(errno));
  }
  return Status::Ok();
}

}  // namespace sluice::common
