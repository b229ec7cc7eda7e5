#include "pipeline/checkpoint_store.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace sluice {
namespace {

constexpr std::string_view kHeader = "sluice-checkpoints 1\n";

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

bool Unescape(std::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      *out += s[i];
      continue;
    }
    if (++i == s.size()) return false;
    switch (s[i]) {
      case '\\':
        *out += '\\';
        break;
      case 't':
        *out += '\t';
        break;
      case 'n':
        *out += '\n';
        break;
      default:
        return false;
    }
  }
  return true;
}

uint32_t Crc(std::string_view data) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

// Parses a whole file; returns an error saying what is wrong with it.
Result<std::map<std::string, std::string>> Parse(const std::string& text) {
  if (!text.starts_with(kHeader)) return InvalidArgument("bad header");
  size_t trailer = text.rfind("crc32 ");
  if (trailer == std::string::npos || text.size() != trailer + 6 + 8 + 1 || text.back() != '\n') {
    return InvalidArgument("truncated: no crc32 trailer");
  }
  uint32_t want = 0;
  if (sscanf(text.c_str() + trailer + 6, "%8x", &want) != 1) {
    return InvalidArgument("bad crc32 trailer");
  }
  std::string_view body(text.data(), trailer);
  if (Crc(body) != want) return InvalidArgument("crc32 mismatch");
  std::map<std::string, std::string> entries;
  size_t pos = kHeader.size();
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) return InvalidArgument("unterminated entry");
    std::string_view line = body.substr(pos, nl - pos);
    size_t tab = line.find('\t');
    std::string key, value;
    if (tab == std::string_view::npos || !Unescape(line.substr(0, tab), &key) ||
        !Unescape(line.substr(tab + 1), &value)) {
      return InvalidArgument("malformed entry");
    }
    entries[key] = value;
    pos = nl + 1;
  }
  return entries;
}

Result<std::map<std::string, std::string>> Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kNotFound, std::strerror(errno));
  std::stringstream s;
  s << in.rdbuf();
  return Parse(s.str());
}

Status WriteFileSynced(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError(fmt::format("cannot create '{}': {}", path, std::strerror(errno)));
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = IoError(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
      ::close(fd);
      return s;
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = IoError(fmt::format("cannot fsync '{}': {}", path, std::strerror(errno)));
    ::close(fd);
    return s;
  }
  ::close(fd);
  return Status::Ok();
}

void SyncDirectory(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

Result<std::unique_ptr<CheckpointStore>> CheckpointStore::Open(const std::string& path,
                                                               const Logger& logger) {
  std::unique_ptr<CheckpointStore> store(new CheckpointStore(path));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  auto primary = Load(path);
  if (primary.ok()) {
    store->entries_ = std::move(primary).value();
    store->origin_ = Origin::kPrimary;
    store->primary_good_ = true;
    return store;
  }
  const std::string backup_path = path + ".bak";
  auto backup = Load(backup_path);
  bool primary_missing = primary.status().code() == StatusCode::kNotFound;
  auto what = [](const Status& s) {
    return s.code() == StatusCode::kNotFound ? std::string("missing")
                                             : "corrupt (" + s.message() + ")";
  };
  if (backup.ok()) {
    logger.Warn(
        "checkpoint file '{}' is {}; using the backup '{}' (events after it will be read "
        "again)",
        path, what(primary.status()), backup_path);
    store->entries_ = std::move(backup).value();
    store->origin_ = Origin::kBackup;
    store->dirty_ = true;
    return store;
  }
  if (primary_missing && backup.status().code() == StatusCode::kNotFound) return store;  // new
  return IoError(fmt::format(
      "checkpoint file '{}' is {} and its backup '{}' is {}; refusing to start over silently: "
      "restore one of them, or delete both to read every source from its start",
      path, what(primary.status()), backup_path, what(backup.status())));
}

std::optional<std::string> CheckpointStore::Get(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void CheckpointStore::Set(const std::string& key, std::string value) {
  std::lock_guard lock(mu_);
  auto& slot = entries_[key];
  if (slot != value) {
    slot = std::move(value);
    dirty_ = true;
  }
}

void CheckpointStore::Erase(const std::string& key) {
  std::lock_guard lock(mu_);
  if (entries_.erase(key) > 0) dirty_ = true;
}

std::map<std::string, std::string> CheckpointStore::Entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

Status CheckpointStore::Persist() {
  std::lock_guard persist_lock(persist_mu_);
  std::string data;
  {
    std::lock_guard lock(mu_);
    if (!dirty_) return Status::Ok();
    data = kHeader;
    for (const auto& [k, v] : entries_) data += Escape(k) + "\t" + Escape(v) + "\n";
    dirty_ = false;
  }
  data += fmt::format("crc32 {:08x}\n", Crc(data));
  const std::string tmp = path_ + ".tmp";
  Status s = WriteFileSynced(tmp, data);
  if (s.ok() && primary_good_ && std::filesystem::exists(path_)) {
    // Keep the previous good copy (never a corrupt one over a good backup); a crash between the
    // renames leaves only the backup, which Open() then uses.
    if (::rename(path_.c_str(), (path_ + ".bak").c_str()) != 0) {
      s = IoError(fmt::format("cannot rename '{}': {}", path_, std::strerror(errno)));
    }
  }
  if (s.ok() && ::rename(tmp.c_str(), path_.c_str()) != 0) {
    s = IoError(fmt::format("cannot rename '{}' to '{}': {}", tmp, path_, std::strerror(errno)));
  }
  if (!s.ok()) {
    std::lock_guard lock(mu_);
    dirty_ = true;  // try again next time
    return s;
  }
  SyncDirectory(path_);
  primary_good_ = true;
  return Status::Ok();
}

}  // namespace sluice
